"""S21: every view, export and PDF that renders a participant's file writes exactly one
read-access row per participant shown, per access (bulk views: one row per person listed).

The registry below is checked against the URLconf: a new route of the participants' screens
(or any route taking a participant or parcours id) fails the completeness test until it is
registered here, or listed in NOT_RENDERING with the reason it shows no stored person.
"""

import datetime as dt
from collections import Counter

import pytest

from participants import models as pm
from participants.enums import ParcoursStatus
from sites.audit.models import AccessAction, AccessLog
from sites.enums import Role
from tests import factories as f
from tests.security.routes import all_routes
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db

# Views that show one file: route name -> which object of the file its kwarg designates.
ONE_FILE = {
    "participants:detail": "participant",
    "participants:update": "participant",
    "participants:parcours_enrol": "participant",
    "participants:snapshot_create": "participant",
    "participants:rights_export_json": "participant",
    "participants:rights_export_pdf": "participant",
    "participants:rights_anonymise": "participant",  # the confirmation page (GET)
    "participants:rights_erase": "participant",  # the confirmation page (GET)
    "participants_access_log": "participant",
    "participants:parcours_set_hours": "parcours",
    "participants:parcours_link_previous": "parcours",
    "participants:parcours_exit": "parcours",
    "participants:action_create": "parcours",
    "participants:parcours_prolong": "parcours",
    "participants:orientation_enter": "oriented parcours",
    "participants:orientation_decline": "oriented parcours",
    "participants:followup_check": "follow-up check",
    "participants:participant_transfer": "participant",
}
# Views that list several people: route name -> query string or kwargs; every person shown
# gets one row.
MANY_FILES = {
    "participants:list": "?sort=last_name",
    "participants:export_csv": "",
    "participants:export_xlsx": "",
    "participants:hours_grid": "",
    "participants:today": "?qui=structure",
    # The files without an active referent, to hand over (both files of the world).
    "participants:referents_reassign": "?de=sans",
}
# Routes of the participants' screens that show no stored person.
NOT_RENDERING = {
    "participants:create": "an empty form (a new file is logged when it is opened)",
    "participants:hours_sites": "work-site names only",
    "participants:hours_this_week": "a redirect to the week's grid",
    "participants:import_upload": "the upload form and past imports' file names",
    "participants:import_format": "the expected columns",
    "participants:import_example": "a fixed example file",
    "participants:import_detail": "rows of the uploaded spreadsheet, not stored files",
    "participants:import_commit": "POST only, writes the spreadsheet's rows",
    "participants:import_step": "the import's progress bar",
    "participants:import_cancel": "POST only, deletes an upload not yet imported",
    "participants:orientation_create": "an empty referral form (the new file is created by it)",
    "participants:referents": "counts per referent: staff names and figures, no participant",
    "participants:transfers": "structures, dates and files' numbers: no name (a file opened "
    "from it is logged by its page)",
}
# Views that answer GET and POST with a form about the file: a POST logs one row (EDIT, or
# VIEW when the identity form comes back unsaved).
FORMS = [
    "participants:update",
    "participants:parcours_enrol",
    "participants:snapshot_create",
    "participants:parcours_set_hours",
    "participants:parcours_link_previous",
    "participants:parcours_exit",
    "participants:action_create",
    "participants:parcours_prolong",
    "participants:orientation_enter",
    "participants:orientation_decline",
    "participants:followup_check",
    "participants:participant_transfer",
]


def _file_routes():
    routes = {}
    for route in all_routes():
        if route.name.startswith("participants:") or set(route.converters) & {
            "participant_pk",
            "parcours_pk",
        }:
            routes[route.name] = route
    return routes


ROUTES = _file_routes()


def test_every_route_of_the_files_is_classified():
    classified = set(ONE_FILE) | set(MANY_FILES) | set(NOT_RENDERING)
    assert set(ROUTES) - classified == set(), "register the new route in S21"
    assert classified - set(ROUTES) == set(), "a registered route no longer exists"


@pytest.fixture
def world(structure_a, structure_b):
    one, two = full_file(structure_a, "A1"), full_file(structure_a, "A2")
    # Both people on the same work site, so its grid lists two persons.
    f.ParcoursFactory(participant=two.participant, work_site=one.work_site)
    # ... the second one twice (two parcours there the same week): still one row for them.
    f.ParcoursFactory(
        participant=two.participant, work_site=one.work_site, programme=f.programme("PHC")
    )
    # An open parcours of the first person, for the screens that act on one.
    open_parcours = f.ParcoursFactory(participant=one.participant, programme=f.programme("PHC"))
    f.ContractFactory(parcours=open_parcours)
    f.HoursStageFactory(parcours=open_parcours)
    full_file(structure_b, "B")
    manager = f.MembershipFactory(
        structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
    ).user
    # A person of the first file's referral, waiting to enter: the orientation screens.
    oriented = f.ParcoursFactory(
        participant=one.participant,
        programme=f.programme("IAE"),
        status=ParcoursStatus.ORIENTE,
        start_date=dt.date(2024, 1, 8),
    )
    return {
        "one": one,
        "two": two,
        "manager": manager,
        "open": open_parcours,
        "oriented": oriented,
    }


def _new_rows(before: int) -> list[AccessLog]:
    return list(AccessLog.objects.order_by("pk")[before:])


def _url(name: str, world) -> str:
    route = ROUTES[name]
    one = world["one"]
    oriented = name.startswith("participants:orientation_")
    values = {
        "participant_pk": one.participant.pk,
        "parcours_pk": (world["oriented"] if oriented else world["open"]).pk,
        "check_pk": one.followup_check.pk,
        "site_pk": one.work_site.pk,
        "year": 2021,
        "week": 9,
    }
    return route.url({k: values[k] for k in route.converters})


@pytest.mark.parametrize("name", sorted(ONE_FILE))
def test_a_file_page_writes_exactly_one_row(client, world, name):
    client.force_login(world["manager"])
    before = AccessLog.objects.count()
    response = client.get(_url(name, world))
    assert response.status_code == 200, name
    rows = _new_rows(before)
    assert [row.participant_id for row in rows] == [world["one"].participant.pk], name
    assert rows[0].actor_id == world["manager"].pk
    assert rows[0].structure_id == world["one"].participant.structure_id
    assert rows[0].request_id
    expected = {
        "participants:rights_export_json": AccessAction.EXPORT,
        "participants:rights_export_pdf": AccessAction.PRINT,
    }.get(name, AccessAction.VIEW)
    assert rows[0].action == expected
    # A second access is a second row.
    client.get(_url(name, world))
    assert len(_new_rows(before)) == 2


@pytest.mark.parametrize("name", FORMS)
def test_posting_a_form_about_a_file_writes_exactly_one_edit_row(client, world, name):
    client.force_login(world["manager"])
    before = AccessLog.objects.count()
    client.post(_url(name, world), {})  # invalid: the page comes back with its errors
    rows = _new_rows(before)
    assert [r.participant_id for r in rows] == [world["one"].participant.pk], name
    assert rows[0].action in (AccessAction.EDIT, AccessAction.VIEW)


@pytest.mark.parametrize("name", sorted(MANY_FILES))
def test_a_list_writes_one_row_per_person_shown(client, world, name):
    client.force_login(world["manager"])
    before = AccessLog.objects.count()
    response = client.get(_url(name, world) + MANY_FILES[name])
    assert response.status_code == 200, name
    logged = Counter(row.participant_id for row in _new_rows(before))
    shown = {world["one"].participant.pk: 1, world["two"].participant.pk: 1}
    assert logged == shown, name
    # Structure B's person is neither shown nor logged.
    assert not AccessLog.objects.filter(
        participant_id__in=pm.Participant.objects.exclude(
            structure=world["one"].participant.structure
        ).values("pk")
    ).exists()


def test_a_list_page_logs_only_the_page_it_shows(client, world, monkeypatch):
    from participants.views import participants as views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    client.force_login(world["manager"])
    before = AccessLog.objects.count()
    client.get("/participants/?sort=last_name")
    assert [r.participant_id for r in _new_rows(before)] == [world["one"].participant.pk]
