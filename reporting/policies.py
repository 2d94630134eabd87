"""Who may do what in reporting (the scope itself is decided by sites.tenancy)."""

from django.utils.translation import gettext as _

from sites.tenancy import Scope

from . import periods


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


def reads_calendar_years_only(scope: Scope) -> bool:
    """Funders read whole calendar years only (docs/security.md §10): the figures of two
    overlapping periods, subtracted, would give those of their difference (a day's entries,
    a week's hours) unsuppressed. Calendar years never overlap. Coordinators and platform
    administrators keep every period, even when they are funders as well."""
    return bool(scope.funder_ids) and not (scope.is_platform_admin or scope.coordination_ids)


def may_read_period(scope: Scope, period: periods.Period) -> bool:
    return not reads_calendar_years_only(scope) or periods.is_calendar_year(period)


def years_only_message() -> str:
    return _(
        "Les financeurs reçoivent les chiffres d'années civiles entières : choisissez une année."
    )
