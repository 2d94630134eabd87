"""Writes on participants' files. Every *block* rule raises a ValidationError with a French
message per field; every *warn* rule is stored on `Parcours.warnings`.

All functions are keyword-only and transactional; `actor` is the user who acts.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import Deployment, Programme
from sites.models import Structure, WorkSite

from . import rules
from .enums import EXIT_CATEGORY, ContractKind, ParcoursStatus, SnapshotContext
from .models import (
    AccompanimentAction,
    Contract,
    Exit,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
    WorkedHours,
)

OPEN_STATUSES = [ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]
PARTICIPANT_EDITABLE = {
    "external_id",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "orienteur",
    "pass_iae_number",
    "referent",
    "notice_given_on",
    "notice_version",
}


class ConflictError(Exception):
    """Someone else saved the record since it was read: nothing was overwritten."""

    def __init__(self, *, current: Participant, changed_fields: list[str]):
        self.current = current
        self.changed_fields = changed_fields
        super().__init__(_("Ce dossier a été modifié par quelqu'un d'autre entre-temps."))


def _raise(errors: dict[str, list[str]]) -> None:
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _check_same_structure(structure: Structure, **objects: Any) -> None:
    """Refuse any related object that belongs to another structure (defence in depth)."""
    for field, obj in objects.items():
        if obj is not None and getattr(obj, "structure_id", structure.pk) != structure.pk:
            raise ValidationError({field: _("Cet élément n'appartient pas à votre structure.")})


def _touch_contact(participant_id: int, day: dt.date) -> None:
    """Remember the last contact (drives the two-year retention)."""
    Participant.objects.filter(pk=participant_id).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day)
    ).update(last_contact_on=day)


# Participants ---------------------------------------------------------------------------


def participant_find_duplicates(
    *, structure: Structure, last_name: str, first_name: str, birth_date: dt.date | None
) -> QuerySet[Participant]:
    """Files of the structure with the same name (case-insensitive) and birth date."""
    if birth_date is None:
        return Participant.objects.none()
    return Participant.objects.filter(
        structure=structure,
        last_name__iexact=last_name.strip(),
        first_name__iexact=first_name.strip(),
        birth_date=birth_date,
    )


@transaction.atomic
def participant_create(*, structure: Structure, actor, **fields: Any) -> Participant:
    unknown = set(fields) - PARTICIPANT_EDITABLE
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    participant = Participant(structure=structure, **fields)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, actor, expected_version: int, **fields: Any
) -> Participant:
    """Optimistic locking: the update applies only if nobody saved since `expected_version`."""
    unknown = set(fields) - PARTICIPANT_EDITABLE
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    candidate = Participant.objects.get(pk=participant.pk)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    values = {name: getattr(candidate, name) for name in fields}
    updated = Participant.objects.filter(pk=participant.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    current = Participant.objects.get(pk=participant.pk)
    if not updated:
        raise ConflictError(
            current=current, changed_fields=_changed_since(current, expected_version, values)
        )
    return current


def _changed_since(current: Participant, version: int, submitted: dict[str, Any]) -> list[str]:
    """Fields someone else changed since `version`, read from the write history; without
    history for that version, the fields whose saved value differs from the submission."""
    seen = (
        Participant.pgh_event_model.objects.filter(pgh_obj_id=current.pk, version=version)
        .order_by("-pgh_id")
        .first()
    )
    if seen is None:
        return [name for name, value in submitted.items() if getattr(current, name) != value]
    return [
        name
        for name in sorted(PARTICIPANT_EDITABLE)
        if getattr(seen, f"{name}_id" if name == "referent" else name)
        != getattr(current, f"{name}_id" if name == "referent" else name)
    ]


# Parcours -------------------------------------------------------------------------------


def _resolve_deployment(
    programme: Programme, structure: Structure, start_date: dt.date
) -> Deployment | None:
    return (
        Deployment.objects.filter(
            programme=programme, structures=structure, start_date__lte=start_date
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
        # The most local deployment first (Nantes Métropole before France), then the latest.
        .order_by(F("territory__parent_id").asc(nulls_last=True), "-start_date")
        .first()
    )


def _lock(parcours: Parcours) -> Parcours:
    """Re-read the parcours under a row lock, so concurrent status changes serialise and
    each one checks the state the other left."""
    locked = Parcours.objects.select_for_update().select_related("programme").get(pk=parcours.pk)
    parcours.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return parcours


def _open_parcours_errors(
    participant: Participant,
    programme: Programme,
    start_date: dt.date,
    exclude_pk: int | None = None,
) -> list[str]:
    """At most one open parcours per programme at a time (block)."""
    others = Parcours.objects.filter(
        structure_id=participant.structure_id, participant=participant, programme=programme
    ).exclude(status=ParcoursStatus.NON_ENTRE)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    clash = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date)).first()
    if clash is None:
        return []
    if clash.end_date is None:
        return [
            _(
                "%(name)s a déjà un parcours %(prog)s ouvert depuis le %(start)s : "
                "enregistrez d'abord sa sortie."
            )
            % {
                "name": participant,
                "prog": programme.code,
                "start": clash.start_date.strftime("%d/%m/%Y"),
            }
        ]
    return [
        _(
            "Un parcours %(prog)s de cette personne court jusqu'au %(end)s : la nouvelle "
            "entrée doit être postérieure."
        )
        % {"prog": programme.code, "end": clash.end_date.strftime("%d/%m/%Y")}
    ]


@transaction.atomic
def parcours_enrol(
    *,
    participant: Participant,
    programme: Programme,
    start_date: dt.date,
    actor,
    weekly_hours: Decimal,
    work_site: WorkSite | None = None,
    deployment: Deployment | None = None,
    contract_kind: str = ContractKind.CDDI,
    employer: Structure | None = None,
    host: Structure | None = None,
    previous: Parcours | None = None,
    prolongation_reason: str = "",
    placement_company: str = "",
    planned_end_date: dt.date | None = None,
    derogation_from: dt.date | None = None,
    derogation_to: dt.date | None = None,
    status: str = ParcoursStatus.EN_COURS,
) -> Parcours:
    """Enrol a participant in a programme with a first contract (and first palier)."""
    structure = participant.structure
    _check_same_structure(structure, work_site=work_site, previous=previous)
    if previous is not None and previous.participant_id != participant.pk:
        raise ValidationError(
            {"previous": _("Choisissez un parcours antérieur de la même personne.")}
        )
    if deployment is not None and (
        deployment.programme_id != programme.pk
        or not deployment.structures.filter(pk=structure.pk).exists()
    ):
        raise ValidationError(
            {"deployment": _("Ce déploiement ne concerne pas ce programme ou cette structure.")}
        )
    weekly_hours = Decimal(weekly_hours)
    _raise(
        {
            "programme": _open_parcours_errors(participant, programme, start_date),
            "weekly_hours": rules.weekly_hours_errors(
                programme=programme,
                hours=weekly_hours,
                on_date=start_date,
                derogation_from=derogation_from,
                derogation_to=derogation_to,
                until=planned_end_date,
                contract_kind=contract_kind,
            ),
            "planned_end_date": rules.duration_errors(
                programme=programme,
                start_date=start_date,
                end_date=planned_end_date,
                prolongation_reason=prolongation_reason,
            ),
        }
    )
    if status not in OPEN_STATUSES:
        raise ValidationError({"status": _("Un nouveau parcours est orienté ou en cours.")})
    parcours = Parcours(
        structure=structure,
        participant=participant,
        programme=programme,
        deployment=deployment or _resolve_deployment(programme, structure, start_date),
        work_site=work_site,
        status=status,
        start_date=start_date,
        previous=previous,
        prolongation_reason=prolongation_reason,
    )
    try:
        with transaction.atomic():
            parcours.save()
    except IntegrityError as exc:  # a concurrent enrolment won the race
        raise ValidationError(
            {"programme": _("Cette personne a déjà un parcours ouvert dans ce programme.")}
        ) from exc
    Contract.objects.create(
        structure=structure,
        parcours=parcours,
        kind=contract_kind,
        employer=employer or structure,
        host=host or structure,
        placement_company=placement_company,
        start_date=start_date,
        planned_end_date=planned_end_date,
        weekly_hours=weekly_hours,
        derogation_from=derogation_from,
        derogation_to=derogation_to,
    )
    if programme.has_hours_stages:
        HoursStage.objects.create(
            structure=structure, parcours=parcours, start_date=start_date, weekly_hours=weekly_hours
        )
    _touch_contact(participant.pk, start_date)
    parcours_refresh_warnings(parcours=parcours)
    return parcours


@transaction.atomic
def parcours_start(*, parcours: Parcours, actor) -> Parcours:
    """ORIENTE → EN_COURS: the person actually starts on the planned date."""
    _lock(parcours)
    if parcours.status != ParcoursStatus.ORIENTE:
        raise ValidationError(_("Seul un parcours orienté peut démarrer."))
    parcours.status = ParcoursStatus.EN_COURS
    parcours.version += 1
    parcours.save(update_fields=["status", "version", "updated_at"])
    parcours_refresh_warnings(parcours=parcours)
    return parcours


@transaction.atomic
def parcours_cancel(*, parcours: Parcours, actor) -> Parcours:
    """ORIENTE → NON_ENTRE (oriented but never started; not counted in indicators)."""
    _lock(parcours)
    if parcours.status != ParcoursStatus.ORIENTE:
        raise ValidationError(_("Seul un parcours orienté peut être marqué « non entré »."))
    parcours.status = ParcoursStatus.NON_ENTRE
    parcours.version += 1
    parcours.save(update_fields=["status", "version", "updated_at"])
    return parcours


def _current_contract(parcours: Parcours, on_date: dt.date) -> Contract | None:
    return (
        parcours.contracts.filter(start_date__lte=on_date)
        .filter(Q(actual_end_date__isnull=True) | Q(actual_end_date__gte=on_date))
        .order_by("-start_date")
        .first()
    )


@transaction.atomic
def parcours_set_hours(
    *, parcours: Parcours, start_date: dt.date, weekly_hours: Decimal, actor
) -> HoursStage:
    """A new palier: raise or lower the weekly hours from a date (PHC/DPH)."""
    _lock(parcours)
    programme = parcours.programme
    weekly_hours = Decimal(weekly_hours)
    errors: dict[str, list[str]] = {"start_date": [], "weekly_hours": []}
    if not programme.has_hours_stages:
        errors["weekly_hours"].append(
            _("Le programme %(prog)s ne fonctionne pas par paliers d'heures.")
            % {"prog": programme.label}
        )
    if start_date < parcours.start_date or (parcours.end_date and start_date > parcours.end_date):
        errors["start_date"].append(_("Le palier doit commencer pendant le parcours."))
    contract = _current_contract(parcours, start_date)
    errors["weekly_hours"] += rules.weekly_hours_errors(
        programme=programme,
        hours=weekly_hours,
        on_date=start_date,
        derogation_from=contract.derogation_from if contract else None,
        derogation_to=contract.derogation_to if contract else None,
        contract_kind=contract.kind if contract else None,
    )
    _raise(errors)
    stage, _created = HoursStage.objects.update_or_create(
        structure_id=parcours.structure_id,
        parcours=parcours,
        start_date=start_date,
        defaults={"weekly_hours": weekly_hours},
    )
    parcours_refresh_warnings(parcours=parcours)
    return stage


def hours_band_for(parcours: Parcours, on_date: dt.date) -> tuple[Decimal, Decimal]:
    """The expected weekly hours at a date: the current palier, else the contract's."""
    stage = parcours.stages.filter(start_date__lte=on_date).order_by("-start_date").first()
    if stage:
        return stage.weekly_hours, parcours.programme.max_weekly_hours
    contract = _current_contract(parcours, on_date)
    low = contract.weekly_hours if contract else parcours.programme.min_weekly_hours
    return low, parcours.programme.max_weekly_hours


@transaction.atomic
def parcours_exit(
    *,
    parcours: Parcours,
    date: dt.date,
    situation: str,
    actor,
    followup_until: dt.date | None = None,
    comment: str = "",
    exit_snapshot: dict[str, Any] | None = None,
) -> Exit:
    """Record the exit: ends the parcours on the exit date, with the exit situation."""
    _lock(parcours)
    programme = parcours.programme
    errors = {
        "situation": []
        if situation in EXIT_CATEGORY
        else [
            _("Choisissez la situation détaillée à la sortie (elle détermine la catégorie DGEFP).")
        ],
        "date": rules.dates_errors(start_date=parcours.start_date, end_date=date)
        + rules.duration_errors(
            programme=programme,
            start_date=parcours.start_date,
            end_date=date,
            prolongation_reason=parcours.prolongation_reason,
        ),
        "followup_until": rules.followup_errors(
            programme=programme, exit_date=date, followup_until=followup_until
        ),
    }
    if parcours.status != ParcoursStatus.EN_COURS:
        errors["date"].append(_("Seul un parcours en cours peut faire l'objet d'une sortie."))
    late_contract = parcours.contracts.filter(start_date__gt=date).order_by("start_date").first()
    if late_contract is not None:
        errors["date"].append(
            _("Un contrat commence le %(start)s, après cette date de sortie.")
            % {"start": late_contract.start_date.strftime("%d/%m/%Y")}
        )
    _raise(errors)
    parcours.end_date = date
    parcours.status = ParcoursStatus.SORTI
    parcours.version += 1
    parcours.save(update_fields=["end_date", "status", "version", "updated_at"])
    parcours.contracts.filter(actual_end_date__isnull=True).update(actual_end_date=date)
    exit_ = Exit(
        structure_id=parcours.structure_id,
        parcours=parcours,
        date=date,
        situation=situation,
        followup_until=followup_until,
        comment=comment,
    )
    exit_.full_clean(exclude=["parcours", "structure"])
    exit_.save()
    if exit_snapshot is not None:
        snapshot_record(
            participant=parcours.participant,
            parcours=parcours,
            context=SnapshotContext.SORTIE,
            date=date,
            actor=actor,
            **exit_snapshot,
        )
    _touch_contact(parcours.participant_id, date)
    parcours_refresh_warnings(parcours=parcours)
    return exit_


@transaction.atomic
def parcours_link_previous(*, parcours: Parcours, previous: Parcours, actor) -> Parcours:
    """Link a parcours to the one it follows (Premières Heures → Convergence)."""
    _lock(parcours)
    _check_same_structure(parcours.structure, previous=previous)
    if previous.participant_id != parcours.participant_id or previous.pk == parcours.pk:
        raise ValidationError(
            {"previous": _("Choisissez un parcours antérieur de la même personne.")}
        )
    if previous.start_date > parcours.start_date:
        raise ValidationError({"previous": _("Le parcours précédent doit commencer avant.")})
    parcours.previous = previous
    parcours.version += 1
    parcours.save(update_fields=["previous", "version", "updated_at"])
    return parcours


@transaction.atomic
def contract_add(*, parcours: Parcours, actor, **fields: Any) -> Contract:
    """Add a contract (renewal, prolongation) to a parcours, within the programme's rules."""
    contract = Contract(structure_id=parcours.structure_id, parcours=parcours, **fields)
    contract.employer_id = contract.employer_id or parcours.structure_id
    contract.host_id = contract.host_id or parcours.structure_id
    programme = parcours.programme
    _raise(
        {
            "weekly_hours": rules.weekly_hours_errors(
                programme=programme,
                hours=contract.weekly_hours,
                on_date=contract.start_date,
                derogation_from=contract.derogation_from,
                derogation_to=contract.derogation_to,
                until=contract.planned_end_date,
                contract_kind=contract.kind,
            ),
            "planned_end_date": rules.duration_errors(
                programme=programme,
                start_date=parcours.start_date,
                end_date=contract.planned_end_date,
                prolongation_reason=parcours.prolongation_reason,
            ),
            "start_date": []
            if contract.start_date >= parcours.start_date
            else [_("Le contrat ne peut pas commencer avant le parcours.")],
        }
    )
    contract.full_clean(exclude=["parcours", "structure", "employer", "host"])
    contract.save()
    parcours_refresh_warnings(parcours=parcours)
    return contract


# Daily work -----------------------------------------------------------------------------


@transaction.atomic
def action_log(
    *,
    parcours: Parcours,
    actor,
    date: dt.date,
    kind: str,
    theme: str,
    duration_minutes: int,
    partner: str = "",
    note: str = "",
) -> AccompanimentAction:
    action = AccompanimentAction(
        structure_id=parcours.structure_id,
        parcours=parcours,
        author=actor,
        date=date,
        kind=kind,
        theme=theme,
        duration_minutes=duration_minutes,
        partner=partner,
        note=note,
    )
    action.full_clean(exclude=["parcours", "structure", "author"])
    if date < parcours.start_date:
        raise ValidationError(
            {
                "date": _("L'action ne peut pas précéder l'entrée en parcours (%(start)s).")
                % {"start": parcours.start_date.strftime("%d/%m/%Y")}
            }
        )
    action.save()
    _touch_contact(parcours.participant_id, date)
    return action


@transaction.atomic
def worked_hours_record(
    *,
    parcours: Parcours,
    week_start: dt.date,
    hours: Decimal,
    actor,
    work_site: WorkSite | None = None,
    paid_hours: Decimal | None = None,
    absence_hours: Decimal = Decimal(0),
) -> WorkedHours:
    """Record (or correct) the hours worked in one ISO week; unchanged values write nothing."""
    _check_same_structure(parcours.structure, work_site=work_site)
    hours = Decimal(hours)
    errors = rules.worked_hours_errors(programme=parcours.programme, hours=hours)
    if week_start.isoweekday() != 1:
        errors.append(_("Une semaine commence un lundi."))
    week_end = week_start + dt.timedelta(days=6)
    if week_end < parcours.start_date or (parcours.end_date and week_start > parcours.end_date):
        errors.append(_("Cette semaine est en dehors du parcours."))
    if parcours.status not in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
        errors.append(_("Des heures ne se saisissent que sur un parcours commencé."))
    _raise({"hours": errors})
    defaults = {
        "hours": hours,
        "work_site": work_site or parcours.work_site,
        "paid_hours": paid_hours,
        "absence_hours": Decimal(absence_hours),
    }
    row = WorkedHours.objects.filter(
        structure_id=parcours.structure_id, parcours=parcours, week_start=week_start
    ).first()
    if row is None:
        try:
            with transaction.atomic():
                row = WorkedHours.objects.create(
                    structure_id=parcours.structure_id,
                    parcours=parcours,
                    week_start=week_start,
                    **defaults,
                )
        except IntegrityError:  # a concurrent save of the same week won: update it instead
            row = WorkedHours.objects.get(
                structure_id=parcours.structure_id, parcours=parcours, week_start=week_start
            )
    if any(getattr(row, k) != v for k, v in defaults.items()):
        for k, v in defaults.items():
            setattr(row, k, v)
        row.save()
    if hours > 0:
        _touch_contact(parcours.participant_id, min(week_end, timezone.localdate()))
    parcours_refresh_warnings(parcours=parcours)
    return row


SNAPSHOT_FIELDS = {
    "housing",
    "street_history",
    "resources",
    "has_health_insurance",
    "has_complementary",
    "has_gp",
    "has_rqth",
    "has_aah",
} | {
    f"barrier_{code}"
    for code in (
        "logement",
        "sante_physique",
        "sante_psychique",
        "addictions",
        "mobilite",
        "justice",
        "administratif",
        "budget",
        "langue",
        "numerique",
        "famille",
    )
}


@transaction.atomic
def snapshot_record(
    *,
    participant: Participant,
    context: str,
    date: dt.date,
    actor,
    parcours: Parcours | None = None,
    **fields: Any,
) -> SituationSnapshot:
    unknown = set(fields) - SNAPSHOT_FIELDS
    if unknown:
        raise TypeError(f"Not snapshot fields: {sorted(unknown)}")
    _check_same_structure(participant.structure, parcours=parcours)
    if parcours is not None and parcours.participant_id != participant.pk:
        raise ValidationError({"parcours": _("Ce parcours est celui d'une autre personne.")})
    # What is not given keeps its last known value: a caseworker without the sensitive-data
    # permission never sees health or justice barriers, and must not reset them.
    latest = (
        SituationSnapshot.objects.filter(
            structure_id=participant.structure_id, participant=participant
        )
        .order_by("-date", "-pk")
        .first()
    )
    if latest is not None:
        for name in SNAPSHOT_FIELDS - set(fields):
            fields[name] = getattr(latest, name)
    snapshot = SituationSnapshot(
        structure_id=participant.structure_id,
        participant=participant,
        parcours=parcours,
        context=context,
        date=date,
        **fields,
    )
    snapshot.full_clean(exclude=["participant", "parcours", "structure"])
    snapshot.save()
    if parcours is not None:
        parcours_refresh_warnings(parcours=parcours)
    else:
        for open_parcours in participant.parcours.filter(status__in=OPEN_STATUSES):
            parcours_refresh_warnings(parcours=open_parcours)
    return snapshot


# Warnings -------------------------------------------------------------------------------


def _ai_placement_hours(parcours: Parcours, today: dt.date) -> dict[str, Decimal]:
    """Hours worked per placement company over the last 24 months, across the person's
    parcours (the ceiling is per person and company)."""
    window_start = rules.add_months(today, -rules.AI_PLACEMENT_WINDOW_MONTHS)
    totals: dict[str, Decimal] = {}
    contracts = Contract.objects.filter(
        structure_id=parcours.structure_id,
        parcours__participant_id=parcours.participant_id,
        kind=ContractKind.AI_MISE_A_DISPOSITION,
    ).exclude(placement_company="")
    for contract in contracts:
        end = contract.actual_end_date or today
        total = WorkedHours.objects.filter(
            structure_id=parcours.structure_id,
            parcours_id=contract.parcours_id,
            week_start__gte=max(contract.start_date - dt.timedelta(days=6), window_start),
            week_start__lte=end,
        ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
        key = contract.placement_company.strip()
        totals[key] = totals.get(key, Decimal(0)) + total
    return totals


def parcours_warnings(*, parcours: Parcours, today: dt.date | None = None) -> dict[str, str]:
    """Every *warn* rule of domain.md §5 for one parcours."""
    today = today or timezone.localdate()
    programme = parcours.programme
    warnings = {}
    warnings.update(
        rules.long_parcours_warning(
            programme=programme,
            start_date=parcours.start_date,
            end_date=parcours.end_date,
            today=today,
        )
    )
    # The entry situation of this parcours: attached to it, or recorded for the person
    # (no parcours) around its start — not the entry situation of an earlier parcours.
    first_entry = (
        SituationSnapshot.objects.filter(
            structure_id=parcours.structure_id,
            participant_id=parcours.participant_id,
            context=SnapshotContext.ENTREE,
        )
        .filter(
            Q(parcours=parcours)
            | Q(parcours__isnull=True, date__gte=parcours.start_date - dt.timedelta(days=30))
        )
        .aggregate(first=Min("date"))["first"]
    )
    if parcours.status in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
        warnings.update(
            rules.entry_snapshot_warning(
                programme=programme,
                start_date=parcours.start_date,
                first_entry_snapshot=first_entry,
                today=today,
            )
        )
    for company, hours in _ai_placement_hours(parcours, today).items():
        warnings.update(rules.ai_placement_warning(company=company, hours=hours))
    return warnings


def parcours_refresh_warnings(*, parcours: Parcours, today: dt.date | None = None) -> dict:
    """Recompute and store the warnings (only written when they changed)."""
    warnings = parcours_warnings(parcours=parcours, today=today)
    if warnings != parcours.warnings:
        Parcours.objects.filter(pk=parcours.pk).update(warnings=warnings)
        parcours.warnings = warnings
    return warnings
