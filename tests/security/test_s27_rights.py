"""S27 and quality.md §5.3: people's rights on a file, from the file page, for the structure's
managers only — export the whole file (JSON and PDF, access history included), anonymise,
erase. Each export writes exactly one read-access row."""

import io
import json

import pypdf
import pytest
from django.urls import reverse

from participants import models as pm
from participants.enums import SENSITIVE_BARRIERS
from participants.rights.export import CHILDREN
from sites.audit.models import AccessAction, AccessLog
from sites.enums import Role
from tests import factories as f
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_a(structure_a):
    return f.MembershipFactory(
        structure=structure_a, role=Role.MANAGER, can_view_sensitive=True
    ).user


@pytest.fixture
def file_a(structure_a, caseworker_a):
    return full_file(structure_a, "A", actor=caseworker_a)


@pytest.fixture
def file_b(structure_b):
    return full_file(structure_b, "B")


def _url(name, participant):
    return reverse(f"participants:{name}", kwargs={"participant_pk": participant.pk})


def _logs(participant):
    return AccessLog.objects.filter(participant_id=participant.pk)


def test_the_file_page_offers_the_rights_to_managers_only(client, file_a, manager_a, caseworker_a):
    p = file_a.participant
    client.force_login(manager_a)
    body = client.get(_url("detail", p)).content.decode()
    for name in ("rights_export_json", "rights_export_pdf", "rights_anonymise", "rights_erase"):
        assert _url(name, p) in body
    assert reverse("participants_access_log", kwargs={"participant_pk": p.pk}) in body
    client.force_login(caseworker_a)
    body = client.get(_url("detail", p)).content.decode()
    assert "/droits/" not in body
    assert reverse("participants_access_log", kwargs={"participant_pk": p.pk}) not in body


def test_json_export_holds_every_field_of_every_row_and_the_access_history(
    client, file_a, manager_a, caseworker_a, file_b
):
    p = file_a.participant
    client.force_login(manager_a)
    before = _logs(p).count()
    response = client.get(_url("rights_export_json", p))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    # Exactly one access row, an export.
    assert _logs(p).count() == before + 1
    assert _logs(p).latest("at").action == AccessAction.EXPORT
    # 100 % of the participant's fields, enumerated from the model.
    fields = {field.name for field in pm.Participant._meta.concrete_fields}
    assert set(data["participant"]) == fields
    assert data["participant"]["last_name"] == "CANARY-A-NOM"
    assert data["participant"]["birth_date"] == p.birth_date.isoformat()
    # Every row of every child table, with every field (sensitive ones: this manager may).
    for key, model, path in CHILDREN:
        expected = model.objects.filter(**{path: p})
        assert len(data[key]) == expected.count() >= 1, key
        assert {row["id"] for row in data[key]} == set(expected.values_list("pk", flat=True))
        for row in data[key]:
            assert set(row) == {field.name for field in model._meta.concrete_fields}, key
    assert data["actions"][0]["note"] == "CANARY-A-NOTE"
    assert data["exits"][0]["comment"] == "CANARY-A-SORTIE"
    assert data["followup_checks"][0]["comment"] == "CANARY-A-SUIVI"
    # The access history: the caseworker's earlier view and this export.
    who = {(entry["who"], entry["action"]["code"]) for entry in data["access_history"]}
    name = caseworker_a.get_full_name() or caseworker_a.email
    assert (name, AccessAction.VIEW) in who
    assert (manager_a.get_full_name() or manager_a.email, AccessAction.EXPORT) in who
    assert "CANARY-B" not in response.content.decode()


def test_sensitive_barriers_are_exported_only_with_the_permission(client, file_a, structure_a):
    manager = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    client.force_login(manager)
    data = json.loads(client.get(_url("rights_export_json", file_a.participant)).content)
    assert data["includes_sensitive_data"] is False
    for code in SENSITIVE_BARRIERS:
        assert f"barrier_{code}" not in data["situations"][0]
    assert "barrier_logement" in data["situations"][0]


def test_pdf_export_is_a_pdf_of_the_file_and_writes_one_print_row(
    client, file_a, manager_a, caseworker_a
):
    p = file_a.participant
    client.force_login(manager_a)
    before = _logs(p).count()
    response = client.get(_url("rights_export_pdf", p))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    for canary in ("CANARY-A-NOM", "CANARY-A-NOTE", "CANARY-A-SORTIE", "CANARY-A-ENTREPRISE"):
        assert canary in text
    assert p.birth_date.strftime("%d/%m/%Y") in text
    assert "Historique des accès" in text
    assert (caseworker_a.get_full_name() or caseworker_a.email) in text
    assert _logs(p).count() == before + 1
    assert _logs(p).latest("at").action == AccessAction.PRINT


@pytest.mark.parametrize(
    "name", ["rights_export_json", "rights_export_pdf", "rights_anonymise", "rights_erase"]
)
def test_other_structure_is_404_and_caseworker_403(client, name, file_a, file_b, manager_a):
    # Exports answer GET only (a POST is a 405 before any lookup, revealing nothing).
    methods = ("get",) if name.startswith("rights_export") else ("get", "post")
    client.force_login(manager_a)
    for method in methods:
        assert getattr(client, method)(_url(name, file_b.participant)).status_code == 404
    caseworker = f.MembershipFactory(structure=file_a.participant.structure).user
    client.force_login(caseworker)
    for method in methods:
        assert getattr(client, method)(_url(name, file_a.participant)).status_code == 403
    assert pm.Participant.objects.filter(pk=file_b.participant.pk, last_name="CANARY-B-NOM")
    assert pm.Participant.objects.filter(pk=file_a.participant.pk, last_name="CANARY-A-NOM")
    assert not _logs(file_b.participant).exists()


def test_anonymise_asks_then_leaves_no_name_nor_birth_date(client, file_a, manager_a):
    p = file_a.participant
    client.force_login(manager_a)
    page = client.get(_url("rights_anonymise", p))
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    p.refresh_from_db()
    assert p.anonymised_at is None  # the GET only asks
    response = client.post(_url("rights_anonymise", p))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.anonymised_at is not None
    assert "CANARY" not in f"{p.last_name} {p.first_name} {p.address} {p.orienteur}"
    assert (p.birth_date.month, p.birth_date.day) == (1, 1)  # the year only
    assert not pm.AccompanimentAction.objects.filter(note__startswith="CANARY-A").exists()
    events = pm.Participant.pgh_event_model.objects.filter(pgh_obj_id=p.pk)
    assert not events.filter(last_name="CANARY-A-NOM").exists()


def test_erase_asks_then_leaves_no_row(client, file_a, manager_a, file_b):
    p = file_a.participant
    client.force_login(manager_a)
    assert client.get(_url("rights_erase", p)).status_code == 200
    assert pm.Participant.objects.filter(pk=p.pk).exists()
    response = client.post(_url("rights_erase", p))
    assert response.status_code == 302
    assert not pm.Participant.objects.filter(pk=p.pk).exists()
    for model in [pm.Participant, *(model for _key, model, _path in CHILDREN)]:
        assert not model.objects.filter(structure=p.structure_id).exists(), model
        assert not model.pgh_event_model.objects.filter(structure_id=p.structure_id).exists()
    # B untouched.
    assert pm.Participant.objects.filter(pk=file_b.participant.pk).exists()


def test_anonymise_and_erase_need_the_csrf_token(file_a, manager_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_a)
    for name in ("rights_anonymise", "rights_erase"):
        assert client.post(_url(name, file_a.participant)).status_code == 403
    assert pm.Participant.objects.filter(
        pk=file_a.participant.pk, last_name="CANARY-A-NOM"
    ).exists()
