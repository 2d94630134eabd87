"""Trajectories against targets: the monthly cumulative headcount of a territory over a
target's period, the attainment at the reference date and the projection to the period's
end at the current pace (docs/indicators.md, "Trajectoire et projection").

The monthly counts and their running sums come from one statement
(`reporting.trajectory_sql`): read from the maintained monthly rows when they cover the
target's period (`maintained_trajectories`, on the primary, after recomputing the scope's
stale structures as `reporting.territory_months` does), else computed from the parcours
(`territory_trajectories`, on the reporting replica when there is one); this module
decides the reference date and the projection. Like `reporting.indicators`, it knows
nothing about users: the caller hands it the structures of a checked scope and runs it
inside row-level security.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, connections, transaction

from participants.enums import COUNTED_STATUSES
from sites.tenancy.replica import reporting_alias
from web.rounding import half_up

from . import territory_months, territory_years
from .periods import Period
from .sql_arrays import id_array
from .trajectory_sql import TRAJECTORY_MONTHS_SQL, TRAJECTORY_SQL

# The pace needs this many days of the period behind it: over a few days it says nothing.
MIN_DAYS_FOR_PACE = 30
# Target metrics a trajectory follows (the others have no monthly cumulative meaning here).
TRAJECTORY_METRICS = ("accompanied", "entries")

NOT_STARTED, RUNNING, ENDED = "not_started", "running", "ended"


@dataclass(frozen=True)
class TrajectoryMonth:
    """One month of a trajectory: what it added, and the running totals at its end."""

    month: dt.date
    entries: int
    entries_structures: int
    entries_top: int
    persons: int  # persons who joined the accompanied count this month
    persons_structures: int
    persons_top: int
    cum_entries: int
    cum_accompanied: int


@dataclass(frozen=True)
class Trajectory:
    """A territory's trajectory over one target's period."""

    period: Period
    metric: str
    target: int
    reference: dt.date
    months: list[TrajectoryMonth]

    @property
    def state(self) -> str:
        return state_on(self.period, self.reference)

    @property
    def elapsed_days(self) -> int:
        return elapsed_days(self.period, self.reference)

    @property
    def current(self) -> TrajectoryMonth | None:
        return self.months[-1] if self.months else None

    def projection(self) -> int | None:
        """The metric at the period's end at the current pace (None: see `projection`)."""
        if self.current is None:
            return None
        value = getattr(self.current, f"cum_{self.metric}")
        return projection(
            value=value,
            entries=self.current.cum_entries,
            period=self.period,
            reference=self.reference,
        )


def reference_date(period: Period, today: dt.date) -> dt.date:
    """The day the trajectory is read at: today, or the period's last day once it ended."""
    return min(today, period.end)


def state_on(period: Period, reference: dt.date) -> str:
    if reference < period.start:
        return NOT_STARTED
    return ENDED if reference >= period.end else RUNNING


def elapsed_days(period: Period, reference: dt.date) -> int:
    """Days of the period up to the reference date, both included (0 before it starts)."""
    return max(0, min((reference - period.start).days + 1, period.days))


def projection(*, value: int, entries: int, period: Period, reference: dt.date) -> int | None:
    """`value` at the period's end if entries go on at their pace so far.

    pace = entries since the period's start / days elapsed (D); projection =
    value + pace × days left (N − D), rounded half away from zero. For `accompanied`,
    every entry to come is counted as one more person. None before the period starts,
    once it has ended (the figure is final, not projected) and during its first
    `MIN_DAYS_FOR_PACE` days; a zero pace projects the value unchanged.
    """
    if state_on(period, reference) != RUNNING:
        return None
    days = elapsed_days(period, reference)
    if days < MIN_DAYS_FOR_PACE:
        return None
    remaining = period.days - days
    return int(half_up(Decimal(value) + Decimal(entries) * remaining / days))


def _scope_params(programme, territory_ids, structure_ids) -> dict:
    """The parameters both trajectory statements share: whose months, in which scope."""
    return {
        "territory_ids": id_array(territory_ids),
        "structure_ids": id_array(structure_ids),
        "programme_id": programme.pk,
    }


def _months_of(rows) -> dict[int, list[TrajectoryMonth]]:
    result: dict[int, list[TrajectoryMonth]] = {}
    for root, month, *counts in rows:
        result.setdefault(root, []).append(TrajectoryMonth(month, *(int(c) for c in counts)))
    return result


def maintained_trajectories(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
    today: dt.date,
) -> dict[int, list[TrajectoryMonth]] | None:
    """`territory_trajectories` read from the maintained monthly rows, or None when they do
    not cover P (not whole months, a month beyond the rows' coverage, more stale structures
    than a page recomputes, a structure's lock busy): the caller then computes live. On the
    primary, under row-level security for `structure_ids` (`rls_structures`), like
    `reporting.territory_months`."""
    if territory_months.whole_months(period) is None:
        return None
    months = territory_months.covered_months(period)
    if months is None:
        return None
    reference = reference_date(period, today)
    result: dict[int, list[TrajectoryMonth]] = {tid: [] for tid in territory_ids}
    if reference < period.start or not territory_ids or not structure_ids:
        return result
    params = {
        **_scope_params(programme, territory_ids, structure_ids),
        "m1": months[0],
        "m2": months[1],
        "mr": reference.replace(day=1),
        "d1": period.start,
        "d_ref": reference,
        "max_stale": territory_months.MAX_STALE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if not territory_years.refreshed(cursor, territory_months.REFRESH_SQL, params):
            return None
        cursor.execute(TRAJECTORY_MONTHS_SQL, params)
        result.update(_months_of(cursor.fetchall()))
    return result


def territory_trajectories(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
    today: dt.date,
) -> dict[int, list[TrajectoryMonth]]:
    """The months of [period.start, reference date] of each territory, in ONE statement
    (territory id → months; no month before the period starts)."""
    reference = reference_date(period, today)
    result: dict[int, list[TrajectoryMonth]] = {tid: [] for tid in territory_ids}
    if reference < period.start or not territory_ids or not structure_ids:
        return result
    params = {
        **_scope_params(programme, territory_ids, structure_ids),
        "statuses": [str(s) for s in COUNTED_STATUSES],
        "d1": period.start,
        "d2": period.end,
        "d_ref": reference,
    }
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(TRAJECTORY_SQL, params)
        result.update(_months_of(cursor.fetchall()))
    return result


def territory_trajectory(
    *,
    programme,
    territory_id: int,
    structure_ids: Collection[int],
    period: Period,
    metric: str,
    target: int,
    today: dt.date,
) -> Trajectory:
    """One territory's trajectory against a target of `metric` over `period`, computed from
    the parcours."""
    months = territory_trajectories(
        programme=programme,
        period=period,
        territory_ids=[territory_id],
        structure_ids=structure_ids,
        today=today,
    )[territory_id]
    return _against(months, period=period, metric=metric, target=target, today=today)


def maintained_trajectory(
    *,
    programme,
    territory_id: int,
    structure_ids: Collection[int],
    period: Period,
    metric: str,
    target: int,
    today: dt.date,
) -> Trajectory | None:
    """`territory_trajectory` read from the maintained monthly rows, or None when they do
    not cover P (`maintained_trajectories`). Call under row-level security for
    `structure_ids`."""
    found = maintained_trajectories(
        programme=programme,
        period=period,
        territory_ids=[territory_id],
        structure_ids=structure_ids,
        today=today,
    )
    if found is None:
        return None
    return _against(found[territory_id], period=period, metric=metric, target=target, today=today)


def _against(months, *, period: Period, metric: str, target: int, today: dt.date) -> Trajectory:
    """A territory's months against its target, seen on `today`."""
    return Trajectory(
        period=period,
        metric=metric,
        target=target,
        reference=reference_date(period, today),
        months=months,
    )
