"""The settings every connection to the application's database runs with.

JIT compilation is off: with it, a PostgreSQL built with LLVM (Debian's packages) compiled
the coordinator dashboards' statements on every request, 1.7–1.9 s a page instead of
26–28 ms (docs/performance.md). The test database here is built without LLVM, so these
tests check the setting itself and where it comes from: the web connection's start-up
options, and the database's default for a connection that gives none, as one through
PgBouncer does.
"""

import io

import psycopg
import pytest
from django.db import connection

from sites import database_settings

pytestmark = pytest.mark.django_db


def _jit(cursor) -> tuple[str, str]:
    cursor.execute("SELECT setting, source FROM pg_settings WHERE name = 'jit'")
    return cursor.fetchone()


def _database_default(cursor) -> list:
    cursor.execute(
        "SELECT s.setconfig FROM pg_db_role_setting s "
        "JOIN pg_database d ON d.oid = s.setdatabase "
        "WHERE d.datname = current_database() AND s.setrole = 0"
    )
    return [item for (config,) in cursor.fetchall() for item in config]


def test_web_connection_asks_for_no_jit_and_its_timeouts():
    with connection.cursor() as cursor:
        assert _jit(cursor) == ("off", "client")  # the start-up options, not the database
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "5s"


def test_connection_without_startup_options_gets_no_jit_from_the_database():
    params = connection.get_connection_params()
    params = {
        k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}
    }
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        assert _jit(cursor) == ("off", "database")


def test_migrate_puts_the_setting_back_after_a_restore_lost_it():
    """`pg_restore` into an empty database does not carry ALTER DATABASE settings over;
    the post_migrate receiver sets it again (inside the test's transaction, rolled back)."""
    with connection.cursor() as cursor:
        assert "jit=off" in _database_default(cursor)
        cursor.execute("SELECT format('ALTER DATABASE %I RESET jit', current_database())")
        cursor.execute(cursor.fetchone()[0])
        assert "jit=off" not in _database_default(cursor)
        database_settings.post_migrate_settings(sender=None, using="default")
        assert "jit=off" in _database_default(cursor)


def test_a_role_that_may_not_alter_the_database_is_told_where_the_server_has_jit(monkeypatch):
    # This server has no JIT and the tests own their database: the server's answer to "may
    # the role alter it, can it compile" is given as a role that does not own it would get
    # on a server built with LLVM.
    monkeypatch.setattr(database_settings, "CAN_SQL", "SELECT false, true")
    out = io.StringIO()
    assert database_settings.ensure_no_jit(connection, stderr=out) is False
    assert "ALTER DATABASE" in out.getvalue() and connection.settings_dict["NAME"] in out.getvalue()
    # The same role on a server without JIT: nothing to say.
    monkeypatch.setattr(database_settings, "CAN_SQL", "SELECT false, false")
    out = io.StringIO()
    assert database_settings.ensure_no_jit(connection, stderr=out) is True
    assert out.getvalue() == ""
