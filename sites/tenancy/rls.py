"""Row-level security: the transaction-local setting the policies read, and the web role.

Policies on structure-owned tables compare `structure_id` with
`current_setting('app.structure_ids', true)` (a comma-separated list, or `*` for a platform
administrator). The setting is transaction-local (`set_config(..., true)`), so a pooled
connection never carries one request's scope into the next one.

The web process runs each request as the `sillon_web` role (NOSUPERUSER, NOBYPASSRLS, not
the table owner): a forgotten filter in a view then returns nothing instead of another
structure's people. Management commands and migrations keep the owner role.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

SETTING = "app.structure_ids"
WEB_ROLE = "sillon_web"
ALL_STRUCTURES = "*"


def _as_text(structure_ids: Iterable[int]) -> str:
    return ",".join(str(int(pk)) for pk in sorted(set(structure_ids)))


def set_structures(structure_ids: Iterable[int]) -> None:
    """Set the structures visible for the rest of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, _as_text(structure_ids)])


def set_all_structures() -> None:
    """Platform administrators see every structure (every access is still logged)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, ALL_STRUCTURES])


def current_structures() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        return cursor.fetchone()[0] or ""


@contextmanager
def rls_structures(structure_ids: Iterable[int]) -> Iterator[None]:
    """Widen or narrow the visible structures for a block (e.g. an aggregate-only query
    over a coordinator's territory), then restore the previous value. On an exception the
    atomic block rolls back to its savepoint, which restores the value by itself (and a
    statement after a failed one would only hide the error)."""
    with transaction.atomic():
        # One round trip: the previous value is read in a sub-select, before set_config runs.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT previous.structures, set_config(%s, %s, true) "
                "FROM (SELECT coalesce(current_setting(%s, true), '') AS structures) "
                "AS previous",
                [SETTING, _as_text(structure_ids), SETTING],
            )
            previous = cursor.fetchone()[0]
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, previous])


def scope_setting(scope) -> str:
    """The value of `app.structure_ids` for a request's scope."""
    if scope.is_platform_admin:
        return ALL_STRUCTURES
    return _as_text(scope.structure_ids)


def enter_web_role(scope) -> tuple[str, str]:
    """Switch the current transaction to the web role with the scope's structures.

    One round trip. Returns the previous (role, structures) so `leave_web_role` can put
    them back when the transaction goes on afterwards (nested atomic blocks, tests).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("The web role is transaction-local: call it inside atomic().")
    with connection.cursor() as cursor:
        # Previous values are read in a first column, before the set_config calls run.
        cursor.execute(
            "SELECT previous.role, previous.structures, "
            "set_config('role', %s, true), set_config(%s, %s, true) "
            "FROM (SELECT current_setting('role') AS role, "
            "coalesce(current_setting(%s, true), '') AS structures) AS previous",
            [WEB_ROLE, SETTING, scope_setting(scope), SETTING],
        )
        role, structures, _, _ = cursor.fetchone()
    return role, structures


def leave_web_role(previous: tuple[str, str]) -> None:
    """Restore the role and structures `enter_web_role` replaced."""
    role, structures = previous
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('role', %s, true), set_config(%s, %s, true)",
            [role, SETTING, structures],
        )


@contextmanager
def web_role(scope) -> Iterator[None]:
    """Run a block as the web role with `scope` (tests, background jobs for a user)."""
    # On an exception the atomic block rolls back, which undoes the role by itself.
    with transaction.atomic():
        previous = enter_web_role(scope)
        yield
        leave_web_role(previous)


@contextmanager
def owner_role() -> Iterator[None]:
    """Run a block with the connection's login role (the table owner).

    Only for the few writes the web role must not do by itself: purging history and
    access-log rows when a person's file is erased or anonymised (GDPR art. 17).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('role')")
            role = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('role', 'none', true)")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, true)", [role])
