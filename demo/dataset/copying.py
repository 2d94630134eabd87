"""PostgreSQL COPY of person-level rows, ids reserved from their sequences, and the
secondary indexes and foreign keys dropped for the load and rebuilt afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Model

# --- COPY helpers ---------------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(value) + "}"
    if isinstance(value, dict):
        import json

        return json.dumps(value).replace("\\", "\\\\")
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )
    return text


class CopyTable:
    """Streams rows of one model into PostgreSQL with COPY.

    The caller gives the columns it fills; any other column of the model (added later by
    another feature) gets its field default, so the generator keeps working as the schema grows.
    """

    def __init__(self, model: type[Model], columns: list[str]):
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns)
        self._per_row: list[Callable[[], object]] = []
        suffix = []
        for f in model._meta.concrete_fields:
            if f.column in self.columns:
                continue
            if f.primary_key:
                raise ValueError(f"{self.table}: the primary key must be given")
            if f.has_default() and callable(f.default):
                self._per_row.append(lambda f=f: f.get_db_prep_save(f.get_default(), connection))
            elif f.has_default() or f.null or f.empty_strings_allowed:
                default = f.get_default() if f.has_default() else (None if f.null else "")
                suffix.append(_text(f.get_db_prep_save(default, connection)))
            else:
                raise ValueError(f"{self.table}.{f.column}: no value and no default")
            self.columns.append(f.column)
        self.suffix = ("\t" + "\t".join(suffix)) if suffix else ""

    def copy(self, lines: Iterable[str], chunk: int = 4000) -> int:
        """Copy pre-formatted lines (tab-separated values of `columns`, no newline)."""
        count = 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        # Table and column names come from the model registry, never from input.
        sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            buffer: list[str] = []
            suffix = self.suffix
            for line in lines:
                if self._per_row:
                    extra = "\t".join(_text(fn()) for fn in self._per_row)
                    buffer.append(f"{line}{suffix}\t{extra}\n")
                else:
                    buffer.append(f"{line}{suffix}\n")
                if len(buffer) >= chunk:
                    copy.write("".join(buffer))
                    count += len(buffer)
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
                count += len(buffer)
        return count


def _reserve_ids(model: type[Model], count: int) -> int:
    """Reserve `count` consecutive ids from the table's sequence; return the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        max_id = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(cursor.fetchone()[0], max_id + 1)
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


class DeferredSchema:
    """Drops secondary indexes and foreign keys of empty tables for a bulk load, then
    recreates them from their own definitions (as pg_restore does). Primary keys, check
    constraints and triggers stay; user triggers are disabled during the load only."""

    def __init__(self, models: list[type[Model]]):
        self.tables = [m._meta.db_table for m in models]
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str, str]] = []
        self.triggers: list[str] = []
        self.forced: list[str] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            # Django's foreign keys are deferred: check the organisations written so far now,
            # since ALTER TABLE refuses to run on a table with pending checks.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            empty = []
            for table in self.tables:
                cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608
                if not cursor.fetchone()[0]:
                    empty.append(table)
            # Foreign keys of every table first: composite keys on (structure_id, parent_id)
            # depend on the parents' unique constraints, dropped next.
            for contype in ("f", "u"):
                for table in empty:
                    cursor.execute(
                        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = %s::regclass AND contype = %s ORDER BY conname""",
                        [table, contype],
                    )
                    for name, definition in cursor.fetchall():
                        self.constraints.append((table, name, definition))
                        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            # Rebuilt in the reverse order: unique constraints, then the keys that use them.
            self.constraints.reverse()
            for table in empty:
                cursor.execute(
                    """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                       FROM pg_index i
                       WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                         WHERE c.conindid = i.indexrelid)
                       ORDER BY 1""",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    self.indexes.append(definition)
                    cursor.execute(f"DROP INDEX {name}")
                # Audit-history triggers would double the load; generated rows have no history.
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal AND tgenabled <> 'D'",
                    [table],
                )
                if cursor.fetchone()[0]:
                    self.triggers.append(table)
                    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls everything back
        with connection.cursor() as cursor:
            # Give index builds the memory they need, for this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            for table in self.triggers:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return False
