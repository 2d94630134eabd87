"""Database routing: reporting reads may go to a read replica (docs/scaling.md).

Two aliases: `default` (the primary: every write, every migration, every caseworker screen)
and `reporting` (REPORTING_DATABASE_URL, a streaming replica). ORM reads go to `reporting`
only inside `reporting_reads(...)` (sites/tenancy/replica.py), an explicit, opt-in block
that also sets the web role and the caller's structures on that connection, so row-level
security holds on the replica too. Without REPORTING_DATABASE_URL the block stays on the
primary and this router sends nothing anywhere else.
"""

from sites.tenancy.replica import (  # noqa: F401 — re-exported for callers above `sites`
    REPORTING,
    active_alias,
    reporting_alias,
    reporting_read,
    reporting_reads,
)


class ReportingReplicaRouter:
    """ORM reads inside `reporting_reads()` go to the replica; everything else to default."""

    def db_for_read(self, model, **hints):
        return REPORTING if active_alias() == REPORTING else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (one is a copy of the other).
        return {obj1._state.db, obj2._state.db} <= {"default", REPORTING, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema by replication, never by `migrate`.
        return db == "default"
