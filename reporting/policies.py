"""Who may do what in reporting (the scope itself is decided by sites.tenancy)."""

from sites.tenancy import Scope


def may_see_territory_dashboards(scope: Scope) -> bool:
    """Coordinators, funders and platform administrators read territory aggregates."""
    return bool(scope.is_platform_admin or scope.coordination_ids or scope.funder_ids)


def may_see_national_view(scope: Scope) -> bool:
    """Comparing territories is for coordinators and platform administrators."""
    return bool(scope.is_platform_admin or scope.coordination_ids)


def may_see_own_structures_dashboard(scope: Scope) -> bool:
    """Caseworkers and managers read the figures of their own structures."""
    return bool(scope.structure_ids)


def may_generate_funder_reports(scope: Scope) -> bool:
    return bool(scope.is_platform_admin or scope.coordination_ids or scope.funder_ids)
