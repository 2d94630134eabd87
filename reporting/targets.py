"""The targets of a territory's deployments, as dashboards and funder reports show them."""

import datetime as dt
from dataclasses import dataclass

from programmes.models import Target

from . import indicators as ind
from .periods import Period
from .periods import canonical as canonical_period
from .scopes import ReportScope


def matching_targets(*, report_scope: ReportScope, period: Period) -> dict[str, int]:
    """Targets of the territory's deployments whose period lies inside P (metric → value).

    A target set over a longer period (e.g. 800 parcours over 2021–2022) does not match a
    shorter P: comparing a year's figure with a two-year goal would mislead. Several matches
    of one metric: the longest period wins. No target for a single structure's drill-down.
    """
    if report_scope.territory is None or report_scope.structure is not None:
        return {}
    qs = Target.objects.filter(
        deployment__programme=report_scope.programme,
        deployment__territory=report_scope.territory,
        period_start__gte=period.start,
        period_end__lte=period.end,
    )
    if report_scope.deployment is not None:
        qs = qs.filter(deployment=report_scope.deployment)
    best: dict[str, tuple[int, dt.date, int]] = {}
    for metric, value, start, end in qs.values_list(
        "metric", "value", "period_start", "period_end"
    ):
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


def apply_target(figures: ind.Indicators, targets: dict[str, int]) -> None:
    for metric in ("accompanied", "active_at_end", "entries", "exits", "hours_worked"):
        if metric in targets:
            figures.target, figures.target_metric = targets[metric], metric
            return
