"""The application database's own settings, applied again after every `migrate`.

`jit = off` (docs/performance.md, "JIT"): a PostgreSQL built with LLVM compiled the
coordinator dashboards' statements on every request, 1.7–1.9 s a page. The web connections
ask for it at start-up (config/settings/base.py); connections that cannot — through
PgBouncer, the worker's, psql — get it from the database's default. Migration sites/0009
set it once; setting it after every `migrate` also puts it back on a database restored with
`pg_restore` into an empty database, which does not carry `ALTER DATABASE … SET` settings
over. It needs the database's owner: run by another role where the server can compile,
`migrate` says so on its error output (PostgreSQL's own warning is a notice nobody reads).
"""

import sys

SET_SQL = "SELECT format('ALTER DATABASE %I SET jit = off', current_database())"
# Whether the current role may alter the database (owns it, or is a member of its owner),
# and whether the server can compile at all.
CAN_SQL = """
SELECT pg_has_role(current_user, d.datdba, 'USAGE'), pg_jit_available()
FROM pg_database d WHERE d.datname = current_database()
"""

NOT_OWNER = (
    "jit is not turned off on database {name}: the role running migrate does not own it. "
    "Run as its owner: ALTER DATABASE {name} SET jit = off (docs/deployment.md).\n"
)


def ensure_no_jit(connection, stderr=sys.stderr) -> bool:
    """Set `jit = off` as the database's default; False (and a message) when the role may
    not and the server has JIT."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(CAN_SQL)
        may_alter, jit_available = cursor.fetchone()
        if not may_alter:
            if jit_available:
                cursor.execute("SELECT current_database()")
                stderr.write(NOT_OWNER.format(name=cursor.fetchone()[0]))
                return False
            return True
        cursor.execute(SET_SQL)
        cursor.execute(cursor.fetchone()[0])
    return True


def post_migrate_settings(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: the database's settings after every migrate."""
    from django.db import connections

    ensure_no_jit(connections[using])
