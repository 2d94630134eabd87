"""Set-based inserts for large imports: one `INSERT … SELECT FROM unnest(arrays)` per table.

Why not `bulk_create`: for 10,000 rows and their children it spends most of its time
compiling one placeholder per value (tens of thousands per statement) on the client, which
alone breaks the import budget (quality.md §1) on a loaded 2-core machine. Passing one array
per column costs a few array adaptations instead. Why not COPY: PostgreSQL refuses
`COPY FROM` on tables under row-level security, and the web role is always under it.

Rows still go through every database rule: constraints, foreign keys, the row-level security
`WITH CHECK` policy and the history triggers. Values are prepared by each field exactly as the
ORM prepares them (`pre_save` + `get_db_prep_save`), so defaults and `auto_now` hold.
"""

import json
from collections.abc import Sequence

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import JSONField, Model


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's sequence (needs only USAGE on it)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model: type[Model], objects: Sequence[Model], *, with_ids: bool = False) -> int:
    """Insert unsaved `objects` in one statement; `with_ids` when their pks are already set
    (from `reserve_ids`), otherwise the database assigns them and they are not read back."""
    if not objects:
        return 0
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    columns, params, selects = [], [], []
    for index, f in enumerate(fields):
        values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in objects]
        db_type = f.db_type(connection)
        column = f"c{index}"
        if isinstance(f, ArrayField | JSONField):
            # Nested arrays would be flattened by unnest: pass each value as text, cast back.
            values = [
                None if value is None else _as_text(f, obj)
                for value, obj in zip(values, objects, strict=True)
            ]
            params.append(values)
            selects.append(f"{column}::{db_type}")
            columns.append((f.column, "text"))
        else:
            params.append(values)
            selects.append(column)
            columns.append((f.column, db_type))
    names = ", ".join(connection.ops.quote_name(name) for name, _type in columns)
    arrays = ", ".join(f"%s::{db_type}[]" for _name, db_type in columns)
    aliases = ", ".join(f"c{index}" for index in range(len(columns)))
    # Table, column names and types come from the model registry, never from input.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM unnest({arrays}) AS u({aliases})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _as_text(field, obj) -> str:
    value = getattr(obj, field.attname)
    if isinstance(field, JSONField):
        return json.dumps(value, cls=field.encoder)
    # ArrayField of short codes (e.g. resources): PostgreSQL's array literal, quoted.
    items = ('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
    return "{" + ",".join(items) + "}"
