"""A parcours' life cycle: enrolment, start, never started, link to the previous one."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from programmes.models import Deployment, Programme
from sites.models import Structure, WorkSite

from .. import rules
from ..enums import ContractKind, ParcoursStatus
from ..models import Contract, HoursStage, Parcours, Participant
from .common import (
    OPEN_STATUSES,
    check_dates,
    check_same_structure,
    lock_parcours,
    raise_errors,
    touch_contact,
)
from .warnings import parcours_refresh_warnings


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


def _check_enrolment_links(
    *,
    participant: Participant,
    programme: Programme,
    work_site: WorkSite | None,
    previous: Parcours | None,
    deployment: Deployment | None,
) -> None:
    """The related objects of a new parcours belong to the person's structure and fit."""
    structure = participant.structure
    check_same_structure(structure, work_site=work_site, previous=previous)
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


def _enrolment_rule_errors(
    *,
    programme: Programme,
    start_date: dt.date,
    weekly_hours: Decimal,
    contract_kind: str,
    planned_end_date: dt.date | None,
    derogation_from: dt.date | None,
    derogation_to: dt.date | None,
    prolongation_reason: str,
) -> dict[str, list[str]]:
    """The programme's hours and duration rules on the first contract (block)."""
    return {
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


def _save_new_parcours(parcours: Parcours) -> None:
    try:
        with transaction.atomic():
            parcours.save()
    except IntegrityError as exc:  # a concurrent enrolment won the race
        raise ValidationError(
            {"programme": _("Cette personne a déjà un parcours ouvert dans ce programme.")}
        ) from exc


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
    planned = {"planned_end_date": planned_end_date, "derogation_from": derogation_from}
    check_dates(
        events={"start_date": start_date}, planned={**planned, "derogation_to": derogation_to}
    )
    _check_enrolment_links(
        participant=participant,
        programme=programme,
        work_site=work_site,
        previous=previous,
        deployment=deployment,
    )
    weekly_hours = Decimal(weekly_hours)
    raise_errors(
        {
            "programme": _open_parcours_errors(participant, programme, start_date),
            **_enrolment_rule_errors(
                programme=programme,
                start_date=start_date,
                weekly_hours=weekly_hours,
                contract_kind=contract_kind,
                planned_end_date=planned_end_date,
                derogation_from=derogation_from,
                derogation_to=derogation_to,
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
    _save_new_parcours(parcours)
    _first_contract_and_stage(
        parcours,
        kind=contract_kind,
        employer=employer or structure,
        host=host or structure,
        placement_company=placement_company,
        planned_end_date=planned_end_date,
        weekly_hours=weekly_hours,
        derogation_from=derogation_from,
        derogation_to=derogation_to,
    )
    touch_contact(participant.pk, start_date)
    parcours_refresh_warnings(parcours=parcours)
    return parcours


def _first_contract_and_stage(parcours: Parcours, *, weekly_hours: Decimal, **contract) -> None:
    """The parcours' first contract, from its start, and its first palier when the programme
    raises hours by paliers."""
    Contract.objects.create(
        structure=parcours.structure,
        parcours=parcours,
        start_date=parcours.start_date,
        weekly_hours=weekly_hours,
        **contract,
    )
    if parcours.programme.has_hours_stages:
        HoursStage.objects.create(
            structure=parcours.structure,
            parcours=parcours,
            start_date=parcours.start_date,
            weekly_hours=weekly_hours,
        )


@transaction.atomic
def parcours_start(*, parcours: Parcours, actor) -> Parcours:
    """ORIENTE → EN_COURS: the person actually starts on the planned date."""
    lock_parcours(parcours)
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
    lock_parcours(parcours)
    if parcours.status != ParcoursStatus.ORIENTE:
        raise ValidationError(_("Seul un parcours orienté peut être marqué « non entré »."))
    parcours.status = ParcoursStatus.NON_ENTRE
    parcours.version += 1
    parcours.save(update_fields=["status", "version", "updated_at"])
    return parcours


@transaction.atomic
def parcours_link_previous(*, parcours: Parcours, previous: Parcours, actor) -> Parcours:
    """Link a parcours to the one it follows (Premières Heures → Convergence)."""
    lock_parcours(parcours)
    check_same_structure(parcours.structure, previous=previous)
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
