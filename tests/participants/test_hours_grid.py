"""The weekly hours grid of a work site: scope, rows, one submit, errors per row, queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from participants.enums import ParcoursStatus
from participants.models import WorkedHours
from sites.audit.models import AccessLog
from tests import factories as f

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 3, 3)  # ISO week 10 of 2025


@pytest.fixture
def site(structure_a):
    return f.WorkSiteFactory(structure=structure_a, name="La Claire Fontaine")


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def enrol(site, code="PHC", *, hours=8, start=dt.date(2025, 1, 6), end=None, **person):
    parcours = f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=site.structure, **person),
        programme=f.programme(code),
        work_site=site,
        start_date=start,
        end_date=end,
        status=ParcoursStatus.SORTI if end else ParcoursStatus.EN_COURS,
    )
    f.ContractFactory(parcours=parcours, weekly_hours=Decimal(26 if code == "CVG" else 4))
    if code in ("PHC", "DPH"):
        f.HoursStageFactory(parcours=parcours, weekly_hours=Decimal(4))
        f.HoursStageFactory(
            parcours=parcours, start_date=dt.date(2025, 2, 3), weekly_hours=Decimal(hours)
        )
    return parcours


def grid_url(site, year=2025, week=10):
    return reverse(
        "participants:hours_grid", kwargs={"site_pk": site.pk, "year": year, "week": week}
    )


def test_one_row_per_parcours_active_on_the_site_that_week(client_a, site, structure_b):
    active = enrol(site, last_name="Actif")
    enrol(site, last_name="Sorti", end=dt.date(2025, 2, 28))  # left before the week
    enrol(site, last_name="Futur", start=dt.date(2025, 3, 10))  # starts after it
    enrol(f.WorkSiteFactory(structure=site.structure), last_name="Ailleurs")
    other_site = f.WorkSiteFactory(structure=structure_b, name="CANARY-B site")
    enrol(other_site, last_name="CANARY-B")

    response = client_a.get(grid_url(site))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.parcours for row in rows] == [active]
    assert rows[0].expected == Decimal(8)  # the palier in force that week, not the first one
    html = response.content.decode()
    assert 'inputmode="decimal"' in html
    assert "CANARY-B" not in html
    assert "Semaine 10 : du 03/03/2025 au 09/03/2025" in html
    assert AccessLog.objects.filter(participant_id=active.participant_id).count() == 1


def test_expected_hours_are_the_palier_else_the_contract_in_force_that_week(client_a, site):
    """Read with the parcours (one subquery each, no prefetch): the last palier started on
    or before the later of the Monday and the parcours' start, else the contract's hours;
    a palier starting later in the week does not count."""
    palier = enrol(site, last_name="Palier", hours=12)  # paliers 4 h (06/01), 12 h (03/02)
    f.HoursStageFactory(parcours=palier, start_date=dt.date(2025, 3, 5), weekly_hours=20)
    contract = enrol(site, "CVG", last_name="Contrat")  # no palier: the contract's 26 h
    f.ContractFactory(parcours=contract, start_date=dt.date(2025, 3, 10), weekly_hours=30)
    # Starts on the Wednesday: what is in force on its first day (a contract of that day).
    midweek = enrol(site, "CVG", last_name="Mercredi", start=dt.date(2025, 3, 5))
    bare = f.ParcoursFactory(
        participant=f.ParticipantFactory(structure=site.structure, last_name="Rien"),
        programme=f.programme("PHC"),
        work_site=site,
        start_date=dt.date(2025, 1, 6),
        status=ParcoursStatus.EN_COURS,
    )

    response = client_a.get(grid_url(site))

    expected = {row.parcours.pk: row.expected for row in response.context["rows"]}
    assert expected == {
        palier.pk: Decimal(12),
        contract.pk: Decimal(26),
        midweek.pk: Decimal(26),
        bare.pk: None,
    }
    html = response.content.decode()
    assert f'<td id="band-{palier.pk}" class="text-nowrap">12 h (max. ' in html
    assert f'<td id="band-{bare.pk}" class="text-nowrap">max. ' in html


def test_another_structures_site_is_a_404(client_a, structure_b):
    other_site = f.WorkSiteFactory(structure=structure_b)
    assert client_a.get(grid_url(other_site)).status_code == 404
    assert client_a.post(grid_url(other_site), {}).status_code == 404
    url = reverse("participants:hours_this_week", kwargs={"site_pk": other_site.pk})
    assert client_a.get(url).status_code == 404


def test_a_week_that_does_not_exist_is_a_404(client_a, site):
    assert client_a.get(grid_url(site, year=2025, week=53)).status_code == 404


def test_one_submit_saves_every_valid_row_and_keeps_the_refused_ones(client_a, site):
    good, over, typo = (enrol(site, last_name=name) for name in ("Bon", "Trop", "Faute"))
    untouched = enrol(site, last_name="Vide")
    response = client_a.post(
        grid_url(site),
        {
            f"hours-{good.pk}": "7,5",
            f"absence-{good.pk}": "0,5",
            f"hours-{over.pk}": "25",
            f"hours-{typo.pk}": "sept",
            f"hours-{untouched.pk}": "",
        },
    )
    assert response.status_code == 200
    saved = WorkedHours.objects.get()
    assert (saved.parcours, saved.week_start, saved.hours, saved.absence_hours) == (
        good,
        MONDAY,
        Decimal("7.5"),
        Decimal("0.5"),
    )
    assert saved.work_site == site
    rows = {row.parcours: row for row in response.context["rows"]}
    assert "dépasse le maximum de 20 h" in " ".join(rows[over].errors)
    assert "n'est pas un nombre d'heures" in " ".join(rows[typo].errors)
    assert rows[over].hours == "25"  # what was typed is kept for correction
    html = response.content.decode()
    assert f'id="error-{over.pk}"' in html
    assert f'aria-describedby="band-{over.pk} error-{over.pk}"' in html


def test_typed_markup_comes_back_escaped_in_the_refused_row(client_a, site):
    row = enrol(site, last_name='<b>"Nom"</b>')
    typed = '"><script>alert(1)</script>'
    response = client_a.post(grid_url(site), {f"hours-{row.pk}": typed})
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<b>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&lt;B&gt;&quot;NOM&quot;&lt;/B&gt;" in html  # the name, upper-cased and escaped
    # The message quotes (the first 20 characters of) what was typed, escaped too.
    assert html.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/") == 2  # value and message


def test_a_clean_submit_redirects_and_rewrites_nothing_unchanged(client_a, site):
    parcours = enrol(site)
    url = grid_url(site)
    assert client_a.post(url, {f"hours-{parcours.pk}": "8"}).status_code == 302
    first = WorkedHours.objects.get()
    response = client_a.post(url, {f"hours-{parcours.pk}": "8"}, follow=True)
    assert "0 ligne(s) modifiée(s)" in response.content.decode()
    assert WorkedHours.objects.get().updated_at == first.updated_at
    client_a.post(url, {f"hours-{parcours.pk}": "6", f"absence-{parcours.pk}": "2"})
    assert WorkedHours.objects.get().hours == Decimal(6)


def test_week_navigation(client_a, site):
    response = client_a.get(grid_url(site, year=2025, week=1))
    html = response.content.decode()
    assert grid_url(site, year=2024, week=52) in html
    assert grid_url(site, year=2025, week=2) in html
    jump = reverse("participants:hours_this_week", kwargs={"site_pk": site.pk})
    assert client_a.get(jump, {"jour": "2025-03-05"})["Location"] == grid_url(site)
    assert client_a.get(jump, {"jour": "05/03/2025"})["Location"] == grid_url(site)
    assert 'value="30/12/2024"' in html  # the week's Monday, typed the French way
    response = client_a.get(jump, {"jour": "03/15/2025"}, follow=True)  # month/day: refused
    assert response.status_code == 200
    assert "au format jj/mm/aaaa" in response.content.decode()


def test_the_site_list_shows_only_the_structures_sites(client_a, site, structure_b):
    f.WorkSiteFactory(structure=structure_b, name="CANARY-B chantier")
    html = client_a.get(reverse("participants:hours_sites")).content.decode()
    assert "La Claire Fontaine" in html
    assert "CANARY-B" not in html


def test_query_count_does_not_grow_with_the_rows(client_a, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_the_grid() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client_a.get(grid_url(site))
        return len(response.context["rows"]), len(captured.captured_queries)

    def add_people(count: int) -> None:
        for index in range(count):
            parcours = enrol(site, code=("PHC", "CVG", "DPH")[index % 3], hours=8)
            f.WorkedHoursFactory(parcours=parcours, week_start=MONDAY, hours=Decimal(4))

    add_people(1)
    client_a.get(grid_url(site))  # the navigation's "Aujourd'hui" count, cached in the session
    rows, few = queries_for_the_grid()
    add_people(14)
    more_rows, many = queries_for_the_grid()
    assert (rows, more_rows) == (1, 15)
    assert many == few
    # Two queries for the rows (parcours with their expected hours, recorded weeks); the
    # rest is the session, scope, access log and what a test sees around the request.
    assert few <= 12, few


def test_coordinators_and_funders_never_reach_the_grid(client, site):
    from sites.enums import Role

    coordinator = f.MembershipFactory(
        role=Role.COORDINATOR, structure=None, coordination=f.CoordinationFactory()
    ).user
    client.force_login(coordinator)
    assert client.get(grid_url(site)).status_code in (403, 404)
