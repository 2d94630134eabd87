"""Who may do what in reporting (the scope itself is decided by sites.tenancy)."""

import datetime as dt

from django.utils import timezone
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


def may_read_funder_packs(scope: Scope) -> bool:
    """A funder's members freeze and read its packs (one report per funded deployment)."""
    return bool(scope.funder_ids)


def reads_calendar_years_only(scope: Scope) -> bool:
    """Funders read calendar years that have ended, nothing else (docs/security.md §10).

    The figures of two overlapping periods, subtracted, give those of their difference
    unsuppressed (a day's entries, a week's hours); calendar years never overlap. The
    current year is left out too: its figures are those of 1 January to today, so reading
    them on two days would subtract like two free periods. Coordinators and platform
    administrators keep every period, even when they are funders as well."""
    return bool(scope.funder_ids) and not (scope.is_platform_admin or scope.coordination_ids)


def may_read_period(scope: Scope, period: periods.Period, today: dt.date | None = None) -> bool:
    if not reads_calendar_years_only(scope):
        return True
    return periods.is_calendar_year(period) and period.end < (today or timezone.localdate())


def default_year(scope: Scope, today: dt.date | None = None) -> periods.Period:
    """The year a dashboard opens on: the current one, the last ended one for a funder."""
    today = today or timezone.localdate()
    return periods.year(today.year - 1 if reads_calendar_years_only(scope) else today.year)


def years_only_message() -> str:
    return _(
        "Les financeurs reçoivent les chiffres d'années civiles terminées : choisissez une "
        "année passée."
    )
