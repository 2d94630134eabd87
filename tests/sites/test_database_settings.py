"""The settings every connection to the application's database runs with.

JIT compilation is off: with it, a PostgreSQL built with LLVM (Debian's packages) compiled
the coordinator dashboards' statements on every request, 1.7–1.9 s a page instead of
26–28 ms (docs/performance.md). The test database here is built without LLVM, so these
tests check the setting itself, on the web connection and on a connection that gives no
startup option, as one through PgBouncer does.
"""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _show(cursor, name: str) -> str:
    cursor.execute(f"SHOW {name}")
    return cursor.fetchone()[0]


def test_web_connection_has_no_jit_and_its_timeouts():
    with connection.cursor() as cursor:
        assert _show(cursor, "jit") == "off"
        assert _show(cursor, "statement_timeout") == "10s"
        assert _show(cursor, "lock_timeout") == "5s"


def test_database_default_has_no_jit():
    """Migration sites/0009: the database's own default, which a pooled connection gets."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s "
            "JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        rows = cursor.fetchall()
    assert rows and "jit=off" in rows[0][0]


def test_connection_without_startup_options_has_no_jit():
    params = connection.get_connection_params()
    params.pop("options", None)  # as through PgBouncer, which refuses the startup option
    params = {
        k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}
    }
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        assert _show(cursor, "jit") == "off"
        # The timeouts are not the database's: behind a pooler they are the login role's
        # (docs/deployment.md), so a bare connection keeps the server's default.
        assert _show(cursor, "statement_timeout") == "0"
