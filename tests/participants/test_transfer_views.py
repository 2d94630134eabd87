"""The transfer screens: who may transfer, the form's refusals (a forged target), the file
read-only for 30 days in the sending structure, then gone; both structures' views."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import Participant, Transfer
from sites.audit.models import AccessLog
from sites.enums import Role
from tests import factories as f
from tests.participants.test_transfers import file_in

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def url(name, **kwargs):
    return reverse(f"participants:{name}", kwargs=kwargs)


@pytest.fixture
def deployment(structure_a, structure_b, programmes):
    deployment = f.DeploymentFactory(programme=programmes["CVG"], start_date=dt.date(2020, 1, 1))
    deployment.structures.add(structure_a, structure_b)
    return deployment


@pytest.fixture
def manager_a(structure_a):
    return f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user


@pytest.fixture
def manager_b(structure_b):
    return f.MembershipFactory(structure=structure_b, role=Role.MANAGER).user


def _post(client, person, to, **extra):
    day = TODAY.strftime("%d/%m/%Y")
    data = {"to_structure": to.pk, "date": day, "consent_on": day, "consent": "on", **extra}
    return client.post(url("participant_transfer", participant_pk=person.pk), data)


def test_a_manager_transfers_and_then_reads_the_file_only(
    client, deployment, structure_a, structure_b, manager_a
):
    person, _ = file_in(structure_a)
    client.force_login(manager_a)
    page = client.get(url("detail", participant_pk=person.pk))
    assert "Transférer le dossier" in page.content.decode()
    form = client.get(url("participant_transfer", participant_pk=person.pk))
    assert list(form.context["form"].fields["to_structure"].queryset) == [structure_b]
    response = _post(client, person, structure_b)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.structure == structure_b
    record = Transfer.objects.get()
    assert (record.consent_on, record.recorded_by) == (TODAY, manager_a)
    # The file is now read-only for A: its page says until when, with no edit link.
    before = AccessLog.objects.count()
    page = client.get(url("detail", participant_pk=person.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "sans le modifier" in body and structure_b.name in body
    assert "Modifier l'identité" not in body
    log = AccessLog.objects.order_by("pk")[before:]
    assert [(r.participant_id, r.structure_id) for r in log] == [(person.pk, structure_a.pk)]
    # Every write screen is a 404 for A, like another structure's file.
    for name in ("update", "parcours_enrol", "snapshot_create", "participant_transfer"):
        assert client.get(url(name, participant_pk=person.pk)).status_code == 404, name
    # The list of transfers shows it to A.
    assert f"Dossier n° {person.pk}" in client.get(url("transfers")).content.decode()


def test_the_receiving_structure_sees_the_transfer_and_the_history(
    client, deployment, structure_a, structure_b, manager_a, manager_b
):
    person, _ = file_in(structure_a)
    services.participant_transfer(
        participant=person,
        to_structure=structure_b,
        date=TODAY,
        consent_on=TODAY,
        actor=manager_a,
    )
    client.force_login(manager_b)
    body = client.get(url("detail", participant_pk=person.pk)).content.decode()
    assert "Transferts du dossier" in body
    assert structure_a.name in body  # the transfer and A's parcours, read-only
    assert "Modifier l'identité" in body  # B's file now
    assert f"Dossier n° {person.pk}" in client.get(url("transfers")).content.decode()
    # B finds the person among the orientations waiting on "Aujourd'hui".
    assert str(person) in client.get(url("today") + "?qui=structure").content.decode()


def test_after_30_days_the_sending_structure_no_longer_opens_the_file(
    client, deployment, structure_a, structure_b, manager_a
):
    person, _ = file_in(structure_a)
    services.participant_transfer(
        participant=person,
        to_structure=structure_b,
        date=TODAY - dt.timedelta(days=31),
        consent_on=TODAY - dt.timedelta(days=31),
        actor=manager_a,
    )
    client.force_login(manager_a)
    assert client.get(url("detail", participant_pk=person.pk)).status_code == 404
    listing = client.get(url("transfers")).content.decode()
    assert "accès terminé" in listing and person.last_name not in listing


def test_a_caseworker_may_not_transfer(client, deployment, structure_a, structure_b):
    person, _ = file_in(structure_a)
    caseworker = f.MembershipFactory(structure=structure_a).user
    client.force_login(caseworker)
    assert client.get(url("participant_transfer", participant_pk=person.pk)).status_code == 403
    assert _post(client, person, structure_b).status_code == 403
    assert (
        "Transférer le dossier"
        not in client.get(url("detail", participant_pk=person.pk)).content.decode()
    )
    assert Participant.objects.get(pk=person.pk).structure == structure_a


def test_a_forged_target_outside_the_deployment_is_refused(
    client, deployment, structure_a, manager_a
):
    person, _ = file_in(structure_a)
    outside = f.StructureFactory(name="Hors déploiement")
    client.force_login(manager_a)
    response = _post(client, person, outside)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["to_structure"]] == [
        "invalid_choice"
    ]
    assert not Transfer.objects.exists()
    assert Participant.objects.get(pk=person.pk).structure == structure_a


def test_consent_is_required(client, deployment, structure_a, structure_b, manager_a):
    person, _ = file_in(structure_a)
    client.force_login(manager_a)
    response = _post(client, person, structure_b, consent="")
    assert "consent" in response.context["form"].errors
    assert not Transfer.objects.exists()


def test_another_structure_s_manager_cannot_transfer_a_file(
    client, deployment, structure_a, structure_b, manager_b
):
    person, _ = file_in(structure_a)
    client.force_login(manager_b)
    assert _post(client, person, structure_b).status_code == 404
    assert not Transfer.objects.exists()


def test_the_sender_s_hours_grid_no_longer_lists_the_transferred_person(
    client, deployment, structure_a, structure_b, manager_a
):
    person, parcours = file_in(structure_a, start=TODAY - dt.timedelta(days=60))
    monday = TODAY - dt.timedelta(days=TODAY.weekday() + 7)
    grid = url(
        "hours_grid",
        site_pk=parcours.work_site_id,
        year=monday.isocalendar().year,
        week=monday.isocalendar().week,
    )
    client.force_login(manager_a)
    assert str(person) in client.get(grid).content.decode()
    services.participant_transfer(
        participant=person, to_structure=structure_b, date=TODAY, consent_on=TODAY, actor=manager_a
    )
    # Its weeks stay A's hours (reporting), but nobody can write them any more.
    assert str(person) not in client.get(grid).content.decode()
