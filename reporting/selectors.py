"""Scoped reads of the reporting layer: every function takes the caller's `Scope`.

Who may see which figures (domain.md §2):
- platform administrators: every territory × programme;
- coordinators: their coordination's territories × programmes (sub-territories included);
- funders: the territories × programmes of the deployments they fund, restricted to the
  deployments' structures;
- caseworkers and managers: their own structures, per programme.

Coordinators and funders get aggregates only, with small counts suppressed. Their queries
run inside `rls_structures(...)` so that row-level security lets the aggregate read the
scope's structures; no person-level row is ever returned by this module.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404

from programmes.models import CoordinationScope, Deployment, Programme, Target
from sites.models import Structure, Territory
from sites.tenancy import Scope
from sites.tenancy.rls import SETTING, current_structures, rls_structures, set_all_structures

from . import indicators as ind
from . import territory_years
from .periods import Period
from .periods import canonical as canonical_period


@dataclass(frozen=True)
class ReportScope:
    """What one dashboard, export or report covers, already checked against the caller.

    `structure_ids` is concrete (resolved once), so the same scope gives the same figures
    and can be handed to row-level security.
    """

    programme: Programme
    territory: Territory | None
    structure_ids: frozenset[int]
    structure: Structure | None = None
    suppressed: bool = True
    deployment: Deployment | None = None

    @property
    def query_structure_ids(self) -> frozenset[int]:
        if self.structure is not None:
            return frozenset({self.structure.pk}) & self.structure_ids
        return self.structure_ids


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


# Who may see what ------------------------------------------------------------------------


def _descendant_territory_ids(root_ids: set[int]) -> set[int]:
    """The territories and all their sub-territories (one query per tree level, ≤ 4)."""
    found, frontier = set(root_ids), set(root_ids)
    while frontier:
        frontier = (
            set(Territory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def reportable_pairs(*, scope: Scope) -> list[tuple[Territory, Programme]]:
    """The territory × programme dashboards the caller may open (their roots)."""
    pairs: dict[tuple[int, int], tuple[Territory, Programme]] = {}
    if scope.is_platform_admin:
        for dep in Deployment.objects.select_related("territory", "programme"):
            pairs[(dep.territory_id, dep.programme_id)] = (dep.territory, dep.programme)
    if scope.coordination_ids:
        for cs in CoordinationScope.objects.filter(
            coordination_id__in=scope.coordination_ids
        ).select_related("territory", "programme"):
            pairs[(cs.territory_id, cs.programme_id)] = (cs.territory, cs.programme)
    if scope.funder_ids:
        for dep in Deployment.objects.filter(funders__in=scope.funder_ids).select_related(
            "territory", "programme"
        ):
            pairs[(dep.territory_id, dep.programme_id)] = (dep.territory, dep.programme)
    return sorted(pairs.values(), key=lambda tp: (tp[1].code, tp[0].name))


def structure_programmes(*, scope: Scope) -> list[Programme]:
    """Programmes with parcours in the caller's own structures (caseworkers and managers)."""
    if not scope.structure_ids:
        return []
    return list(
        Programme.objects.filter(
            Q(deployments__structures__in=scope.structure_ids)
            | Q(code__in=["CVG", "PHC", "DPH", "IAE"])
        ).distinct()
    )


def get_programme(code: str) -> Programme:
    try:
        return Programme.objects.get(code=code)
    except Programme.DoesNotExist:
        raise Http404 from None


def territory_report_scope(
    *, scope: Scope, programme: Programme, territory_slug: str, structure_slug: str = ""
) -> ReportScope:
    """The scope of a territory dashboard, or 404 when the caller may not see it."""
    territory = Territory.objects.filter(slug=territory_slug).first()
    if territory is None:
        raise Http404
    structure_ids: set[int] | None = None  # None: every structure located in the territory
    allowed = scope.is_platform_admin
    if not allowed and scope.coordination_ids:
        roots = set(
            CoordinationScope.objects.filter(
                coordination_id__in=scope.coordination_ids, programme=programme
            ).values_list("territory_id", flat=True)
        )
        allowed = territory.pk in _descendant_territory_ids(roots) if roots else False
    if not allowed and scope.funder_ids:
        deployments = list(
            Deployment.objects.filter(
                funders__in=scope.funder_ids, programme=programme, territory=territory
            )
        )
        if deployments:
            allowed = True
            structure_ids = _deployment_structure_ids(deployments)
    if not allowed:
        raise Http404
    located = set(ind.structures_in_territory(territory.pk))
    ids = located if structure_ids is None else structure_ids & located
    structure = None
    if structure_slug:
        structure = Structure.objects.filter(slug=structure_slug, pk__in=ids).first()
        if structure is None:
            raise Http404
    return ReportScope(
        programme=programme,
        territory=territory,
        structure_ids=frozenset(ids),
        structure=structure,
        suppressed=not scope.is_platform_admin,
    )


def _deployment_structure_ids(deployments: list[Deployment]) -> set[int] | None:
    """The deployments' structures; None (all located structures) when one lists none.

    The link table carries a `structure_id`, so row-level security hides its rows from
    funders and coordinators, who belong to no structure: read through `dep.structures`,
    every deployment would look unrestricted and a funder would get the figures of
    structures it does not fund. Which structures a deployment lists is reference data
    (no person in it), so it is read with every structure visible, for these deployments
    only, and the previous visibility is restored at once.
    """
    ids = [dep.pk for dep in deployments]
    with transaction.atomic():
        previous = current_structures()
        set_all_structures()
        try:
            pairs = list(
                Deployment.structures.through.objects.filter(deployment_id__in=ids).values_list(
                    "deployment_id", "structure_id"
                )
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, previous])
    listed: dict[int, set[int]] = {pk: set() for pk in ids}
    for deployment_id, structure_id in pairs:
        listed[deployment_id].add(structure_id)
    if any(not structures for structures in listed.values()):
        return None
    return set().union(*listed.values())


def own_structures_report_scope(*, scope: Scope, programme: Programme) -> ReportScope:
    """Caseworkers and managers: their structures, no territory filter, no suppression
    (they already see these persons)."""
    if not scope.structure_ids:
        raise Http404
    return ReportScope(
        programme=programme,
        territory=None,
        structure_ids=frozenset(scope.structure_ids),
        suppressed=False,
    )


def deployment_report_scope(*, scope: Scope, deployment_id: int) -> ReportScope:
    """A funder report's scope: one deployment (its structures within its territory)."""
    qs = Deployment.objects.select_related("programme", "territory")
    if not scope.is_platform_admin:
        visible = Q(funders__in=scope.funder_ids)
        if scope.coordination_ids:
            pairs = CoordinationScope.objects.filter(coordination_id__in=scope.coordination_ids)
            visible |= Q(
                pk__in=Deployment.objects.filter(
                    Q(
                        *[
                            Q(programme_id=cs.programme_id, territory_id=cs.territory_id)
                            for cs in pairs
                        ],
                        _connector=Q.OR,
                    )
                    if pairs
                    else Q(pk__in=[])
                ).values("pk")
            )
        qs = qs.filter(visible).distinct()
    deployment = qs.filter(pk=deployment_id).first()
    if deployment is None:
        raise Http404
    located = set(ind.structures_in_territory(deployment.territory_id))
    listed = _deployment_structure_ids([deployment])
    ids = located if listed is None else listed & located
    return ReportScope(
        programme=deployment.programme,
        territory=deployment.territory,
        structure_ids=frozenset(ids),
        suppressed=True,
        deployment=deployment,
    )


def funded_deployments(*, scope: Scope) -> list[Deployment]:
    """Deployments whose funder reports the caller may generate."""
    qs = Deployment.objects.select_related("programme", "territory")
    if scope.is_platform_admin:
        return list(qs)
    pairs = [
        Q(programme_id=p, territory_id=t)
        for t, p in CoordinationScope.objects.filter(
            coordination_id__in=scope.coordination_ids
        ).values_list("territory_id", "programme_id")
    ]
    visible = Q(funders__in=scope.funder_ids)
    for pair in pairs:
        visible |= pair
    if not scope.funder_ids and not pairs:
        return []
    return list(qs.filter(visible).distinct())


# Figures ---------------------------------------------------------------------------------


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


def target_periods(*, report_scope: ReportScope) -> list[Period]:
    """The periods of the territory's targets, to offer them in the period selector."""
    seen, result = set(), []
    for target in territory_targets(report_scope=report_scope):
        if target.period.code not in seen:
            seen.add(target.period.code)
            result.append(target.period)
    return result


def _apply_target(figures: ind.Indicators, targets: dict[str, int]) -> None:
    for metric in ("accompanied", "active_at_end", "entries", "exits", "hours_worked"):
        if metric in targets:
            figures.target, figures.target_metric = targets[metric], metric
            return


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
        "programme_id": programme.pk,
        "programme_code": programme.code,
        "period": period,
        "structure_ids": ids,
    }
    with rls_structures(ids):
        # A territory's calendar year is read from the yearly rows (recomputed first where
        # stale); other periods, and the own-structures dashboard, from the parcours.
        table = None
        if territory_id is not None:
            table = territory_years.table(territory_id=territory_id, **arguments)
        if table is None:
            table = ind.indicator_table(territory_id=territory_id, with_months=True, **arguments)
    months = table.months
    targets = matching_targets(report_scope=report_scope, period=period)
    _apply_target(table.total, targets)
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
    )


def comparable_territories(*, scope: Scope, programme: Programme) -> list[Territory]:
    """Territories the national view compares: those with a deployment of the programme
    inside the caller's territories (everything for a platform administrator)."""
    qs = Territory.objects.filter(deployments__programme=programme).distinct().order_by("name")
    if scope.is_platform_admin:
        return list(qs)
    roots = set(
        CoordinationScope.objects.filter(
            coordination_id__in=scope.coordination_ids, programme=programme
        ).values_list("territory_id", flat=True)
    )
    if not roots:
        return []
    return list(qs.filter(pk__in=_descendant_territory_ids(roots)))


def national_figures(*, scope: Scope, programme: Programme, period: Period) -> Comparison:
    """The national view: one row per comparable territory, in one aggregate query."""
    territories = comparable_territories(scope=scope, programme=programme)
    if not territories:
        raise Http404
    structure_ids = set(ind.structures_in_territories([t.pk for t in territories]))
    arguments = {
        "programme_id": programme.pk,
        "programme_code": programme.code,
        "period": period,
        "territory_ids": [t.pk for t in territories],
        "structure_ids": structure_ids,
    }
    with rls_structures(structure_ids):
        # A calendar year is read from the yearly rows (recomputed first where stale); any
        # other period, or a year they do not cover yet, is computed from the parcours.
        comparison = territory_years.comparison(**arguments) or ind.territory_comparison(
            **arguments
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
