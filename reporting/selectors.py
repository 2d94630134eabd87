"""Scoped reads of the reporting layer: every function takes the caller's `Scope`.

Who may see which figures (domain.md §2):
- platform administrators: every territory × programme;
- coordinators: their coordination's territories × programmes (sub-territories included);
- funders: the territories × programmes of the deployments they fund, restricted to the
  deployments' structures;
- caseworkers and managers: their own structures, per programme.

Coordinators and funders get aggregates only, with small counts suppressed. Their queries
run with row-level security opened to the scope's structures: the maintained rows (and
the live edges of free dates) inside `rls_structures(...)` on the primary (a stale row is
recomputed there first, a write), every live period inside `reporting_read(...)`, on the
reporting replica when REPORTING_DATABASE_URL names one (sites/tenancy/replica.py). No
person-level row is ever returned by this module.

The scopes themselves (`ReportScope`, who may open what) are decided in
`reporting.scopes`, the targets read in `reporting.targets`; both are re-exported here,
where the views and the benchmark know them.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.http import Http404
from django.utils import timezone

from programmes.models import Programme
from sites.models import Territory
from sites.tenancy import Scope
from sites.tenancy.replica import reporting_read
from sites.tenancy.rls import rls_structures

from . import indicators as ind
from . import territory_months
from .outcomes import Outcomes, outcomes
from .periods import Period
from .scopes import (  # noqa: F401 — re-exported
    ReportScope,
    comparable_territories,
    deployment_report_scope,
    drill_down_territories,
    funded_deployments,
    get_programme,
    own_structures_report_scope,
    reportable_pairs,
    structure_programmes,
    territory_report_scope,
    territory_tree,
)
from .sql_arrays import id_array
from .targets import (  # noqa: F401 — re-exported
    TargetInfo,
    apply_target,
    matching_targets,
    target_periods,
    targets_by_territory,
    targets_inside,
    targets_rows_inside,
    territory_targets,
    trajectory_target,
)
from .trajectories import Trajectory, maintained_trajectory, territory_trajectory


class StructureName(NamedTuple):
    """How a dashboard names a structure (its row, its drill-down link)."""

    name: str
    slug: str


@dataclass
class Dashboard:
    """Everything a territory × programme dashboard shows for one period."""

    scope: ReportScope
    period: Period
    table: ind.IndicatorTable
    months: list[ind.MonthPoint]
    structures: dict[int, "StructureName"]  # those of the table's rows
    targets: dict[str, int] = field(default_factory=dict)
    # Follow-up and orientation figures; None on a suppressed drill-down to one structure
    # (they are published at the territory's level only, reporting.published_outcomes).
    outcomes: Outcomes | None = None
    # The trajectory against the target whose period is P (reporting.trajectories).
    trajectory: Trajectory | None = None

    @property
    def total(self) -> ind.Indicators:
        return self.table.total


@dataclass
class Comparison:
    """Headline figures of several territories side by side (the national view)."""

    programme: Programme
    period: Period
    territories: list[Territory]
    figures: dict[int, ind.Indicators]
    suppressed: bool
    # Per territory, the figures of each structure in it (the dominance rule's contributions).
    by_structure: dict[int, list[ind.Indicators]] = field(default_factory=dict)
    # Territory → its closest ancestor among the compared ones (a row contains the other).
    enclosing: dict[int, int] = field(default_factory=dict)
    # Territory → its target of P on `accompanied` (else `entries`), reporting.targets.
    targets: dict[int, TargetInfo] = field(default_factory=dict)
    # The periods of the compared territories' targets (for the period selector).
    target_periods: list[Period] = field(default_factory=list)


def _enclosing(territory_ids: set[int], tree: Mapping) -> dict[int, int]:
    """Each territory's closest ancestor among `territory_ids`, in the territory tree
    (`scopes.territory_tree`)."""
    parent = {pk: parent for pk, (parent, *_rest) in tree.items()}
    result = {}
    for tid in territory_ids:
        seen, current = {tid}, parent.get(tid)
        while current is not None and current not in seen:
            if current in territory_ids:
                result[tid] = current
                break
            seen.add(current)
            current = parent.get(current)
    return result


# Written as SQL: compiling the queryset of hundreds of ids cost more than the query, on a
# page that pays for every read it makes (docs/performance.md).
_STRUCTURE_NAMES_SQL = (
    "SELECT id, name, slug FROM sites_structure WHERE id = ANY(%s::bigint[]) ORDER BY name"
)


def _structure_names(ids) -> list[tuple[int, str, str]]:
    """(id, name, slug) of these structures, by name."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_STRUCTURE_NAMES_SQL, [id_array(ids)])
        return cursor.fetchall()


def dashboard_figures(
    *,
    report_scope: ReportScope,
    period: Period,
    today: dt.date | None = None,
    targets: list[TargetInfo] | None = None,
) -> Dashboard:
    """Every figure of a territory (or own-structures) dashboard for P.

    The benchmark calls this: a constant number of queries whatever the volume
    (structures, targets, one aggregate for the table and the monthly series, the
    follow-up figures, and the trajectory when a target's period is P). `today`: the
    trajectory's reference date (the freeze date of a funder report). `targets`: the
    territory's targets when the caller already read them (`territory_targets`, the page's
    period selector), so that they are not read a second time.
    A suppressed drill-down to one structure gets the whole territory's figures: the
    structure's row is published from the territory's suppressed grid, so that comparing
    the two pages recomputes nothing hidden.
    """
    if report_scope.suppressed and report_scope.structure is not None:
        ids = report_scope.structure_ids
    else:
        ids = report_scope.query_structure_ids
    territory_id = report_scope.territory.pk if report_scope.territory else None
    programme = report_scope.programme
    arguments = {
        "programme": programme,
        "period": period,
        "structure_ids": ids,
    }
    # A territory's figures are read from the maintained rows on the primary (yearly for a
    # calendar year, monthly otherwise, the edges of free dates live; recomputed first where
    # stale), and so is the trajectory of a target's period made of whole months (monthly
    # rows); the own-structures dashboard, or a period the rows do not cover, from the
    # parcours on the reporting replica, with the follow-up and orientation figures (always
    # live).
    drill_down = report_scope.suppressed and report_scope.structure is not None
    if targets is not None and report_scope.structure is None:
        target_rows = targets_rows_inside(targets, period)
    else:
        target_rows = targets_inside(report_scope=report_scope, period=period)
    target = trajectory_target(report_scope=report_scope, period=period, rows=target_rows)
    # The trajectory's arguments, read from the maintained rows or, failing them, live.
    against = (
        {
            "programme": programme,
            "territory_id": territory_id,
            "structure_ids": ids,
            "period": period,
            "metric": target.metric,
            "target": target.value,
            "today": today or timezone.localdate(),
        }
        if target is not None
        else None
    )
    table = trajectory = None
    if territory_id is not None:
        with rls_structures(ids):
            table = territory_months.table(
                territory_id=territory_id, places=report_scope.places, **arguments
            )
            if against is not None:
                trajectory = maintained_trajectory(**against)

    def live_reads():
        live_table = table or ind.indicator_table(
            territory_id=territory_id, with_months=True, **arguments
        )
        after = (
            None
            if drill_down
            else outcomes(territory_id=territory_id, places=report_scope.places, **arguments)
        )
        if against is None or trajectory is not None:
            return live_table, after, trajectory
        return live_table, after, territory_trajectory(**against)

    table, figures_after, trajectory = reporting_read(ids, live_reads)
    months = table.months
    targets = matching_targets(report_scope=report_scope, period=period, rows=target_rows)
    apply_target(table.total, targets)
    # Names only, as tuples, of the structures the table has a row for (a région's scope
    # holds hundreds of structures, of every programme).
    structures = {
        pk: StructureName(name, slug) for pk, name, slug in _structure_names(table.by_structure)
    }
    return Dashboard(
        scope=report_scope,
        period=period,
        table=table,
        months=months,
        structures=structures,
        targets=targets,
        outcomes=figures_after,
        trajectory=trajectory,
    )


def national_figures(*, scope: Scope, programme: Programme, period: Period) -> Comparison:
    """The national view: one row per comparable territory, in one aggregate query."""
    tree = territory_tree()  # read once: the territories compared, and which holds which
    territories = comparable_territories(scope=scope, programme=programme, tree=tree)
    if not territories:
        raise Http404
    structure_ids = set(ind.structures_in_territories([t.pk for t in territories]))
    arguments = {
        "programme": programme,
        "period": period,
        "territory_ids": [t.pk for t in territories],
        "structure_ids": structure_ids,
    }
    # Read from the maintained rows on the primary (recomputed first where stale; the edges
    # of free dates live); a period they do not cover yet is computed from the parcours on
    # the reporting replica.
    with rls_structures(structure_ids):
        comparison = territory_months.comparison(**arguments)
    if comparison is None:
        comparison = reporting_read(structure_ids, lambda: ind.territory_comparison(**arguments))
    return Comparison(
        programme=programme,
        period=period,
        territories=territories,
        figures=comparison.figures,
        suppressed=not scope.is_platform_admin,
        by_structure=comparison.by_structure,
        enclosing=_enclosing({t.pk for t in territories}, tree),
        targets=targets_by_territory(
            programme=programme, period=period, territory_ids=[t.pk for t in territories]
        ),
        target_periods=target_periods(
            programme=programme, territory_ids=[t.pk for t in territories]
        ),
    )
