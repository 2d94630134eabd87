"""The targets of a territory's deployments, as dashboards and funder reports show them."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from programmes.models import Target

from . import indicators as ind
from .periods import Period
from .periods import canonical as canonical_period
from .scopes import ReportScope
from .trajectories import TRAJECTORY_METRICS


def targets_inside(*, report_scope: ReportScope, period: Period) -> list[tuple]:
    """(metric, value, start, end) of the territory's targets whose period lies inside P,
    the candidates of `targets_for_period` (one query; none for a single structure's
    drill-down)."""
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


def targets_rows_inside(targets: list["TargetInfo"], period: Period) -> list[tuple]:
    """`targets_inside`'s rows taken from the territory's targets already read
    (`territory_targets`, same deployments): those whose period lies inside P."""
    return [
        (t.metric, t.value, t.period.start, t.period.end)
        for t in targets
        if t.period.start >= period.start and t.period.end <= period.end
    ]


# Metrics whose figure over P is the sum of their figures over periods cutting P in pieces
# (flows). `accompanied` and `active_at_end` count persons (a stock): a person followed
# over two years counts once over both, so two yearly targets do not add up.
ADDITIVE_METRICS = frozenset({"entries", "exits", "hours_worked"})


def targets_for_period(rows: list[tuple], period: Period) -> dict[str, int]:
    """THE rule matching targets to a period P (docs/indicators.md, `attainment`), used by
    the dashboards, the funder PDF, the trajectories and the national view.

    `rows`: (metric, value, start, end) of targets whose period lies inside P (those of
    several deployments of the territory together). For each metric:
    1. the targets whose period is exactly P (several deployments' targets add up);
    2. else, for a flow (`ADDITIVE_METRICS`), the sum of targets whose periods follow each
       other without gap or overlap from d1 to d2 (from d1, the longest target that still
       leads to d2 is taken first);
    3. else no target for P: a target over a longer period, a shorter one or one that only
       overlaps P is not compared with P's figure.
    """
    by_metric: dict[str, dict[tuple[dt.date, dt.date], int]] = {}
    for metric, value, start, end in rows:
        if start < period.start or end > period.end:
            continue  # not inside P (a caller's rows may hold others)
        spans = by_metric.setdefault(metric, {})
        spans[(start, end)] = spans.get((start, end), 0) + value
    result = {}
    for metric, spans in by_metric.items():
        exact = spans.get((period.start, period.end))
        if exact is not None:
            result[metric] = exact
        elif metric in ADDITIVE_METRICS:
            chain = _chain(spans, period.start, period.end)
            if chain is not None:
                result[metric] = sum(spans[span] for span in chain)
    return result


def _chain(spans, start: dt.date, end: dt.date) -> list[tuple] | None:
    """Spans that follow each other from `start` to `end`, the longest first at each day
    (a depth-first search over at most a few dozen targets)."""
    following = sorted((s for s in spans if s[0] == start), key=lambda s: s[1], reverse=True)
    for span in following:
        if span[1] == end:
            return [span]
        rest = _chain(spans, span[1] + dt.timedelta(days=1), end)
        if rest is not None:
            return [span, *rest]
    return None


def matching_targets(
    *, report_scope: ReportScope, period: Period, rows: list[tuple] | None = None
) -> dict[str, int]:
    """The targets of P (metric → value) by `targets_for_period`; none for a single
    structure's drill-down. `rows`: those `targets_inside` already read."""
    if rows is None:
        rows = targets_inside(report_scope=report_scope, period=period)
    return targets_for_period(rows, period)


@dataclass(frozen=True)
class TargetInfo:
    """One target of a territory's deployments, for the period selector and the gauge."""

    period: Period
    metric: str
    value: int


# Read by every territory dashboard: written as SQL, since compiling the queryset (two
# joins) cost more than the query itself (docs/performance.md).
_TERRITORY_TARGETS_SQL = """
SELECT t.period_start, t.period_end, t.metric, t.value
FROM programmes_target t
JOIN programmes_deployment d ON d.id = t.deployment_id
WHERE d.programme_id = %s AND d.territory_id = %s {deployment}
ORDER BY t.period_end DESC, t.period_start DESC, t.metric
"""


def territory_targets(*, report_scope: ReportScope) -> list[TargetInfo]:
    """The targets of the territory's deployments (of the report's deployment only for a
    funder report), latest period first, each with its named period when it has one."""
    if report_scope.territory is None:
        return []
    params = [report_scope.programme.pk, report_scope.territory.pk]
    deployment = ""
    if report_scope.deployment is not None:
        deployment = "AND t.deployment_id = %s"
        params.append(report_scope.deployment.pk)
    with connection.cursor() as cursor:
        cursor.execute(_TERRITORY_TARGETS_SQL.format(deployment=deployment), params)
        rows = cursor.fetchall()
    return [
        TargetInfo(period=canonical_period(start, end), metric=metric, value=value)
        for start, end, metric, value in rows
    ]


def _followed(targets: dict[str, int], period: Period) -> TargetInfo | None:
    """The target a trajectory or the national view follows: `accompanied`, else
    `entries`."""
    for metric in TRAJECTORY_METRICS:
        if metric in targets:
            return TargetInfo(period=period, metric=metric, value=targets[metric])
    return None


def target_periods(*, programme, territory_ids: list[int]) -> list[Period]:
    """The distinct periods of the targets of the territories' deployments, latest first
    (one query): the national view offers them in its period selector."""
    rows = (
        Target.objects.filter(
            deployment__programme=programme, deployment__territory_id__in=territory_ids
        )
        .values_list("period_start", "period_end")
        .distinct()
        .order_by("-period_end", "-period_start")
    )
    return [canonical_period(start, end) for start, end in rows]


def trajectory_target(
    *, report_scope: ReportScope, period: Period, rows: list[tuple] | None = None
) -> TargetInfo | None:
    """The target a trajectory follows on P (`targets_for_period`, on `accompanied`, else
    `entries`); None for a single structure. `rows`: those `targets_inside` already read."""
    if rows is None:
        rows = targets_inside(report_scope=report_scope, period=period)
    return _followed(targets_for_period(rows, period), period)


def targets_by_territory(
    *, programme, period: Period, territory_ids: list[int]
) -> dict[int, TargetInfo]:
    """For the national view: each territory's target of P on `accompanied` (else
    `entries`), by `targets_for_period` (one query)."""
    rows = Target.objects.filter(
        deployment__programme=programme,
        deployment__territory_id__in=territory_ids,
        period_start__gte=period.start,
        period_end__lte=period.end,
        metric__in=TRAJECTORY_METRICS,
    ).values_list("deployment__territory_id", "metric", "value", "period_start", "period_end")
    by_territory: dict[int, list[tuple]] = {}
    for territory_id, *row in rows:
        by_territory.setdefault(territory_id, []).append(tuple(row))
    result = {}
    for territory_id, territory_rows in by_territory.items():
        target = _followed(targets_for_period(territory_rows, period), period)
        if target is not None:
            result[territory_id] = target
    return result


def apply_target(figures: ind.Indicators, targets: dict[str, int]) -> None:
    for metric in ("accompanied", "active_at_end", "entries", "exits", "hours_worked"):
        if metric in targets:
            figures.target, figures.target_metric = targets[metric], metric
            return
