"""Hours are now summed per parcours: cover (structure, parcours, week) with the hours.

The dashboards used to scan every hour of the scope's structures in the period and join them
to the programme's parcours (`workedhours_structure_week_cover`). They now start from the few
parcours of the programme and territory and look their weeks up by (structure, parcours,
week) — an index-only scan when the index carries `hours` (EXPLAIN on the national dataset,
Convergence × one région × 2025: 1,045 index probes returning 32,199 rows, 110 ms with heap
fetches through `workedhours_uniq`; docs/performance.md). The old covering index has no
reader left and is dropped, so writes keep the same number of indexes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("participants", "0006_workedhours_covering_index")]

    operations = [
        # A build cancelled half-way (statement timeout, lost connection) leaves an INVALID
        # index that `IF NOT EXISTS` would then keep: a re-run starts from scratch.
        migrations.RunSQL(
            sql="DROP INDEX CONCURRENTLY IF EXISTS workedhours_parcours_week_cover",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS workedhours_parcours_week_cover "
                "ON participants_workedhours (structure_id, parcours_id, week_start) "
                "INCLUDE (hours)"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS workedhours_parcours_week_cover",
        ),
        migrations.RunSQL(
            sql="DROP INDEX CONCURRENTLY IF EXISTS workedhours_structure_week_cover",
            reverse_sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS workedhours_structure_week_cover "
                "ON participants_workedhours (structure_id, week_start) "
                "INCLUDE (parcours_id, hours)"
            ),
        ),
    ]
