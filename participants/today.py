"""What needs doing now in a structure ("Aujourd'hui"): scoped reads, one query per kind.

Every kind is computed by PostgreSQL from indexed dates of one structure (its open
parcours, its open follow-up checks, its work sites' last week), never by loading parcours
into Python: a structure of 400 people costs the same nine queries as one of ten
(docs/performance.md). Each item carries the date that makes it urgent; the page sorts
by it, overdue first. The definitions are in docs/domain.md ("Aujourd'hui").
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sites.enums import Role
from sites.models import Membership
from sites.tenancy import Scope

from .enums import ParcoursStatus, SnapshotContext
from .models import Contract, FollowupCheck, Parcours, SituationSnapshot, WorkedHours


class TodayKind(models.TextChoices):
    FOLLOWUP_CHECK = "followup", _("Suivi après sortie")
    PARCOURS_LIMIT = "limit", _("Durée de parcours")
    ENTRY_DIAGNOSIS = "diagnosis", _("Diagnostic d'entrée")
    HOURS_MISSING = "hours", _("Heures de la semaine passée")
    CONTRACT_ENDING = "contract", _("Fin de contrat")
    NO_CONTACT = "contact", _("Sans contact")
    ORIENTATION = "orientation", _("Orientation en attente")
    NO_REFERENT = "referent", _("Sans référent·e")


class LimitKind(models.TextChoices):
    """Which duration rule of the programme a parcours approaches (docs/domain.md §5)."""

    WARN = "warn", _("durée d'alerte")
    BASE = "base", _("durée sans prolongation")
    MAX = "max", _("durée maximale")


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


class AddMonths(models.Func):
    """`date + n months` in SQL, clamped to the month's end like `rules.add_months`."""

    output_field = models.DateField()

    def as_sql(self, compiler, connection, **extra):
        day, months = self.source_expressions
        day_sql, day_params = compiler.compile(day)
        months_sql, months_params = compiler.compile(months)
        sql = f"(({day_sql}) + make_interval(months => ({months_sql})::int))::date"
        return sql, [*day_params, *months_params]


def add_days(day, days) -> models.Func:
    """`date + n days` in SQL: a date, as PostgreSQL's `date + integer` gives."""
    return models.Func(
        day, days, template="(%(expressions)s)", arg_joiner=" + ", output_field=models.DateField()
    )


def _person(values: dict, prefix: str = "participant__") -> str:
    return f"{values[prefix + 'last_name'].upper()} {values[prefix + 'first_name']}"


PERSON = ["participant__last_name", "participant__first_name", "participant_id"]


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


class TodayQueries:
    """The queries of one structure's "Aujourd'hui", optionally for one referent's people."""

    def __init__(self, *, scope: Scope, structure_id: int, referent_id: int | None):
        if structure_id not in scope.structure_ids:
            raise PermissionError(structure_id)
        self.structure_id = structure_id
        self.referent_id = referent_id

    def _mine(self, prefix: str = "participant__") -> Q:
        if self.referent_id is None:
            return Q()
        return Q(**{f"{prefix}referent_id": self.referent_id})

    def _parcours(self, *statuses: str):
        return Parcours.objects.filter(
            self._mine(), structure_id=self.structure_id, status__in=statuses
        )

    # One method per kind -----------------------------------------------------------------

    def followup_checks(self, h: Horizon) -> list[TodayItem]:
        rows = (
            FollowupCheck.objects.filter(
                self._mine("parcours__participant__"),
                structure_id=self.structure_id,
                done_on__isnull=True,
                due_on__lte=h.today + dt.timedelta(days=h.check_notice_days),
                parcours__exit__followup_until__gte=h.today
                - dt.timedelta(days=h.followup_late_days),
            )
            .values(
                "pk",
                "due_on",
                "months",
                "parcours__participant_id",
                "parcours__participant__last_name",
                "parcours__participant__first_name",
                "parcours__programme__code",
            )
            .order_by("due_on")
        )
        return [
            TodayItem(
                kind=TodayKind.FOLLOWUP_CHECK,
                due_on=row["due_on"],
                subject_id=row["pk"],
                participant_id=row["parcours__participant_id"],
                person=_person(row, "parcours__participant__"),
                details={"months": row["months"], "programme": row["parcours__programme__code"]},
            )
            for row in rows
        ]

    def parcours_limits(self, h: Horizon) -> list[TodayItem]:
        items = []
        rules = {
            LimitKind.WARN: ("programme__warn_months", Q()),
            LimitKind.BASE: ("programme__base_months", Q(prolongation_reason="")),
            LimitKind.MAX: ("programme__max_months", Q()),
        }
        for limit, (months_field, extra) in rules.items():
            notice = dt.timedelta(days=LIMIT_NOTICE_DAYS[limit])
            rows = (
                self._parcours(ParcoursStatus.EN_COURS)
                .filter(extra, **{f"{months_field}__isnull": False})
                .annotate(limit_on=AddMonths("start_date", F(months_field)))
                .filter(limit_on__lte=h.today + notice)
                .values(*PERSON, "pk", "limit_on", "programme__code", months=F(months_field))
            )
            items += [
                TodayItem(
                    kind=TodayKind.PARCOURS_LIMIT,
                    due_on=row["limit_on"],
                    subject_id=row["pk"],
                    participant_id=row["participant_id"],
                    person=_person(row),
                    details={
                        "limit": limit,
                        "months": row["months"],
                        "programme": row["programme__code"],
                    },
                )
                for row in rows
            ]
        # A parcours past its 60 months is not also listed for its 24: the stricter wins.
        strictest: dict[int, TodayItem] = {}
        for item in sorted(items, key=lambda i: list(LimitKind).index(i.details["limit"])):
            strictest[item.subject_id] = item
        return list(strictest.values())

    def entry_diagnoses(self, h: Horizon) -> list[TodayItem]:
        entry_snapshot = SituationSnapshot.objects.filter(
            structure_id=self.structure_id,
            participant_id=OuterRef("participant_id"),
            context=SnapshotContext.ENTREE,
        ).filter(
            # Attached to this parcours, or recorded for the person around its start, as the
            # stored warning counts it (services.warnings).
            Q(parcours_id=OuterRef("pk"))
            | Q(parcours__isnull=True, date__gte=add_days(OuterRef("start_date"), -30))
        )
        rows = (
            self._parcours(ParcoursStatus.EN_COURS)
            .annotate(deadline=add_days(F("start_date"), F("programme__entry_snapshot_days")))
            .filter(deadline__lte=h.today + dt.timedelta(days=DIAGNOSIS_NOTICE_DAYS))
            .filter(~Exists(entry_snapshot))
            .values(*PERSON, "pk", "deadline", "programme__code")
        )
        return [
            TodayItem(
                kind=TodayKind.ENTRY_DIAGNOSIS,
                due_on=row["deadline"],
                subject_id=row["pk"],
                participant_id=row["participant_id"],
                person=_person(row),
                details={"programme": row["programme__code"]},
            )
            for row in rows
        ]

    def hours_missing(self, h: Horizon) -> list[TodayItem]:
        """Per work site: people on the site last week (as the hours grid lists them) with
        no hours recorded for that week."""
        monday = h.last_week_monday
        sunday = monday + dt.timedelta(days=6)
        recorded = WorkedHours.objects.filter(
            structure_id=self.structure_id, parcours_id=OuterRef("pk"), week_start=monday
        )
        missing = (
            self._parcours(ParcoursStatus.EN_COURS, ParcoursStatus.SORTI)
            .filter(work_site__isnull=False, start_date__lte=sunday)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=monday))
            .filter(~Exists(recorded))
            .values("work_site_id", "work_site__name")
            .annotate(people=Count("pk"))
            .order_by("work_site__name")
        )
        return [
            TodayItem(
                kind=TodayKind.HOURS_MISSING,
                due_on=sunday + dt.timedelta(days=1),
                subject_id=row["work_site_id"],
                details={
                    "site": row["work_site__name"],
                    "people": row["people"],
                    "year": monday.isocalendar().year,
                    "week": monday.isocalendar().week,
                },
            )
            for row in missing
        ]

    def contracts_ending(self, h: Horizon) -> list[TodayItem]:
        rows = Contract.objects.filter(
            self._mine("parcours__participant__"),
            structure_id=self.structure_id,
            actual_end_date__isnull=True,
            planned_end_date__lte=h.today + dt.timedelta(days=h.contract_end_days),
            parcours__status=ParcoursStatus.EN_COURS,
        ).values(
            "pk",
            "planned_end_date",
            "kind",
            "parcours_id",
            "parcours__participant_id",
            "parcours__participant__last_name",
            "parcours__participant__first_name",
        )
        return [
            TodayItem(
                kind=TodayKind.CONTRACT_ENDING,
                due_on=row["planned_end_date"],
                subject_id=row["pk"],
                participant_id=row["parcours__participant_id"],
                person=_person(row, "parcours__participant__"),
                details={"contract_kind": row["kind"], "parcours_id": row["parcours_id"]},
            )
            for row in rows
        ]

    def no_contact(self, h: Horizon) -> list[TodayItem]:
        since = h.today - dt.timedelta(weeks=h.no_contact_weeks)
        rows = (
            self._parcours(ParcoursStatus.EN_COURS)
            .annotate(last=Coalesce("participant__last_contact_on", "start_date"))
            .filter(last__lt=since)
            .values(*PERSON, "pk", "last")
        )
        seen: dict[int, TodayItem] = {}
        for row in rows:  # one item per person, whatever their number of open parcours
            seen[row["participant_id"]] = TodayItem(
                kind=TodayKind.NO_CONTACT,
                due_on=row["last"] + dt.timedelta(weeks=h.no_contact_weeks),
                subject_id=row["pk"],
                participant_id=row["participant_id"],
                person=_person(row),
                details={"last": row["last"]},
            )
        return list(seen.values())

    def orientations(self, h: Horizon) -> list[TodayItem]:
        rows = (
            self._parcours(ParcoursStatus.ORIENTE)
            .annotate(since=Coalesce("referred_on", "start_date"))
            .values(*PERSON, "pk", "since", "referred_by", "programme__code")
        )
        return [
            TodayItem(
                kind=TodayKind.ORIENTATION,
                due_on=row["since"],
                subject_id=row["pk"],
                participant_id=row["participant_id"],
                person=_person(row),
                details={
                    "days": (h.today - row["since"]).days,
                    "referred_by": row["referred_by"],
                    "programme": row["programme__code"],
                },
            )
            for row in rows
        ]

    def without_referent(self, h: Horizon) -> list[TodayItem]:
        """People with an open parcours whose referent is missing, deactivated or no longer
        on the structure's staff. Listed in both filters: they are nobody's yet."""
        rows = (
            Parcours.objects.filter(
                structure_id=self.structure_id,
                status__in=[ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS],
            )
            .filter(~Exists(on_staff(self.structure_id, OuterRef("participant__referent_id"))))
            .values(*PERSON)
            # Without the model's ordering (start date), which DISTINCT would otherwise keep:
            # a person with two open parcours is one item.
            .order_by()
            .distinct()
        )
        return [
            TodayItem(
                kind=TodayKind.NO_REFERENT,
                due_on=None,
                subject_id=row["participant_id"],
                participant_id=row["participant_id"],
                person=_person(row),
            )
            for row in rows
        ]


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
    return sorted(items, key=lambda i: (i.due_on is None, i.due_on or dt.date.max, i.person))


def today_items(
    *, scope: Scope, structure_id: int, referent_id: int | None, today: dt.date
) -> list[TodayItem]:
    """Everything to do in a structure (or for one referent's people), most urgent first."""
    queries = TodayQueries(scope=scope, structure_id=structure_id, referent_id=referent_id)
    horizon = Horizon.on(today)
    items: list[TodayItem] = []
    for kind in (
        queries.followup_checks,
        queries.parcours_limits,
        queries.entry_diagnoses,
        queries.hours_missing,
        queries.contracts_ending,
        queries.no_contact,
        queries.orientations,
        queries.without_referent,
    ):
        items += kind(horizon)
    return items_by_urgency(items)
