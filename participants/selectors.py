"""Scoped reads of participants' files. Every function takes the caller's scope.

Lookups narrow to the scope first, then fetch: an object of another structure is a 404,
exactly like an id that does not exist. List and file pages run a fixed number of queries
whatever the number of rows (annotations and prefetches, never a query per row).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    F,
    Max,
    Prefetch,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programmes.models import Programme
from sites.enums import Role
from sites.models import Membership, Structure, User, WorkSite
from sites.tenancy import Scope

from . import rules
from .enums import Barrier, BarrierLevel, ParcoursStatus, Resource, SnapshotContext
from .models import (
    AccompanimentAction,
    Contract,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
    WorkedHours,
)

OPEN_STATUSES = [ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]


# Scoped querysets -----------------------------------------------------------------------


def participants_visible(*, scope: Scope) -> QuerySet[Participant]:
    return Participant.objects.filter(structure_id__in=scope.structure_ids)


def parcours_visible(*, scope: Scope) -> QuerySet[Parcours]:
    return Parcours.objects.filter(structure_id__in=scope.structure_ids)


def participant_get(*, scope: Scope, pk: int) -> Participant:
    """The participant if the scope sees it, else 404."""
    return get_object_or_404(
        participants_visible(scope=scope).select_related("structure", "referent"), pk=pk
    )


def parcours_get(*, scope: Scope, pk: int) -> Parcours:
    """The parcours if the scope sees it, else 404 (with what its forms need)."""
    return get_object_or_404(
        parcours_visible(scope=scope).select_related(
            "programme", "work_site", "participant", "participant__structure"
        ),
        pk=pk,
    )


def structures_of(*, scope: Scope) -> QuerySet[Structure]:
    return Structure.objects.filter(pk__in=scope.structure_ids)


def work_sites_of(*, scope: Scope, structure_id: int) -> QuerySet[WorkSite]:
    if structure_id not in scope.structure_ids:
        return WorkSite.objects.none()
    return WorkSite.objects.filter(structure_id=structure_id, is_active=True).order_by("name")


def referents_of(*, scope: Scope, structure_id: int) -> QuerySet[User]:
    """The structure's staff, who can be a participant's referent."""
    if structure_id not in scope.structure_ids:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            memberships__structure_id=structure_id,
            memberships__is_active=True,
            memberships__role__in=[Role.CASEWORKER, Role.MANAGER],
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def programmes() -> QuerySet[Programme]:
    """Programmes are shared reference data, not structure-owned."""
    return Programme.objects.order_by("code")


def parcours_of(*, participant: Participant) -> QuerySet[Parcours]:
    """A participant's parcours (the participant was already looked up in the scope)."""
    return Parcours.objects.filter(
        structure_id=participant.structure_id, participant=participant
    ).select_related("programme")


def latest_snapshot(*, participant: Participant) -> SituationSnapshot | None:
    return (
        SituationSnapshot.objects.filter(
            structure_id=participant.structure_id, participant=participant
        )
        .order_by("-date", "-pk")
        .first()
    )


def has_entry_snapshot(*, participant: Participant) -> bool:
    return SituationSnapshot.objects.filter(
        structure_id=participant.structure_id,
        participant=participant,
        context=SnapshotContext.ENTREE,
    ).exists()


def list_filter_choices(*, scope: Scope, structure_id: int) -> dict[str, list[tuple[int, str]]]:
    """The programme, work site and referent choices of the list's filters, in one query
    (the list's query budget is tight: every request already pays for auth, scope and RLS)."""
    if structure_id not in scope.structure_ids:
        return {"programme": [], "work_site": [], "referent": []}
    programme_rows = Programme.objects.annotate(
        kind=Value("programme"), text=Concat("label", Value(" ("), "code", Value(")"))
    ).values_list("kind", "pk", "text")
    site_rows = (
        WorkSite.objects.filter(structure_id=structure_id, is_active=True)
        .annotate(kind=Value("work_site"), text=F("name"))
        .values_list("kind", "pk", "text")
    )
    staff = Membership.objects.filter(
        structure_id=structure_id,
        is_active=True,
        role__in=[Role.CASEWORKER, Role.MANAGER],
    ).values("user_id")
    referent_rows = (
        User.objects.filter(is_active=True, pk__in=staff)
        .annotate(
            kind=Value("referent"),
            text=Coalesce(
                NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                "email",
                output_field=CharField(),
            ),
        )
        .values_list("kind", "pk", "text")
    )
    choices: dict[str, list[tuple[int, str]]] = {"programme": [], "work_site": [], "referent": []}
    for kind, pk, text in programme_rows.union(site_rows, referent_rows, all=True):
        choices[kind].append((pk, text))
    return {kind: sorted(rows, key=lambda row: row[1].lower()) for kind, rows in choices.items()}


# Participant list -----------------------------------------------------------------------


def participant_list(*, scope: Scope, structure_id: int) -> QuerySet[Participant]:
    """The participants of one structure, each with its current parcours as annotations:
    one join on `CurrentParcours` (kept by database triggers), one SQL query per page,
    whatever the page size. A person without parcours has empty annotations."""
    if structure_id not in scope.structure_ids:
        return Participant.objects.none()
    return (
        Participant.objects.filter(structure_id=structure_id)
        .select_related("referent")
        .annotate(
            current_parcours_id=F("current__parcours_id"),
            current_programme_id=F("current__programme_id"),
            current_programme=F("current__programme__code"),
            current_status=F("current__status"),
            current_work_site_id=F("current__work_site_id"),
            current_work_site=F("current__work_site__name"),
            current_start=F("current__start_date"),
            current_end=F("current__end_date"),
            current_warnings=F("current__warnings"),
        )
    )


# Participant file -----------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One dated line of a participant's timeline."""

    date: dt.date
    kind: str  # parcours, contract, stage, action, hours, snapshot, exit
    title: str
    details: list[str] = field(default_factory=list)
    note: str = ""
    programme: str = ""
    order: int = 0  # tie-break on the same day: the later event in the day comes first


@dataclass
class Alert:
    level: str  # "danger" (a rule is crossed) or "warning" (near, or to check)
    message: str
    programme: str = ""


@dataclass
class ParcoursRow:
    """A parcours as the file's side panel shows it, with what its buttons need."""

    parcours: Parcours
    weekly_hours: Decimal | None
    can_link_previous: bool
    previous: Parcours | None


@dataclass
class ParticipantFile:
    participant: Participant
    age: int | None
    parcours: list[ParcoursRow]
    current: Parcours | None
    latest_snapshot: SituationSnapshot | None
    situation: TimelineEntry | None
    timeline: list[TimelineEntry]
    alerts: list[Alert]
    can_view_sensitive: bool
    barrier_codes: list[str]


def _hours(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def _d(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def barrier_lines(snapshot: SituationSnapshot, codes: list[str]) -> list[str]:
    """'Logement : important' for every visible barrier above 'aucun'."""
    labels = dict(Barrier.choices)
    level_labels = dict(BarrierLevel.choices)
    lines = []
    for code in codes:
        level = getattr(snapshot, f"barrier_{code}")
        if level != BarrierLevel.AUCUN:
            lines.append(f"{labels[code]} : {str(level_labels[level]).lower()}")
    return lines


def _snapshot_entry(snapshot: SituationSnapshot, codes: list[str]) -> TimelineEntry:
    titles = {
        SnapshotContext.ENTREE: _("Situation à l'entrée"),
        SnapshotContext.SUIVI: _("Point de situation"),
        SnapshotContext.SORTIE: _("Situation à la sortie"),
    }
    details = [_("Logement : %(h)s") % {"h": snapshot.get_housing_display()}]
    if snapshot.street_history:
        details.append(_("A connu un parcours de rue"))
    if snapshot.resources:
        labels = dict(Resource.choices)
        details.append(
            _("Ressources : %(r)s")
            % {"r": ", ".join(str(labels.get(r, r)) for r in snapshot.resources)}
        )
    barriers = barrier_lines(snapshot, codes)
    if barriers:
        details.append(_("Freins : %(b)s") % {"b": " ; ".join(barriers)})
    rights = [
        str(SituationSnapshot._meta.get_field(name).verbose_name)
        for name in ("has_health_insurance", "has_complementary", "has_gp", "has_rqth", "has_aah")
        if getattr(snapshot, name)
    ]
    if rights:
        details.append(_("Droits : %(d)s") % {"d": ", ".join(rights)})
    return TimelineEntry(
        date=snapshot.date,
        kind="snapshot",
        title=titles[snapshot.context],
        details=details,
        order=1,
    )


def _timeline(
    parcours_list: list[Parcours],
    snapshots: list[SituationSnapshot],
    monthly_hours: list[dict],
    codes: list[str],
) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    by_pk = {p.pk: p for p in parcours_list}
    for p in parcours_list:
        code = p.programme.code
        details = []
        if p.work_site:
            details.append(_("Lieu d'activité : %(s)s") % {"s": p.work_site.name})
        if p.previous_id and p.previous_id in by_pk:
            prev = by_pk[p.previous_id]
            details.append(
                _("Suite du parcours %(prog)s commencé le %(d)s")
                % {"prog": prev.programme.code, "d": _d(prev.start_date)}
            )
        if p.prolongation_reason:
            details.append(_("Motif de prolongation : %(r)s") % {"r": p.prolongation_reason})
        status = "" if p.status == ParcoursStatus.EN_COURS else f" ({p.get_status_display()})"
        entries.append(
            TimelineEntry(
                date=p.start_date,
                kind="parcours",
                title=_("Entrée en %(label)s") % {"label": p.programme.label} + status,
                details=details,
                programme=code,
                order=0,
            )
        )
        for c in p.contracts.all():
            end = c.actual_end_date or c.planned_end_date
            line = _("%(kind)s, %(h)s h par semaine") % {
                "kind": c.get_kind_display(),
                "h": _hours(c.weekly_hours),
            }
            details = []
            if end:
                details.append(
                    (_("Fin effective le %(d)s") if c.actual_end_date else _("Fin prévue le %(d)s"))
                    % {"d": _d(end)}
                )
            if c.employer_id != c.host_id:
                details.append(
                    _("Employeur : %(e)s ; accueil : %(h)s") % {"e": c.employer, "h": c.host}
                )
            if c.placement_company:
                details.append(_("Entreprise utilisatrice : %(c)s") % {"c": c.placement_company})
            if c.derogation_from:
                details.append(
                    _("Dérogation horaire du %(a)s au %(b)s")
                    % {"a": _d(c.derogation_from), "b": _d(c.derogation_to)}
                )
            entries.append(
                TimelineEntry(
                    date=c.start_date,
                    kind="contract",
                    title=_("Contrat : %(l)s") % {"l": line},
                    details=details,
                    programme=code,
                    order=1,
                )
            )
        stages = list(p.stages.all())
        for previous, stage in zip([None, *stages], stages, strict=False):
            if previous is None:
                title = _("Palier de départ : %(h)s h par semaine")
            elif stage.weekly_hours > previous.weekly_hours:
                title = _("Heures augmentées à %(h)s h par semaine")
            else:
                title = _("Heures réduites à %(h)s h par semaine")
            entries.append(
                TimelineEntry(
                    date=stage.start_date,
                    kind="stage",
                    title=title % {"h": _hours(stage.weekly_hours)},
                    programme=code,
                    order=2,
                )
            )
        for a in p.actions.all():
            details = [
                _("Thème : %(t)s") % {"t": a.get_theme_display()},
                _("Durée : %(m)s min") % {"m": a.duration_minutes},
            ]
            if a.partner:
                details.append(_("Partenaire : %(p)s") % {"p": a.partner})
            if a.author:
                details.append(_("Par %(a)s") % {"a": a.author})
            entries.append(
                TimelineEntry(
                    date=a.date,
                    kind="action",
                    title=a.get_kind_display(),
                    details=details,
                    note=a.note,
                    programme=code,
                    order=3,
                )
            )
        exit_ = getattr(p, "exit", None)
        if exit_ is not None:
            details = [_("Catégorie : %(c)s") % {"c": exit_.get_dgefp_category_display()}]
            if exit_.followup_until:
                details.append(
                    _("Suivi après sortie jusqu'au %(d)s") % {"d": _d(exit_.followup_until)}
                )
            entries.append(
                TimelineEntry(
                    date=exit_.date,
                    kind="exit",
                    title=_("Sortie de %(prog)s : %(s)s")
                    % {"prog": p.programme.label, "s": exit_.get_situation_display()},
                    details=details,
                    note=exit_.comment,
                    programme=code,
                    order=5,
                )
            )
    for row in monthly_hours:
        p = by_pk[row["parcours_id"]]
        entries.append(
            TimelineEntry(
                date=row["last_week"],
                kind="hours",
                title=_("Heures travaillées en %(m)s : %(h)s h")
                % {"m": date_format(row["month"], "F Y"), "h": _hours(row["total"])},
                details=[_("%(n)s semaine(s) saisie(s)") % {"n": row["weeks"]}],
                programme=p.programme.code,
                order=4,
            )
        )
    entries += [_snapshot_entry(s, codes) for s in snapshots]
    entries.sort(key=lambda e: (e.date, e.order), reverse=True)
    return entries


def _alerts(
    parcours_list: list[Parcours],
    snapshots: list[SituationSnapshot],
    recent_hours: dict[int, list[WorkedHours]],
    today: dt.date,
) -> list[Alert]:
    """Rules near or crossed, computed now (stored warnings can be older than today)."""
    alerts: list[Alert] = []
    entry_dates = sorted(s.date for s in snapshots if s.context == SnapshotContext.ENTREE)
    for p in parcours_list:
        programme = p.programme
        if p.status not in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
            continue
        is_open = p.end_date is None
        live = dict(p.warnings or {})
        live.pop("long_parcours", None)
        live.pop("entry_snapshot", None)
        if is_open:
            live.update(
                rules.long_parcours_warning(
                    programme=programme, start_date=p.start_date, end_date=None, today=today
                )
            )
            first_entry = next(
                (d for d in entry_dates if d >= p.start_date - dt.timedelta(days=90)), None
            )
            live.update(
                rules.entry_snapshot_warning(
                    programme=programme,
                    start_date=p.start_date,
                    first_entry_snapshot=first_entry,
                    today=today,
                )
            )
            nearing = rules.nearing_limit_alert(
                programme=programme, start_date=p.start_date, end_date=None, today=today
            )
            if nearing:
                crossed = today > rules.last_day_within(p.start_date, programme.max_months)
                alerts.append(Alert("danger" if crossed else "warning", nearing, programme.code))
            stages = list(p.stages.all())
            contracts = list(p.contracts.all())
            current_contract = contracts[0] if contracts else None
            expected = stages[-1].weekly_hours if stages else None
            if expected is None and current_contract is not None:
                expected = current_contract.weekly_hours
            if expected is not None:
                for message in rules.weekly_hours_errors(
                    programme=programme,
                    hours=expected,
                    on_date=today,
                    derogation_from=current_contract.derogation_from if current_contract else None,
                    derogation_to=current_contract.derogation_to if current_contract else None,
                ):
                    alerts.append(Alert("danger", message, programme.code))
            for week in recent_hours.get(p.pk, []):
                for message in rules.worked_hours_errors(programme=programme, hours=week.hours):
                    alerts.append(
                        Alert(
                            "danger",
                            _("Semaine du %(d)s : %(m)s")
                            % {"d": _d(week.week_start), "m": message},
                            programme.code,
                        )
                    )
        elif "ai_placement" not in live:
            continue
        alerts += [Alert("warning", message, programme.code) for message in live.values()]
    return alerts


RECENT_WEEKS = 8


def participant_file(
    *, scope: Scope, participant: Participant, today: dt.date | None = None
) -> ParticipantFile:
    """Everything the participant's file shows, in a fixed number of queries."""
    from .policies import can_view_sensitive, visible_barrier_codes

    today = today or timezone.localdate()
    structure_id = participant.structure_id
    parcours_list = list(
        Parcours.objects.filter(structure_id=structure_id, participant=participant)
        .select_related("programme", "work_site", "exit")
        .prefetch_related(
            Prefetch(
                "contracts",
                queryset=Contract.objects.filter(structure_id=structure_id)
                .select_related("employer", "host")
                .order_by("-start_date", "-pk"),
            ),
            Prefetch(
                "stages",
                queryset=HoursStage.objects.filter(structure_id=structure_id).order_by(
                    "start_date"
                ),
            ),
            Prefetch(
                "actions",
                queryset=AccompanimentAction.objects.filter(structure_id=structure_id)
                .select_related("author")
                .order_by("-date", "-pk"),
            ),
        )
        .order_by("-start_date", "-pk")
    )
    snapshots = list(
        SituationSnapshot.objects.filter(
            structure_id=structure_id, participant=participant
        ).order_by("-date", "-pk")
    )
    parcours_ids = [p.pk for p in parcours_list]
    monthly_hours = list(
        WorkedHours.objects.filter(structure_id=structure_id, parcours_id__in=parcours_ids)
        .annotate(month=TruncMonth("week_start"))
        .values("parcours_id", "month")
        .annotate(total=Sum("hours"), weeks=Count("pk"), last_week=Max("week_start"))
        .order_by()
    )
    recent_hours: dict[int, list[WorkedHours]] = {}
    for row in WorkedHours.objects.filter(
        structure_id=structure_id,
        parcours_id__in=parcours_ids,
        week_start__gte=today - dt.timedelta(weeks=RECENT_WEEKS),
    ).order_by("week_start"):
        recent_hours.setdefault(row.parcours_id, []).append(row)
    codes = visible_barrier_codes(scope, structure_id)
    current = next((p for p in parcours_list if p.status in OPEN_STATUSES), None)
    by_pk = {p.pk: p for p in parcours_list}
    rows = []
    for p in parcours_list:
        stages, contracts = list(p.stages.all()), list(p.contracts.all())
        hours = stages[-1].weekly_hours if stages else None
        if hours is None and contracts:
            hours = contracts[0].weekly_hours
        earlier = [o for o in parcours_list if o.pk != p.pk and o.start_date <= p.start_date]
        rows.append(
            ParcoursRow(
                parcours=p,
                weekly_hours=hours,
                can_link_previous=p.previous_id is None and bool(earlier),
                previous=by_pk.get(p.previous_id),
            )
        )
    age = None
    if participant.birth_date:
        born = participant.birth_date
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return ParticipantFile(
        participant=participant,
        age=age,
        parcours=rows,
        current=current or (parcours_list[0] if parcours_list else None),
        latest_snapshot=snapshots[0] if snapshots else None,
        situation=_snapshot_entry(snapshots[0], codes) if snapshots else None,
        timeline=_timeline(parcours_list, snapshots, monthly_hours, codes),
        alerts=_alerts(parcours_list, snapshots, recent_hours, today),
        can_view_sensitive=can_view_sensitive(scope, structure_id),
        barrier_codes=codes,
    )
