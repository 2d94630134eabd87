"""The transaction-local setting that PostgreSQL row-level security policies read.

Policies on structure-owned tables compare `structure_id` with
`current_setting('app.structure_ids', true)` (a comma-separated list). The setting is
transaction-local (`set_config(..., true)`), so a pooled connection never carries one
request's scope into the next one.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

SETTING = "app.structure_ids"


def _as_text(structure_ids: Iterable[int]) -> str:
    return ",".join(str(int(pk)) for pk in sorted(set(structure_ids)))


def set_structures(structure_ids: Iterable[int]) -> None:
    """Set the structures visible for the rest of the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, _as_text(structure_ids)])


def current_structures() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        return cursor.fetchone()[0] or ""


@contextmanager
def rls_structures(structure_ids: Iterable[int]) -> Iterator[None]:
    """Widen or narrow the visible structures for a block (e.g. an aggregate-only query
    over a coordinator's territory), then restore the previous value."""
    with transaction.atomic():
        previous = current_structures()
        set_structures(structure_ids)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, previous])
