"""Strict harness: warnings are errors (pyproject), random order (pytest-randomly),
undefined template variables raise (config.settings.test)."""

import json
import logging
import os
import re
import tempfile
from pathlib import Path

import pytest

# pgserver/platformdirs warn without a private runtime dir; give one before anything imports.
if not os.environ.get("XDG_RUNTIME_DIR"):
    _runtime = Path(tempfile.gettempdir()) / f"sillon-runtime-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)


from tests import factories as f  # noqa: E402
from tests import hypothesis_profiles  # noqa: E402, F401  (loads the dev or ci profile)


def pytest_configure(config):
    """One clear line instead of a collection error in every module that imports WeasyPrint
    when its system libraries are missing (its warning is an error in this harness)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            import weasyprint  # noqa: F401
        except (OSError, Warning) as error:
            first_line = str(error).strip().splitlines()[0]
            pytest.exit(
                f"WeasyPrint's system libraries are missing ({first_line}) - run `make test`, "
                "which installs them (scripts/system-deps.sh test).",
                returncode=pytest.ExitCode.USAGE_ERROR,
            )


@pytest.fixture
def structure_a():
    return f.StructureFactory(name="Structure A", slug="structure-a")


@pytest.fixture
def structure_b():
    return f.StructureFactory(name="Structure B CANARY-B-STRUCT", slug="structure-b")


@pytest.fixture
def caseworker_a(structure_a):
    return f.MembershipFactory(structure=structure_a).user


@pytest.fixture(scope="session", autouse=True)
def _close_every_connection_before_dropping_the_test_database(django_db_setup):
    """Tests of the reporting replica alias open a second connection to the test database;
    Django only closes the default one before DROP DATABASE, which then fails."""
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture(autouse=True)
def _default_language():
    """A test request in English leaves English active in the thread (LocaleMiddleware sets
    it per request and nothing resets it in tests); every test starts in French, the default."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# S22 — log hygiene over the whole run: every record any test produced, formatted as
# production formats it, must be one JSON object with a UTC timestamp and hold no personal
# data or secret seeded by the tests. Checked once at the end (pytest_sessionfinish).
LOG_LEAKS = {
    "a test canary": re.compile(r"CANARY"),
    "a seeded first name": re.compile(r"\b(Dominique|Golden)\b"),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
    "a social security number (NIR)": re.compile(r"\b[12]\d{12}(\d{2})?\b"),
    "a test password": re.compile(r"correct horse battery staple|sillon-demo-2026"),
    "a session cookie": re.compile(r"sessionid=|sillon_session="),
}
_LOG_LINES: list[str] = []
_TEXT_LINES: list[str] = []


def configured_formatter(name: str) -> logging.Formatter:
    """A formatter of settings.LOGGING (`json` or `text`), built as dictConfig builds it."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    spec = dict(settings.LOGGING["formatters"][name])
    if "()" in spec:
        return import_string(spec.pop("()"))(**spec)
    return logging.Formatter(spec["format"])


def configured_filters() -> list[logging.Filter]:
    """The filters of the production console handler (the person-free rewriting)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    names = settings.LOGGING["handlers"]["console"].get("filters", [])
    return [import_string(settings.LOGGING["filters"][name]["()"])() for name in names]


class _RunLogHandler(logging.Handler):
    """Keeps every record of the run, through the production handler's filters, formatted
    by the project's JSON formatter and by its text one (LOG_FORMAT=text)."""

    def __init__(self):
        super().__init__()
        self.text = configured_formatter("text")

    def emit(self, record: logging.LogRecord) -> None:
        _LOG_LINES.append(self.format(record))
        _TEXT_LINES.append(self.text.format(record))


@pytest.fixture(scope="session", autouse=True)
def _log_hygiene(django_db_setup):
    handler = _RunLogHandler()
    handler.setFormatter(configured_formatter("json"))
    for log_filter in configured_filters():
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)


def text_log_problems(lines: list[str]) -> list[str]:
    """The same leaks in the text format's lines (which are not JSON)."""
    return [
        f"text log line {number} holds {what}: {line[:160]!r}"
        for number, line in enumerate(lines, start=1)
        for what, pattern in LOG_LEAKS.items()
        if pattern.search(line)
    ]


def log_hygiene_problems(lines: list[str]) -> list[str]:
    problems = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"log line {number} is not JSON: {line[:120]!r}")
            continue
        if not str(record.get("timestamp", "")).endswith("+00:00"):
            problems.append(f"log line {number} has no UTC timestamp: {line[:120]!r}")
        for what, pattern in LOG_LEAKS.items():
            if pattern.search(line):
                problems.append(f"log line {number} holds {what}: {line[:160]!r}")
    return problems


_WORKERS_PROBLEMS: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: a worker hands its log problems to the controller, which reports them."""
    _WORKERS_PROBLEMS.extend(getattr(node, "workeroutput", {}).get("log_hygiene", []))


def pytest_sessionfinish(session, exitstatus):
    problems = log_hygiene_problems(_LOG_LINES) + text_log_problems(_TEXT_LINES)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["log_hygiene"] = problems
        return
    problems += _WORKERS_PROBLEMS
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"S22 log hygiene: {len(problems)} problem(s)", red=True)
            for problem in problems[:50]:
                reporter.write_line(f"  {problem}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
