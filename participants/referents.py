"""Who follows whom in a structure: each referent's caseload, and the files a manager hands
over to another referent. Scoped reads, like participants/today.py.

A file *in progress* is a person with an open parcours (oriented or started), or in the
follow-up after an exit (`Exit.followup_until` not past). A referent is someone of the
structure's staff (`today.on_staff`); a file whose referent is missing, deactivated or
gone from the staff is "sans référent·e", exactly the files "Aujourd'hui" lists under that
kind. The overdue items are those of "Aujourd'hui" (`today.today_items`, `today.is_overdue`),
attributed to each person's referent: the caseloads never recompute a deadline.

A constant number of queries whatever the number of people or referents: the staff, one
grouped count of the files, the names of former referents, the queries of "Aujourd'hui",
and one look-up of the referents of the people it lists.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from sites.models import User
from sites.tenancy import Scope

from .enums import ParcoursStatus
from .models import Parcours, Participant
from .selectors import referents_of
from .today import is_overdue, on_staff, today_items

# The query-string value naming the files without an active referent (`?de=sans`).
NOBODY = "sans"

OPEN = [ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]


def _open(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": OPEN})


def _in_followup(today: dt.date, prefix: str = "") -> Q:
    return Q(
        **{f"{prefix}status": ParcoursStatus.SORTI, f"{prefix}exit__followup_until__gte": today}
    )


def _display_name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


@dataclass
class Caseload:
    """One referent's files in a structure. `referent_id` None: files without any referent.
    `on_staff` False: a former referent (deactivated, or no longer in the structure), whose
    files count as "sans référent·e"."""

    referent_id: int | None
    name: str
    on_staff: bool
    people: int = 0  # people with an open parcours
    parcours: int = 0  # their open parcours
    followup: int = 0  # people in post-exit follow-up and without an open parcours
    todo: int = 0  # items of "Aujourd'hui" about their people
    overdue: int = 0  # ... of which past their date

    @property
    def files(self) -> int:
        """Files in progress: what a handover moves."""
        return self.people + self.followup

    @property
    def source(self) -> str:
        """The `?de=` value of the handover page for these files."""
        return NOBODY if self.referent_id is None else str(self.referent_id)


@dataclass
class Caseloads:
    """The referents' page: the staff (each one, even with no file), then the files without
    an active referent, split between "no referent at all" and each former referent."""

    staff: list[Caseload]
    unassigned: list[Caseload]
    unattributed: int = 0  # items about a work site rather than a person (hours to enter)
    totals: Caseload = field(init=False)
    unassigned_total: Caseload = field(init=False)

    def __post_init__(self):
        self.unassigned_total = _sum(self.unassigned, name="", referent_id=None)
        self.totals = _sum([*self.staff, *self.unassigned], name="", referent_id=None)


def _sum(rows: list[Caseload], **identity) -> Caseload:
    total = Caseload(on_staff=False, **identity)
    for row in rows:
        for name in ("people", "parcours", "followup", "todo", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def _file_counts(structure_id: int, today: dt.date) -> QuerySet:
    """Per referent id (None included): people and parcours open, people in follow-up only."""
    has_open = Parcours.objects.filter(
        structure_id=structure_id, participant_id=OuterRef("participant_id"), status__in=OPEN
    )
    followup_only = _in_followup(today) & ~Q(Exists(has_open))
    return (
        Parcours.objects.filter(structure_id=structure_id)
        .filter(_open() | _in_followup(today))
        .values("participant__referent_id")
        .annotate(
            parcours=Count("pk", filter=_open()),
            people=Count("participant_id", distinct=True, filter=_open()),
            followup=Count("participant_id", distinct=True, filter=followup_only),
        )
        .order_by()
    )


def referent_caseloads(*, scope: Scope, structure_id: int, today: dt.date) -> Caseloads:
    """Every referent's caseload in the structure, staff first by name, then the files
    without an active referent (none at all first, then former referents by name)."""
    if structure_id not in scope.structure_ids:
        raise PermissionError(structure_id)
    staff = {
        pk: Caseload(pk, _display_name(first, last, email), on_staff=True)
        for pk, first, last, email in referents_of(
            scope=scope, structure_id=structure_id
        ).values_list("pk", "first_name", "last_name", "email")
    }
    counts = list(_file_counts(structure_id, today))
    items = today_items(scope=scope, structure_id=structure_id, referent_id=None, today=today)
    people = {item.participant_id for item in items if item.participant_id}
    referent_of = dict(
        Participant.objects.filter(structure_id=structure_id, pk__in=people).values_list(
            "pk", "referent_id"
        )
    )
    # Former referents: of files in progress, or of a person an item is about (a late
    # follow-up check after the follow-up's end).
    former = {row["participant__referent_id"] for row in counts} | set(referent_of.values())
    rows: dict[int | None, Caseload] = {**staff, None: Caseload(None, "", on_staff=False)}
    for pk, first, last, email in User.objects.filter(
        pk__in=former - set(staff) - {None}
    ).values_list("pk", "first_name", "last_name", "email"):
        rows[pk] = Caseload(pk, _display_name(first, last, email), on_staff=False)
    for row in counts:
        caseload = rows[row["participant__referent_id"]]
        caseload.people, caseload.parcours = row["people"], row["parcours"]
        caseload.followup = row["followup"]
    unattributed = 0
    for item in items:
        if item.participant_id is None:
            unattributed += 1  # about a work site: last week's hours
            continue
        caseload = rows[referent_of[item.participant_id]]
        caseload.todo += 1
        caseload.overdue += is_overdue(item, today)

    unassigned = [rows[None]] + sorted(
        (
            row
            for pk, row in rows.items()
            if pk is not None and pk not in staff and (row.files or row.todo)
        ),
        key=lambda row: row.name.lower(),
    )
    return Caseloads(staff=list(staff.values()), unassigned=unassigned, unattributed=unattributed)


# Handing files over --------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Whose files the handover page lists: a referent, or nobody active (`NOBODY`)."""

    referent_id: int | None
    name: str
    on_staff: bool

    @property
    def key(self) -> str:
        return NOBODY if self.referent_id is None else str(self.referent_id)


def handover_source(*, scope: Scope, structure_id: int, raw: str) -> Source:
    """The `?de=` of the handover page: `sans`, or the id of the structure's staff or of a
    former referent of one of its files. Anything else is a 404: a user of another
    structure is never named here."""
    if structure_id not in scope.structure_ids:
        raise PermissionError(structure_id)
    if raw == NOBODY:
        return Source(None, "", on_staff=False)
    if not raw.isdecimal() or len(raw) > 18:
        raise Http404
    pk = int(raw)
    referent_here = Participant.objects.filter(structure_id=structure_id, referent_id=pk)
    user = (
        User.objects.filter(pk=pk)
        .filter(Exists(on_staff(structure_id, OuterRef("pk"))) | Q(Exists(referent_here)))
        .annotate(staff=Exists(on_staff(structure_id, OuterRef("pk"))))
        .values_list("first_name", "last_name", "email", "staff")
        .first()
    )
    if user is None:
        raise Http404
    first, last, email, staff = user
    return Source(pk, _display_name(first, last, email), on_staff=staff)


@dataclass
class HandoverFile:
    """One file the handover page lists, with what the manager needs to choose."""

    participant: Participant
    programmes: list[str] = field(default_factory=list)  # of its open parcours
    oriented: bool = False  # every open parcours waits for an entry
    in_followup: bool = False  # no open parcours, a follow-up after exit running

    @property
    def version(self) -> int:
        return self.participant.version


def handover_files(
    *, scope: Scope, structure_id: int, source: Source, today: dt.date
) -> list[HandoverFile]:
    """The source's files in progress, by name, in two queries (files, their parcours)."""
    if structure_id not in scope.structure_ids:
        raise PermissionError(structure_id)
    in_progress = Parcours.objects.filter(
        structure_id=structure_id, participant_id=OuterRef("pk")
    ).filter(_open() | _in_followup(today))
    people = Participant.objects.filter(structure_id=structure_id).filter(Exists(in_progress))
    if source.referent_id is None:
        people = people.filter(~Exists(on_staff(structure_id, OuterRef("referent_id"))))
    else:
        people = people.filter(referent_id=source.referent_id)
    people = list(people.select_related("referent").order_by("last_name", "first_name", "pk"))
    parcours = (
        Parcours.objects.filter(structure_id=structure_id, participant__in=[p.pk for p in people])
        .filter(_open() | _in_followup(today))
        .values_list("participant_id", "programme__code", "status")
        .order_by("start_date")
    )
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for participant_id, code, status in parcours:
        found[participant_id].append((code, status))
    files = []
    for person in people:
        rows = found[person.pk]
        open_rows = [(code, status) for code, status in rows if status in OPEN]
        files.append(
            HandoverFile(
                participant=person,
                programmes=[code for code, _status in open_rows],
                oriented=bool(open_rows)
                and all(status == ParcoursStatus.ORIENTE for _code, status in open_rows),
                in_followup=not open_rows,
            )
        )
    return files


@dataclass(frozen=True)
class NotMoved:
    """A file a handover did not move, as the page reports it: the person (None when the
    id is no file of the structure any more), the referent now, who changed it and when."""

    participant: Participant | None
    referent_now: str
    changed_by: str
    changed_at: dt.datetime | None


def not_moved(*, scope: Scope, structure_id: int, conflicts: list) -> list[NotMoved]:
    """The conflicts of `services.participants_reassign` with names, in two queries."""
    if structure_id not in scope.structure_ids:
        raise PermissionError(structure_id)
    if not conflicts:
        return []
    people = Participant.objects.filter(
        structure_id=structure_id, pk__in=[c.participant_id for c in conflicts]
    ).in_bulk()
    user_ids = {c.current_referent_id for c in conflicts} | {c.changed_by_id for c in conflicts}
    names = {
        pk: _display_name(first, last, email)
        for pk, first, last, email in User.objects.filter(pk__in=user_ids - {None}).values_list(
            "pk", "first_name", "last_name", "email"
        )
    }
    return [
        NotMoved(
            participant=people.get(c.participant_id),
            referent_now=names.get(c.current_referent_id, ""),
            changed_by=names.get(c.changed_by_id, ""),
            changed_at=c.changed_at,
        )
        for c in conflicts
    ]
