"""S23: anti-automation on bulk and expensive endpoints.

More than 30 exports or PDFs per user in 10 minutes, or 120 searches per minute, get a 429
page that says when to retry; a user opening more than 50 distinct participants' files in an
hour raises one security alert in the logs. The counters are in PostgreSQL (every worker
shares them); the clock is frozen and moved. The limits are settings: the tests below run
with small ones (SMALL), so that a limit is reached in a few requests; the first test pins
the production figures.
"""

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import resolve, reverse
from freezegun import freeze_time

from sites.enums import Role
from sites.ratelimit import services
from sites.ratelimit.models import FileOpening, RateEvent
from tests import factories as f
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, 30, tzinfo=dt.UTC)  # 30 s into a 10-minute window
EXPORTS, SEARCHES, FILES = 3, 5, 4
SMALL = override_settings(
    RATE_LIMITS={"export": (EXPORTS, 600), "search": (SEARCHES, 60)},
    RATE_LIMIT_FILES_ALERT=FILES,
)


def test_the_production_limits():
    assert settings.RATE_LIMITS == {"export": (30, 600), "search": (120, 60)}
    assert settings.RATE_LIMIT_FILES_ALERT == 50


@pytest.fixture
def caseworker(structure_a):
    return f.MembershipFactory(structure=structure_a, role=Role.CASEWORKER).user


def _get(client, url, at):
    with freeze_time(at):
        return client.get(url)


@SMALL
def test_the_export_past_the_limit_is_refused_with_a_retry_time(client, caseworker, structure_a):
    f.ParticipantFactory(structure=structure_a, last_name="Exportee")
    client.force_login(caseworker)
    url = reverse("participants:export_csv")
    for i in range(EXPORTS):
        assert _get(client, url, T0 + dt.timedelta(seconds=i)).status_code == 200
    refused = _get(client, url, T0 + dt.timedelta(seconds=40))
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Trop de demandes" in page and "Exportee" not in page
    retry_after = int(refused["Retry-After"])
    assert retry_after == 560  # the first export (T0) leaves the window at T0 + 10 min

    # Another person of the same structure is not held back by this one's exports.
    other = f.MembershipFactory(structure=structure_a, role=Role.CASEWORKER).user
    client.force_login(other)
    assert _get(client, url, T0 + dt.timedelta(seconds=41)).status_code == 200

    # A sliding window: a second before the first export leaves it, still refused (a
    # refusal is not counted: waiting is enough); at Retry-After, served.
    client.force_login(caseworker)
    assert _get(client, url, T0 + dt.timedelta(seconds=599)).status_code == 429
    served = _get(client, url, T0 + dt.timedelta(seconds=40 + retry_after))
    assert served.status_code == 200
    assert RateEvent.objects.filter(user=caseworker, bucket="export").count() == EXPORTS + 1


@SMALL
def test_the_search_past_the_limit_in_a_minute_is_refused_but_browsing_is_not(client, caseworker):
    client.force_login(caseworker)
    url = reverse("participants:list")
    at = T0.replace(second=0)
    for i in range(SEARCHES):
        response = _get(client, f"{url}?q=nom{i}", at + dt.timedelta(milliseconds=100 * i))
        assert response.status_code == 200
    assert _get(client, f"{url}?q=encore", at + dt.timedelta(seconds=13)).status_code == 429
    # The list without a search, and a blank search, are not searches.
    assert _get(client, f"{url}?sort=last_name", at + dt.timedelta(seconds=14)).status_code == 200
    assert _get(client, f"{url}?q=+", at + dt.timedelta(seconds=15)).status_code == 200
    assert _get(client, f"{url}?q=nom", at + dt.timedelta(minutes=2)).status_code == 200


SAMPLE = {"int": 1, "uuid": "00000000-0000-0000-0000-000000000001", "slug": "x", "str": "csv"}


def _route_view(route):
    values = {kwarg: SAMPLE[converter] for kwarg, converter in route.converters.items()}
    return resolve(route.url(values)).func


def test_every_export_pdf_and_download_route_is_limited():
    """By construction: a new route serving a file must carry the export limit."""
    serving_files = [
        r
        for r in all_routes()
        if any(
            mark in r.pattern
            for mark in ("export.", "export.<", ".pdf", ".csv", ".xlsx", "telecharger")
        )
        and not r.pattern.startswith(("admin/", "participants/import/exemple"))
    ]
    assert len(serving_files) >= 8
    unlimited = [r.name for r in serving_files if _route_view(r).rate_limit != "export"]
    assert unlimited == []
    # Generating a funder PDF (a POST) and searching are limited too.
    by_name = {r.name: r for r in all_routes()}
    assert _route_view(by_name["reporting:deployment_reports"]).rate_limit == "export"
    assert _route_view(by_name["participants:list"]).rate_limit == "search"


@SMALL
def test_a_search_in_the_admin_counts_as_a_search(client):
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = "/admin/participants/participant/"
    for i in range(SEARCHES):
        assert _get(client, f"{url}?q=x{i}", T0 + dt.timedelta(milliseconds=i)).status_code == 200
    assert _get(client, f"{url}?q=y", T0 + dt.timedelta(seconds=1)).status_code == 429
    assert _get(client, url, T0 + dt.timedelta(seconds=2)).status_code == 200


@SMALL
def test_opening_more_files_than_the_threshold_in_an_hour_raises_one_alert(
    client, caseworker, structure_a, caplog, django_capture_on_commit_callbacks
):
    participants = [f.ParticipantFactory(structure=structure_a) for _ in range(FILES + 2)]
    client.force_login(caseworker)
    caplog.set_level(logging.WARNING, logger="sillon.security")

    def open_file(p, minute):
        url = reverse("participants:detail", args=[p.pk])
        # The alert is logged once the request's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            assert _get(client, url, T0 + dt.timedelta(minutes=minute)).status_code == 200

    for i, p in enumerate(participants[:FILES]):
        open_file(p, i / 60)
    for p in participants[:2]:  # opening the same files again is not more files
        open_file(p, 1)
    assert [r for r in caplog.records if getattr(r, "event", "") == "security_alert"] == []

    open_file(participants[FILES], 2)
    open_file(participants[FILES + 1], 3)
    alerts = [r for r in caplog.records if getattr(r, "event", "") == "security_alert"]
    assert len(alerts) == 1
    assert alerts[0].user_id == caseworker.pk and alerts[0].files_last_hour == FILES + 1
    # The alert names nobody: beyond a plain log record it carries these fields only.
    plain = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
    assert {k: v for k, v in vars(alerts[0]).items() if k not in plain} == {
        "event": "security_alert",
        "alert": "files_opened",
        "user_id": caseworker.pk,
        "files_last_hour": FILES + 1,
        "threshold": FILES,
    }

    # An hour later the count starts again.
    with freeze_time(T0 + dt.timedelta(hours=2)):
        opened = services.note_file_opened(
            user_id=caseworker.pk, structure_id=structure_a.pk, participant_id=participants[0].pk
        )
        assert opened == 1


def test_counters_are_purged_after_a_day(caseworker, structure_a):
    with freeze_time(T0):
        services.hit(caseworker.pk, "export")
        services.note_file_opened(
            user_id=caseworker.pk, structure_id=structure_a.pk, participant_id=7
        )
    with freeze_time(T0 + dt.timedelta(days=2)):
        services.hit(caseworker.pk, "search")
        call_command("apply_retention", "--commit", stdout=None)
    assert list(RateEvent.objects.values_list("bucket", flat=True)) == ["search"]
    assert not FileOpening.objects.exists()
