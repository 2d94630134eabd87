"""The background worker that survives its database (issue 18, item 4).

django-tasks-db's worker loop (`Worker.run`) lets any database error but a locked table
escape. Without the autoreloader the process then ends with a traceback; under it (the
default when DEBUG is on) only the worker's thread ends and the process stays up, doing
nothing: funder PDFs and import analyses stayed pending until someone restarted it.

`ReconnectingWorker` catches a lost database (`OperationalError`, `InterfaceError`) around
that loop, drops the broken connections, waits until PostgreSQL answers again (every
second at first, then every `MAX_WAIT` seconds at most) and starts the loop again, in the
same process, whatever the mode. A task interrupted mid-way stays as the database left it:
a funder report is then shown as stalled after `REPORT_STALLED_AFTER_MINUTES`, with a retry
button (`reporting.services.report_snapshot_retry`). Anything else still ends the process,
and the supervisor starts it again: `scripts/worker.sh` (make run, the restart drill),
systemd in production (docs/deployment.md).
"""

import logging
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("sillon.worker")

# Seconds between two attempts to reach the database again: 1, 2, 4, then 5 at most, so a
# database back after a restart is noticed within 5 s.
FIRST_WAIT = 1.0
MAX_WAIT = 5.0
LOST = (OperationalError, InterfaceError)


def close_connections() -> None:
    """Drop every connection of this thread; a broken one may fail to close."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


def database_answers() -> bool:
    """True when the primary database, which holds the queue, answers `SELECT 1` on a new
    connection (a reporting replica, if any, is reconnected when next used)."""
    close_connections()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except LOST:
        close_connections()
        return False
    return True


class ReconnectingWorker(Worker):
    """django-tasks-db's worker, which waits for its database instead of dying with it."""

    sleep = staticmethod(time.sleep)  # tests replace it

    def run(self) -> None:
        while True:
            try:
                return super().run()
            except LOST as exc:
                if not self.running:  # asked to stop: do not wait for the database
                    raise
                self.wait_for_database(exc)

    def wait_for_database(self, exc: Exception) -> None:
        logger.warning(
            "worker.database_lost",
            extra={"event": "worker_database_lost", "error": type(exc).__name__},
        )
        started = time.monotonic()
        wait, attempts = FIRST_WAIT, 0
        while True:
            self.sleep(wait)
            attempts += 1
            if database_answers():
                break
            wait = min(wait * 2, MAX_WAIT)
        logger.warning(
            "worker.database_back",
            extra={
                "event": "worker_database_back",
                "attempts": attempts,
                "seconds": round(time.monotonic() - started, 1),
            },
        )
