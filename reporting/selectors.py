"""Scoped reads of the reporting layer: every function takes the caller's `Scope`.

Who may see which figures (domain.md §2):
- platform administrators: every territory × programme;
- coordinators: their coordination's territories × programmes (sub-territories included);
- funders: the territories × programmes of the deployments they fund, restricted to the
  deployments' structures;
- caseworkers and managers: their own structures, per programme.

Coordinators and funders get aggregates only, with small counts suppressed. Their queries
run with row-level security opened to the scope's structures: the yearly rows of a calendar
year inside `rls_structures(...)` on the primary (a stale row is recomputed there first,
a write); every live aggregate in the same block on a single server, or through
`reporting_read(...)` on the reporting replica when REPORTING_DATABASE_URL names one
(sites/tenancy/replica.py). No person-level row is ever returned by this module.

The scopes themselves (`ReportScope`, who may open what) are decided in
`reporting.scopes`, the targets read in `reporting.targets`; both are re-exported here,
where the views and the benchmark know them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from django.http import Http404

from programmes.models import Programme
from sites.models import Structure, Territory
from sites.tenancy import Scope
from sites.tenancy.replica import replica_configured, reporting_read
from sites.tenancy.rls import rls_structures

from . import indicators as ind
from . import territory_years
from .outcomes import Outcomes, outcomes
from .periods import Period
from .scopes import (  # noqa: F401 — re-exported
    ReportScope,
    comparable_territories,
    deployment_report_scope,
    funded_deployments,
    get_programme,
    own_structures_report_scope,
    reportable_pairs,
    structure_programmes,
    territory_report_scope,
)
from .targets import (  # noqa: F401 — re-exported
    TargetInfo,
    apply_target,
    matching_targets,
    territory_targets,
)


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
    structures: dict[int, "StructureName"]
    targets: dict[str, int] = field(default_factory=dict)
    # Follow-up and orientation figures; None on a suppressed drill-down to one structure
    # (they are published at the territory's level only, reporting.published_outcomes).
    outcomes: Outcomes | None = None

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


def _enclosing(territory_ids: set[int]) -> dict[int, int]:
    """Each territory's closest ancestor among `territory_ids` (one query: the territory
    tree is small, a few hundred rows)."""
    parent = dict(Territory.objects.values_list("pk", "parent_id"))
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


T = TypeVar("T")


def _live(structure_ids, read: Callable[[], T]) -> T:
    """A live aggregate: on the reporting replica when REPORTING_DATABASE_URL names one
    (`reporting_read`: its own read-only transaction there, under row-level security for
    these structures); on a single server, right here, inside the caller's
    `rls_structures` block — one scope switch per page, as before the replica existed."""
    return reporting_read(structure_ids, read) if replica_configured() else read()


def dashboard_figures(*, report_scope: ReportScope, period: Period) -> Dashboard:
    """Every figure of a territory (or own-structures) dashboard for P.

    The benchmark calls this: a constant number of queries whatever the volume
    (structures, targets, one aggregate for the table, one for the monthly series).
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
    # A territory's calendar year is read from the yearly rows on the primary (recomputed
    # first where stale); other periods, the own-structures dashboard and the follow-up and
    # orientation figures are live aggregates, on the reporting replica when there is one.
    drill_down = report_scope.suppressed and report_scope.structure is not None
    with rls_structures(ids):
        table = None
        if territory_id is not None:
            table = territory_years.table(territory_id=territory_id, **arguments)
        if table is None:
            table = _live(
                ids,
                lambda: ind.indicator_table(
                    territory_id=territory_id, with_months=True, **arguments
                ),
            )
        figures_after = (
            None
            if drill_down
            else _live(ids, lambda: outcomes(territory_id=territory_id, **arguments))
        )
    months = table.months
    targets = matching_targets(report_scope=report_scope, period=period)
    apply_target(table.total, targets)
    # Names only, as tuples: a région lists hundreds of structures.
    structures = {
        pk: StructureName(name, slug)
        for pk, name, slug in Structure.objects.filter(pk__in=ids)
        .order_by("name")
        .values_list("pk", "name", "slug")
    }
    return Dashboard(
        scope=report_scope,
        period=period,
        table=table,
        months=months,
        structures=structures,
        targets=targets,
        outcomes=figures_after,
    )


def national_figures(*, scope: Scope, programme: Programme, period: Period) -> Comparison:
    """The national view: one row per comparable territory, in one aggregate query."""
    territories = comparable_territories(scope=scope, programme=programme)
    if not territories:
        raise Http404
    structure_ids = set(ind.structures_in_territories([t.pk for t in territories]))
    arguments = {
        "programme": programme,
        "period": period,
        "territory_ids": [t.pk for t in territories],
        "structure_ids": structure_ids,
    }
    # A calendar year is read from the yearly rows on the primary (recomputed first where
    # stale); any other period, or a year they do not cover yet, is computed from the
    # parcours on the reporting replica.
    with rls_structures(structure_ids):
        comparison = territory_years.comparison(**arguments) or _live(
            structure_ids, lambda: ind.territory_comparison(**arguments)
        )
    return Comparison(
        programme=programme,
        period=period,
        territories=territories,
        figures=comparison.figures,
        suppressed=not scope.is_platform_admin,
        by_structure=comparison.by_structure,
        enclosing=_enclosing({t.pk for t in territories}),
    )
