"""S22: the log format, and the run-wide check of tests/conftest.py (that it can fail)."""

import json
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from tests.conftest import log_hygiene_problems


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
