"""The participant list: search, filters, sort, pagination, remembered filters, exports,
query budget, and another structure's data never shown."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from participants.enums import ParcoursStatus
from sites.audit.models import AccessAction, AccessLog
from sites.enums import Role
from tests import factories as f
from tests.participants.conftest import phc_parcours

pytestmark = pytest.mark.django_db
LIST = reverse("participants:list")


def names(response) -> list[str]:
    return [str(row.record) for row in response.context["table"].paginated_rows]


@pytest.fixture
def people(structure_a, site_a, caseworker_a, programmes):
    """Three files of A: PHC on the site (referent: the caseworker), CVG exited, one without
    parcours."""
    durand = f.ParticipantFactory(
        structure=structure_a, last_name="Durand", first_name="Alix", referent=caseworker_a
    )
    phc_parcours(durand, work_site=site_a, start=dt.date(2024, 3, 4))
    martin = f.ParticipantFactory(structure=structure_a, last_name="Martin", first_name="Sam")
    f.ParcoursFactory(
        participant=martin,
        start_date=dt.date(2022, 1, 3),
        end_date=dt.date(2023, 1, 3),
        status=ParcoursStatus.SORTI,
    )
    leroy = f.ParticipantFactory(structure=structure_a, last_name="Leroy", first_name="Ana")
    return {"durand": durand, "martin": martin, "leroy": leroy}


def test_first_visit_shows_the_people_in_progress(client_a, people):
    response = client_a.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=EN_COURS"
    response = client_a.get(response["Location"])
    assert names(response) == ["DURAND Alix"]


def test_list_shows_only_the_structure_s_people(client_a, people):
    response = client_a.get(LIST, {"q": ""})
    body = response.content.decode()
    assert names(response) == ["DURAND Alix", "LEROY Ana", "MARTIN Sam"]
    assert "CANARY-B" not in body


def test_search_by_name_every_word(client_a, people):
    assert names(client_a.get(LIST, {"q": "dur"})) == ["DURAND Alix"]
    assert names(client_a.get(LIST, {"q": "ana leroy"})) == ["LEROY Ana"]
    assert names(client_a.get(LIST, {"q": "CANARY"})) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"programme": "PHC"}, ["DURAND Alix"]),
        ({"status": "SORTI"}, ["MARTIN Sam"]),
        ({"entry_after": "01/01/2022", "entry_before": "31/12/2022"}, ["MARTIN Sam"]),
        ({"entry_after": "2024-01-01"}, ["DURAND Alix"]),
    ],
)
def test_filters(client_a, people, programmes, params, expected):
    if "programme" in params:
        params = {"programme": programmes[params["programme"]].pk}
    assert names(client_a.get(LIST, params)) == expected


def test_filter_by_work_site_and_referent(client_a, people, site_a, caseworker_a):
    assert names(client_a.get(LIST, {"work_site": site_a.pk})) == ["DURAND Alix"]
    assert names(client_a.get(LIST, {"referent": caseworker_a.pk})) == ["DURAND Alix"]


def test_another_structure_s_work_site_is_not_a_valid_filter(client_a, people, file_b):
    response = client_a.get(LIST, {"work_site": file_b.work_site.pk})
    form = response.context["filter"].form
    assert "work_site" in form.errors
    # The invalid filter is ignored, never applied to another structure.
    assert len(names(response)) == 3
    assert "CANARY-B" not in response.content.decode()


def test_sort_by_entry_date(client_a, people):
    response = client_a.get(LIST, {"sort": "-current_start", "status": ""})
    assert names(response)[:2] == ["DURAND Alix", "MARTIN Sam"]


def test_filters_are_remembered_and_can_be_cleared(client_a, people):
    client_a.get(LIST, {"q": "mar", "sort": "name"})
    response = client_a.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?q=mar&sort=name"
    response = client_a.get(f"{LIST}?reset=1")
    assert response["Location"] == LIST
    response = client_a.get(LIST)
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_pagination_by_fifty(client_a, structure_a, programmes):
    f.ParticipantFactory.create_batch(55, structure=structure_a)
    response = client_a.get(LIST, {"q": "Nom"})
    assert len(names(response)) == 50
    assert len(names(client_a.get(LIST, {"q": "Nom", "page": 2}))) == 5


def test_quick_action_button_only_for_open_parcours(client_a, people):
    body = client_a.get(LIST, {"status": ""}).content.decode()
    durand_parcours = people["durand"].parcours.get()
    url = reverse("participants:action_create", kwargs={"parcours_pk": durand_parcours.pk})
    assert f'hx-get="{url}"' in body
    assert body.count("quick-action-trigger") == 1


@pytest.mark.parametrize("rows", [5, 60])
def test_query_count_does_not_grow_with_rows(
    client_a, structure_a, site_a, programmes, django_assert_max_num_queries, rows
):
    for i in range(rows):
        p = f.ParticipantFactory(structure=structure_a, referent=f.UserFactory())
        parcours = phc_parcours(p, work_site=site_a)
        if i % 2:
            parcours.warnings = {"entry_snapshot": "Diagnostic manquant"}
            parcours.save()
    client_a.get(LIST, {"status": "EN_COURS"})  # the session's first stamps are written once
    with django_assert_max_num_queries(12):
        response = client_a.get(LIST, {"status": "EN_COURS"})
    assert len(names(response)) == min(rows, 50)


def test_csv_export_is_exactly_the_filtered_selection(client_a, people, caseworker_a):
    people["leroy"].last_name = "=HYPERLINK(1)"
    people["leroy"].save()
    response = client_a.get(reverse("participants:export_csv"), {"sort": "name"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Naissance", "Programme"]
    assert "Action rapide" not in rows[0]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1) Ana", "DURAND Alix", "MARTIN Sam"]
    assert rows[2][1] == "17/05/1980"
    assert "CANARY-B" not in text
    logged = AccessLog.objects.filter(actor=caseworker_a, action=AccessAction.EXPORT)
    assert sorted(logged.values_list("participant_id", flat=True)) == sorted(
        p.pk for p in people.values()
    )


def test_xlsx_export_neutralises_formulas(client_a, people):
    people["durand"].last_name = "@SUM(A1)"
    people["durand"].save()
    response = client_a.get(reverse("participants:export_xlsx"), {"status": "EN_COURS"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "'@SUM(A1) Alix"
    assert len(values) == 2


def test_people_without_a_structure_get_403(client, programmes):
    coordinator = f.UserFactory()
    coordination = f.CoordinationFactory()
    f.MembershipFactory(
        user=coordinator, role=Role.COORDINATOR, structure=None, coordination=coordination
    )
    client.force_login(coordinator)
    assert client.get(LIST, {"q": ""}).status_code == 403
    assert client.get(reverse("participants:export_csv")).status_code == 403


def test_home_sends_a_caseworker_to_what_needs_doing_today(client_a):
    response = client_a.get(reverse("home"))
    assert response["Location"] == reverse("participants:today")
