"""Which target a period is compared with (docs/indicators.md, `attainment`): the one rule
of `reporting.targets.targets_for_period`, computed by hand, and the dashboards, the
trajectory and the national view all following it."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes.models import Target
from reporting import periods
from reporting.indicators import structures_in_territory
from reporting.selectors import (
    ReportScope,
    dashboard_figures,
    targets_by_territory,
    territory_targets,
)
from reporting.targets import targets_for_period

from .pages import printed_periods

D = dt.date
Y2021 = periods.year(2021)
TWO_YEARS = periods.free(D(2021, 1, 1), D(2022, 12, 31))
H1 = (D(2021, 1, 1), D(2021, 6, 30))
H2 = (D(2021, 7, 1), D(2021, 12, 31))


def _rows(*targets):
    return [(metric, value, start, end) for metric, value, (start, end) in targets]


def test_a_target_whose_period_is_p_matches():
    rows = _rows(("accompanied", 60, (D(2021, 1, 1), D(2021, 12, 31))))
    assert targets_for_period(rows, Y2021) == {"accompanied": 60}


def test_a_target_over_another_period_does_not():
    # Shorter, inside P (the golden world's 01/03–31/12/2021 target against the year).
    assert targets_for_period(_rows(("accompanied", 118, (D(2021, 3, 1), H2[1]))), Y2021) == {}
    # Longer: the year is not compared with a two-year goal.
    assert (
        targets_for_period(_rows(("entries", 800, (D(2021, 1, 1), D(2022, 12, 31)))), Y2021) == {}
    )
    # Partly overlapping P, on either side.
    assert targets_for_period(_rows(("entries", 50, (D(2020, 7, 1), D(2021, 6, 30)))), Y2021) == {}
    assert targets_for_period(_rows(("entries", 50, (D(2021, 7, 1), D(2022, 6, 30)))), Y2021) == {}
    # One day short at either end.
    assert targets_for_period(_rows(("accompanied", 60, (D(2021, 1, 2), H2[1]))), Y2021) == {}
    assert targets_for_period(_rows(("accompanied", 60, (H1[0], D(2021, 12, 30)))), Y2021) == {}


def test_the_reviewed_case_a_year_target_against_two_years():
    """Nantes Premières Heures over 2021–2022: 96 persons accompanied, a 2021 target of 60.
    The year's target is not the two years' (it used to be: 96 / 60 = 160 %)."""
    rows = _rows(
        ("accompanied", 60, (D(2021, 1, 1), D(2021, 12, 31))),
        ("accompanied", 65, (D(2022, 1, 1), D(2022, 12, 31))),
    )
    assert targets_for_period(rows, TWO_YEARS) == {}


def test_the_exact_target_wins_over_shorter_ones_inside_p():
    rows = _rows(
        ("accompanied", 118, (D(2021, 3, 1), D(2021, 12, 31))),
        ("accompanied", 120, (D(2021, 1, 1), D(2021, 12, 31))),
        ("entries", 30, H1),
        ("entries", 90, (D(2021, 1, 1), D(2021, 12, 31))),
    )
    assert targets_for_period(rows, Y2021) == {"accompanied": 120, "entries": 90}


def test_targets_of_several_deployments_over_p_add_up():
    # Two deployments of the territory, each with its own 2021 target.
    rows = _rows(
        ("accompanied", 60, (D(2021, 1, 1), D(2021, 12, 31))),
        ("accompanied", 40, (D(2021, 1, 1), D(2021, 12, 31))),
    )
    assert targets_for_period(rows, Y2021) == {"accompanied": 100}


def test_flows_add_up_over_periods_that_cut_p_in_pieces():
    rows = _rows(("entries", 30, H1), ("entries", 50, H2), ("hours_worked", 700, H1))
    rows += _rows(("hours_worked", 800, H2), ("exits", 5, H1), ("exits", 6, H2))
    assert targets_for_period(rows, Y2021) == {"entries": 80, "hours_worked": 1500, "exits": 11}
    # Persons do not: a person followed all year counts once, in both halves' targets.
    stocks = _rows(("accompanied", 30, H1), ("accompanied", 50, H2), ("active_at_end", 9, H2))
    assert targets_for_period(stocks, Y2021) == {}
    # Two yearly entry targets make the two years' target.
    yearly = _rows(
        ("entries", 400, (D(2021, 1, 1), D(2021, 12, 31))),
        ("entries", 420, (D(2022, 1, 1), D(2022, 12, 31))),
    )
    assert targets_for_period(yearly, TWO_YEARS) == {"entries": 820}


def test_pieces_with_a_gap_or_an_overlap_do_not_add_up():
    gap = _rows(("entries", 30, H1), ("entries", 50, (D(2021, 7, 2), D(2021, 12, 31))))
    assert targets_for_period(gap, Y2021) == {}
    overlap = _rows(("entries", 30, H1), ("entries", 50, (D(2021, 6, 30), D(2021, 12, 31))))
    assert targets_for_period(overlap, Y2021) == {}
    # Missing the last quarter.
    short = _rows(("entries", 30, H1), ("entries", 20, (D(2021, 7, 1), D(2021, 9, 30))))
    assert targets_for_period(short, Y2021) == {}


def test_several_ways_to_cut_p_take_the_longest_pieces_first():
    quarters = [
        (D(2021, 1, 1), D(2021, 3, 31)),
        (D(2021, 4, 1), D(2021, 6, 30)),
        (D(2021, 7, 1), D(2021, 9, 30)),
        (D(2021, 10, 1), D(2021, 12, 31)),
    ]
    rows = _rows(*(("entries", 10, q) for q in quarters), ("entries", 25, H1), ("entries", 26, H2))
    assert targets_for_period(rows, Y2021) == {"entries": 51}  # H1 + H2, not 40
    # The longest first piece leads nowhere (Jul–Sep then nothing): Q1 + Apr–Dec.
    dead_end = _rows(
        ("entries", 25, H1),
        ("entries", 7, quarters[2]),
        ("entries", 10, quarters[0]),
        ("entries", 35, (D(2021, 4, 1), D(2021, 12, 31))),
    )
    assert targets_for_period(dead_end, Y2021) == {"entries": 45}


def test_rows_outside_p_are_ignored():
    rows = _rows(
        ("entries", 30, H1),
        ("entries", 50, H2),
        ("entries", 999, (D(2020, 1, 1), D(2020, 12, 31))),
    )
    assert targets_for_period(rows, Y2021) == {"entries": 80}


# The golden world (tests/reporting/scenario.py): Nantes Métropole, Convergence, targets of
# 118 accompanied over 01/03–31/12/2021 and 800 entries over 2021–2022.
TARGET_PERIOD = periods.free(D(2021, 3, 1), D(2021, 12, 31))


def _scope(world):
    return ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(structures_in_territory(world.nm.pk)),
    )


@pytest.mark.parametrize(
    ("period", "expected", "metric"),
    [
        (Y2021, {}, None),  # the 01/03–31/12 target lies inside 2021 but is not 2021's
        (TARGET_PERIOD, {"accompanied": 118}, "accompanied"),
        (TWO_YEARS, {"entries": 800}, "entries"),  # not the 118 of ten of its months
        (periods.year(2022), {}, None),  # the 800 overlaps 2022
    ],
)
def test_dashboards_trajectories_and_the_national_view_follow_the_rule(
    world, period, expected, metric
):
    dashboard = dashboard_figures(report_scope=_scope(world), period=period, today=D(2023, 1, 1))
    assert dashboard.targets == expected
    assert dashboard.total.target_metric == metric
    assert (dashboard.trajectory.metric if dashboard.trajectory else None) == metric
    # The page hands over the targets its period selector read: the same match.
    read_once = dashboard_figures(
        report_scope=_scope(world),
        period=period,
        today=D(2023, 1, 1),
        targets=territory_targets(report_scope=_scope(world)),
    )
    assert read_once.targets == expected
    assert read_once.total.target_metric == metric
    assert read_once.trajectory == dashboard.trajectory
    national = targets_by_territory(
        programme=world.cvg, period=period, territory_ids=[world.nm.pk, world.la.pk]
    )
    assert {tid: (t.metric, t.value) for tid, t in national.items()} == (
        {world.nm.pk: (metric, expected[metric])} if metric else {}
    )


def test_the_national_view_shows_the_two_years_entries_target(client, coordinator, world):
    client.force_login(coordinator)
    url = reverse("reporting:national", args=["CVG"])
    response = client.get(url, {"periode": TWO_YEARS.code})
    targets = response.context["figures"]["targets"]
    assert [(t["name"], t["metric"], t["target"]) for t in targets] == [
        ("Nantes Métropole", "entries", 800)
    ]
    assert targets[0]["metric_label"] == "Entrées (parcours commencés)"
    assert "Entrées (parcours commencés)" in response.content.decode()  # the table says which
    response = client.get(url, {"periode": "2021"})
    assert response.context["figures"]["targets"] == []
    # No target for the year: the page says so, and the selector offers the targets' periods.
    assert 'id="no-target"' in response.content.decode()
    offered = {p["code"]: p["label"] for p in printed_periods(response)}
    assert offered[TWO_YEARS.code].startswith("Période d'objectif")
    assert offered[TARGET_PERIOD.code].startswith("Période d'objectif")


def test_a_target_added_for_the_year_is_the_years(world):
    Target.objects.create(
        deployment=world.deployment,
        metric="accompanied",
        value=120,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 12, 31),
    )
    dashboard = dashboard_figures(report_scope=_scope(world), period=Y2021)
    assert dashboard.targets == {"accompanied": 120}
    # 7 persons accompanied in 2021 (test_indicators_golden): 7 / 120 = 0.058333… → 0.0583.
    assert dashboard.total.as_dict()["attainment"] == 0.0583
