"""Reporting reads on a streaming replica, under the same row-level security as the primary.

Two aliases (config/settings/base.py): `default`, the primary (every write, every migration,
every caseworker screen), and `reporting`, the hot standby named by REPORTING_DATABASE_URL.
`settings.REPORTING_REPLICA` is true only when that variable is set: unset, reporting reads
stay on the primary's connection, inside the caller's transaction, exactly as before.

Reads go to the replica only inside `reporting_reads(...)`, an explicit, opt-in block
(config/routers.py routes the ORM reads; raw SQL asks `reporting_alias()`): screens that read
what they have just written never see replica lag.

Inside the block the connection runs one read-only transaction as the web role with the
caller's structures, set transaction-locally as `sites.tenancy.middleware` does on the
primary, so row-level security holds on the replica too and nothing survives the block
on a pooled connection.

When the replica is down, reports are read on the primary (they did until the replica
existed, and a coordinator gets their figures rather than an error page): the failure is
logged once and the replica is not tried again for `RETRY_AFTER_SECONDS`, so requests do not
each wait for a connection timeout. `reporting_read` also retries on the primary a read that
the replica failed half-way.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction

from .rls import SETTING, WEB_ROLE

logger = logging.getLogger(__name__)

REPORTING = "reporting"
RETRY_AFTER_SECONDS = 30.0
T = TypeVar("T")

# The alias of the innermost `reporting_reads` block, None outside any.
_active: ContextVar[str | None] = ContextVar("reporting_reads", default=None)
_down_until = 0.0


def replica_configured() -> bool:
    """True when REPORTING_DATABASE_URL names a replica (settings.REPORTING_REPLICA)."""
    return bool(getattr(settings, "REPORTING_REPLICA", False)) and REPORTING in connections.settings


def active_alias() -> str | None:
    """The alias reporting reads use right now, None outside `reporting_reads`."""
    return _active.get()


def reporting_alias() -> str:
    """The alias raw-SQL reporting code should use right now."""
    return _active.get() or "default"


def replica_marked_down() -> bool:
    return time.monotonic() < _down_until


def mark_replica_down(error: BaseException) -> None:
    """Read reports on the primary for the next RETRY_AFTER_SECONDS."""
    global _down_until
    first = not replica_marked_down()
    _down_until = time.monotonic() + RETRY_AFTER_SECONDS
    if first:
        logger.warning(
            "Reporting replica unavailable, reports are read on the primary for %.0f s: %s",
            RETRY_AFTER_SECONDS,
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        )
    with suppress(DatabaseError):
        connections[REPORTING].close()


def _setting_text(structure_setting: str | Iterable[int]) -> str:
    if isinstance(structure_setting, str):
        return structure_setting
    return ",".join(str(int(pk)) for pk in sorted(set(structure_setting)))


def _connection_lost(alias: str) -> bool:
    raw = connections[alias].connection
    return raw is None or bool(getattr(raw, "closed", False))


def _choose_alias(*, replica: bool) -> str:
    if not replica or not replica_configured() or replica_marked_down():
        return "default"
    try:
        connections[REPORTING].ensure_connection()
    except DatabaseError as error:
        mark_replica_down(error)
        return "default"
    return REPORTING


@contextmanager
def reporting_reads(
    structure_setting: str | Iterable[int], *, replica: bool = True
) -> Iterator[str]:
    """Route the block's reads to the replica (or the primary, see the module docstring), as
    the web role with these structures (`*` for every structure); yields the alias for raw
    SQL (`connections[alias]`). `replica=False` keeps them on the primary."""
    with _reads_on(_choose_alias(replica=replica), structure_setting) as alias:
        yield alias


@contextmanager
def _reads_on(alias: str, structure_setting: str | Iterable[int]) -> Iterator[str]:
    token = _active.set(alias)
    try:
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('role', %s, true), set_config(%s, %s, true)",
                    [WEB_ROLE, SETTING, _setting_text(structure_setting)],
                )
            yield alias
            # Nothing to keep: a replica cannot be written, and on the primary the block's
            # settings end with its savepoint or transaction.
            transaction.set_rollback(True, using=alias)
    except DatabaseError as error:
        if alias == REPORTING and _connection_lost(alias):
            mark_replica_down(error)
        raise
    finally:
        _active.reset(token)


def reporting_read(structure_setting: str | Iterable[int], read: Callable[[], T]) -> T:
    """`read()` inside `reporting_reads`; when the replica fails during it (a kept connection
    found dead, the standby lost, or the query cancelled by a conflict with recovery), once
    more on the primary. A failure on the primary is raised."""
    alias = _choose_alias(replica=True)
    try:
        with _reads_on(alias, structure_setting):
            return read()
    except (OperationalError, InterfaceError) as error:
        if alias != REPORTING:
            raise
        logger.warning(
            "Report read failed on the replica, read again on the primary: %s",
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        )
    with _reads_on(_choose_alias(replica=False), structure_setting):
        return read()
