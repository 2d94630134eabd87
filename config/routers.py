"""Database routing: reporting reads may go to a read replica (docs/scaling.md).

Two aliases: `default` (the primary: every write, every migration, every caseworker screen)
and `reporting` (REPORTING_DATABASE_URL, a streaming replica; the same database as `default`
when unset). Reads go to `reporting` only inside `reporting_reads(...)`, an explicit,
opt-in block: screens that read what they have just written never see replica lag, and
nothing changes for code that does not ask for it.

Inside the block the replica connection runs one read-only transaction as the web role with
the caller's structures, exactly like a request on the primary (sites/tenancy/rls.py), so
row-level security holds on the replica too.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, transaction

REPORTING = "reporting"
_active: ContextVar[bool] = ContextVar("reporting_reads", default=False)


class ReportingReplicaRouter:
    """ORM reads inside `reporting_reads()` go to the replica; everything else to default."""

    def db_for_read(self, model, **hints):
        if _active.get() and REPORTING in connections.settings:
            return REPORTING
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (one is a copy of the other).
        return {obj1._state.db, obj2._state.db} <= {"default", REPORTING, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema by replication, never by `migrate`.
        return db == "default"


def reporting_alias() -> str:
    """The alias raw-SQL reporting code should use right now."""
    return REPORTING if _active.get() and REPORTING in connections.settings else "default"


@contextmanager
def reporting_reads(structure_setting: str | Iterable[int]) -> Iterator[str]:
    """Route the block's reads to the reporting alias, as the web role with these structures
    (`*` for every structure); yields the alias for raw SQL (`connections[alias]`)."""
    from sites.tenancy.rls import SETTING, WEB_ROLE

    if not isinstance(structure_setting, str):
        structure_setting = ",".join(str(int(pk)) for pk in sorted(set(structure_setting)))
    alias = REPORTING if REPORTING in connections.settings else "default"
    token = _active.set(True)
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('role', %s, true), set_config(%s, %s, true)",
                    [WEB_ROLE, SETTING, structure_setting],
                )
            yield alias
            # Nothing to keep: a replica cannot be written, and on a shared database the
            # block's settings end with its transaction.
            transaction.set_rollback(True, using=alias)
    finally:
        _active.reset(token)
