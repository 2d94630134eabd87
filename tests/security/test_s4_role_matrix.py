"""S4: a funder and a coordinator reach 0 person-level pages. Every route of the participants'
screens, and every route taking a participant or parcours id (enumerated from the URLconf),
answers them 403 or 404 — with real ids of a file they could otherwise be tempted to read —
writes no read-access row and changes nothing."""

import pytest

from participants.models import Participant
from sites.audit.models import AccessLog
from sites.enums import Role
from tests import factories as f
from tests.security.routes import all_routes
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db

PERSON_KWARGS = {"participant_pk", "parcours_pk"}
PERSON_ROUTES = [
    route
    for route in all_routes()
    if route.name.startswith("participants:") or set(route.converters) & PERSON_KWARGS
]


def test_the_person_level_inventory_is_complete():
    names = {route.name for route in PERSON_ROUTES}
    assert {
        "participants:list",
        "participants:detail",
        "participants:export_csv",
        "participants:rights_export_pdf",
        "participants:hours_grid",
        "participants_access_log",
    } <= names


@pytest.fixture
def outsiders(structure_a):
    coordination = f.CoordinationFactory()
    return {
        "coordinator": f.MembershipFactory(
            role=Role.COORDINATOR, structure=None, coordination=coordination
        ).user,
        "funder": f.MembershipFactory(
            role=Role.FUNDER, structure=None, funder=f.FunderFactory()
        ).user,
    }


@pytest.mark.parametrize("route", PERSON_ROUTES, ids=lambda r: r.name)
def test_funders_and_coordinators_reach_no_person_level_page(client, route, outsiders, structure_a):
    file = full_file(structure_a, "A")
    values = {
        "participant_pk": file.participant.pk,
        "parcours_pk": file.parcours.pk,
        "site_pk": file.work_site.pk,
        "check_pk": file.followup_check.pk,
        "pk": 1,
        "year": 2021,
        "week": 9,
    }
    url = route.url({k: values[k] for k in route.converters})
    for role, user in outsiders.items():
        client.force_login(user)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (role, method, url)
            assert b"CANARY-A" not in response.content, (role, method, url)
    assert not AccessLog.objects.filter(actor__in=outsiders.values()).exists()
    assert Participant.objects.filter(pk=file.participant.pk, last_name="CANARY-A-NOM").exists()
