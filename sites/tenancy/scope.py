"""Who sees what (domain.md §2), decided once per request.

- caseworkers and managers: the participants of the structures they are members of;
- coordinators: aggregates for their coordination's territories × programmes, no person;
- funders: aggregates for the deployments they fund, never a person;
- platform administrators (superusers): everything, every access logged.
"""

from dataclasses import dataclass, field

from django.db import connection

from sites.enums import Role


@dataclass(frozen=True)
class Scope:
    """What one user may see. `structure_ids` are the structures whose persons they see."""

    user_id: int | None
    structure_ids: frozenset[int] = frozenset()
    manager_structure_ids: frozenset[int] = frozenset()
    sensitive_structure_ids: frozenset[int] = frozenset()
    coordination_ids: frozenset[int] = frozenset()
    funder_ids: frozenset[int] = frozenset()
    is_platform_admin: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def sees_persons(self) -> bool:
        return bool(self.structure_ids)

    @property
    def sees_aggregates(self) -> bool:
        return bool(
            self.structure_ids or self.coordination_ids or self.funder_ids or self.is_platform_admin
        )

    def can_see_structure(self, structure_id: int) -> bool:
        return structure_id in self.structure_ids

    def can_view_sensitive(self, structure_id: int) -> bool:
        return structure_id in self.sensitive_structure_ids


EMPTY = Scope(user_id=None)

# Read at every request of a signed-in user: written as SQL, because compiling the same
# queryset (`user.memberships.filter(is_active=True).values_list(...)`) cost 0.4 ms per
# request, five times the query itself (docs/performance.md).
_MEMBERSHIPS_SQL = """
SELECT role, structure_id, coordination_id, funder_id, can_view_sensitive
FROM sites_membership
WHERE user_id = %s AND is_active
"""


def scope_for_user(user) -> Scope:
    """Compute the scope from active memberships (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    structures, managed, sensitive, coordinations, funders, roles = (
        set(),
        set(),
        set(),
        set(),
        set(),
        set(),
    )
    with connection.cursor() as cursor:
        cursor.execute(_MEMBERSHIPS_SQL, [user.pk])
        memberships = cursor.fetchall()
    for role, structure_id, coordination_id, funder_id, can_view_sensitive in memberships:
        roles.add(role)
        if role in (Role.CASEWORKER, Role.MANAGER) and structure_id:
            structures.add(structure_id)
            if role == Role.MANAGER:
                managed.add(structure_id)
            if can_view_sensitive:
                sensitive.add(structure_id)
        elif role == Role.COORDINATOR and coordination_id:
            coordinations.add(coordination_id)
        elif role == Role.FUNDER and funder_id:
            funders.add(funder_id)
    return Scope(
        user_id=user.pk,
        structure_ids=frozenset(structures),
        manager_structure_ids=frozenset(managed),
        sensitive_structure_ids=frozenset(sensitive),
        coordination_ids=frozenset(coordinations),
        funder_ids=frozenset(funders),
        is_platform_admin=user.is_superuser,
        roles=frozenset(roles),
    )
