"""Hours per parcours and calendar month (`HoursByMonth`), kept by database triggers.

The triggers are created by migration 0002_hours_by_month (which keeps its own frozen copy of
the rebuild's statement as its backfill); this module holds what the application itself
needs: whether a period can be read from the month rows, and a full rebuild for bulk loads
that run with user triggers disabled (generate_dataset).
"""

import datetime as dt

from django.db import connection

from .models import HoursByMonth

TABLE = HoursByMonth._meta.db_table

REBUILD_SQL = f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} (structure_id, parcours_id, month, hours)
SELECT structure_id, parcours_id, date_trunc('month', week_start)::date, SUM(hours)
FROM participants_workedhours
GROUP BY 1, 2, 3
HAVING SUM(hours) <> 0;
"""  # noqa: S608 (constant identifiers only)


def covers_whole_months(start: dt.date, end: dt.date) -> bool:
    """True when [start, end] is made of whole calendar months: its weeks (counted by their
    Monday) are then exactly those of its months."""
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def rebuild() -> None:
    """Recompute every month row from the weeks (owner role; after a bulk load)."""
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL)
