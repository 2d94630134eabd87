"""What becomes of people after their parcours, and how they come to it: the follow-up
checks after exit and the orientations (docs/indicators.md, "Suivi après sortie" and
"Orientations").

Figures per structure, summed into the scope's total here; who may read which scope is
decided by `reporting.selectors`, which calls these inside the scope's row-level security.
"""

from collections.abc import Collection
from dataclasses import dataclass, field, fields

from django.db import connections

from participants.enums import (
    DYNAMIC_CATEGORIES,
    HOUSED,
    DgefpCategory,
    NonEntryReason,
    ParcoursStatus,
    ReferralSource,
    SnapshotContext,
)
from sites.tenancy.replica import reporting_alias

from . import outcome_sql as sql
from .periods import Period
from .places import Places, territory_places
from .sql_arrays import code_array, id_array

# The checks the indicators report on (a programme may schedule others, e.g. at 3 months).
REPORTED_MONTHS = (6, 12)
REASON_CODES = [str(code) for code in NonEntryReason]
# The codes the statements compare with, as array literals (reporting.sql_arrays).
_DYNAMIC = code_array(DYNAMIC_CATEGORIES)
_HOUSED = code_array(HOUSED)
_STARTED = code_array([ParcoursStatus.EN_COURS, ParcoursStatus.SORTI])


@dataclass
class FollowupCounts:
    """The checks at one month after exit done in P, for one structure or the total."""

    checks: int = 0
    reached: int = 0
    employed: int = 0
    housed_at_exit: int = 0
    housing_kept: int = 0

    @property
    def unreachable(self) -> int:
        return self.checks - self.reached

    @property
    def not_employed(self) -> int:
        return self.reached - self.employed

    @property
    def housing_lost(self) -> int:
        return self.housed_at_exit - self.housing_kept

    @property
    def employment_rate(self) -> float | None:
        return self.employed / self.reached if self.reached else None

    @property
    def housing_kept_rate(self) -> float | None:
        return self.housing_kept / self.housed_at_exit if self.housed_at_exit else None

    def add(self, other: "FollowupCounts") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class OrientationCounts:
    """Referrals received, entries after a referral and non-entries decided in P."""

    referrals: int = 0
    entries: int = 0
    delay_days: int = 0
    non_entries_by_reason: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(REASON_CODES, 0)
    )

    @property
    def non_entries(self) -> int:
        return sum(self.non_entries_by_reason.values())

    @property
    def average_delay_days(self) -> float | None:
        return self.delay_days / self.entries if self.entries else None

    def add(self, other: "OrientationCounts") -> None:
        self.referrals += other.referrals
        self.entries += other.entries
        self.delay_days += other.delay_days
        for code, n in other.non_entries_by_reason.items():
            self.non_entries_by_reason[code] += n


@dataclass
class Outcomes:
    """Both sets of figures of a dashboard: per structure and in total."""

    followup: dict[int, dict[int, FollowupCounts]]  # months → structure → counts
    followup_total: dict[int, FollowupCounts]
    orientations: dict[int, OrientationCounts]  # structure → counts
    orientations_total: OrientationCounts
    tracks_followup: bool
    tracks_housing: bool


def _params(*, programme, period: Period, structure_ids) -> dict:
    return {
        "programme_id": programme.pk,
        "structure_ids": id_array(structure_ids),
        "d1": period.start,
        "d2": period.end,
        "months": list(REPORTED_MONTHS),
        "neutralised": str(DgefpCategory.NEUTRALISEE),
        "dynamic": _DYNAMIC,
        "housed": _HOUSED,
        "sortie": str(SnapshotContext.SORTIE),
        "started": _STARTED,
        "transfer": str(ReferralSource.TRANSFERT),
        "non_entre": str(ParcoursStatus.NON_ENTRE),
    }


def tracks_followup(programme) -> bool:
    """A programme reports follow-up figures when it schedules a check at 6 or 12 months."""
    return bool(set(programme.followup_check_months or ()) & set(REPORTED_MONTHS))


def outcomes(
    *,
    programme,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int | None,
    places: Places | None = None,
) -> Outcomes:
    """The follow-up and orientation figures of the scope for P: one query, whatever the
    number of structures. Within a territory, its `places` (reporting.places; read here,
    one query more, when not given) tell which parcours lie in it."""
    params = _params(
        programme=programme,
        period=period,
        structure_ids=structure_ids,
    )
    result = Outcomes(
        followup={m: {} for m in REPORTED_MONTHS},
        followup_total={m: FollowupCounts() for m in REPORTED_MONTHS},
        orientations={},
        orientations_total=OrientationCounts(),
        tracks_followup=tracks_followup(programme),
        tracks_housing=programme.tracks_housing,
    )
    if not structure_ids:
        return result
    if territory_id is not None:
        if places is None:
            _, places = territory_places(territory_id)
        params |= {"seats": places.seats, "sites": places.sites}
    statement = sql.statement(
        territory_id=territory_id,
        tracks_followup=result.tracks_followup,
        tracks_housing=result.tracks_housing,
        reason_codes=REASON_CODES,
    )
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    for structure_id, months, counts in rows:
        if months is not None:
            followup = FollowupCounts(*counts)
            result.followup[months][structure_id] = followup
            result.followup_total[months].add(followup)
            continue
        referrals, entries, delay, *reasons = counts
        orientation = OrientationCounts(
            referrals=referrals,
            entries=entries,
            delay_days=delay,
            non_entries_by_reason=dict(zip(REASON_CODES, reasons, strict=True)),
        )
        result.orientations[structure_id] = orientation
        result.orientations_total.add(orientation)
    return result
