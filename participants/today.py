"""What needs doing now in a structure ("Aujourd'hui"): a scoped read in one statement.

Every kind is computed by PostgreSQL from indexed dates of one structure (its open
parcours, its open follow-up checks, its work sites' last week) in one statement
(`today_sql`), never by loading parcours into Python: a structure of 750 people costs the
same single query as one of ten (docs/performance.md §10). Each item carries the date that
makes it urgent; the page sorts by it, overdue first. The definitions are in
docs/domain.md ("Aujourd'hui").
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from sites.enums import Role
from sites.models import Membership
from sites.tenancy import Scope

from .enums import LimitKind, TodayKind
from .today_sql import today_rows


@dataclass(frozen=True)
class TodayItem:
    """One thing to do. `subject_id` is the object the action settles: a follow-up check,
    a parcours, a contract, a work site or a participant, depending on `kind`."""

    kind: str
    due_on: dt.date | None
    subject_id: int
    participant_id: int | None = None
    person: str = ""
    details: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Horizon:
    """How far ahead each kind looks (settings, docs/configuration.md)."""

    today: dt.date
    check_notice_days: int
    contract_end_days: int
    no_contact_weeks: int
    followup_late_days: int

    @classmethod
    def on(cls, today: dt.date) -> "Horizon":
        return cls(
            today=today,
            check_notice_days=settings.TODAY_CHECK_NOTICE_DAYS,
            contract_end_days=settings.TODAY_CONTRACT_END_DAYS,
            no_contact_weeks=settings.TODAY_NO_CONTACT_WEEKS,
            followup_late_days=settings.FOLLOWUP_LATE_DAYS,
        )

    @property
    def last_week_monday(self) -> dt.date:
        return self.today - dt.timedelta(days=self.today.isoweekday() - 1 + 7)


# Days before a duration limit an item appears: a month for the Premières Heures alert,
# two for a Convergence prolongation to justify, three before the 60-month end.
LIMIT_NOTICE_DAYS = {LimitKind.WARN: 30, LimitKind.BASE: 60, LimitKind.MAX: 90}
# An entry diagnosis appears a week before its deadline.
DIAGNOSIS_NOTICE_DAYS = 7
# An orientation is late once it has waited this many days.
ORIENTATION_LATE_DAYS = 14


def on_staff(structure_id: int, user_id) -> models.QuerySet[Membership]:
    """The active membership that makes `user_id` (a value or an `OuterRef`) one of the
    structure's staff, who may be a referent: an active account, an active caseworker or
    manager membership. A referent who is not is no referent ("sans référent·e")."""
    return Membership.objects.filter(
        user_id=user_id,
        structure_id=structure_id,
        is_active=True,
        user__is_active=True,
        role__in=[Role.CASEWORKER, Role.MANAGER],
    )


def is_overdue(item: TodayItem, today: dt.date) -> bool:
    """Past its date (an orientation: waiting longer than ORIENTATION_LATE_DAYS); an undated
    item (a file without a referent) is never overdue. The page's red badge and the
    referents' "en retard" count are this one test."""
    if item.due_on is None:
        return False
    if item.kind == TodayKind.ORIENTATION:
        return item.details["days"] > ORIENTATION_LATE_DAYS
    return item.due_on < today


def items_by_urgency(items: list[TodayItem]) -> list[TodayItem]:
    """Most urgent first: by the date that makes each item due; undated items last."""
    return sorted(
        items,
        key=lambda i: (
            i.due_on is None,
            i.due_on or dt.date.max,
            i.person,
            i.details.get("site", ""),
            i.subject_id,
        ),
    )


def _item(row: dict, h: Horizon) -> TodayItem:
    kind = TodayKind(row["kind"])
    person = f"{row['last_name'].upper()} {row['first_name']}" if row["last_name"] else ""
    details: dict = {}
    match kind:
        case TodayKind.FOLLOWUP_CHECK:
            details = {"months": row["number"], "programme": row["programme"]}
        case TodayKind.PARCOURS_LIMIT:
            details = {
                "limit": LimitKind(row["label"]),
                "months": row["number"],
                "programme": row["programme"],
            }
        case TodayKind.ENTRY_DIAGNOSIS:
            details = {"programme": row["programme"]}
        case TodayKind.HOURS_MISSING:
            iso = h.last_week_monday.isocalendar()
            details = {
                "site": row["label"],
                "people": row["number"],
                "year": iso.year,
                "week": iso.week,
            }
        case TodayKind.CONTRACT_ENDING:
            details = {"contract_kind": row["label"]}
        case TodayKind.NO_CONTACT:
            details = {"last": row["day"]}
        case TodayKind.ORIENTATION:
            details = {
                "days": row["number"],
                "referred_by": row["label"],
                "programme": row["programme"],
            }
    return TodayItem(
        kind=kind,
        due_on=row["due_on"],
        subject_id=row["subject_id"],
        participant_id=row["participant_id"],
        person=person,
        details=details,
    )


def today_items(
    *, scope: Scope, structure_id: int, referent_id: int | None, today: dt.date
) -> list[TodayItem]:
    """Everything to do in a structure (or for one referent's people), most urgent first."""
    if structure_id not in scope.structure_ids:
        raise PermissionError(structure_id)
    h = Horizon.on(today)
    rows = today_rows(
        structure_id=structure_id,
        referent_id=referent_id,
        today=today,
        monday=h.last_week_monday,
        until={
            "check": today + dt.timedelta(days=h.check_notice_days),
            "contract": today + dt.timedelta(days=h.contract_end_days),
            "diagnosis": today + dt.timedelta(days=DIAGNOSIS_NOTICE_DAYS),
            **{
                limit.value: today + dt.timedelta(days=days)
                for limit, days in LIMIT_NOTICE_DAYS.items()
            },
        },
        contact_since=today - dt.timedelta(weeks=h.no_contact_weeks),
        no_contact_days=7 * h.no_contact_weeks,
        followup_from=today - dt.timedelta(days=h.followup_late_days),
    )
    return items_by_urgency([_item(row, h) for row in rows])
