"""A covering index for hours aggregated by structure and week (reporting, bench evidence).

The dashboards sum `hours` of the weeks of a period for a set of structures, then join to the
parcours. With `workedhours_structure_week` alone PostgreSQL fetches every matching heap row
(EXPLAIN on the national dataset, IAE × one département × 2025: a bitmap heap scan of
40,300 rows, 789 ms of the query's 1,488 ms; docs/performance.md). Carrying `parcours_id` and
`hours` in the index lets it answer from the index alone (index-only scan).

Raw SQL rather than Meta.indexes: it is a physical access path for reporting, owned by the
performance work, and `CONCURRENTLY` keeps the table writable while it builds.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("participants", "0005_structure_integrity")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS workedhours_structure_week_cover "
                "ON participants_workedhours (structure_id, week_start) "
                "INCLUDE (parcours_id, hours)"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS workedhours_structure_week_cover",
        ),
    ]
