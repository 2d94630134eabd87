"""A funder report whose PDF waits too long is shown as stalled, with a retry (issue 18,
item 4): the worker stopped mid-way (its database went away) or never ran."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.models import ReportSnapshot, ReportStatus
from reporting.tasks import render_report_snapshot

pytestmark = pytest.mark.django_db
# Jobs stay queued, as when no worker runs (tests otherwise render inline).
QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def pending(client, funder, world):
    """A report frozen while no worker runs: PENDING, never rendered."""
    client.force_login(funder)
    with override_settings(TASKS=QUEUED):
        response = client.post(
            reverse("reporting:deployment_reports", args=[world.deployment.pk]),
            {"periode": "2021"},
        )
    assert response.status_code == 302
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.status == ReportStatus.PENDING
    return snapshot


def _queued(snapshot, minutes_ago: int, status=ReportStatus.PENDING):
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        queued_at=timezone.now() - dt.timedelta(minutes=minutes_ago), status=status
    )
    snapshot.refresh_from_db()
    return snapshot


def _detail(client, snapshot, **headers) -> str:
    url = reverse("reporting:snapshot_detail", args=[snapshot.uuid])
    return client.get(url, **headers).content.decode()


def _retry(client, snapshot):
    return client.post(reverse("reporting:snapshot_retry", args=[snapshot.uuid]))


def test_a_report_waiting_past_the_delay_is_stalled_and_retried(client, pending):
    fresh = _detail(client, pending)
    assert "semble bloquée" not in fresh
    assert reverse("reporting:snapshot_retry", args=[pending.uuid]) not in fresh
    _queued(pending, minutes_ago=11)
    for page in (_detail(client, pending), _detail(client, pending, HTTP_HX_REQUEST="true")):
        assert "La génération attend depuis plus de 10 minutes : elle semble bloquée." in page
        assert reverse("reporting:snapshot_retry", args=[pending.uuid]) in page
        assert "Relancer la génération" in page
    listing = client.get(
        reverse("reporting:deployment_reports", args=[pending.deployment_id])
    ).content.decode()
    assert "Bloqué" in listing
    response = _retry(client, pending)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:snapshot_detail", args=[pending.uuid])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "La génération du PDF est relancée."
    ]
    retried = ReportSnapshot.objects.get(pk=pending.pk)
    assert retried.status == ReportStatus.DONE  # rendered inline in tests
    assert bytes(retried.pdf).startswith(b"%PDF")
    assert retried.queued_at > pending.queued_at
    assert retried.figures_sha256 == pending.figures_sha256  # the same frozen figures


def test_a_running_report_stalls_too_and_the_delay_is_a_setting(client, pending):
    _queued(pending, minutes_ago=3, status=ReportStatus.RUNNING)
    assert not pending.is_stalled
    with override_settings(REPORT_STALLED_AFTER_MINUTES=2):
        assert pending.is_stalled
        assert "plus de 2 minutes" in _detail(client, pending)
        assert _retry(client, pending).status_code == 302
    assert ReportSnapshot.objects.get(pk=pending.pk).status == ReportStatus.DONE


def test_a_report_not_stalled_is_not_queued_again(client, pending):
    _queued(pending, minutes_ago=5)
    response = _retry(client, pending)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Ce rapport n'est ni bloqué ni en échec : rien à relancer."
    ]
    after = ReportSnapshot.objects.get(pk=pending.pk)
    assert (after.status, after.queued_at) == (ReportStatus.PENDING, pending.queued_at)


def test_a_failed_report_may_be_retried(client, pending):
    ReportSnapshot.objects.filter(pk=pending.pk).update(
        status=ReportStatus.FAILED, progress=100, error="OperationalError"
    )
    assert "Relancer la génération" in _detail(client, pending)
    _retry(client, pending)
    after = ReportSnapshot.objects.get(pk=pending.pk)
    assert (after.status, after.error) == (ReportStatus.DONE, "")


def test_two_retries_at_once_queue_one_rendering(funder, pending):
    from sites.tenancy import scope_for_user

    _queued(pending, minutes_ago=30)
    scope = scope_for_user(funder)
    with override_settings(TASKS=QUEUED):
        assert services.report_snapshot_retry(scope=scope, snapshot=pending) is True
        # The second one sees a report queued a moment ago: not stalled any more.
        assert services.report_snapshot_retry(scope=scope, snapshot=pending) is False


def test_a_job_queued_before_a_retry_leaves_a_done_report_alone(client, pending):
    _queued(pending, minutes_ago=30)
    _retry(client, pending)
    done = ReportSnapshot.objects.get(pk=pending.pk)
    render_report_snapshot.call(pending.pk)  # the first job, run late by a worker back
    again = ReportSnapshot.objects.get(pk=pending.pk)
    assert (again.status, again.progress, again.pdf_sha256) == (
        ReportStatus.DONE,
        100,
        done.pdf_sha256,
    )


def test_only_who_sees_the_report_may_retry_it(client, pending, caseworker_trajet):
    from sites.enums import Role
    from tests import factories as f

    _queued(pending, minutes_ago=30)
    assert client.get(reverse("reporting:snapshot_retry", args=[pending.uuid])).status_code == 405
    stranger = f.MembershipFactory(role=Role.FUNDER, structure=None, funder=f.FunderFactory()).user
    for user in (stranger, caseworker_trajet):
        client.force_login(user)
        assert _retry(client, pending).status_code == 404
    assert ReportSnapshot.objects.get(pk=pending.pk).status == ReportStatus.PENDING
