"""Drill-down between territories: région → département → EPCI → structure, by the
territories' nesting (`Territory.parent`), for the callers who may open them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _around(client, user, slug):
    client.force_login(user)
    response = client.get(reverse("reporting:territory", args=["CVG", slug]), {"periode": "2021"})
    assert response.status_code == 200
    return response.context["around"], response.content.decode()


def test_a_coordinator_goes_down_to_sub_territories_and_back_up(client, coordinator, world):
    around, page = _around(client, coordinator, "loire-atlantique")
    assert around == {
        "ancestors": [],
        "children": [{"name": "Nantes Métropole", "slug": "nantes-metropole"}],
    }
    assert "/rapports/CVG/territoire/nantes-metropole/?periode=2021" in page
    around, page = _around(client, coordinator, "nantes-metropole")
    assert around["ancestors"] == [{"name": "Loire-Atlantique", "slug": "loire-atlantique"}]
    assert around["children"] == []
    # The last step, to each structure, is the dashboard's own table.
    assert "?periode=2021&amp;structure=trajet" in page or "structure=trajet" in page


def test_a_funder_sees_no_neighbouring_territory(client, funder, world):
    around, _page = _around(client, funder, "nantes-metropole")
    assert around == {"ancestors": [], "children": []}
