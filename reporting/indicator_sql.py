"""The SQL of the live indicator statements (`reporting.indicators` assembles and runs it).

Constant fragments only: every value travels as a bound parameter, and the fragments are
put together from this module's own constants, never from a request's value.
"""

import datetime as dt

from .figures import CATEGORY_CODES

# The communes of a territory: its geo units' subtrees and those of its sub-territories. The
# units directly inside a unit are its children by the parent link and, for an EPCI, its
# member communes (sites.models.GeoUnit): a lateral pair of index scans (an OR in the join
# condition would leave the planner no index to walk). NATIONAL_SQL and
# STRUCTURES_IN_TERRITORIES_SQL walk down the same way.
# UNION, not UNION ALL: a cycle of parents (nothing in the admin forbids one) ends the walk
# instead of running it until the statement timeout.
TERRITORY_CTES = """
terr(id) AS (
    SELECT id FROM sites_territory WHERE id = %(territory_id)s
    UNION
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT tg.geounit_id FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT child.id FROM geo CROSS JOIN LATERAL (
        SELECT g.id FROM sites_geounit g WHERE g.parent_id = geo.id
        UNION ALL
        SELECT g.id FROM sites_geounit g WHERE g.epci_id = geo.id
    ) AS child
),
"""

# Counted parcours of the scope that overlap [d1, d2 + 6 days]. A parcours lies where its
# work site is, else where its structure is. Hours are counted by their week's Monday
# (d1 ≤ week_start ≤ d2) and a week is only ever recorded when it overlaps its parcours
# (services.worked_hours_record), so these are all the parcours that can hold hours of P:
# the hours are looked up from them through the (structure, parcours, week) index instead of
# scanning every hour of the scope; the figures use those that overlap P (`p`).
# Materialised: the few parcours are found first, then their weeks. Inlined, the planner
# (misled by the row-level security filter, estimating 1 row) joined the weeks first and
# checked the location of each (930 ms instead of 10 on a département).
PARCOURS_CTE = """
ph AS MATERIALIZED (
    SELECT p.id, p.participant_id, p.structure_id, p.start_date, p.end_date
    FROM participants_parcours p
    {location_join}
    WHERE p.structure_id = ANY(%(structure_ids)s::bigint[])
      AND p.programme_id = %(programme_id)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2_hours)s
      AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      {location_filter}
),
p AS (SELECT * FROM ph WHERE ph.start_date <= %(d2)s)
"""
HOURS_WEEK_SPAN = dt.timedelta(days=6)

LOCATION_JOIN = """
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    JOIN sites_structure st ON st.id = p.structure_id
"""
LOCATION_FILTER = "AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)"

TABLE_SQL = """
{with_clause}
{parcours_cte},
hours AS (
    SELECT ph.structure_id, GROUPING(ph.structure_id) AS is_total, SUM(wh.hours) AS hours
    FROM ph
    {hours_join}
    GROUP BY ROLLUP (ph.structure_id)
),
agg AS (
    SELECT
        p.structure_id,
        GROUPING(p.structure_id) AS is_total,
        COUNT(DISTINCT p.participant_id) AS accompanied,
        COUNT(DISTINCT p.participant_id)
            FILTER (WHERE p.end_date IS NULL OR p.end_date >= %(d2)s) AS active_at_end,
        COUNT(*) FILTER (WHERE p.start_date >= %(d1)s) AS entries,
        COUNT(*) FILTER (WHERE p.end_date <= %(d2)s) AS exits,
        {category_columns},
        COUNT(*) FILTER (
            WHERE p.end_date <= %(d2)s AND e.dgefp_category = ANY(%(dynamic)s)
        ) AS dynamic_exits,
        COALESCE(SUM(p.end_date - p.start_date) FILTER (WHERE p.end_date <= %(d2)s), 0)
            AS duration_days,
        COUNT(*) FILTER (
            WHERE p.end_date <= %(d2)s AND NOT (eh.housing = ANY(%(housed_or_unknown)s))
        ) AS housing_denominator,
        COUNT(*) FILTER (
            WHERE p.end_date <= %(d2)s AND NOT (eh.housing = ANY(%(housed_or_unknown)s))
              AND xh.housing = ANY(%(housed)s)
        ) AS housing_numerator,
        COUNT(*) FILTER (
            WHERE p.end_date <= %(d2)s AND e.situation = ANY(%(continuations)s)
        ) AS phc_continuations
    FROM p
    LEFT JOIN participants_exit e ON e.parcours_id = p.id AND p.end_date <= %(d2)s
    {housing_joins}
    GROUP BY GROUPING SETS ((p.structure_id), ())
){monthly_ctes}
SELECT
    COALESCE(agg.structure_id, hours.structure_id) AS structure_id,
    COALESCE(agg.is_total, hours.is_total) AS is_total,
    COALESCE(agg.accompanied, 0), COALESCE(agg.active_at_end, 0),
    COALESCE(agg.entries, 0), COALESCE(agg.exits, 0),
    {category_select},
    COALESCE(agg.dynamic_exits, 0), COALESCE(agg.duration_days, 0),
    COALESCE(hours.hours, 0),
    COALESCE(agg.housing_denominator, 0), COALESCE(agg.housing_numerator, 0),
    COALESCE(agg.phc_continuations, 0){monthly_column}
FROM agg
FULL JOIN hours
    ON agg.is_total = hours.is_total
    AND agg.structure_id IS NOT DISTINCT FROM hours.structure_id
"""


def housing_joins(gate: str, entree: str, sortie: str) -> str:
    """The two look-ups of a parcours' housing (columns `eh.housing`, `xh.housing`).

    Entry housing: the parcours' own ENTREE snapshot, else the participant's latest ENTREE
    snapshot on or before the start. Exit housing: the parcours' SORTIE snapshot, else the
    participant's unlinked SORTIE snapshot dated on the exit date. `gate`: the SQL condition
    on `p` under which they are looked up (exits only); `entree`, `sortie`: the SQL of the
    two contexts (parameters here, constants in the yearly rows' statement). Only the
    module's own constants are put in, never a request's value.
    """
    return f"""
    LEFT JOIN LATERAL (
        SELECT s.housing FROM participants_situationsnapshot s
        WHERE {gate}
          AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
          AND s.context = {entree}
          AND (s.parcours_id = p.id OR s.date <= p.start_date)
        ORDER BY (s.parcours_id IS NOT NULL AND s.parcours_id = p.id) DESC, s.date DESC, s.id DESC
        LIMIT 1
    ) eh ON true{exit_housing_join(gate, sortie)}"""  # noqa: S608 — the module's own constants only (see above)


def exit_housing_join(gate: str, sortie: str) -> str:
    """The housing at a parcours' exit (column `xh.housing`), as in `housing_joins`."""
    return f"""
    LEFT JOIN LATERAL (
        SELECT s.housing FROM participants_situationsnapshot s
        WHERE {gate}
          AND s.structure_id = p.structure_id AND s.participant_id = p.participant_id
          AND s.context = {sortie}
          AND (s.parcours_id = p.id OR (s.parcours_id IS NULL AND s.date = p.end_date))
        ORDER BY (s.parcours_id IS NOT NULL AND s.parcours_id = p.id) DESC, s.date DESC, s.id DESC
        LIMIT 1
    ) xh ON true
"""  # noqa: S608 — the module's own constants only (see above)


# Looked up for the exits of P.
HOUSING_JOINS = housing_joins("p.end_date <= %(d2)s", "%(entree)s", "%(sortie)s")
# The hours of P's weeks (counted by their Monday): from the month rows maintained by the
# database (reporting.HoursByMonth) when P is made of whole months, else from the weeks. A
# structure gets a row for its hours only when some are recorded: the month rows leave out a
# month of zero hours, so the weeks leave out a week of zero hours (the sum is the same).
HOURS_BY_WEEK = """
    JOIN participants_workedhours wh
      ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
     AND wh.week_start BETWEEN %(d1)s AND %(d2)s AND wh.hours > 0
"""
HOURS_BY_MONTH = """
    JOIN reporting_hoursbymonth wh
      ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
     AND wh.month BETWEEN %(d1)s AND %(d2)s
"""

# Without housing figures (a programme that does not track housing) the lateral look-ups
# are skipped.
NO_HOUSING_JOINS = """
    LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) eh ON true
    LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) xh ON true
"""

# Entries and exits per calendar month of P, with how many structures contributed and the
# largest contribution; `monthly` is shared by the dashboard's table statement.
MONTHLY_CTES = """
months(m) AS (
    SELECT generate_series(
        date_trunc('month', %(d1)s::date), %(d2)s::date, interval '1 month'
    )::date
),
month_entries AS (
    SELECT m, SUM(n) AS n, COUNT(*) AS k, MAX(n) AS top FROM (
        SELECT date_trunc('month', start_date)::date AS m, structure_id, COUNT(*) AS n
        FROM p WHERE start_date >= %(d1)s GROUP BY 1, 2
    ) by_structure GROUP BY m
),
month_exits AS (
    SELECT m, SUM(n) AS n, COUNT(*) AS k, MAX(n) AS top FROM (
        SELECT date_trunc('month', end_date)::date AS m, structure_id, COUNT(*) AS n
        FROM p WHERE end_date <= %(d2)s GROUP BY 1, 2
    ) by_structure GROUP BY m
),
monthly AS (
    SELECT months.m,
           COALESCE(en.n, 0) AS en, COALESCE(en.k, 0) AS ek, COALESCE(en.top, 0) AS etop,
           COALESCE(ex.n, 0) AS xn, COALESCE(ex.k, 0) AS xk, COALESCE(ex.top, 0) AS xtop
    FROM months
    LEFT JOIN month_entries en USING (m)
    LEFT JOIN month_exits ex USING (m)
)"""

# The monthly series as one JSON array on the table's total row (the dashboard's table and
# chart from one statement, so the parcours of the scope are found once).
MONTHLY_COLUMN = """,
    CASE WHEN COALESCE(agg.is_total, hours.is_total) = 1 THEN (
        SELECT json_agg(json_build_array(m, en, ek, etop, xn, xk, xtop) ORDER BY m)
        FROM monthly
    ) END"""

# The communes of each listed territory (`root`): its geo units, their subtrees by parent
# and by EPCI (a commune's `parent` is its département, `epci` its EPCI), and those of its
# sub-territories. Shared by the national view and the trajectories.
ROOTED_GEO = """terr(root, id) AS (
    SELECT id, id FROM sites_territory WHERE id = ANY(%(territory_ids)s::bigint[])
    UNION ALL
    SELECT terr.root, t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(root, id) AS (
    SELECT terr.root, tg.geounit_id
    FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT geo.root, child.id FROM geo CROSS JOIN LATERAL (
        SELECT g.id FROM sites_geounit g WHERE g.parent_id = geo.id
        UNION ALL
        SELECT g.id FROM sites_geounit g WHERE g.epci_id = geo.id
    ) AS child
)"""

# Figures per territory in one pass: each parcours is mapped to every listed territory whose
# communes (sub-territories included) hold it.
NATIONAL_SQL = (
    "\nWITH RECURSIVE\n"  # noqa: S608 (constant fragments only)
    + ROOTED_GEO
    + """,
p AS (
    SELECT p.id, p.participant_id, p.structure_id, p.start_date, p.end_date,
           COALESCE(ws.commune_id, st.commune_id) AS commune_id
    FROM participants_parcours p
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    JOIN sites_structure st ON st.id = p.structure_id
    -- A sub-select, not = ANY(array): with thousands of structures the planner otherwise
    -- walks the structure index row by row (1.0 s of 2.0 s for the IAE, national dataset).
    WHERE p.structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
      AND p.programme_id = %(programme_id)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s
      AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
)
SELECT
    geo.root,
    p.structure_id,
    GROUPING(p.structure_id) AS is_total,
    COUNT(DISTINCT p.participant_id),
    COUNT(DISTINCT p.participant_id) FILTER (WHERE p.end_date IS NULL OR p.end_date >= %(d2)s),
    COUNT(*) FILTER (WHERE p.start_date >= %(d1)s),
    COUNT(*) FILTER (WHERE p.end_date <= %(d2)s),
    {category_columns},
    COUNT(*) FILTER (WHERE p.end_date <= %(d2)s AND e.dgefp_category = ANY(%(dynamic)s)),
    COALESCE(SUM(p.end_date - p.start_date) FILTER (WHERE p.end_date <= %(d2)s), 0),
    COUNT(*) FILTER (WHERE p.end_date <= %(d2)s AND e.situation = ANY(%(continuations)s))
FROM p
JOIN (SELECT DISTINCT root, id FROM geo) geo ON geo.id = p.commune_id
LEFT JOIN participants_exit e ON e.parcours_id = p.id AND p.end_date <= %(d2)s
GROUP BY GROUPING SETS ((geo.root), (geo.root, p.structure_id))
"""
)

NATIONAL_WORK_MEM_SQL = "SET LOCAL work_mem = '64MB'"

# The structures with their seat or a work site in the territories. The communes are looked
# up `= ANY(ARRAY(SELECT id FROM geo))`: the planner cannot count what the walk down finds
# (it expects 336,336 communes for a few hundred) and, with `IN (SELECT id FROM geo)`,
# scanned every structure and work site; the array is read through the communes' indexes
# (national dataset, execution: CVG région 2.7 → 1.7 ms, département 1.8 → 0.7 ms; the
# national view's 44–87 territories unchanged, 7–16 ms; load 4.7).
STRUCTURES_IN_TERRITORIES_SQL = """
WITH RECURSIVE
terr(id) AS (
    SELECT id FROM sites_territory WHERE id = ANY(%(territory_ids)s::bigint[])
    UNION
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT tg.geounit_id FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT child.id FROM geo CROSS JOIN LATERAL (
        SELECT g.id FROM sites_geounit g WHERE g.parent_id = geo.id
        UNION ALL
        SELECT g.id FROM sites_geounit g WHERE g.epci_id = geo.id
    ) AS child
)
SELECT st.id FROM sites_structure st WHERE st.commune_id = ANY(ARRAY(SELECT id FROM geo))
UNION
SELECT ws.structure_id FROM sites_worksite ws WHERE ws.commune_id = ANY(ARRAY(SELECT id FROM geo))
ORDER BY 1
"""


def category_columns(alias: str = "") -> str:
    return ",\n".join(
        f"COUNT(*) FILTER (WHERE p.end_date <= %(d2)s AND e.dgefp_category = '{code}')"
        + (f" AS cat_{code.lower()}" if alias else "")
        for code in CATEGORY_CODES
    )
