"""Hand-written SQL computing a territory dashboard's figures from the base tables.

`territory_figures`: the headline figures (tests/scale fingerprints generated datasets with
it). `territory_table`: the whole table, structure by structure, with the monthly series;
`bench.sql_outcomes.territory_dashboard` adds the rest of what the dashboard prints
(follow-up, orientations, targets, trajectory). `make bench` judges the dashboard's server
time against the latter (budget: ≤ 1.5 ×) and prints its ratio to the table alone for
information; tests/scale checks that both give the page's numbers on a generated dataset
for every period the bench times, so the ratio compares the same work.
"""

import datetime as dt
import json

from django.db import connection

from participants.enums import COUNTED_STATUSES, DYNAMIC_CATEGORIES, HOUSED, PHC_CONTINUATIONS
from reporting.figures import CATEGORY_CODES

TERRITORY_FIGURES_SQL = """
WITH RECURSIVE
terr(id) AS (
    SELECT %(territory)s::bigint
    UNION ALL
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT geounit_id FROM sites_territory_geo_units WHERE territory_id IN (SELECT id FROM terr)
    UNION
    SELECT child.id FROM geo CROSS JOIN LATERAL (
        SELECT g.id FROM sites_geounit g WHERE g.parent_id = geo.id
        UNION ALL
        SELECT g.id FROM sites_geounit g WHERE g.epci_id = geo.id
    ) AS child
),
p AS (
    SELECT p.id, p.structure_id, p.participant_id, p.start_date, p.end_date
    FROM participants_parcours p
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    WHERE p.programme_id = %(programme)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
),
ph AS MATERIALIZED (  -- parcours that may hold hours of the period (weeks overlap them)
    SELECT p.id, p.structure_id
    FROM participants_parcours p
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    WHERE p.programme_id = %(programme)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s::date + 6 AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
),
x AS (
    SELECT p.start_date, p.end_date, e.dgefp_category, e.situation,
           (SELECT s.housing FROM participants_situationsnapshot s
             WHERE s.parcours_id = p.id AND s.context = 'ENTREE'
             ORDER BY s.date DESC, s.id DESC LIMIT 1) AS entry_housing,
           (SELECT s.housing FROM participants_situationsnapshot s
             WHERE s.parcours_id = p.id AND s.context = 'SORTIE'
             ORDER BY s.date DESC, s.id DESC LIMIT 1) AS exit_housing
    FROM p JOIN participants_exit e ON e.parcours_id = p.id
    WHERE p.end_date <= %(d2)s
)
SELECT
    (SELECT COUNT(DISTINCT participant_id) FROM p),
    (SELECT COUNT(DISTINCT participant_id) FROM p WHERE end_date IS NULL OR end_date >= %(d2)s),
    (SELECT COUNT(*) FROM p WHERE start_date >= %(d1)s),
    (SELECT COUNT(*) FROM p WHERE end_date <= %(d2)s),
    (SELECT COUNT(*) FROM x WHERE dgefp_category = ANY(%(dynamic)s)),
    (SELECT COUNT(*) FROM x WHERE dgefp_category = 'NEUTRALISEE'),
    (SELECT COALESCE(SUM(end_date - start_date), 0) FROM x),
    (SELECT COALESCE(SUM(wh.hours), 0) FROM ph JOIN participants_workedhours wh
       ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
       AND wh.week_start BETWEEN %(d1)s AND %(d2)s),
    (SELECT COUNT(*) FROM x
      WHERE NOT (entry_housing = ANY(%(housed_or_unknown)s))),
    (SELECT COUNT(*) FROM x
      WHERE NOT (entry_housing = ANY(%(housed_or_unknown)s)) AND exit_housing = ANY(%(housed)s)),
    (SELECT COUNT(*) FROM x WHERE situation = ANY(%(continuations)s))
"""

FIELDS = (
    "accompanied",
    "active_at_end",
    "entries",
    "exits",
    "dynamic_exits",
    "neutralised_exits",
    "duration_days",
    "hours_worked",
    "housing_denominator",
    "housing_numerator",
    "phc_continuations",
)


def territory_figures(
    *, territory_id: int, programme_id: int, start: dt.date, end: dt.date
) -> dict[str, int]:
    """The headline figures of a territory (sub-territories included) × programme × period."""
    params = {
        "territory": territory_id,
        "programme": programme_id,
        "statuses": [str(s) for s in COUNTED_STATUSES],
        "d1": start,
        "d2": end,
        "dynamic": [str(c) for c in DYNAMIC_CATEGORIES],
        "housed": [str(h) for h in HOUSED],
        "housed_or_unknown": [str(h) for h in HOUSED] + ["INCONNU"],
        "continuations": [str(s) for s in PHC_CONTINUATIONS],
    }
    with connection.cursor() as cursor:
        cursor.execute(TERRITORY_FIGURES_SQL, params)
        row = cursor.fetchone()
    return dict(zip(FIELDS, row, strict=True))


# The whole table of a territory dashboard, written by hand from the base tables: every
# structure's figures (exits per category, hours, housing, continuations) and the total
# (GROUPING SETS; structure 0 in the statement), then each month's entries and exits per
# structure (the monthly series and its small-count contributions). `make bench` times it
# interleaved with the page for any period (alone, and as part of the whole dashboard's
# reference), on a connection of its own that never prepares statements (custom plans);
# tests/scale checks it against `indicators.indicator_table` and the page's figures.
TERRITORY_TABLE_SQL = """
WITH RECURSIVE
terr(id) AS (
    SELECT %(territory)s::bigint
    UNION ALL
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT geounit_id FROM sites_territory_geo_units WHERE territory_id IN (SELECT id FROM terr)
    UNION
    SELECT g.id FROM sites_geounit g JOIN geo ON g.parent_id = geo.id
),
ph AS MATERIALIZED (  -- parcours that may hold hours of the period (weeks overlap them)
    SELECT p.id, p.structure_id, p.participant_id, p.start_date, p.end_date
    FROM participants_parcours p
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    WHERE p.structure_id = ANY(ARRAY(  -- read by structure (index): those in the territory
        SELECT id FROM sites_structure WHERE commune_id IN (SELECT id FROM geo)
        UNION
        SELECT structure_id FROM sites_worksite WHERE commune_id IN (SELECT id FROM geo)
      ))
      AND p.programme_id = %(programme)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s::date + 6 AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
),
p AS MATERIALIZED (SELECT * FROM ph WHERE start_date <= %(d2)s),
housing AS (  -- read only for a programme that tracks it (Convergence), as the page does
    SELECT tracks_housing FROM programmes_programme WHERE id = %(programme)s
),
x AS (  -- the exits of the period, with their housing at entry and at exit: the parcours'
        -- own snapshot, else the person's latest entry snapshot on or before the start, or
        -- the person's unlinked exit snapshot of the exit day (docs/indicators.md)
    SELECT p.id, p.structure_id, p.start_date, p.end_date, e.dgefp_category, e.situation,
           (SELECT s.housing FROM participants_situationsnapshot s
             WHERE tracks_housing AND s.context = 'ENTREE'
               AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
               AND (s.parcours_id = p.id OR s.date <= p.start_date)
             ORDER BY COALESCE(s.parcours_id = p.id, false) DESC, s.date DESC, s.id DESC
             LIMIT 1) AS entry_housing,
           (SELECT s.housing FROM participants_situationsnapshot s
             WHERE tracks_housing AND s.context = 'SORTIE'
               AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
               AND (s.parcours_id = p.id OR (s.parcours_id IS NULL AND s.date = p.end_date))
             ORDER BY s.parcours_id IS NOT NULL DESC, s.date DESC, s.id DESC
             LIMIT 1) AS exit_housing
    FROM p LEFT JOIN participants_exit e ON e.parcours_id = p.id CROSS JOIN housing
    WHERE p.end_date <= %(d2)s
),
people AS (
    SELECT COALESCE(structure_id, 0) AS sid, COUNT(DISTINCT participant_id) AS accompanied,
           COUNT(DISTINCT participant_id) FILTER (WHERE end_date IS NULL OR end_date >= %(d2)s)
               AS active_at_end,
           COUNT(*) FILTER (WHERE start_date >= %(d1)s) AS entries
    FROM p GROUP BY GROUPING SETS ((structure_id), ())
),
outs AS (
    SELECT COALESCE(structure_id, 0) AS sid, COUNT(*) AS exits,
           {categories},
           COUNT(*) FILTER (WHERE dgefp_category = ANY(%(dynamic)s)) AS dynamic_exits,
           SUM(end_date - start_date) AS duration_days,
           COUNT(*) FILTER (WHERE NOT (entry_housing = ANY(%(housed_or_unknown)s)))
               AS housing_denominator,
           COUNT(*) FILTER (WHERE NOT (entry_housing = ANY(%(housed_or_unknown)s))
                              AND exit_housing = ANY(%(housed)s)) AS housing_numerator,
           COUNT(*) FILTER (WHERE situation = ANY(%(continuations)s)) AS phc_continuations
    FROM x GROUP BY GROUPING SETS ((structure_id), ())
),
hours AS (
    SELECT COALESCE(ph.structure_id, 0) AS sid, SUM(wh.hours) AS hours
    FROM ph JOIN participants_workedhours wh
      ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
     AND wh.week_start BETWEEN %(d1)s AND %(d2)s
    GROUP BY GROUPING SETS ((ph.structure_id), ())
),
by_month AS (
    SELECT structure_id AS sid, json_object_agg(m, n ORDER BY m) AS entries_by_month
    FROM (SELECT structure_id, date_trunc('month', start_date)::date AS m, COUNT(*) AS n
          FROM p WHERE start_date >= %(d1)s GROUP BY 1, 2) s
    GROUP BY structure_id
),
out_month AS (
    SELECT structure_id AS sid, json_object_agg(m, n ORDER BY m) AS exits_by_month
    FROM (SELECT structure_id, date_trunc('month', end_date)::date AS m, COUNT(*) AS n
          FROM p WHERE end_date <= %(d2)s GROUP BY 1, 2) s
    GROUP BY structure_id
)
SELECT NULLIF(sid, 0),
       people.accompanied, people.active_at_end, people.entries, outs.exits, {category_names},
       outs.dynamic_exits, outs.duration_days, hours.hours, outs.housing_denominator,
       outs.housing_numerator, outs.phc_continuations,
       by_month.entries_by_month, out_month.exits_by_month
FROM people
FULL JOIN outs USING (sid)
FULL JOIN hours USING (sid)
LEFT JOIN by_month USING (sid)
LEFT JOIN out_month USING (sid)
"""

TABLE_FIELDS = (
    "accompanied",
    "active_at_end",
    "entries",
    "exits",
    *(f"exits_{code}" for code in CATEGORY_CODES),
    "dynamic_exits",
    "duration_days",
    "hours_worked",
    "housing_denominator",
    "housing_numerator",
    "phc_continuations",
    "entries_by_month",
    "exits_by_month",
)


def territory_table_sql() -> str:
    return TERRITORY_TABLE_SQL.format(
        categories=",\n           ".join(
            f"COUNT(*) FILTER (WHERE dgefp_category = '{code}') AS cat_{code.lower()}"
            for code in CATEGORY_CODES
        ),
        category_names=", ".join(f"outs.cat_{code.lower()}" for code in CATEGORY_CODES),
    )


def table_params(*, territory_id: int, programme_id: int, start: dt.date, end: dt.date) -> dict:
    return {
        "territory": territory_id,
        "programme": programme_id,
        "statuses": [str(s) for s in COUNTED_STATUSES],
        "d1": start,
        "d2": end,
        "dynamic": [str(c) for c in DYNAMIC_CATEGORIES],
        "housed": [str(h) for h in HOUSED],
        "housed_or_unknown": [str(h) for h in HOUSED] + ["INCONNU"],
        "continuations": [str(s) for s in PHC_CONTINUATIONS],
    }


def territory_table(cursor, **kwargs) -> dict:
    """Structure id (None: the territory's total) → its figures, on any DB-API cursor that
    takes %(name)s parameters (Django's, or a psycopg connection's of its own)."""
    cursor.execute(territory_table_sql(), table_params(**kwargs))
    rows = {}
    for row in cursor.fetchall():
        figures = dict(zip(TABLE_FIELDS, row[1:], strict=True))
        for name in ("entries_by_month", "exits_by_month"):
            value = figures[name] or {}
            figures[name] = json.loads(value) if isinstance(value, str) else value
        for name, value in figures.items():
            if value is None:
                figures[name] = 0
        rows[row[0]] = figures
    return rows
