"""Strict harness: warnings are errors (pyproject), random order (pytest-randomly),
undefined template variables raise (config.settings.test)."""

import os
import tempfile
from pathlib import Path

import pytest

# pgserver/platformdirs warn without a private runtime dir; give one before anything imports.
if not os.environ.get("XDG_RUNTIME_DIR"):
    _runtime = Path(tempfile.gettempdir()) / f"sillon-runtime-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)

from tests import factories as f  # noqa: E402


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
