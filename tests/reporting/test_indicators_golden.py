"""Golden figures, computed by hand from tests/reporting/scenario.py (see its comments)."""

import datetime as dt

import pytest

from reporting import indicators as ind
from reporting import periods
from reporting.selectors import ReportScope, dashboard_figures

pytestmark = pytest.mark.django_db

Y2021 = periods.year(2021)


def _table(world, territory, programme=None, structure_ids=None, period=Y2021):
    programme = programme or world.cvg
    ids = structure_ids or ind.structures_in_territory(territory.pk)
    return ind.indicator_table(
        programme=programme,
        period=period,
        structure_ids=ids,
        territory_id=territory.pk,
    )


def test_structures_located_in_a_territory(world):
    # Trajet (Nantes), Océan (Rezé), Paris Chantiers (a work site in Nantes).
    assert set(ind.structures_in_territory(world.nm.pk)) == {world.s1.pk, world.s2.pk, world.s4.pk}
    # Loire-Atlantique adds Estuaire (Saint-Nazaire) through its own geo unit.
    assert set(ind.structures_in_territory(world.la.pk)) == {
        world.s1.pk,
        world.s2.pk,
        world.s3.pk,
        world.s4.pk,
    }
    assert set(ind.structures_in_territory(world.paris.pk)) == {world.s4.pk}


def test_nantes_metropole_convergence_2021(world):
    total = _table(world, world.nm).total
    figures = total.as_dict()
    # Parcours in NM overlapping 2021: A, B, C, D, E1, E2, F, L (K is in Saint-Nazaire, M in
    # Paris; G starts in 2022, H ends in 2020, I is only oriented, J never entered).
    assert figures["accompanied"] == 7  # A B C D E F L, E counted once
    assert figures["active_at_end"] == 5  # A C D(ends on d2) E2 L
    assert figures["entries"] == 6  # A(d1) C(d2) D E2 F L
    assert figures["exits"] == 4  # B(d1) D(d2) E1 F
    assert figures["exits_by_category"] == {
        "EMPLOI_DURABLE": 1,
        "EMPLOI_TRANSITION": 0,
        "SORTIE_POSITIVE": 1,
        "AUTRE_SORTIE": 1,
        "NEUTRALISEE": 1,
    }
    # (1 + 0 + 1) / (4 − 1 neutralised)
    assert figures["dynamic_exit_rate"] == 0.6667
    # (214 + 305 + 397 + 60) days / 4 / 30.4375
    assert figures["average_duration_months"] == 8.02
    assert total.duration_days == 976
    # A: 20 + 10.5 (the week of 28/12/2020 is out), L: 15; the PHC hours are another programme.
    assert figures["hours_worked"] == 45.5
    assert figures["fte"] == round(45.5 / 1607, 2)
    # Not housed at entry: B (street), D (CHU, unlinked snapshot), F (street); E1 was housed.
    # Housed at exit: B only.
    assert (total.housing_numerator, total.housing_denominator) == (1, 3)
    assert figures["housing_access_rate"] == 0.3333
    assert figures["phc_continuation_rate"] is None


def test_sub_territories_are_included(world):
    figures = _table(world, world.la).total.as_dict()
    # Nantes Métropole's 7 + K (Trajet's Saint-Nazaire site) + N (Estuaire).
    assert figures["accompanied"] == 9
    assert figures["active_at_end"] == 6
    assert figures["entries"] == 8
    assert figures["exits"] == 5
    assert figures["exits_by_category"]["EMPLOI_TRANSITION"] == 1
    assert figures["dynamic_exit_rate"] == 0.75  # 3 / (5 − 1)


def test_structure_filter_and_zero_denominator(world):
    only_ocean = _table(world, world.nm, structure_ids=[world.s2.pk]).total
    figures = only_ocean.as_dict()
    assert figures["accompanied"] == 1
    assert figures["exits"] == 1
    assert figures["exits_by_category"]["NEUTRALISEE"] == 1
    assert figures["dynamic_exit_rate"] is None  # 0 / (1 − 1)
    assert figures["hours_worked"] == 0
    assert figures["fte"] == 0


def test_breakdown_by_structure_adds_up(world):
    table = _table(world, world.nm)
    assert set(table.by_structure) == {world.s1.pk, world.s2.pk, world.s4.pk}
    trajet = table.by_structure[world.s1.pk]
    assert (trajet.accompanied, trajet.entries, trajet.exits) == (5, 4, 3)
    assert table.by_structure[world.s4.pk].hours_worked == 15
    for key in ("accompanied", "active_at_end", "entries", "exits", "hours_worked"):
        assert sum(getattr(r, key) for r in table.by_structure.values()) == getattr(
            table.total, key
        )


def test_premieres_heures_continuation(world):
    figures = _table(world, world.nm, programme=world.phc).total.as_dict()
    assert figures["accompanied"] == 3  # A, PAPA, QUEBEC
    assert figures["exits"] == 2
    assert figures["phc_continuation_rate"] == 0.5  # SUITE_CVG / (SUITE_CVG + ABANDON)
    assert figures["housing_access_rate"] is None
    assert figures["hours_worked"] == 8


def test_period_bounds_quarter_and_semester(world):
    q1 = _table(world, world.nm, period=periods.quarter(2021, 1)).total
    # Q1 2021: A(start d1), B(exit d1), D(start 1/3), E1(exit 1/2), E2(start 1/3), L(start 1/2):
    # five persons (E's two parcours count once), four entries, two exits.
    assert (q1.accompanied, q1.entries, q1.exits) == (5, 4, 2)
    assert q1.active_at_end == 4  # A D E2 L
    s2 = _table(world, world.nm, period=periods.semester(2021, 2)).total
    # 1 Oct 2021 – 31 Mar 2022: A, C (entry 31/12), D (exit 31/12), E2, L, G (entry 1/1/2022).
    assert (s2.accompanied, s2.entries, s2.exits) == (6, 2, 1)


def _months(world, period):
    return ind.indicator_table(
        programme=world.cvg,
        period=period,
        structure_ids=ind.structures_in_territory(world.nm.pk),
        territory_id=world.nm.pk,
        with_months=True,
    )


def test_monthly_flows(world):
    months = _months(world, Y2021).months
    assert [m.month for m in months] == [dt.date(2021, m, 1) for m in range(1, 13)]
    entries = {m.month.month: m.entries for m in months if m.entries}
    exits = {m.month.month: m.exits for m in months if m.exits}
    assert entries == {1: 1, 2: 1, 3: 2, 5: 1, 12: 1}
    assert exits == {1: 1, 2: 1, 6: 1, 12: 1}


@pytest.mark.parametrize("period", [Y2021, periods.semester(2021, 2), periods.quarter(2022, 1)])
def test_the_monthly_series_adds_up_to_the_period(world, period):
    """The series covers every month of P and its months add up to P's entries and exits
    (both from the table's statement, counted by different groupings)."""
    table = _months(world, period)
    assert [m.month for m in table.months] == period.months()
    assert sum(m.entries for m in table.months) == table.total.entries
    assert sum(m.exits for m in table.months) == table.total.exits
    assert table.total.entries or table.total.exits
    empty = ind.indicator_table(
        programme=world.cvg,
        with_months=True,
        period=period,
        structure_ids=[],
    )
    assert [(m.month, m.entries, m.exits) for m in empty.months] == [
        (month, 0, 0) for month in period.months()
    ]


def test_target_matches_its_own_period_only(world):
    scope = ReportScope(
        programme=world.cvg,
        territory=world.nm,
        structure_ids=frozenset(ind.structures_in_territory(world.nm.pk)),
    )
    # 2021: the 118 target (01/03–31/12/2021) lies inside the year but is not the year's;
    # the 800 entries target is over 2021–2022.
    dashboard = dashboard_figures(report_scope=scope, period=Y2021)
    assert dashboard.targets == {}
    assert dashboard.total.as_dict()["attainment"] is None
    own = dashboard_figures(
        report_scope=scope, period=periods.free(dt.date(2021, 3, 1), dt.date(2021, 12, 31))
    )
    assert own.targets == {"accompanied": 118}
    figures = own.total.as_dict()
    # 6 persons over 01/03–31/12/2021 (B exited on 01/01): 6 / 118 = 0.050847… → 0.0508.
    assert figures["accompanied"] == 6 and figures["target"] == 118
    assert figures["attainment"] == 0.0508
    two_years = dashboard_figures(
        report_scope=scope, period=periods.free(dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    )
    # Not the 118 of ten of its months against two years' persons: the entries target.
    assert two_years.targets == {"entries": 800}
    assert two_years.total.target_metric == "entries"


def test_other_structures_are_absent(world):
    # Paris: only Paris Chantiers' parcours without a Nantes work site (M).
    figures = _table(world, world.paris).total.as_dict()
    assert figures["accompanied"] == 1
    assert figures["entries"] == 1
