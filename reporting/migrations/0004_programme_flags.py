"""The yearly rows read the programme's `tracks_housing` flag instead of its code.

The housing look-ups of `reporting_territory_year_refresh` were gated on `pr.code = 'CVG'`;
they are now gated on `programmes_programme.tracks_housing` (set for Convergence by
programmes/0003_reporting_flags, so every stored row keeps its figures and no rebuild is
needed). The trigger that dropped the coverage on a change of programme code now drops it
on a change of that flag, the only column of the programme the rows depend on. Migration
0003 stays as it was; going back restores its functions and trigger.
"""

from importlib import import_module

from django.db import migrations

# Frozen copy of reporting.territory_years.COMPUTE_SQL (a migration must not change with the
# application's code; tests/reporting/test_territory_years.py checks the installed function
# holds the module's statement).
_COMPUTE = """
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
    SELECT up.commune_id, g.parent_id FROM up JOIN sites_geounit g ON g.id = up.geo_id
    WHERE g.parent_id IS NOT NULL
),
inside(commune_id, territory_id) AS (
    SELECT up.commune_id, tg.territory_id
    FROM up JOIN sites_territory_geo_units tg ON tg.geounit_id = up.geo_id
    UNION
    SELECT inside.commune_id, t.parent_id
    FROM inside JOIN sites_territory t ON t.id = inside.territory_id
    WHERE t.parent_id IS NOT NULL
),
hy AS (
    SELECT h.parcours_id, extract(year FROM h.month)::int AS year, SUM(h.hours) AS hours
    FROM reporting_hoursbymonth h
    WHERE true {hours_filter}
    GROUP BY 1, 2
),
py AS (
    SELECT p.*, y.year, make_date(y.year, 1, 1) AS d1, make_date(y.year, 12, 31) AS d2,
           p.start_date <= make_date(y.year, 12, 31) AS counted,
           hy.hours, hy.parcours_id IS NOT NULL AS has_hours
    FROM p CROSS JOIN reporting_territoryyearcoverage c
    CROSS JOIN LATERAL generate_series(
        extract(year FROM p.start_date - 6)::int,
        LEAST(COALESCE(extract(year FROM p.end_date)::int, c.through_year), c.through_year)
    ) AS y(year)
    LEFT JOIN hy ON hy.parcours_id = p.id AND hy.year = y.year
)
INSERT INTO reporting_territoryyear (
    programme_id, year, territory_id, structure_id, accompanied, active_at_end, entries, exits,
    exits_by_category, dynamic_exits, duration_days, phc_continuations,
    hours_worked, housing_denominator, housing_numerator, entries_by_month, exits_by_month
)
SELECT
    py.programme_id, py.year, inside.territory_id, py.structure_id,
    COUNT(DISTINCT py.participant_id) FILTER (WHERE py.counted),
    COUNT(DISTINCT py.participant_id) FILTER (
        WHERE py.counted AND (py.end_date IS NULL OR py.end_date >= py.d2)
    ),
    COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1),
    COUNT(*) FILTER (WHERE py.end_date <= py.d2),
    jsonb_build_object('EMPLOI_DURABLE', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = 'EMPLOI_DURABLE'), 'EMPLOI_TRANSITION', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = 'EMPLOI_TRANSITION'), 'SORTIE_POSITIVE', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = 'SORTIE_POSITIVE'), 'AUTRE_SORTIE', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = 'AUTRE_SORTIE'), 'NEUTRALISEE', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = 'NEUTRALISEE')),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND py.dgefp_category IN ('EMPLOI_DURABLE', 'EMPLOI_TRANSITION', 'SORTIE_POSITIVE')
    ),
    COALESCE(SUM(py.end_date - py.start_date) FILTER (WHERE py.end_date <= py.d2), 0),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND py.situation IN ('SUITE_CDDI', 'SUITE_CVG', 'AUTRE_SIAE')
    ),
    COALESCE(SUM(py.hours), 0),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND NOT (py.entry_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE', 'INCONNU'))
    ),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND NOT (py.entry_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE', 'INCONNU'))
          AND py.exit_housing IN ('LOG_AUTONOME', 'LOG_ACCOMPAGNE')
    ),
    ARRAY[COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 1), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 2), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 3), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 4), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 5), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 6), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 7), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 8), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 9), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 10), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 11), COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 AND extract(month FROM py.start_date) = 12)],
    ARRAY[COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 1), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 2), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 3), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 4), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 5), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 6), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 7), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 8), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 9), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 10), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 11), COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND extract(month FROM py.end_date) = 12)]
FROM py JOIN inside ON inside.commune_id = py.commune_id
GROUP BY py.programme_id, py.year, inside.territory_id, py.structure_id
HAVING COUNT(*) FILTER (WHERE py.counted) > 0 OR bool_or(py.has_hours)
"""

# The structures given only (their exits looked up through the structure's index too).
_COMPUTE_GIVEN = _COMPUTE.format(
    structure_filter="AND p.structure_id = ANY(ids)",
    exit_filter="AND e.structure_id = ANY(ids)",
    hours_filter="AND h.structure_id = ANY(ids)",
)

# The same function as 0003's, with the statement above.
REFRESH_SQL = """
CREATE OR REPLACE FUNCTION reporting_territory_year_refresh(ids bigint[], max_structures integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    sid bigint;
    seen bigint[];
    previous_timeout text := current_setting('lock_timeout');
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
            PERFORM pg_advisory_xact_lock(1130, (sid % 2147483647)::int);
        END LOOP;
        -- Another reader may have recomputed some of them while this one waited.
        seen := ARRAY(SELECT id FROM reporting_territoryyearstale WHERE structure_id = ANY(ids));
        IF cardinality(seen) > 0 THEN
            ids := ARRAY(SELECT DISTINCT structure_id FROM reporting_territoryyearstale
                         WHERE id = ANY(seen));
            DELETE FROM reporting_territoryyear WHERE structure_id = ANY(ids);
            """ + _COMPUTE_GIVEN + """;
            -- Only the rows seen before computing: one committed meanwhile stays.
            DELETE FROM reporting_territoryyearstale WHERE id = ANY(seen);
        END IF;
    EXCEPTION WHEN lock_not_available THEN
        PERFORM set_config('lock_timeout', previous_timeout, true);
        RETURN -1;
    END;
    PERFORM set_config('lock_timeout', previous_timeout, true);
    RETURN cardinality(seen);
END $$;
"""  # noqa: S608 (constant identifiers only)

# A programme saved with the same flag (a new label, new hours) changes no yearly row.
FLAG_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION reporting_territory_year_drop_coverage_on_flags() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE o.tracks_housing IS DISTINCT FROM n.tracks_housing) THEN
        DELETE FROM reporting_territoryyearcoverage;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reporting_ty_programme_code ON programmes_programme;
DROP FUNCTION IF EXISTS reporting_territory_year_drop_coverage_on_code();
CREATE TRIGGER reporting_ty_programme_flags AFTER UPDATE ON programmes_programme
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION reporting_territory_year_drop_coverage_on_flags();
"""


def _previous_sql() -> str:
    """0003's functions and code trigger, as 0003 created them (itself frozen)."""
    previous = import_module("reporting.migrations.0003_territory_years")
    return (
        "DROP TRIGGER IF EXISTS reporting_ty_programme_flags ON programmes_programme;\n"
        "DROP FUNCTION IF EXISTS reporting_territory_year_drop_coverage_on_flags();\n"
        + previous.FUNCTIONS_SQL
        + "CREATE TRIGGER reporting_ty_programme_code AFTER UPDATE ON programmes_programme "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION reporting_territory_year_drop_coverage_on_code();\n"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0003_reporting_flags'),
        ('reporting', '0003_territory_years'),
    ]

    operations = [
        migrations.RunSQL(sql=REFRESH_SQL + FLAG_TRIGGER_SQL, reverse_sql=_previous_sql()),
    ]
