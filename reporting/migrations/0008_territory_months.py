"""Monthly rows beside the yearly ones: every period made of whole months is read from them.

`reporting_territorymonth` holds, per programme, territory, structure and calendar month,
the figures of domain.md §6 for that month, and `reporting_territorymonthgap` the people
who come back to a structure after at least one month without a counted parcours (so that
a period's distinct people are exact: reporting.territory_months). The writes that mark a
structure's yearly rows stale mark its months too (`reporting_territorymonthstale`, by a
trigger on the yearly marks); `reporting_territory_month_refresh` recomputes the months of
the structures it is given, as `reporting_territory_year_refresh` (left as 0007 made it)
does their years: a reader of a calendar year does not pay for the months, nor a reader of
months for the years. The rows are filled here for the coverage the yearly rows have (none
when there is none: the next rebuild fills them). Going back drops the functions, the
trigger and the three tables.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

# Frozen copy of reporting.territory_years.MONTH_COMPUTE_SQL (a migration must not change
# with the application's code; tests/reporting/test_territory_years.py checks the installed
# function holds the module's statement).
_MONTH_COMPUTE = """
WITH RECURSIVE
p AS (
    SELECT p.id, p.programme_id, p.structure_id, p.participant_id, p.start_date, p.end_date,
           COALESCE(ws.commune_id, st.commune_id) AS commune_id,
           e.dgefp_category, e.situation, eh.housing AS entry_housing,
           xh.housing AS exit_housing
    FROM participants_parcours p
    JOIN programmes_programme pr ON pr.id = p.programme_id
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    LEFT JOIN participants_exit e ON e.parcours_id = p.id {exit_filter}
    LEFT JOIN LATERAL (
        SELECT s.housing FROM participants_situationsnapshot s
        WHERE pr.tracks_housing AND p.end_date IS NOT NULL
          AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
          AND s.context = 'ENTREE'
          AND (s.parcours_id = p.id OR s.date <= p.start_date)
        ORDER BY (s.parcours_id IS NOT NULL AND s.parcours_id = p.id) DESC, s.date DESC, s.id DESC
        LIMIT 1
    ) eh ON true
    LEFT JOIN LATERAL (
        SELECT s.housing FROM participants_situationsnapshot s
        WHERE pr.tracks_housing AND p.end_date IS NOT NULL
          AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
          AND s.context = 'SORTIE'
          AND (s.parcours_id = p.id OR (s.parcours_id IS NULL AND s.date = p.end_date))
        ORDER BY (s.parcours_id IS NOT NULL AND s.parcours_id = p.id) DESC, s.date DESC, s.id DESC
        LIMIT 1
    ) xh ON true
    WHERE p.status IN ('EN_COURS', 'SORTI') {structure_filter}
),
up(commune_id, geo_id) AS (
    SELECT DISTINCT commune_id, commune_id FROM p
    UNION
    SELECT up.commune_id, link.id FROM up JOIN sites_geounit g ON g.id = up.geo_id
    CROSS JOIN LATERAL (VALUES (g.parent_id), (g.epci_id)) AS link(id)
    WHERE link.id IS NOT NULL
),
inside(commune_id, territory_id) AS (
    SELECT up.commune_id, tg.territory_id
    FROM up JOIN sites_territory_geo_units tg ON tg.geounit_id = up.geo_id
    UNION
    SELECT inside.commune_id, t.parent_id
    FROM inside JOIN sites_territory t ON t.id = inside.territory_id
    WHERE t.parent_id IS NOT NULL
),
hm AS (
    SELECT h.structure_id, h.parcours_id, h.month, h.hours
    FROM reporting_hoursbymonth h
    WHERE true {hours_filter}
),
pm AS (
    SELECT p.*, s.month::date AS month, (s.month + interval '1 month')::date - 1 AS me,
           hm.hours, hm.parcours_id IS NOT NULL AS has_hours
    FROM p CROSS JOIN reporting_territoryyearcoverage c
    CROSS JOIN LATERAL generate_series(
        date_trunc('month', (p.start_date - 6)::timestamp),
        LEAST(COALESCE(p.end_date, make_date(c.through_year, 12, 31)),
              make_date(c.through_year, 12, 31))::timestamp,
        interval '1 month'
    ) AS s(month)
    LEFT JOIN hm ON hm.parcours_id = p.id AND hm.structure_id = p.structure_id
        AND hm.month = s.month::date
),
tm AS (
    SELECT pm.*, inside.territory_id FROM pm JOIN inside ON inside.commune_id = pm.commune_id
),
people AS (
    SELECT tm.programme_id, tm.territory_id, tm.structure_id, tm.participant_id, tm.month,
           bool_or(tm.end_date IS NULL OR tm.end_date >= tm.me) AS active,
           lag(tm.month) OVER (
               PARTITION BY tm.programme_id, tm.territory_id, tm.structure_id, tm.participant_id
               ORDER BY tm.month
           ) AS previous
    FROM tm WHERE tm.start_date <= tm.me
    GROUP BY tm.programme_id, tm.territory_id, tm.structure_id, tm.participant_id, tm.month
),
gaps AS (
    INSERT INTO reporting_territorymonthgap (programme_id, territory_id, structure_id, last_month, next_month, people)
    SELECT programme_id, territory_id, structure_id, previous, month, COUNT(*)
    FROM people WHERE previous < month - interval '1 month'
    GROUP BY programme_id, territory_id, structure_id, previous, month
),
by_person AS (
    SELECT programme_id, territory_id, structure_id, month,
           COUNT(*) AS accompanied,
           COUNT(*) FILTER (WHERE previous IS NULL OR previous < month - interval '1 month')
               AS run_starts,
           COUNT(*) FILTER (WHERE active) AS active_at_end,
           NULL::bigint AS entries, NULL::bigint AS exits, NULL::bigint[] AS exits_by_category,
           NULL::bigint AS dynamic_exits, NULL::bigint AS duration_days,
           NULL::bigint AS phc_continuations, NULL::numeric AS hours_worked,
           NULL::bigint AS housing_denominator, NULL::bigint AS housing_numerator,
           false AS has_hours
    FROM people GROUP BY programme_id, territory_id, structure_id, month
),
by_parcours AS (
    SELECT tm.programme_id, tm.territory_id, tm.structure_id, tm.month,
        NULL::bigint AS accompanied, NULL::bigint AS run_starts, NULL::bigint AS active_at_end,
        COUNT(*) FILTER (WHERE tm.start_date >= tm.month AND tm.start_date <= tm.me) AS entries,
        COUNT(*) FILTER (WHERE tm.end_date <= tm.me) AS exits,
        ARRAY[COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = 'EMPLOI_DURABLE'), COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = 'EMPLOI_TRANSITION'), COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = 'SORTIE_POSITIVE'), COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = 'AUTRE_SORTIE'), COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = 'NEUTRALISEE')] AS exits_by_category,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me AND tm.dgefp_category IN ('EMPLOI_DURABLE', 'EMPLOI_TRANSITION', 'SORTIE_POSITIVE')
        ) AS dynamic_exits,
        COALESCE(SUM(tm.end_date - tm.start_date) FILTER (WHERE tm.end_date <= tm.me), 0)
            AS duration_days,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me AND tm.situation IN ('SUITE_CDDI', 'SUITE_CVG', 'AUTRE_SIAE')
        ) AS phc_continuations,
        COALESCE(SUM(tm.hours), 0) AS hours_worked,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me
              AND NOT (tm.entry_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE', 'INCONNU'))
        ) AS housing_denominator,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me
              AND NOT (tm.entry_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE', 'INCONNU'))
              AND tm.exit_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE')
        ) AS housing_numerator,
        bool_or(tm.has_hours) AS has_hours
    FROM tm GROUP BY tm.programme_id, tm.territory_id, tm.structure_id, tm.month
)
-- One row per key from each side, put together by a grouping (a join of the two would be
-- planned on generate_series' default estimate of 1,000 months a parcours, and spill).
INSERT INTO reporting_territorymonth (
    programme_id, month, territory_id, structure_id, accompanied, run_starts, active_at_end,
    entries, exits, exits_by_category, dynamic_exits, duration_days, phc_continuations,
    hours_worked, housing_denominator, housing_numerator
)
SELECT f.programme_id, f.month, f.territory_id, f.structure_id,
    COALESCE(MAX(f.accompanied), 0), COALESCE(MAX(f.run_starts), 0),
    COALESCE(MAX(f.active_at_end), 0), MAX(f.entries), MAX(f.exits),
    MAX(f.exits_by_category), MAX(f.dynamic_exits), MAX(f.duration_days),
    MAX(f.phc_continuations), MAX(f.hours_worked), MAX(f.housing_denominator),
    MAX(f.housing_numerator)
FROM (SELECT * FROM by_person UNION ALL SELECT * FROM by_parcours) f
GROUP BY f.programme_id, f.month, f.territory_id, f.structure_id
HAVING MAX(f.accompanied) > 0 OR bool_or(f.has_hours)
"""  # noqa: S608 (constant identifiers and enum values only)

_MONTH_COMPUTE_GIVEN = _MONTH_COMPUTE.format(
    structure_filter="AND p.structure_id = ANY(ids)",
    exit_filter="AND e.structure_id = ANY(ids)",
    hours_filter="AND h.structure_id = ANY(ids)",
).strip()

# The same guards as reporting_territory_year_refresh (0003, 0004, 0007), for the months:
# advisory lock class 1131, and the grouping of a person-month per row in memory.
REFRESH_SQL = """
CREATE FUNCTION reporting_territory_month_refresh(ids bigint[], max_structures integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    sid bigint;
    seen bigint[];
    previous_timeout text := current_setting('lock_timeout');
    previous_work_mem text := current_setting('work_mem');
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    ELSIF cardinality(ids) > max_structures THEN
        RETURN -1;  -- the caller computes live: faster than recomputing this many
    END IF;
    -- A page does not queue behind a rebuild or another page: after 1 s it computes live.
    PERFORM set_config('lock_timeout', '1s', true);
    BEGIN
        -- The coverage row, held against a change of geography until the caller's
        -- transaction ends: without it the computation would insert no row.
        PERFORM 1 FROM reporting_territoryyearcoverage FOR SHARE;
        IF NOT FOUND THEN
            PERFORM set_config('lock_timeout', previous_timeout, true);
            RETURN -1;
        END IF;
        FOR sid IN SELECT DISTINCT i FROM unnest(ids) AS i ORDER BY i LOOP
            PERFORM pg_advisory_xact_lock(1131, (sid % 2147483647)::int);
        END LOOP;
        -- Another reader may have recomputed some of them while this one waited.
        seen := ARRAY(SELECT id FROM reporting_territorymonthstale WHERE structure_id = ANY(ids));
        IF cardinality(seen) > 0 THEN
            ids := ARRAY(SELECT DISTINCT structure_id FROM reporting_territorymonthstale
                         WHERE id = ANY(seen));
            DELETE FROM reporting_territorymonth WHERE structure_id = ANY(ids);
            DELETE FROM reporting_territorymonthgap WHERE structure_id = ANY(ids);
            PERFORM set_config('work_mem', '32MB', true);
            """ + _MONTH_COMPUTE_GIVEN + """;
            PERFORM set_config('work_mem', previous_work_mem, true);
            -- Only the rows seen before computing: one committed meanwhile stays.
            DELETE FROM reporting_territorymonthstale WHERE id = ANY(seen);
        END IF;
    EXCEPTION WHEN lock_not_available THEN
        PERFORM set_config('lock_timeout', previous_timeout, true);
        RETURN -1;
    END;
    PERFORM set_config('lock_timeout', previous_timeout, true);
    RETURN cardinality(seen);
END $$;

CREATE FUNCTION reporting_territory_month_mark() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO reporting_territorymonthstale (structure_id)
    SELECT DISTINCT structure_id FROM new_rows;
    RETURN NULL;
END $$;
CREATE TRIGGER reporting_tm_stale AFTER INSERT ON reporting_territoryyearstale
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION reporting_territory_month_mark();
"""  # noqa: S608 (constant identifiers only)

REVERSE_SQL = """
DROP TRIGGER IF EXISTS reporting_tm_stale ON reporting_territoryyearstale;
DROP FUNCTION IF EXISTS reporting_territory_month_mark();
DROP FUNCTION IF EXISTS reporting_territory_month_refresh(bigint[], integer);
"""

BACKFILL_SQL = (
    "SET LOCAL statement_timeout = 0;\n"
    + _MONTH_COMPUTE.format(structure_filter="", exit_filter="", hours_filter="")
    + ";"
)


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0004_followup_check_months'),
        ('reporting', '0007_geounit_epci_link'),
        ('sites', '0008_geounit_epci_postcodes'),
    ]

    operations = [
        migrations.CreateModel(
            name='TerritoryMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='mois')),
                ('accompanied', models.PositiveIntegerField(verbose_name='personnes accompagnées')),
                ('run_starts', models.PositiveIntegerField(verbose_name='personnes absentes le mois précédent')),
                ('active_at_end', models.PositiveIntegerField(verbose_name='présentes en fin de mois')),
                ('entries', models.PositiveIntegerField(verbose_name='entrées')),
                ('exits', models.PositiveIntegerField(verbose_name='sorties')),
                ('exits_by_category', django.contrib.postgres.fields.ArrayField(base_field=models.PositiveIntegerField(), size=None, verbose_name='sorties par catégorie')),
                ('dynamic_exits', models.PositiveIntegerField(verbose_name='sorties dynamiques')),
                ('duration_days', models.PositiveBigIntegerField(verbose_name='jours de parcours des sortants')),
                ('phc_continuations', models.PositiveIntegerField(verbose_name='poursuites après Premières Heures')),
                ('hours_worked', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='heures travaillées')),
                ('housing_denominator', models.PositiveIntegerField(verbose_name="sortants sans logement à l'entrée")),
                ('housing_numerator', models.PositiveIntegerField(verbose_name='sortants logés parmi eux')),
                ('programme', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.programme', verbose_name='programme')),
                ('structure', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.structure', verbose_name='structure')),
                ('territory', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.territory', verbose_name='territoire')),
            ],
            options={
                'verbose_name': "chiffres mensuels d'une structure dans un territoire",
                'verbose_name_plural': 'chiffres mensuels des structures par territoire',
                'indexes': [models.Index(fields=['structure'], name='territorymonth_structure')],
                'constraints': [models.UniqueConstraint(fields=('programme', 'territory', 'month', 'structure'), name='territorymonth_uniq')],
            },
        ),
        migrations.CreateModel(
            name='TerritoryMonthGap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_month', models.DateField(verbose_name="dernier mois avant l'interruption")),
                ('next_month', models.DateField(verbose_name="premier mois après l'interruption")),
                ('people', models.PositiveIntegerField(verbose_name='personnes')),
                ('programme', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.programme', verbose_name='programme')),
                ('structure', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.structure', verbose_name='structure')),
                ('territory', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.territory', verbose_name='territoire')),
            ],
            options={
                'verbose_name': 'interruption de parcours dans les chiffres mensuels',
                'verbose_name_plural': 'interruptions de parcours dans les chiffres mensuels',
                'indexes': [models.Index(fields=['structure'], name='territorymonthgap_structure')],
                'constraints': [models.UniqueConstraint(fields=('programme', 'territory', 'structure', 'last_month', 'next_month'), name='territorymonthgap_uniq')],
            },
        ),
        migrations.CreateModel(
            name='TerritoryMonthStale',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('structure', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sites.structure', verbose_name='structure')),
            ],
            options={
                'verbose_name': 'structure dont les chiffres mensuels sont à recalculer',
                'verbose_name_plural': 'structures dont les chiffres mensuels sont à recalculer',
                'indexes': [models.Index(fields=['structure'], name='territorymonthstale_structure')],
            },
        ),
        migrations.RunSQL(sql=REFRESH_SQL, reverse_sql=REVERSE_SQL),
        migrations.RunSQL(sql=BACKFILL_SQL, reverse_sql=migrations.RunSQL.noop),
    ]
