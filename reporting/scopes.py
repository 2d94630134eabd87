"""Who may see which figures: the caller's `Scope` turned into a `ReportScope`.

Who may see what (domain.md §2):
- platform administrators: every territory × programme;
- coordinators: their coordination's territories × programmes (sub-territories included);
- funders: the territories × programmes of the deployments they fund, restricted to the
  deployments' structures;
- caseworkers and managers: their own structures, per programme.

Every function answers 404 (or nothing) for a scope the caller may not open; the figures
themselves are read by `reporting.selectors`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404

from programmes.models import CoordinationScope, Deployment, Programme
from sites.models import Structure, Territory
from sites.tenancy import Scope
from sites.tenancy.rls import SETTING, current_structures, set_all_structures

from .places import Places, territory_places


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
    # The territories the caller's coordinations cover for the programme, when the scope
    # was checked against them (`coordination_roots`): the drill-down reuses them.
    coordination_roots: frozenset[int] | None = None
    # The territory tree as the scope read it (`territory_tree`): the drill-down reuses it.
    territory_tree: Mapping[int, tuple[int | None, str, str]] | None = field(
        default=None, compare=False, repr=False
    )
    # The territory's places, read with its structures (`reporting.places`): the dashboard's
    # statements place the parcours with them.
    places: Places | None = field(default=None, compare=False, repr=False)

    @property
    def query_structure_ids(self) -> frozenset[int]:
        if self.structure is not None:
            return frozenset({self.structure.pk}) & self.structure_ids
        return self.structure_ids


# The reads every territory dashboard makes before its figures, written as SQL: compiling
# their querysets cost 0.3–0.4 ms each, several times the queries (docs/performance.md).
_TREE_SQL = "SELECT id, parent_id, name, slug FROM sites_territory ORDER BY name"
_PROGRAMME_SQL = "SELECT * FROM programmes_programme WHERE code = %s"
_ROOTS_SQL = """
SELECT territory_id FROM programmes_coordinationscope
WHERE coordination_id = ANY(%s) AND programme_id = %s
"""


def territory_tree() -> dict[int, tuple[int | None, str, str]]:
    """Every territory as id → (parent id, name, slug), in one query: the tree is small (a
    few hundred rows), read once per page for the scope check and the drill-down."""
    with connection.cursor() as cursor:
        cursor.execute(_TREE_SQL)
        return {pk: (parent, name, slug) for pk, parent, name, slug in cursor.fetchall()}


def _descendant_territory_ids(
    root_ids: set[int], tree: Mapping[int, tuple[int | None, str, str]] | None = None
) -> set[int]:
    """The territories and all their sub-territories, walked in the territory tree
    (`territory_tree`, read here when the caller has not)."""
    children: dict[int, list[int]] = {}
    for pk, (parent, *_rest) in (territory_tree() if tree is None else tree).items():
        children.setdefault(parent, []).append(pk)
    found, frontier = set(root_ids), set(root_ids)
    while frontier:
        frontier = {pk for parent in frontier for pk in children.get(parent, ())} - found
        found |= frontier
    return found


def _territory_by_slug(
    tree: Mapping[int, tuple[int | None, str, str]], slug: str
) -> Territory | None:
    """The territory of this slug, from the tree (the fields a `Territory` row has)."""
    for pk, (parent, name, territory_slug) in tree.items():
        if territory_slug == slug:
            # Every field, in the model's order (from_db then maps them by position), read
            # on `connection`: the tree's own.
            return Territory.from_db(
                connection.alias, ["id", "name", "slug", "parent_id"], [pk, name, slug, parent]
            )
    return None


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
    """Programmes the caller's own structures may run (caseworkers and managers)."""
    if not scope.structure_ids:
        return []
    # A programme open to every structure (Programme.open_to_every_structure) is offered
    # without a deployment listing the caller's structures.
    return list(
        Programme.objects.filter(
            Q(deployments__structures__in=scope.structure_ids) | Q(open_to_every_structure=True)
        ).distinct()
    )


def get_programme(code: str) -> Programme:
    # A raw queryset: the same row and fields as `objects.get(code=code)`, without compiling
    # a queryset at every dashboard (0.2 ms).
    programme = next(iter(Programme.objects.raw(_PROGRAMME_SQL, [code])), None)
    if programme is None:
        raise Http404
    return programme


def coordination_roots(*, scope: Scope, programme: Programme) -> set[int]:
    """The territories the caller's coordinations cover for the programme (their
    sub-territories come with `_descendant_territory_ids`)."""
    if not scope.coordination_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_ROOTS_SQL, [sorted(scope.coordination_ids), programme.pk])
        return {territory_id for (territory_id,) in cursor.fetchall()}


def territory_report_scope(
    *, scope: Scope, programme: Programme, territory_slug: str, structure_slug: str = ""
) -> ReportScope:
    """The scope of a territory dashboard, or 404 when the caller may not see it."""
    tree = territory_tree()
    territory = _territory_by_slug(tree, territory_slug)
    if territory is None:
        raise Http404
    structure_ids: set[int] | None = None  # None: every structure located in the territory
    allowed = scope.is_platform_admin
    roots = None
    if not allowed and scope.coordination_ids:
        roots = frozenset(coordination_roots(scope=scope, programme=programme))
        allowed = territory.pk in _descendant_territory_ids(set(roots), tree) if roots else False
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
    located_ids, places = territory_places(territory.pk)
    located = set(located_ids)
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
        coordination_roots=roots,
        territory_tree=tree,
        places=places,
    )


def drill_down_territories(*, scope: Scope, report_scope: ReportScope) -> dict:
    """The territories around a territory dashboard the caller may open for its programme:
    its ancestors (for the breadcrumb) and its sub-territories (région → département → EPCI
    → …, by `Territory.parent`, the nesting the access rules use; the dashboard then lists
    its structures). Coordinators and platform administrators only: a funder reads the
    deployments it funds, not their neighbours. The coordination's roots are those the
    scope was checked against, and so is the territory tree (each read again only for a
    scope built without them)."""
    programme, territory = report_scope.programme, report_scope.territory
    if not (scope.is_platform_admin or scope.coordination_ids):
        return {"ancestors": [], "children": []}
    tree = report_scope.territory_tree
    if tree is None:
        tree = territory_tree()
    allowed = None  # every territory, for a platform administrator
    if not scope.is_platform_admin:
        roots = report_scope.coordination_roots
        if roots is None:
            roots = coordination_roots(scope=scope, programme=programme)
        allowed = set(roots)
        frontier = set(allowed)
        while frontier:  # the sub-territories of the roots, from the tree already read
            frontier = {pk for pk, (parent, *_rest) in tree.items() if parent in frontier}
            frontier -= allowed
            allowed |= frontier
    ancestors, current = [], tree[territory.pk][0]
    while current is not None and current in tree and len(ancestors) < 10:
        if allowed is None or current in allowed:
            ancestors.insert(0, {"name": tree[current][1], "slug": tree[current][2]})
        current = tree[current][0]
    children = sorted(
        (
            {"name": name, "slug": slug}
            for pk, (parent, name, slug) in tree.items()
            if parent == territory.pk and (allowed is None or pk in allowed)
        ),
        key=lambda t: t["name"],
    )
    return {"ancestors": ancestors, "children": children}


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
    # On an exception the atomic block rolls back to its savepoint: the visibility with it.
    with transaction.atomic():
        previous = current_structures()
        set_all_structures()
        pairs = list(
            Deployment.structures.through.objects.filter(deployment_id__in=ids).values_list(
                "deployment_id", "structure_id"
            )
        )
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
    located_ids, places = territory_places(deployment.territory_id)
    located = set(located_ids)
    listed = _deployment_structure_ids([deployment])
    ids = located if listed is None else listed & located
    return ReportScope(
        programme=deployment.programme,
        territory=deployment.territory,
        structure_ids=frozenset(ids),
        suppressed=True,
        deployment=deployment,
        places=places,
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


def comparable_territories(
    *, scope: Scope, programme: Programme, tree: Mapping | None = None
) -> list[Territory]:
    """Territories the national view compares: those with a deployment of the programme
    inside the caller's territories (everything for a platform administrator); `tree`: the
    territory tree, when the caller has read it."""
    qs = Territory.objects.filter(deployments__programme=programme).distinct().order_by("name")
    if scope.is_platform_admin:
        return list(qs)
    roots = coordination_roots(scope=scope, programme=programme)
    if not roots:
        return []
    return list(qs.filter(pk__in=_descendant_territory_ids(roots, tree)))
