"""Issue 16: periods at the calendar's edges answer a 404 (dashboards) or a French message
(funder reports), never a server error (web/bounds.py)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reporting import periods
from reporting.models import ReportSnapshot

pytestmark = pytest.mark.django_db

TERRITORY = reverse("reporting:territory", args=["CVG", "nantes-metropole"])


@pytest.mark.parametrize(
    "query",
    [
        "du=0001-01-01&au=9999-12-31",
        "periode=9999",
        "periode=9999-T4",
        "periode=9999-S2",
        "periode=9999-12",
        "periode=0001",
        "du=2021-01-01&au=9999-12-31",
        "periode=0001-01-01_2021-12-31",
    ],
)
def test_a_period_outside_the_handled_years_is_a_404(client, coordinator, world, query):
    client.force_login(coordinator)
    assert client.get(f"{TERRITORY}?{query}").status_code == 404
    national = reverse("reporting:national", args=["CVG"])
    assert client.get(f"{national}?{query}").status_code == 404


def test_the_handled_years_still_render(client, coordinator, world):
    client.force_login(coordinator)
    assert client.get(f"{TERRITORY}?periode=2000").status_code == 200
    assert client.get(f"{TERRITORY}?du=2000-01-01&au=2021-12-31").status_code == 200


def test_a_funder_report_for_the_year_9999_is_refused_in_french(client, funder, world):
    client.force_login(funder)
    url = reverse("reporting:deployment_reports", args=[world.deployment.pk])
    for code in ("9999", "9999-T4", "0001-01-01_9999-12-31"):
        response = client.post(url, {"periode": code})
        assert response.status_code == 302
        assert response["Location"] == url
        # Each refusal says why, not only the last one.
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        assert any("période" in t for t in texts)
    assert not ReportSnapshot.objects.exists()


@pytest.mark.parametrize("code", ["9999", "9999-T4", "9999-S2", "9999-12", "1899"])
def test_parse_refuses_years_outside_the_bounds(code):
    with pytest.raises(ValueError, match="Période"):
        periods.parse(code)
