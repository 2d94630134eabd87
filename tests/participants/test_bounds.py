"""Issue 16: dates, weeks, hours and ids at the edges answer a French message or a 404,
never a server error (web/bounds.py)."""

import pytest
from django.urls import reverse

from participants.models import Parcours
from tests import factories as f

pytestmark = pytest.mark.django_db


def grid_url(site, year, week):
    return reverse(
        "participants:hours_grid", kwargs={"site_pk": site.pk, "year": year, "week": week}
    )


@pytest.mark.parametrize(("year", "week"), [(9999, 52), (1, 1), (1899, 10), (2101, 1)])
def test_hours_grid_outside_the_handled_years_is_a_404(client_a, site_a, year, week):
    assert client_a.get(grid_url(site_a, year, week)).status_code == 404
    assert client_a.post(grid_url(site_a, year, week), {}).status_code == 404


def test_hours_grid_at_the_edges_of_the_handled_years_renders(client_a, site_a):
    assert client_a.get(grid_url(site_a, 2000, 1)).status_code == 200
    assert client_a.get(grid_url(site_a, 2100, 52)).status_code == 200


def test_hours_this_week_with_a_far_day_says_so_in_french(client_a, site_a):
    url = reverse("participants:hours_this_week", kwargs={"site_pk": site_a.pk})
    response = client_a.get(url, {"jour": "31/12/9999"}, follow=True)
    assert response.status_code == 200
    assert "Date invalide" in response.content.decode()


@pytest.fixture
def person(structure_a, programmes):
    return f.ParticipantFactory(structure=structure_a, last_name="Durand", first_name="Alix")


@pytest.mark.parametrize("code", ["CVG", "PHC"])
@pytest.mark.parametrize("start", ["31/12/9999", "01/01/0001", "01/01/1999"])
def test_enrolment_with_a_far_start_date_is_refused_in_french(
    client_a, person, programmes, code, start
):
    url = reverse("participants:parcours_enrol", kwargs={"participant_pk": person.pk})
    response = client_a.post(
        url,
        {
            "programme": programmes[code].pk,
            "status": "EN_COURS",
            "start_date": start,
            "weekly_hours": "26" if code == "CVG" else "4",
            "contract_kind": "CDDI",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["start_date"]
    assert any("date" in e for e in errors), errors
    assert not Parcours.objects.filter(participant=person).exists()


@pytest.mark.parametrize("pk", [2**31, 2**63, 10**30])
def test_ids_beyond_the_database_range_are_a_404(client_a, pk):
    assert client_a.get(f"/participants/{pk}/").status_code == 404
    assert client_a.get(f"/participants/parcours/{pk}/sortie/").status_code == 404
    assert client_a.get(f"/participants/heures/{pk}/").status_code == 404


def test_a_birth_date_before_1900_is_refused(client_a):
    response = client_a.post(
        reverse("participants:create"),
        {"last_name": "X", "first_name": "Y", "birth_date": "01/01/0001", "sex": "M"},
    )
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors


def test_a_list_filter_date_outside_the_calendar_is_a_french_message(client_a):
    response = client_a.get(reverse("participants:list"), {"entry_after": "01/01/9999"})
    assert response.status_code == 200
    assert "Saisissez une date comprise entre le 01/01/1900 et le 31/12/2100" in (
        response.content.decode()
    )
