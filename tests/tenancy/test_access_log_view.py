""" "Qui a consulté ce dossier ?" (quality.md §5.1): managers of the structure only."""

import pytest
from django.urls import reverse

from sites.audit.models import AccessAction, AccessLog
from sites.enums import Role
from tests import factories as f
from tests.security.seed import full_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_a(structure_a, caseworker_a):
    return full_file(structure_a, "A", actor=caseworker_a)


def _url(participant):
    return reverse("participants_access_log", args=[participant.pk])


def test_manager_sees_who_opened_the_file(client, file_a, structure_a, caseworker_a):
    manager = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    client.force_login(manager)
    response = client.get(_url(file_a.participant))
    assert response.status_code == 200
    body = response.content.decode()
    assert caseworker_a.get_full_name() in body
    assert "Qui a consulté ce dossier" in body
    # Opening the history names the person: it is an access too, logged once.
    assert AccessLog.objects.filter(actor=manager, action=AccessAction.VIEW).count() == 1


def test_caseworker_of_the_structure_is_refused(client, file_a, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(_url(file_a.participant)).status_code == 403


def test_other_structure_gets_a_404_like_a_missing_file(client, file_a, structure_b):
    manager_b = f.MembershipFactory(structure=structure_b, role=Role.MANAGER).user
    client.force_login(manager_b)
    assert client.get(_url(file_a.participant)).status_code == 404
    missing = reverse("participants_access_log", args=[file_a.participant.pk + 10_000])
    assert client.get(missing).status_code == 404
    assert not AccessLog.objects.filter(actor=manager_b).exists()


def test_a_platform_administrator_reaches_the_page_only_as_a_manager(client, file_a, structure_a):
    """One rule (`participants.policies.can_read_access_log`): the structure's managers. A
    platform administrator without a membership sees no file in the application (404)."""
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(_url(file_a.participant)).status_code == 404
    f.MembershipFactory(user=admin, structure=structure_a, role=Role.MANAGER)
    assert client.get(_url(file_a.participant)).status_code == 200
