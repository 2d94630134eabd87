"""S22: the log format, and the run-wide check of tests/conftest.py (that it can fail)."""

import json
import logging
import re

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string
from freezegun import freeze_time

from sites.enums import Role
from tests import factories as f
from tests.conftest import log_hygiene_problems
from tests.security.test_s23_anti_automation import SEARCHES, SMALL, T0


def _formatted(record: logging.LogRecord) -> str:
    spec = dict(settings.LOGGING["formatters"]["json"])
    return import_string(spec.pop("()"))(**spec).format(record)


def test_a_log_line_is_one_json_object_with_a_utc_timestamp_and_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "sillon.incidents",
            logging.ERROR,
            __file__,
            1,
            "Incident %s",
            ("AB12CD34",),
            sys.exc_info(),
        )
    line = _formatted(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "ERROR"
    assert data["logger"] == "sillon.incidents"
    assert data["message"] == "Incident AB12CD34"
    assert data["timestamp"].endswith("+00:00")
    assert "ValueError: boom" in data["exc_info"]
    assert log_hygiene_problems([line]) == []


def test_the_run_wide_check_flags_what_must_never_be_logged():
    ok = json.dumps({"timestamp": "2026-11-26T02:00:00+00:00", "message": "Not Found: /x/"})
    problems = log_hygiene_problems(
        [
            ok,
            "plain text line",
            json.dumps({"timestamp": "2026-11-26T03:00:00+01:00", "message": "local time"}),
            json.dumps({"timestamp": "2026-11-26T02:00:00+00:00", "message": "CANARY-B name"}),
            json.dumps({"timestamp": "2026-11-26T02:00:00+00:00", "message": "to a@b.fr"}),
            json.dumps({"timestamp": "2026-11-26T02:00:00+00:00", "message": "1850575123456 78"}),
        ]
    )
    assert len(problems) == 5
    assert not any("line 1 " in p for p in problems)


# Every logger, Django's included: 4xx and 5xx responses to URLs carrying a canary in their
# query string (and one in the path) leave route names and status codes in the log, in both
# formats (LOG_FORMAT=json and text), never the canary.

CANARY_Q = "q=CANARY-Herv%C3%A9&status="


class _Lines(logging.Handler):
    """Formats each record as the production console handler would, in both formats."""

    def __init__(self):
        super().__init__()
        from tests.conftest import configured_filters, configured_formatter

        self.formats = {name: configured_formatter(name) for name in ("json", "text")}
        for log_filter in configured_filters():
            self.addFilter(log_filter)
        self.lines: dict[str, list[str]] = {"json": [], "text": []}

    def emit(self, record):
        for name, formatter in self.formats.items():
            self.lines[name].append(formatter.format(record))


@pytest.fixture
def log_lines():
    handler = _Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.lines
    root.removeHandler(handler)


def _assert_person_free(lines: dict[str, list[str]]) -> list[dict]:
    assert lines["json"], "nothing was logged"
    for name in ("json", "text"):
        for line in lines[name]:
            assert "CANARY" not in line and "Herv" not in line, (name, line)
            assert "999999999" not in line and "q=" not in line, (name, line)
            assert not re.search(r"/participants/(\d|\?|nouveau)", line), (name, line)
            assert "WSGIRequest" not in line, (name, line)
    return [json.loads(line) for line in lines["json"]]


@pytest.mark.django_db
def test_4xx_responses_log_route_names_and_statuses_never_the_url(client, log_lines):
    caseworker = f.MembershipFactory(role=Role.CASEWORKER).user
    client.force_login(caseworker)
    participant = f.ParticipantFactory(structure=caseworker.memberships.get().structure)
    # 404: a file that does not exist, its id and a name searched in the URL.
    assert client.get(f"/participants/999999999/?{CANARY_Q}").status_code == 404
    # 403: a manager's page asked by a caseworker.
    rights = reverse("participants:rights_erase", kwargs={"participant_pk": participant.pk})
    assert client.get(f"{rights}?{CANARY_Q}").status_code == 403
    # 405: a GET on a POST-only route.
    commit = reverse("participants:import_commit", kwargs={"pk": 1})
    assert client.get(f"{commit}?{CANARY_Q}").status_code == 405
    # 403 from the CSRF check (django.security.csrf).
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(caseworker)
    assert csrf_client.post(f"/participants/nouveau/?{CANARY_Q}", {}).status_code == 403
    # 400: a suspicious operation (django.security.DisallowedHost) with a canary in the host.
    assert client.get(f"/?{CANARY_Q}", HTTP_HOST="canary-herve.example").status_code == 400

    records = _assert_person_free(log_lines)
    requests = {(r["logger"], r.get("status_code"), r.get("request")) for r in records}
    assert {
        ("django.request", 404, "GET participants:detail"),
        ("django.request", 403, "GET participants:rights_erase"),
        ("django.request", 405, "GET participants:import_commit"),
        ("django.security.csrf", 403, "POST participants:create"),
    } <= requests
    messages = {r["message"] for r in records}
    assert "Not Found: participants:detail" in messages
    assert "Method Not Allowed (GET): participants:import_commit" in messages
    (suspicious,) = [r for r in records if r["logger"] == "django.security.DisallowedHost"]
    assert "canary" not in json.dumps(suspicious).lower()
    assert "exc_info" not in suspicious


@pytest.mark.django_db
@SMALL
def test_a_search_refused_by_the_rate_limit_logs_no_name(client, log_lines):
    client.force_login(f.MembershipFactory(role=Role.CASEWORKER).user)
    url = reverse("participants:list")
    with freeze_time(T0):
        for _ in range(SEARCHES):
            assert client.get(f"{url}?{CANARY_Q}").status_code == 200
        assert client.get(f"{url}?{CANARY_Q}").status_code == 429
    records = _assert_person_free(log_lines)
    refused = [r for r in records if r.get("status_code") == 429]
    assert refused and refused[0]["message"] == "Too Many Requests: participants:list"


@pytest.mark.django_db
@pytest.mark.urls("tests.security.urls_s24")
def test_a_server_error_logs_its_route_never_its_url(log_lines):
    client = Client(raise_request_exception=False)
    assert client.get(f"/boom/?{CANARY_Q}").status_code == 500
    records = _assert_person_free(log_lines)
    loggers = {record["logger"] for record in records}
    assert {"sillon.incidents", "django.request"} <= loggers
    assert all(record.get("status_code", 500) == 500 for record in records)


def test_the_development_server_line_holds_the_route_not_the_url(log_lines):
    """What `manage.py runserver` logs for every request (django.server): its request line."""
    server = WSGIRequestHandler.__new__(WSGIRequestHandler)
    server.request = object()  # the socket the server attaches
    server.log_date_time_string = lambda: "26/Nov/2026 02:00:00"
    server.log_message('"%s" %s %s', f"GET /participants/?{CANARY_Q} HTTP/1.1", "200", "512")
    server.log_message('"%s" %s %s', "GET /participants/12/?q=CANARY HTTP/1.1", "404", "80")
    (ok, missing) = _assert_person_free(log_lines)
    assert ok["message"] == '"GET participants:list HTTP/1.1" 200 512'
    assert missing["message"] == '"GET participants:detail HTTP/1.1" 404 80'
    assert ok["request"] == "-"


def test_records_of_our_own_loggers_pass_untouched(log_lines):
    logging.getLogger("sillon.security").warning("rate limited", extra={"route": "x:y"})
    (record,) = _assert_person_free(log_lines)
    assert record["message"] == "rate limited" and record["route"] == "x:y"
