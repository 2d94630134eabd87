"""The read-access log helper (quality.md §5.1, S21)."""

import pytest
from django.test import RequestFactory

from participants.selectors import access_log_for_participant
from sites.audit.models import AccessAction, AccessLog
from sites.audit.services import log_bulk_read, log_read
from sites.enums import Role
from sites.tenancy import scope_for_user
from tests import factories as f

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.scope = scope_for_user(user)
    request.request_id = "abc123"
    return request


def test_log_read_records_who_what_where(structure_a, caseworker_a):
    participant = f.ParticipantFactory(structure=structure_a)
    row = log_read(_request(caseworker_a), participant=participant, action=AccessAction.PRINT)
    row.refresh_from_db()
    assert (row.actor_id, row.actor_role, row.structure_id, row.participant_id) == (
        caseworker_a.pk,
        Role.CASEWORKER,
        structure_a.pk,
        participant.pk,
    )
    assert row.action == AccessAction.PRINT
    assert row.request_id == "abc123"
    assert row.at.utcoffset().total_seconds() == 0


def test_log_read_refuses_a_participant_outside_the_scope(caseworker_a, structure_b):
    other = f.ParticipantFactory(structure=structure_b)
    with pytest.raises(PermissionError):
        log_read(_request(caseworker_a), participant=other)
    assert not AccessLog.objects.exists()


def test_sensitive_access_needs_a_reason(structure_a, caseworker_a):
    participant = f.ParticipantFactory(structure=structure_a)
    with pytest.raises(ValueError, match="reason"):
        log_read(_request(caseworker_a), participant=participant, action=AccessAction.SENSITIVE)
    row = log_read(
        _request(caseworker_a),
        participant=participant,
        action=AccessAction.SENSITIVE,
        reason="Synthèse avec le CSAPA",
    )
    assert row.reason == "Synthèse avec le CSAPA"


def test_bulk_read_writes_one_row_per_participant(structure_a, caseworker_a):
    people = f.ParticipantFactory.create_batch(3, structure=structure_a)
    assert log_bulk_read(_request(caseworker_a), participants=people) == 3
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 3


def test_only_managers_see_who_viewed_a_file(structure_a, caseworker_a):
    participant = f.ParticipantFactory(structure=structure_a)
    log_read(_request(caseworker_a), participant=participant)
    manager = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    other_manager = f.MembershipFactory(role=Role.MANAGER).user
    assert (
        access_log_for_participant(scope=scope_for_user(manager), participant=participant).count()
        == 1
    )
    for user in (caseworker_a, other_manager):
        assert not access_log_for_participant(
            scope=scope_for_user(user), participant=participant
        ).exists()


def test_the_history_follows_the_one_access_log_rule(structure_a, caseworker_a):
    """`access_log_for_participant` answers exactly what `can_read_access_log` allows: a
    platform administrator who does not manage the structure gets nothing either."""
    from participants.policies import can_read_access_log

    participant = f.ParticipantFactory(structure=structure_a)
    log_read(_request(caseworker_a), participant=participant)
    admin = f.UserFactory(is_superuser=True, is_staff=True)
    manager = f.MembershipFactory(structure=structure_a, role=Role.MANAGER).user
    for user, allowed in ((admin, False), (manager, True), (caseworker_a, False)):
        scope = scope_for_user(user)
        assert can_read_access_log(scope, structure_a.pk) is allowed
        rows = access_log_for_participant(scope=scope, participant=participant)
        assert rows.exists() is allowed
