"""Trajectories against targets, computed by hand on the golden world (scenario.py).

Nantes Métropole, Convergence, target 118 persons accompanied over 01/03–31/12/2021
(N = 306 days). The parcours of the territory that count on that period:
A (01/01/2021, open) and L (01/02/2021, open, Paris Chantiers on its Nantes site) are
there from the start; D and E2 start on 01/03; F on 01/05 (exit 30/06); C on 31/12.
B and E1 left before 01/03; K and N work outside the métropole; M is in Paris.

Month by month (entries, persons joining) : March (2, 4: A, L, D, E), May (1, 1: F),
December (1, 1: C); so at the end, entries 4 and accompanied 6, the dashboard's figures.

Each hand computation is checked twice: computed from the parcours, and read from the
maintained monthly rows (`source`).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting import periods, territory_years, trajectories
from reporting.indicators import structures_in_territory
from reporting.models import TerritoryMonthStale, TerritoryYearCoverage
from reporting.presentation import publish_dashboard
from reporting.selectors import ReportScope, dashboard_figures
from reporting.trajectories import (
    ENDED,
    NOT_STARTED,
    RUNNING,
    maintained_trajectory,
    projection,
    territory_trajectory,
)
from reporting.trajectory_sql import TRAJECTORY_SQL
from tests.reporting.scenario import add_balanced

pytestmark = pytest.mark.django_db

D = dt.date
TARGET_PERIOD = periods.free(D(2021, 3, 1), D(2021, 12, 31))


# The trajectory's live statement, as a captured query shows it.
LIVE_MARK = TRAJECTORY_SQL.split("p AS MATERIALIZED", 1)[1][:200]


@pytest.fixture(params=["parcours", "rows"])
def source(request, world):
    """Where the trajectory is read from: the parcours (the monthly rows have no coverage),
    or the maintained monthly rows, built for the golden world."""
    if request.param == "rows":
        territory_years.rebuild(2026)
    else:
        TerritoryYearCoverage.objects.all().delete()
    return request.param


def _trajectory(world, today, source="parcours"):
    arguments = {
        "programme": world.cvg,
        "territory_id": world.nm.pk,
        "structure_ids": structures_in_territory(world.nm.pk),
        "period": TARGET_PERIOD,
        "metric": "accompanied",
        "target": 118,
        "today": today,
    }
    if source == "rows":
        trajectory = maintained_trajectory(**arguments)
        assert trajectory is not None, "whole months the rows cover are read from them"
        assert trajectory == territory_trajectory(**arguments)
        return trajectory
    return territory_trajectory(**arguments)


def _series(trajectory):
    return [(p.month.month, p.cum_entries, p.cum_accompanied) for p in trajectory.months]


def test_an_ended_period_gives_every_month_and_the_dashboards_figures(world, source):
    t = _trajectory(world, D(2022, 1, 15), source)
    assert t.state == ENDED and t.reference == D(2021, 12, 31)
    assert _series(t) == [
        (3, 2, 4),
        (4, 2, 4),
        (5, 3, 5),
        (6, 3, 5),
        (7, 3, 5),
        (8, 3, 5),
        (9, 3, 5),
        (10, 3, 5),
        (11, 3, 5),
        (12, 4, 6),
    ]
    assert [(p.entries, p.persons) for p in t.months if p.entries or p.persons] == [
        (2, 4),
        (1, 1),
        (1, 1),
    ]
    assert t.projection() is None  # final, not projected


def test_a_running_period_projects_at_the_pace_of_entries(world, source):
    # 15/06/2021: D = 31 + 30 + 31 + 15 = 107 days elapsed of 306. C's start, typed ahead
    # (31/12), counts in June: the last point is the period's figure, as on the dashboard.
    t = _trajectory(world, D(2021, 6, 15), source)
    assert t.state == RUNNING and t.elapsed_days == 107
    assert _series(t) == [(3, 2, 4), (4, 2, 4), (5, 3, 5), (6, 4, 6)]
    # 6 + 4 × (306 − 107) / 107 = 6 + 7.44 → 13.
    assert t.projection() == 13


def test_boundaries_not_started_and_first_days(world, source):
    before = _trajectory(world, D(2021, 2, 28), source)
    assert before.state == NOT_STARTED and before.months == [] and before.projection() is None
    # The first day: one month, everything typed so far in it, no projection yet.
    first = _trajectory(world, D(2021, 3, 1), source)
    assert _series(first) == [(3, 4, 6)] and first.elapsed_days == 1
    assert first.projection() is None
    # Day 29: still too early; day 30: 6 + 4 × 276 / 30 = 42.8 → 43.
    assert _trajectory(world, D(2021, 3, 29), source).projection() is None
    assert _trajectory(world, D(2021, 3, 30), source).projection() == 43


def test_the_projection_formula_at_its_boundaries():
    period = periods.free(D(2021, 1, 1), D(2021, 3, 1))  # 60 days
    # Zero pace: the value stays.
    assert projection(value=5, entries=0, period=period, reference=D(2021, 2, 9)) == 5
    # 1 entry in 40 days, 20 days left: 0.5 more, rounded half away from zero.
    assert projection(value=0, entries=1, period=period, reference=D(2021, 2, 9)) == 1
    assert projection(value=7, entries=1, period=period, reference=D(2021, 2, 9)) == 8
    # The last day: ended, nothing to project.
    assert projection(value=7, entries=1, period=period, reference=D(2021, 3, 1)) is None
    assert trajectories.elapsed_days(period, D(2020, 12, 1)) == 0


def test_the_dashboard_of_the_targets_period_carries_the_trajectory(
    world, platform_admin, client, source
):
    scope = ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(structures_in_territory(world.nm.pk)),
        suppressed=False,
    )
    with CaptureQueriesContext(connection) as queries:
        dashboard = dashboard_figures(
            report_scope=scope, period=TARGET_PERIOD, today=D(2021, 6, 15)
        )
    live = sum(LIVE_MARK in q["sql"] for q in queries.captured_queries)
    assert live == (1 if source == "parcours" else 0)
    assert dashboard.table.total.accompanied == 6 and dashboard.table.total.entries == 4
    published = publish_dashboard(dashboard)["trajectory"]
    assert published["target"] == 118 and published["value"] == "6"
    assert published["projection"] == 13
    assert [m["accompanied"] for m in published["months"]] == ["4", "4", "5", "6"]
    # Before the period: nothing drawn, zero, said so.
    early = dashboard_figures(report_scope=scope, period=TARGET_PERIOD, today=D(2021, 2, 1))
    early = publish_dashboard(early)["trajectory"]
    assert early["months"] == [] and early["value"] == "0" and early["projection"] is None
    assert early["state"] == "not_started" and early["note"]
    # Another period than the target's: no trajectory.
    other = dashboard_figures(report_scope=scope, period=periods.year(2021), today=D(2021, 6, 15))
    assert other.trajectory is None
    client.force_login(platform_admin)
    page = client.get(
        reverse("reporting:territory", args=["CVG", "nantes-metropole"]),
        {"periode": TARGET_PERIOD.code},
    )
    assert page.status_code == 200
    assert "Trajectoire par rapport" in page.content.decode()


def test_coordinators_never_read_a_small_running_sum(world, coordinator, client):
    client.force_login(coordinator)
    page = client.get(
        reverse("reporting:territory", args=["CVG", "nantes-metropole"]),
        {"periode": TARGET_PERIOD.code},
    )
    trajectory = page.context["figures"]["trajectory"]
    assert trajectory is not None
    for month in trajectory["months"]:
        for key in ("accompanied", "entries"):
            number = month[f"{key}_number"]
            assert number is None or number == 0 or number >= 11, month
    # Every figure of this small world is below 11: nothing to project from.
    assert trajectory["projection"] is None


def test_running_sums_are_printed_only_as_sums_of_published_cells(world, source):
    """Twelve entries on 01/04 in each of the three structures: April's 36 entries and 36
    newcomers are published; March (2 entries, 4 newcomers), May and the typed-ahead
    December (1 each) are "< 11". The points before the last would give them away by
    difference (prefix and suffix both cross a hidden month): only the last point, the
    period's total, is printed, and the projection from it."""
    add_balanced(world)  # after the rows were built: their structures are stale
    assert TerritoryMonthStale.objects.exists()
    scope = ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(structures_in_territory(world.nm.pk)),
        suppressed=True,
    )
    dashboard = dashboard_figures(report_scope=scope, period=TARGET_PERIOD, today=D(2021, 6, 15))
    # Recomputed before the rows were read (no coverage: left for the background job).
    assert TerritoryMonthStale.objects.exists() is (source == "parcours")
    assert dashboard.table.total.accompanied == 42 and dashboard.table.total.entries == 40
    published = publish_dashboard(dashboard)["trajectory"]
    assert [m["accompanied_number"] for m in published["months"]] == [None, None, None, 42]
    assert [m["entries_number"] for m in published["months"]] == [None, None, None, 40]
    assert [m["accompanied"] for m in published["months"]][:2] == ["< 11", "s"]
    # 42 + 40 × 199 / 107 = 116.4 → 116.
    assert published["projection"] == 116


def test_printable_running_sums():
    from reporting.published_trajectory import _printable
    from reporting.suppression import PRIMARY, PUBLISHED, SECONDARY

    ok, small, sec = PUBLISHED, PRIMARY, SECONDARY
    assert _printable([ok, ok, small, sec, ok], total_published=True) == [
        True,
        True,
        False,
        True,  # the total minus the last month
        True,
    ]
    assert _printable([ok, small, sec, ok], total_published=False) == [True, False, False, False]


def _page(client, user, day, **query):
    """The Nantes Métropole Convergence dashboard as `user` sees it on `day` (the trajectory
    reads the server's date)."""
    from freezegun import freeze_time

    with freeze_time(f"{day.isoformat()} 10:00:00"):
        client.force_login(user)
        response = client.get(
            reverse("reporting:territory", args=["CVG", "nantes-metropole"]), query
        )
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


METHOD = "Méthode : cumul depuis le début de la période de l'objectif"
PACE = "À ce rythme : "


def test_a_coordinator_reads_the_projection_and_its_method(client, coordinator, world):
    """On 15/06/2021, with the balanced parcours: 42 + 40 × 199 / 107 = 116.4 → 116
    (test_running_sums_are_printed_only_as_sums_of_published_cells)."""
    add_balanced(world)
    page = _page(client, coordinator, D(2021, 6, 15), periode=TARGET_PERIOD.code)
    assert f"{PACE}116 / 118 au 31/12." in page
    assert METHOD in page and "Pas de projection avant 30 jours écoulés" in page
    # The chart says it too.
    assert "à ce rythme : 116 / 118 au 31/12" in page


@pytest.mark.parametrize(
    ("day", "query", "method", "note"),
    [
        # No target for the year (the 118 is over 01/03–31/12/2021): no trajectory at all.
        (D(2021, 6, 15), {"periode": "2021"}, False, None),
        # A structure's drill-down: targets are the territory's, no trajectory.
        (D(2021, 6, 15), {"periode": TARGET_PERIOD.code, "structure": "trajet"}, False, None),
        # The method, but no projection: during the first 30 days, once ended, before.
        (D(2021, 3, 29), {"periode": TARGET_PERIOD.code}, True, "Pas de projection avant 30"),
        (D(2022, 1, 15), {"periode": TARGET_PERIOD.code}, True, "Période terminée"),
        (D(2021, 2, 1), {"periode": TARGET_PERIOD.code}, True, "pas commencé"),
    ],
)
def test_the_projection_is_hidden_where_it_says_nothing(
    client, coordinator, world, day, query, method, note
):
    add_balanced(world)
    page = _page(client, coordinator, day, **query)
    assert PACE not in page and "à ce rythme :" not in page
    assert (METHOD in page) is method
    if note:
        assert note in page


def test_no_projection_from_hidden_figures(client, coordinator, world):
    """The golden world alone: every figure is below 11, so the coordinator gets the
    trajectory's method and why there is no projection, not a projection."""
    page = _page(client, coordinator, D(2021, 6, 15), periode=TARGET_PERIOD.code)
    assert METHOD in page and PACE not in page
    assert "Projection non publiée : elle repose sur un chiffre masqué." in page


def test_the_printed_method_names_the_days_the_code_waits_for():
    """The definition the PDF and docs/indicators.md print says how many days pass before a
    projection; the code's constant decides it: one changed alone would print a false rule."""
    from reporting.definitions import DEFINITIONS

    (method,) = [d for d in DEFINITIONS if d.key == "trajectory"]
    days = trajectories.MIN_DAYS_FOR_PACE
    assert f"pendant les {days} premiers jours" in method.fr
    assert f"during the first {days} days" in method.en


@pytest.mark.parametrize("day", [D(2021, 2, 1), D(2021, 6, 15), D(2022, 1, 15)])
def test_the_page_publishes_the_same_trajectory_from_the_monthly_rows(
    client, coordinator, platform_admin, world, day
):
    """Read by the coordinator (as the web role, under their row-level security,
    recomputing first the structures written after the rows were built; suppressed
    figures) and by a platform administrator (exact figures), the published trajectory and
    its chart are those computed from the parcours."""
    from freezegun import freeze_time

    territory_years.rebuild(2026)
    add_balanced(world)
    url = reverse("reporting:territory", args=["CVG", "nantes-metropole"])
    for user in (coordinator, platform_admin):
        with freeze_time(f"{day.isoformat()} 10:00:00"):
            client.force_login(user)
            with CaptureQueriesContext(connection) as from_rows:
                cached = client.get(url, {"periode": TARGET_PERIOD.code})
            TerritoryYearCoverage.objects.all().delete()  # now computed from the parcours
            with CaptureQueriesContext(connection) as from_parcours:
                live = client.get(url, {"periode": TARGET_PERIOD.code})
            TerritoryYearCoverage.objects.create(pk=1, through_year=2026)
        assert (cached.status_code, live.status_code) == (200, 200), user
        assert not any(LIVE_MARK in q["sql"] for q in from_rows.captured_queries)
        # Before the period, nothing to compute.
        live_statements = sum(LIVE_MARK in q["sql"] for q in from_parcours.captured_queries)
        assert live_statements == (day >= TARGET_PERIOD.start)
        assert cached.context["figures"]["trajectory"] is not None
        assert cached.context["figures"] == live.context["figures"]
        assert cached.context["charts"] == live.context["charts"]
