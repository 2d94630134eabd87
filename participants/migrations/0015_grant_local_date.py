"""The transfers' read grant ends with the day in the application's time zone.

0013 compared `until` with `current_date`, the date in the session's time zone, which Django
sets to UTC; `until` is written from the local date (Europe/Paris,
`timezone.localdate()`). Between local midnight and UTC midnight (one hour in winter, two in
summer) a grant that had ended was still read as valid. `sillon_local_today()` is the date
in settings.TIME_ZONE, taken when the migration runs (docs/security.md §2, "Transfers").
"""

from django.conf import settings
from django.db import migrations

WEB_ROLE = "sillon_web"


def granted(today: str) -> str:
    # Constant SQL only: `today` is one of two function calls written below.
    select = "SELECT g.participant_id FROM participants_participantaccessgrant g "
    return (
        select + "WHERE g.structure_id IN (SELECT unnest(sillon_structure_ids())) "
        f"AND (g.until IS NULL OR g.until >= {today})"
    )


def policies(today: str) -> str:
    return f"""
DROP POLICY IF EXISTS sillon_grant_transfer_v1 ON participants_participant;
DROP POLICY IF EXISTS sillon_grant_transfer_v1 ON participants_parcours;
CREATE POLICY sillon_grant_transfer_v1 ON participants_participant AS PERMISSIVE FOR SELECT
  TO {WEB_ROLE} USING (id IN ({granted(today)}));
CREATE POLICY sillon_grant_transfer_v1 ON participants_parcours AS PERMISSIVE FOR SELECT
  TO {WEB_ROLE} USING (participant_id IN ({granted(today)}));
"""


# A literal, not a parameter: the zone is a setting of the deployment, checked by Django.
TODAY_SQL = f"""
CREATE OR REPLACE FUNCTION sillon_local_date(at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (at AT TIME ZONE '{settings.TIME_ZONE}')::date $$;
CREATE OR REPLACE FUNCTION sillon_local_today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT sillon_local_date(now()) $$;
"""


class Migration(migrations.Migration):
    dependencies = [("participants", "0014_parcours_end_index")]

    operations = [
        migrations.RunSQL(
            TODAY_SQL + policies("sillon_local_today()"),
            policies("current_date")
            + "DROP FUNCTION IF EXISTS sillon_local_today();"
            + "DROP FUNCTION IF EXISTS sillon_local_date(timestamptz);",
        ),
    ]
