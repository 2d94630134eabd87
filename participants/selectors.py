"""Scoped reads of participants' files. Every function takes the caller's scope.

Lookups narrow to the scope first, then fetch: an object of another structure is a 404,
exactly like an id that does not exist. List and file pages run a fixed number of queries
whatever the number of rows (annotations and prefetches, never a query per row).
"""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Concat, JSONObject, NullIf, Trim
from django.shortcuts import get_object_or_404

from programmes.models import Programme
from sites.audit.models import AccessLog
from sites.models import Structure, User, WorkSite
from sites.tenancy import Scope

from . import policies
from .enums import ParcoursStatus, SnapshotContext
from .models import (
    AccompanimentAction,
    Contract,
    FollowupCheck,
    HoursStage,
    Parcours,
    Participant,
    ParticipantAccessGrant,
    SituationSnapshot,
    Transfer,
    WorkedHours,
)
from .today import on_staff

OPEN_STATUSES = [ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]


# Scoped querysets -----------------------------------------------------------------------


def participants_visible(*, scope: Scope) -> QuerySet[Participant]:
    return Participant.objects.filter(structure_id__in=scope.structure_ids)


def granted_participant_ids(*, scope: Scope, today: dt.date) -> QuerySet:
    """The files the scope's structures may read without owning them (a transfer's grants
    still valid on `today`), as a sub-query of participant ids."""
    return (
        ParticipantAccessGrant.objects.filter(structure_id__in=scope.structure_ids)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values("participant_id")
    )


def participant_get_readable(*, scope: Scope, pk: int, today: dt.date) -> Participant:
    """The participant if the scope owns it or was granted read access to it (a file it
    transferred, for 30 days), else 404. Only the file page reads through this: every
    other view uses `participant_get`, so a granted file is never written."""
    return get_object_or_404(
        Participant.objects.filter(
            Q(structure_id__in=scope.structure_ids)
            | Q(pk__in=granted_participant_ids(scope=scope, today=today))
        )
        .select_related("structure", "referent")
        # Most files were never transferred: their page then asks nothing more about it.
        .annotate(has_transfers=Exists(Transfer.objects.filter(participant_id=OuterRef("pk")))),
        pk=pk,
    )


def transfers_of_file(*, participant: Participant) -> list[Transfer]:
    """The transfers of a file the caller already reads (row-level security shows each
    structure the transfers it sent or received). None without a query when the
    participant was read by `participant_get_readable` and has none."""
    if not getattr(participant, "has_transfers", True):
        return []
    return list(
        Transfer.objects.filter(participant_id=participant.pk).select_related(
            "structure", "to_structure", "recorded_by"
        )
    )


def parcours_elsewhere(*, participant: Participant, everywhere: bool = False) -> list[Parcours]:
    """A transferred person's parcours in the structures the file came from: the file's
    history, read through the transfer's grant (dates, programme, status only). With
    `everywhere`, those of the file's own structure too (all that row-level security lets
    the caller read)."""
    rows = Parcours.objects.filter(participant=participant)
    if not everywhere:
        rows = rows.exclude(structure_id=participant.structure_id)
    return list(rows.select_related("programme", "structure").order_by("-start_date", "-pk"))


def transfers_of(*, scope: Scope) -> QuerySet[Transfer]:
    """The transfers the scope's structures sent or received, latest first."""
    return (
        Transfer.objects.filter(
            Q(structure_id__in=scope.structure_ids) | Q(to_structure_id__in=scope.structure_ids)
        )
        .select_related("structure", "to_structure", "recorded_by")
        .order_by("-date", "-pk")
    )


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
    return User.objects.filter(Exists(on_staff(structure_id, OuterRef("pk")))).order_by(
        "last_name", "first_name", "email"
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


def _filter_choice_rows(structure_id: int) -> QuerySet:
    """(kind, pk, text) of every programme, the structure's active work sites and its staff
    (who can be a referent), as one UNION ALL."""
    programme_rows = Programme.objects.annotate(
        kind=Value("programme"), text=Concat("label", Value(" ("), "code", Value(")"))
    ).values_list("kind", "pk", "text")
    site_rows = (
        WorkSite.objects.filter(structure_id=structure_id, is_active=True)
        .annotate(kind=Value("work_site"), text=F("name"))
        .values_list("kind", "pk", "text")
    )
    referent_rows = (
        User.objects.filter(Exists(on_staff(structure_id, OuterRef("pk"))))
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
    return programme_rows.union(site_rows, referent_rows, all=True)


# A structure id no structure has, put in place of the real one in the compiled statement.
_ANY_STRUCTURE = 987654321987654321


@functools.cache
def _filter_choices_statement() -> tuple[str, tuple]:
    """The union's SQL and parameters, compiled once per process for a placeholder
    structure: building and compiling that queryset cost about 3 ms of CPU on every list
    page, ten times running it (docs/performance.md). Nothing in it depends on the request
    but the structure (no date, no language)."""
    return _filter_choice_rows(_ANY_STRUCTURE).query.sql_with_params()


def list_filter_choices(*, scope: Scope, structure_id: int) -> dict[str, list[tuple[int, str]]]:
    """The programme, work site and referent choices of the list's filters, in one query
    (the list's query budget is tight: every request already pays for auth, scope and RLS)."""
    if structure_id not in scope.structure_ids:
        return {"programme": [], "work_site": [], "referent": []}
    sql, params = _filter_choices_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [structure_id if p == _ANY_STRUCTURE else p for p in params])
        found = cursor.fetchall()
    choices: dict[str, list[tuple[int, str]]] = {"programme": [], "work_site": [], "referent": []}
    for kind, pk, text in found:
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

RECENT_WEEKS = 8


@dataclass
class FileData:
    """The rows of a participant's file, read in a fixed number of queries; what the page
    says about them is `participants.presentation`'s business."""

    participant: Participant
    parcours: list[Parcours]  # latest first, with contracts, stages, actions and exit
    snapshots: list[SituationSnapshot]  # latest first
    monthly_hours: list[dict]  # parcours_id, month, total, weeks, last_week
    recent_hours: dict[int, list[WorkedHours]]  # the last RECENT_WEEKS weeks, per parcours


def _file_parcours(participant: Participant) -> list[Parcours]:
    structure_id = participant.structure_id
    parcours_list = list(
        Parcours.objects.filter(structure_id=structure_id, participant=participant)
        .select_related("programme", "work_site", "exit")
        # The paliers ride along as a JSON array (a few rows a parcours): one query fewer
        # than a prefetch, and the file holds its budget of 12 (quality.md §1).
        .annotate(
            stage_rows=ArraySubquery(
                HoursStage.objects.filter(structure_id=structure_id, parcours_id=OuterRef("pk"))
                .order_by("start_date")
                .values(
                    row=JSONObject(id="pk", start_date="start_date", weekly_hours="weekly_hours")
                )
            )
        )
        .prefetch_related(
            Prefetch(
                "contracts",
                queryset=Contract.objects.filter(structure_id=structure_id)
                .select_related("employer", "host")
                .order_by("-start_date", "-pk"),
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
    for p in parcours_list:
        _prefetched(
            p,
            "stages",
            [
                HoursStage(
                    id=row["id"],
                    structure_id=structure_id,
                    parcours=p,
                    start_date=dt.date.fromisoformat(row["start_date"]),
                    weekly_hours=Decimal(str(row["weekly_hours"])),
                )
                for row in p.stage_rows
            ],
        )
    return parcours_list


def _prefetched(instance, name: str, rows: list) -> None:
    """What `prefetch_related(name)` leaves on `instance`, from rows read otherwise:
    `instance.<name>.all()` then reads them without a query."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = rows, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def participant_file_data(*, participant: Participant, today: dt.date) -> FileData:
    """Everything the participant's file shows, in a fixed number of queries (the
    participant was already looked up in the scope)."""
    structure_id = participant.structure_id
    parcours_list = _file_parcours(participant)
    snapshots = list(
        SituationSnapshot.objects.filter(
            structure_id=structure_id, participant=participant
        ).order_by("-date", "-pk")
    )
    # Every week of the file's parcours in one query (a few hundred rows at most: five
    # years of weeks), summed by month here, the recent ones kept for the alerts.
    since = today - dt.timedelta(weeks=RECENT_WEEKS)
    by_month: dict[tuple[int, dt.date], dict] = {}
    recent_hours: dict[int, list[WorkedHours]] = {}
    for week in WorkedHours.objects.filter(
        structure_id=structure_id, parcours_id__in=[p.pk for p in parcours_list]
    ).order_by("week_start", "pk"):
        month = week.week_start.replace(day=1)
        row = by_month.setdefault(
            (week.parcours_id, month),
            {"parcours_id": week.parcours_id, "month": month, "total": Decimal(0), "weeks": 0},
        )
        row["total"] += week.hours
        row["weeks"] += 1
        row["last_week"] = week.week_start
        if week.week_start >= since:
            recent_hours.setdefault(week.parcours_id, []).append(week)
    return FileData(
        participant=participant,
        parcours=parcours_list,
        snapshots=snapshots,
        monthly_hours=list(by_month.values()),
        recent_hours=recent_hours,
    )


def access_log_for_participant(*, scope, participant) -> QuerySet[AccessLog]:
    """Who accessed this file (sites.audit's log), for whom `policies.can_read_access_log`
    allows (the structure's managers); nothing for anyone else."""
    if not policies.can_read_access_log(scope, participant.structure_id):
        return AccessLog.objects.none()
    return (
        AccessLog.objects.filter(
            structure_id=participant.structure_id, participant_id=participant.pk
        )
        .select_related("actor")
        .order_by("-at")
    )


def followup_check_get(*, scope: Scope, pk: int) -> FollowupCheck:
    """A follow-up check of one of the scope's structures, with its parcours, person and
    exit, else 404."""
    return get_object_or_404(
        FollowupCheck.objects.filter(structure_id__in=scope.structure_ids).select_related(
            "parcours__participant__structure", "parcours__programme", "parcours__exit"
        ),
        pk=pk,
    )
