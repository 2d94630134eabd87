"""Hours per parcours and month, maintained by triggers on the weekly hours.

Each statement on `participants_workedhours` adds its difference (minus the old rows, plus
the new ones, grouped by structure, parcours and month) with INSERT … ON CONFLICT DO UPDATE:
concurrent transactions add their own deltas to the latest row version, so the sum stays
exact without locking the weeks. Statement-level triggers with transition tables: an import
of 10,000 weeks costs one aggregate statement, not 10,000. Months that drop to zero are
deleted. Then the table is filled from the existing weeks.
"""

import django.db.models.deletion
from django.db import migrations, models

_UPSERT = """
    INSERT INTO reporting_hoursbymonth AS t (structure_id, parcours_id, month, hours)
    SELECT structure_id, parcours_id, date_trunc('month', week_start)::date, {sign}SUM(hours)
    FROM {rows} GROUP BY 1, 2, 3
    ON CONFLICT (structure_id, parcours_id, month) DO UPDATE SET hours = t.hours + EXCLUDED.hours;
"""
_DROP_ZEROS = """
    DELETE FROM reporting_hoursbymonth t USING (SELECT DISTINCT structure_id, parcours_id,
        date_trunc('month', week_start)::date AS month FROM old_rows) o
    WHERE t.structure_id = o.structure_id AND t.parcours_id = o.parcours_id
      AND t.month = o.month AND t.hours = 0;
"""

TRIGGERS_SQL = f"""
CREATE OR REPLACE FUNCTION reporting_hours_by_month_insert() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN
    {_UPSERT.format(sign="", rows="new_rows")}
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION reporting_hours_by_month_update() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN
    {_UPSERT.format(sign="-", rows="old_rows")}
    {_UPSERT.format(sign="", rows="new_rows")}
    {_DROP_ZEROS}
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION reporting_hours_by_month_delete() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN
    {_UPSERT.format(sign="-", rows="old_rows")}
    {_DROP_ZEROS}
    RETURN NULL;
END $$;
CREATE TRIGGER reporting_hours_by_month_insert AFTER INSERT ON participants_workedhours
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_hours_by_month_insert();
CREATE TRIGGER reporting_hours_by_month_update AFTER UPDATE ON participants_workedhours
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_hours_by_month_update();
CREATE TRIGGER reporting_hours_by_month_delete AFTER DELETE ON participants_workedhours
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reporting_hours_by_month_delete();
"""

DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS reporting_hours_by_month_insert ON participants_workedhours;
DROP TRIGGER IF EXISTS reporting_hours_by_month_update ON participants_workedhours;
DROP TRIGGER IF EXISTS reporting_hours_by_month_delete ON participants_workedhours;
DROP FUNCTION IF EXISTS reporting_hours_by_month_insert();
DROP FUNCTION IF EXISTS reporting_hours_by_month_update();
DROP FUNCTION IF EXISTS reporting_hours_by_month_delete();
"""

BACKFILL_SQL = """
INSERT INTO reporting_hoursbymonth (structure_id, parcours_id, month, hours)
SELECT structure_id, parcours_id, date_trunc('month', week_start)::date, SUM(hours)
FROM participants_workedhours GROUP BY 1, 2, 3 HAVING SUM(hours) <> 0;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0001_report_snapshot'),
        ('participants', '0007_workedhours_parcours_week_cover'),
        ('sites', '0004_worksite_structure_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='HoursByMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('parcours_id', models.BigIntegerField(verbose_name='parcours')),
                ('month', models.DateField(verbose_name='mois')),
                ('hours', models.DecimalField(decimal_places=2, max_digits=9, verbose_name='heures travaillées')),
                ('structure', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sites.structure', verbose_name='structure')),
            ],
            options={
                'verbose_name': 'heures travaillées par mois',
                'verbose_name_plural': 'heures travaillées par mois',
                'constraints': [models.UniqueConstraint(fields=('structure', 'parcours_id', 'month'), include=('hours',), name='hoursbymonth_uniq')],
            },
        ),
        migrations.RunSQL(sql=TRIGGERS_SQL, reverse_sql=DROP_TRIGGERS_SQL),
        migrations.RunSQL(sql=BACKFILL_SQL, reverse_sql=migrations.RunSQL.noop),
    ]
