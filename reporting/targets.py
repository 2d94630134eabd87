"""The targets of a territory's deployments, as dashboards and funder reports show them."""

import datetime as dt
from dataclasses import dataclass

from programmes.models import Target

from . import indicators as ind
from .periods import Period
from .periods import canonical as canonical_period
from .scopes import ReportScope
from .trajectories import TRAJECTORY_METRICS


def _targets_inside(*, report_scope: ReportScope, period: Period) -> list[tuple]:
    """(metric, value, start, end) of the territory's targets whose period lies inside P
    (one query; none for a single structure's drill-down)."""
    if report_scope.territory is None or report_scope.structure is not None:
        return []
    qs = Target.objects.filter(
        deployment__programme=report_scope.programme,
        deployment__territory=report_scope.territory,
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    if report_scope.deployment is not None:
        qs = qs.filter(deployment=report_scope.deployment)
    return list(qs.values_list("metric", "value", "period_start", "period_end"))


def matching_targets(
    *, report_scope: ReportScope, period: Period, rows: list[tuple] | None = None
) -> dict[str, int]:
    """Targets of the territory's deployments whose period lies inside P (metric → value).

    A target set over a longer period (e.g. 800 parcours over 2021–2022) does not match a
    shorter P: comparing a year's figure with a two-year goal would mislead. Several matches
    of one metric: the longest period wins. No target for a single structure's drill-down.
    `rows`: those `_targets_inside` already read.
    """
    if rows is None:
        rows = _targets_inside(report_scope=report_scope, period=period)
    best: dict[str, tuple[int, dt.date, int]] = {}
    for metric, value, start, end in rows:
        length = (end - start).days
        if metric not in best or (length, end) > best[metric][:2]:
            best[metric] = (length, end, value)
    return {metric: value for metric, (_, _, value) in best.items()}


@dataclass(frozen=True)
class TargetInfo:
    """One target of a territory's deployments, for the period selector and the gauge."""

    period: Period
    metric: str
    value: int


def territory_targets(*, report_scope: ReportScope) -> list[TargetInfo]:
    """The targets of the territory's deployments (of the report's deployment only for a
    funder report), latest period first, each with its named period when it has one."""
    if report_scope.territory is None:
        return []
    qs = Target.objects.filter(
        deployment__programme=report_scope.programme,
        deployment__territory=report_scope.territory,
    )
    if report_scope.deployment is not None:
        qs = qs.filter(deployment=report_scope.deployment)
    rows = qs.values_list("period_start", "period_end", "metric", "value").order_by(
        "-period_end", "-period_start", "metric"
    )
    return [
        TargetInfo(period=canonical_period(start, end), metric=metric, value=value)
        for start, end, metric, value in rows
    ]


def trajectory_target(
    *, report_scope: ReportScope, period: Period, rows: list[tuple] | None = None
) -> TargetInfo | None:
    """The target a trajectory follows on P: one of the territory's deployments whose
    period is exactly P, on `accompanied` (else `entries`); None for a single structure.
    `rows`: those `_targets_inside` already read."""
    if rows is None:
        rows = _targets_inside(report_scope=report_scope, period=period)
    found = {
        metric: value
        for metric, value, start, end in rows
        if (start, end) == (period.start, period.end) and metric in TRAJECTORY_METRICS
    }
    for metric in TRAJECTORY_METRICS:
        if metric in found:
            return TargetInfo(period=period, metric=metric, value=found[metric])
    return None


def targets_inside(*, report_scope: ReportScope, period: Period) -> list[tuple]:
    return _targets_inside(report_scope=report_scope, period=period)


def targets_by_territory(
    *, programme, period: Period, territory_ids: list[int]
) -> dict[int, TargetInfo]:
    """For the national view: each territory's target on `accompanied` (else `entries`)
    whose period lies inside P, the longest when several do (one query)."""
    rows = Target.objects.filter(
        deployment__programme=programme,
        deployment__territory_id__in=territory_ids,
        period_start__gte=period.start,
        period_end__lte=period.end,
        metric__in=TRAJECTORY_METRICS,
    ).values_list("deployment__territory_id", "metric", "value", "period_start", "period_end")
    best: dict[int, tuple] = {}
    for territory_id, metric, value, start, end in rows:
        rank = (metric == TRAJECTORY_METRICS[0], (end - start).days, end)
        if territory_id not in best or rank > best[territory_id][0]:
            best[territory_id] = (rank, metric, value, start, end)
    return {
        tid: TargetInfo(period=canonical_period(start, end), metric=metric, value=value)
        for tid, (_rank, metric, value, start, end) in best.items()
    }


def apply_target(figures: ind.Indicators, targets: dict[str, int]) -> None:
    for metric in ("accompanied", "active_at_end", "entries", "exits", "hours_worked"):
        if metric in targets:
            figures.target, figures.target_metric = targets[metric], metric
            return
