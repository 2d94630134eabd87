"""Each participant's current parcours (`CurrentParcours`), kept by database triggers.

The triggers are created by migration 0009_current_parcours, which keeps its own frozen copy
of the statement below (a migration must not change when application code does); this module
holds the full rebuild for bulk loads that run with user triggers disabled (generate_dataset).
Change both together, and add a migration that replaces the triggers' function.
"""

from django.db import connection

from .models import CurrentParcours

TABLE = CurrentParcours._meta.db_table

# "Current": the open parcours first, else the latest ended; then the latest start, the
# latest id (participants.selectors before this table existed, and the list's meaning).
SELECT_CURRENT = """
SELECT DISTINCT ON (p.participant_id)
       p.participant_id, p.structure_id, p.id, p.programme_id, p.status, p.work_site_id,
       p.start_date, p.end_date, p.warnings
FROM participants_parcours p
{where}
ORDER BY p.participant_id, p.end_date DESC NULLS FIRST, p.start_date DESC, p.id DESC
"""

COLUMNS = (
    "participant_id, structure_id, parcours_id, programme_id, status, work_site_id, "
    "start_date, end_date, warnings"
)


def rebuild() -> None:
    """Recompute every row from the parcours (owner role; after a bulk load)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 — the model's own table
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) " + SELECT_CURRENT.format(where="")  # noqa: S608
        )
