"""What a funder may subtract (issue 18, item 5; docs/security.md §10): calendar years that
have ended, only — other periods are a 404 on the dashboards and exports, a French message on the
report form, and reports of other periods frozen by somebody else stay out of reach — and
no hours or FTE for cells of fewer than 11 persons."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reporting import periods, services
from reporting.models import ReportSnapshot
from reporting.published_grid import withheld_hours
from sites.tenancy import scope_for_user

from .pages import printed_periods
from .scenario import add_bulk

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reporting:territory", args=["CVG", "nantes-metropole"])
EXPORT = reverse("reporting:territory_export", args=["CVG", "nantes-metropole", "csv"])
NOT_YEARS = [
    "periode=2021-T2",
    "periode=2021-S1",
    "periode=2021-JJ",
    "periode=2021-03",
    "periode=2021-01-01_2021-06-30",
    "periode=2021-01-01_2022-12-31",
    "du=2021-01-01&au=2021-07-01",
    "du=2021-01-02&au=2021-12-31",
]


@pytest.mark.parametrize("query", NOT_YEARS)
def test_a_funder_gets_a_404_for_any_period_but_a_calendar_year(client, funder, world, query):
    client.force_login(funder)
    assert client.get(f"{DASHBOARD}?{query}").status_code == 404
    assert client.get(f"{EXPORT}?{query}").status_code == 404
    assert client.get(f"{DASHBOARD}?{query}&structure={world.s1.slug}").status_code == 404


def test_a_funder_reads_calendar_years_however_written(client, funder, world):
    client.force_login(funder)
    for query in ("periode=2021", "du=2021-01-01&au=2021-12-31"):
        assert client.get(f"{DASHBOARD}?{query}").status_code == 200, query
    assert client.get(f"{EXPORT}?periode=2021").status_code == 200


def test_the_current_year_is_not_a_funders_until_it_ends(client, funder, coordinator, world):
    """Its figures run from 1 January to today: read on two days, they would subtract like
    two free periods. A funder's dashboard opens on last year."""
    this_year = dt.date.today().year
    client.force_login(funder)
    assert client.get(f"{DASHBOARD}?periode={this_year}").status_code == 404
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert page.context["figures"]["period"]["code"] == str(this_year - 1)
    codes = [p["code"] for p in printed_periods(page)]
    assert str(this_year) not in codes and str(this_year - 1) in codes
    # The semester and July-to-June presets are the coordinators'.
    assert not [c for c in codes if c.endswith(("-S1", "-S2", "-JJ"))]
    url = reverse("reporting:deployment_reports", args=[world.deployment.pk])
    response = client.post(url, {"periode": str(this_year)})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Les financeurs reçoivent les chiffres d'années civiles terminées : choisissez une "
        "année passée."
    ]
    client.force_login(coordinator)
    assert client.get(f"{DASHBOARD}?periode={this_year}").status_code == 200


@pytest.mark.parametrize("query", NOT_YEARS)
def test_coordinators_keep_every_period(client, coordinator, world, query):
    client.force_login(coordinator)
    assert client.get(f"{DASHBOARD}?{query}").status_code == 200


def test_a_funder_report_of_another_period_is_refused_in_french(client, funder, world):
    client.force_login(funder)
    url = reverse("reporting:deployment_reports", args=[world.deployment.pk])
    response = client.post(url, {"periode": "2021-T2"})
    assert response.status_code == 302 and response["Location"] == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Les financeurs reçoivent les chiffres d'années civiles terminées : choisissez une "
        "année passée."
    ]
    assert not ReportSnapshot.objects.exists()
    assert client.post(url, {"periode": "2021"}).status_code == 302
    assert ReportSnapshot.objects.get().period_code == "2021"


def test_a_quarter_frozen_by_an_administrator_stays_out_of_the_funders_reach(
    client, funder, platform_admin, world
):
    quarter = services.report_snapshot_create(
        scope=scope_for_user(platform_admin),
        deployment_id=world.deployment.pk,
        period=periods.quarter(2021, 2),
        user=platform_admin,
    )
    year = services.report_snapshot_create(
        scope=scope_for_user(platform_admin),
        deployment_id=world.deployment.pk,
        period=periods.year(2021),
        user=platform_admin,
    )
    listing = reverse("reporting:deployment_reports", args=[world.deployment.pk])
    client.force_login(funder)
    page = client.get(listing).content.decode()
    assert reverse("reporting:snapshot_detail", args=[year.uuid]) in page
    assert reverse("reporting:snapshot_detail", args=[quarter.uuid]) not in page
    for name in ("snapshot_detail", "snapshot_download"):
        assert client.get(reverse(f"reporting:{name}", args=[quarter.uuid])).status_code == 404
        assert client.get(reverse(f"reporting:{name}", args=[year.uuid])).status_code == 200
    retry = reverse("reporting:snapshot_retry", args=[quarter.uuid])
    assert client.post(retry).status_code == 404
    client.force_login(platform_admin)
    assert reverse("reporting:snapshot_detail", args=[quarter.uuid]) in (
        client.get(listing).content.decode()
    )


def test_hours_of_fewer_than_eleven_persons_are_withheld(client, funder, coordinator, world):
    """On the funder's and the coordinator's pages, a structure row of 1–10 persons shows
    neither hours nor FTE, nor does any row or total from which they could be recomputed;
    the caseworkers' own dashboard (exact figures) still shows them."""
    add_bulk(world)
    for user in (funder, coordinator):
        client.force_login(user)
        figures = client.get(f"{DASHBOARD}?periode=2021").context["figures"]
        columns = figures["columns"]
        at = {c: columns.index(c) for c in ("accompanied", "hours_worked", "fte")}
        rows = [*figures["rows"], {"name": "total", "cells": figures["total_cells"]}]
        assert any(r["cells"][at["accompanied"]] == "< 11" for r in rows)  # Paris Chantiers
        shown = [r for r in rows if r["cells"][at["hours_worked"]] != "s"]
        for row in rows:
            if row["cells"][at["accompanied"]] == "< 11":
                assert row["cells"][at["hours_worked"]] == "s", row
                assert row["cells"][at["fte"]] == "s", row
        hidden = [r for r in rows if r not in shown]
        # Nothing withheld, or at least two cells of the equation total = Σ rows withheld.
        assert not hidden or len(hidden) >= 2, hidden


def test_withheld_hours_protect_the_rows_against_the_total_and_insiders():
    # One small row: a larger one is withheld too, then a second, so that a structure
    # subtracting its own row still faces ≥ 11 persons.
    assert withheld_hours(60, {"a": 4, "b": 30, "c": 15, "d": 11}) == (False, {"a", "d", "c"})
    # Small rows gathering enough persons together protect each other.
    assert withheld_hours(60, {"a": 9, "b": 8, "c": 7, "d": 36}) == (False, {"a", "b", "c"})
    # Not enough rows to hide among: the total's hours are withheld instead.
    assert withheld_hours(34, {"a": 4, "b": 30}) == (True, {"a"})
    # A small territory: everything of fewer than 11 persons.
    assert withheld_hours(7, {"a": 4, "b": 3}) == (True, {"a", "b"})
    # Nobody small: nothing withheld; the dominance rule's choice is kept.
    assert withheld_hours(40, {"a": 20, "b": 20}) == (False, set())
    assert withheld_hours(40, {"a": 20, "b": 20}, total_hidden=True) == (True, set())
    # Empty rows are neither small nor worth hiding.
    assert withheld_hours(30, {"a": 0, "b": 5, "c": 25}) == (True, {"b"})


def test_the_year_of_a_period_is_checked_on_its_bounds():
    assert periods.is_calendar_year(periods.year(2021))
    assert periods.is_calendar_year(periods.free(dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    for period in (
        periods.quarter(2021, 1),
        periods.semester(2021, 2),
        periods.month(2021, 12),
        periods.free(dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
    ):
        assert not periods.is_calendar_year(period), period
