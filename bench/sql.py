"""One hand-written SQL query computing a territory dashboard's headline figures.

`make bench` compares the dashboard's server time with this query's (budget: ≤ 1.5 ×), and
tests/scale checks that both give the same numbers on a generated dataset, so the ratio
compares the same work.
"""

import datetime as dt

from django.db import connection

from participants.enums import COUNTED_STATUSES, DYNAMIC_CATEGORIES, HOUSED, PHC_CONTINUATIONS

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
