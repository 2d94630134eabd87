"""Any period, read from the maintained rows (free dates with a bounded live part).

A calendar year is read from the yearly rows (reporting.territory_years); any other period
made of whole months — a month, a quarter, a Convergence semester, a July-to-June year,
several years — from the monthly rows `TerritoryMonth` and `TerritoryMonthGap`, kept exact
like the yearly rows (the same writes mark the structure, in `TerritoryMonthStale`; a
reader recomputes the stale structures of its scope with `reporting_territory_month_refresh`,
migration 0008). Per structure, over the months m1…m2 of P:

- entries, exits, exits by category, dynamic exits, days, continuations, housing and hours
  are the sums of the months' figures (each parcours starts, ends, and each week is counted,
  in one month);
- `active_at_end` is the last month's (present on its last day, the last day of P);
- the distinct people are those counted in m1, plus those counted in a later month and not
  in the month before it (`run_starts`), minus the people who had a month without any
  counted parcours between two months of P (`TerritoryMonthGap`, last_month ≥ m1 and
  next_month ≤ m2): each person counted in P starts exactly one more stretch of months
  inside P than the gaps P holds between their stretches.

Free dates are read as the whole months holding them, less their two edges (the days of
the first and last months outside P), computed live from the few parcours starting or
ending there and the weekly rows (`TerritoryWeek`) of the weeks there (`_EDGE_SQL`). A
territory's figures are the sums of its structures' (a participant belongs to one
structure, as for the yearly rows).
"""

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from django.db import connection, transaction

from participants.enums import (
    COUNTED_STATUSES,
    DYNAMIC_CATEGORIES,
    HOUSED,
    PHC_CONTINUATIONS,
    Housing,
    SnapshotContext,
)

from . import indicator_sql, territory_years
from . import indicators as ind
from .hours_by_month import covers_whole_months
from .periods import Period
from .places import Places, territory_places
from .sql_arrays import code_array, id_array
from .territory_years import GAPS, MONTH_STALE, MONTHS, WEEKS

_CATEGORY_SUMS = ", ".join(
    f"SUM(r.exits_by_category[{i}]) AS cat_{i}" for i in range(1, len(ind.CATEGORY_CODES) + 1)
)

# Each structure's figures over the months [m1, m2] of P (the scope's structures and
# territories given), as described above.
_STRUCTURES_CTES = f"""
r AS (
    SELECT * FROM {MONTHS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s::bigint[])
      AND month BETWEEN %(m1)s AND %(m2)s
      AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
),
g AS (
    SELECT territory_id, structure_id, SUM(people) AS people FROM {GAPS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s::bigint[])
      AND last_month >= %(m1)s AND next_month <= %(m2)s
      AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
    GROUP BY territory_id, structure_id
),
s AS (
    SELECT r.territory_id, r.structure_id,
        COALESCE(SUM(r.accompanied) FILTER (WHERE r.month = %(m1)s), 0)
            + COALESCE(SUM(r.run_starts) FILTER (WHERE r.month > %(m1)s), 0)
            - COALESCE(MAX(g.people), 0) AS accompanied,
        COALESCE(SUM(r.active_at_end) FILTER (WHERE r.month = %(m2)s), 0) AS active_at_end,
        SUM(r.entries) AS entries, SUM(r.exits) AS exits, {_CATEGORY_SUMS},
        SUM(r.dynamic_exits) AS dynamic_exits, SUM(r.duration_days)::bigint AS duration_days,
        SUM(r.hours_worked) AS hours_worked,
        SUM(r.housing_denominator) AS housing_denominator,
        SUM(r.housing_numerator) AS housing_numerator,
        SUM(r.phc_continuations) AS phc_continuations
    FROM r LEFT JOIN g USING (territory_id, structure_id)
    GROUP BY r.territory_id, r.structure_id
)"""  # noqa: S608 (constant identifiers only)

# A territory dashboard's rows, one per structure, as indicator_table's statement gives them.
_TABLE_SQL = f"""
WITH {_STRUCTURES_CTES}
SELECT * FROM s ORDER BY territory_id, structure_id
"""  # noqa: S608 (constant identifiers only)

# The monthly series: each month's entries and exits, how many structures contributed and
# the largest contribution (rows with no structure). For free dates, the months P only
# partly covers are also read per structure (rows with their structure), in the same
# statement, and their edges taken off before they are put together.
_SERIES_SQL = f"""
SELECT month, NULL::bigint, SUM(entries), COUNT(*) FILTER (WHERE entries > 0), MAX(entries),
       SUM(exits), COUNT(*) FILTER (WHERE exits > 0), MAX(exits)
FROM {MONTHS}
WHERE programme_id = %(programme_id)s AND territory_id = %(territory_id)s
  AND month BETWEEN %(m1)s AND %(m2)s
  AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
GROUP BY month
"""  # noqa: S608 (constant identifiers only)

_EDGE_MONTHS_SQL = f"""
UNION ALL
SELECT month, structure_id, entries, 0, 0, exits, 0, 0 FROM {MONTHS}
WHERE programme_id = %(programme_id)s AND territory_id = %(territory_id)s
  AND month IN (%(m1)s, %(m2)s)
  AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
"""  # noqa: S608 (constant identifiers only)

# Free dates: P = [d1, d2] inside the whole months E = [ms1, me2] (ms1 the first day of
# d1's month, me2 the last day of d2's). P's figures are E's, read from the monthly rows,
# minus what lies in E and not in P — the two edges [ms1, d1) and (d2, me2], each less than
# a month — computed live here:
# - entries and exits (with their categories, days, continuations, housing) of the parcours
#   starting or ending in an edge (`c`, found through the structure-programme-date indexes);
# - the hours of the weeks whose Monday lies in an edge (the weekly rows kept with the
#   months, reporting_territoryweek);
# - the people counted in E and not in P: all their parcours of E lie in the edges, so they
#   are among the people of `c` (each person's parcours of the scope's structure, `pp`);
# - present at d2 rather than at me2: the people present at me2 and not at d2 (a parcours
#   starting in (d2, me2]) or at d2 and not at me2 (a parcours ending in [d2, me2)), also
#   among the people of `c`.
# Where the parcours lie: `here`, the territories holding their communes (see `_BY_STRUCTURE`
# and `_FOR_COMPARISON` below).
# The edges: [ms1, d1) before P and (d2, me2] after it, as (first day, last day) parameters.
_EDGES = (("ms1", "d1_before"), ("d2_after", "me2"))

# The parcours starting in an edge or ending in one; the upper one from d2 itself for the
# ends (a parcours ending in [d2, me2) is present at d2 and not at me2: `active_minus`).
_EDGE_PARCOURS = [
    *(("start_date", lo, hi) for lo, hi in _EDGES),
    ("end_date", "ms1", "d1_before"),
    ("end_date", "d2", "me2"),
]

_EDGE_SQL = (
    "\nWITH RECURSIVE\nc AS MATERIALIZED (\n"  # noqa: S608 (constant fragments only)
    + """    -- One scan for the four ranges (the planner ORs their index scans): a UNION of four
    -- scans cost 0.7 ms more to plan (1.3 ms on the IAE région; EXPLAIN medians of 10,
    -- both forms alternated, load 1.7–3.6), each of them with its own copy of the
    -- row-level security policy.
    SELECT p.id, p.participant_id, p.structure_id
    FROM participants_parcours p
    WHERE {parcours_scope} AND p.programme_id = %(programme_id)s
      AND p.status = ANY(%(statuses)s)
      AND ("""
    + "\n        OR ".join(
        f"p.{column} BETWEEN %({lo})s AND %({hi})s" for column, lo, hi in _EDGE_PARCOURS
    )
    + """)
),
pp AS MATERIALIZED (
    SELECT p.id, p.participant_id, p.structure_id, p.start_date, p.end_date,
           -- The structure's commune looked up only for a parcours without a work site.
           COALESCE(
               ws.commune_id,
               (SELECT st.commune_id FROM sites_structure st WHERE st.id = p.structure_id)
           ) AS commune_id
    FROM participants_parcours p
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    -- The edge people's parcours through the participant index, one scan of their sorted
    -- ids (a look-up per (structure, person) cost 150 ms for the 10,770 of the national
    -- view), then kept in the structure where each was found.
    WHERE p.participant_id = ANY(ARRAY(SELECT DISTINCT participant_id FROM c))
      AND (p.structure_id, p.participant_id) IN (SELECT structure_id, participant_id FROM c)
      AND p.programme_id = %(programme_id)s AND p.status = ANY(%(statuses)s)
),
wp AS MATERIALIZED (
    -- The edges' weeks, from the weekly rows kept with the months (reporting_territoryweek:
    -- counted parcours of the programme, by commune), read from their index alone, one
    -- range of weeks per edge (an OR of the two would scan every week of each structure).
    SELECT w.structure_id, w.commune_id, SUM(w.hours) AS hours
    FROM (
"""
    + "\n        UNION ALL\n".join(
        f"""        SELECT structure_id, commune_id, hours FROM {WEEKS}
        WHERE {{week_scope}} AND programme_id = %(programme_id)s
          AND week BETWEEN %({lo})s AND %({hi})s"""  # noqa: S608 (constants only)
        for lo, hi in _EDGES
    )
    + """
    ) w
    GROUP BY w.structure_id, w.commune_id
),
"""
    + """{here}
persons AS (
    SELECT here.territory_id, p.structure_id,
        bool_or(p.start_date <= %(me2)s AND (p.end_date IS NULL OR p.end_date >= %(ms1)s))
            AS in_e,
        bool_or(p.start_date <= %(d2)s AND (p.end_date IS NULL OR p.end_date >= %(d1)s))
            AS in_p,
        bool_or(p.start_date <= %(d2)s AND (p.end_date IS NULL OR p.end_date >= %(d2)s))
            AS at_d2,
        bool_or(p.start_date <= %(me2)s AND (p.end_date IS NULL OR p.end_date >= %(me2)s))
            AS at_me2
    FROM pp p JOIN here ON here.commune_id = p.commune_id
    GROUP BY here.territory_id, p.structure_id, p.participant_id
),
edge AS (
    SELECT here.territory_id, p.structure_id, p.start_date, p.end_date,
        e.dgefp_category, e.situation, eh.housing AS entry_housing, xh.housing AS exit_housing,
        {gone} AS gone
    FROM pp p JOIN c ON c.id = p.id JOIN here ON here.commune_id = p.commune_id
    -- Each edge parcours' exit by its index (a join would be planned on pp's estimate and
    -- merge with every exit on the national view).
    -- Only the parcours ending in an edge (`gone`) have their exit read.
    LEFT JOIN LATERAL (
        SELECT e.dgefp_category, e.situation FROM participants_exit e
        WHERE e.parcours_id = p.id AND {gone}
        LIMIT 1  -- one exit a parcours; keeps the look-up a look-up
    ) e ON true
    {housing_joins}
),
outside AS (
    SELECT territory_id, structure_id,
        COUNT(*) FILTER (WHERE start_date BETWEEN %(ms1)s AND %(d1_before)s) AS entries_lo,
        COUNT(*) FILTER (WHERE start_date BETWEEN %(d2_after)s AND %(me2)s) AS entries_hi,
        COUNT(*) FILTER (WHERE end_date BETWEEN %(ms1)s AND %(d1_before)s) AS exits_lo,
        COUNT(*) FILTER (WHERE end_date BETWEEN %(d2_after)s AND %(me2)s) AS exits_hi,
        {category_columns},
        COUNT(*) FILTER (WHERE gone AND dgefp_category = ANY(%(dynamic)s)) AS dynamic_exits,
        COALESCE(SUM(end_date - start_date) FILTER (WHERE gone), 0) AS duration_days,
        COUNT(*) FILTER (WHERE gone AND situation = ANY(%(continuations)s))
            AS phc_continuations,
        COUNT(*) FILTER (
            WHERE gone AND NOT (entry_housing = ANY(%(housed_or_unknown)s))
        ) AS housing_denominator,
        COUNT(*) FILTER (
            WHERE gone AND NOT (entry_housing = ANY(%(housed_or_unknown)s))
              AND exit_housing = ANY(%(housed)s)
        ) AS housing_numerator,
        0::numeric AS hours, 0 AS people, 0 AS active_minus, 0 AS active_plus
    FROM edge GROUP BY territory_id, structure_id
    UNION ALL
    SELECT territory_id, structure_id, 0, 0, 0, 0, {zero_categories}, 0, 0, 0, 0, 0, 0,
        COUNT(*) FILTER (WHERE in_e AND NOT in_p),
        COUNT(*) FILTER (WHERE at_me2 AND NOT at_d2),
        COUNT(*) FILTER (WHERE at_d2 AND NOT at_me2)
    FROM persons GROUP BY territory_id, structure_id
    UNION ALL
    SELECT here.territory_id, wp.structure_id, 0, 0, 0, 0, {zero_categories}, 0, 0, 0, 0, 0,
        SUM(wp.hours), 0, 0, 0
    FROM wp JOIN here ON here.commune_id = wp.commune_id
    GROUP BY here.territory_id, wp.structure_id
)
-- Counts as bigint, not numeric: read as ints (psycopg reads a numeric as a Decimal, in
-- Python: 4,000 rows of 18 figures on the national view).
SELECT territory_id, structure_id, SUM(entries_lo)::bigint, SUM(entries_hi)::bigint,
    SUM(exits_lo)::bigint, SUM(exits_hi)::bigint, {category_sums},
    SUM(dynamic_exits)::bigint, SUM(duration_days)::bigint, SUM(phc_continuations)::bigint,
    SUM(housing_denominator)::bigint, SUM(housing_numerator)::bigint, SUM(hours),
    SUM(people)::bigint, SUM(active_minus)::bigint, SUM(active_plus)::bigint
FROM outside GROUP BY territory_id, structure_id
"""
)


# The parcours ending in an edge: their exits are taken off the months'.
_GONE = (
    "(p.end_date BETWEEN %(ms1)s AND %(d1_before)s OR p.end_date BETWEEN %(d2_after)s AND %(me2)s)"
)

# Where the edges' parcours and weeks are looked for. A territory's dashboard (a few hundred
# structures): by structure, each one's edges from the structure-programme-date indexes. The
# comparison of territories (the national view: thousands of structures): every edge of the
# programme from the programme-date indexes, kept to the scope's structures by a filter the
# planner cannot turn into one index probe per structure (the national view's edge
# parcours 96 → 21 ms); and neither weeks nor housing, which the comparison leaves out.
# Which edge parcours and weeks lie in which territory (`here`: territory, commune): for a
# territory's dashboard, its communes as given (reporting.places: 7.2 → 4.9 ms the statement
# alone on the CVG région, both forms alternated at load 0.7–0.8, the walk up from each
# commune gone); for the comparison of
# territories, each commune's territories found upwards.
_BY_STRUCTURE = {
    "parcours_scope": "p.structure_id = ANY(%(edge_structure_ids)s::bigint[])",
    "week_scope": "structure_id = ANY(%(edge_structure_ids)s::bigint[])",
    "here": """here AS (
    SELECT %(territory_id)s::bigint AS territory_id, g.id AS commune_id
    FROM unnest(%(communes)s::bigint[]) AS g(id)
),""",
}
_FOR_COMPARISON = {
    "parcours_scope": "p.structure_id + 0 = ANY(%(edge_structure_ids)s::bigint[])",
    "week_scope": "false",
    "here": territory_years.territories_holding(  # noqa: S608 (constant fragments only)
        """SELECT commune_id, commune_id FROM (
        SELECT commune_id FROM pp UNION SELECT commune_id FROM wp
    ) communes"""
    )
    + "here AS (SELECT * FROM inside WHERE territory_id = ANY(%(territory_ids)s::bigint[])),",
}


def _edge_sql(programme, *, comparison: bool = False) -> str:
    return _EDGE_SQL.format(
        **(_FOR_COMPARISON if comparison else _BY_STRUCTURE),
        gone=_GONE,
        housing_joins=(
            indicator_sql.housing_joins(_GONE, "%(entree)s", "%(sortie)s")
            if programme.tracks_housing and not comparison
            else indicator_sql.NO_HOUSING_JOINS
        ),
        category_columns=",\n        ".join(
            f"COUNT(*) FILTER (WHERE gone AND dgefp_category = '{code}') AS cat_{i}"
            for i, code in enumerate(ind.CATEGORY_CODES, start=1)
        ),
        zero_categories=", ".join("0" for _ in ind.CATEGORY_CODES),
        category_sums=", ".join(
            f"SUM(cat_{i})::bigint" for i in range(1, len(ind.CATEGORY_CODES) + 1)
        ),
    )


def whole_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """(first month, last month) of P, each as its first day, when P is made of whole
    calendar months; else None."""
    if not covers_whole_months(period.start, period.end):
        return None
    return period.start, period.end.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def covered_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """The months holding P (those of its first and last days) when the monthly rows hold
    all of them, else None."""
    months = period.start.replace(day=1), period.end.replace(day=1)
    through = territory_years.covered_through()
    if through is None or months[1].year > through:
        return None
    return months


# Recompute the stale structures among the scope's, as for the years (too many stale
# structures, no coverage or a lock busy: the page computes live; see territory_years).
REFRESH_SQL = territory_years.refresh_statement("reporting_territory_month_refresh", MONTH_STALE)

# Beyond this many stale structures a page computes live. Recomputing a structure's months
# costs more than its years (a row per month, the distinct people of each month): on the
# IAE région of the national dataset at load average 4, 1 stale structure 64 ms, 5 167 ms,
# 10 285 ms, while the live statement of a quarter costs about 130 ms and a July-to-June
# year twice that (docs/performance.md §2); the background job clears the rest.
MAX_STALE = 5


# The codes the statements compare with, as array literals (reporting.sql_arrays).
_STATUSES = code_array(COUNTED_STATUSES)
_DYNAMIC = code_array(DYNAMIC_CATEGORIES)
_HOUSED = code_array(HOUSED)
_HOUSED_OR_UNKNOWN = code_array([*HOUSED, Housing.INCONNU])
_CONTINUATIONS = code_array(PHC_CONTINUATIONS)


def _params(*, programme, period: Period, months, structure_ids, territory_ids) -> dict:
    return {
        "programme_id": programme.pk,
        "m1": months[0],
        "m2": months[1],
        "territory_ids": id_array(territory_ids),
        "structure_ids": id_array(structure_ids),
        "max_stale": MAX_STALE,
        # Free dates: P's edges inside its months.
        "d1": period.start,
        "d2": period.end,
        "ms1": months[0],
        "me2": _month_end(months[1]),
        "d1_before": period.start - dt.timedelta(days=1),
        "d2_after": period.end + dt.timedelta(days=1),
        "statuses": _STATUSES,
        "dynamic": _DYNAMIC,
        "housed": _HOUSED,
        "housed_or_unknown": _HOUSED_OR_UNKNOWN,
        "continuations": _CONTINUATIONS,
        "entree": str(SnapshotContext.ENTREE),
        "sortie": str(SnapshotContext.SORTIE),
    }


def _structure_figures(
    cursor, params: dict, *, programme, period: Period, comparison: bool = False
) -> tuple[dict, dict]:
    """Per (territory, structure): P's figures, and the entries and exits its edges took off
    the months of its first and last days ({(territory, structure): (entries of the first
    month, entries of the last, exits of the first, exits of the last)}). Structures with
    nobody counted in P and no hours left out, as the live statement has no row for them.
    For the `comparison`, the hours and housing are those of the whole months (it leaves
    them out): only its rows of people counted in P are exact."""
    # The statements give every count as an int (bigint) and the hours as a Decimal: the
    # national view reads 12,000 rows of these, then 4,000 of its edges.
    flags = ind.rate_flags(programme)
    codes = ind.CATEGORY_CODES
    n = len(codes)
    days_in_period = period.days
    figures = {}
    cursor.execute(_TABLE_SQL, params)
    for row in cursor.fetchall():
        dyn, days, hours, h_den, h_num, cont = row[6 + n :]
        figures[row[0], row[1]] = ind.Indicators(
            accompanied=row[2],
            active_at_end=row[3],
            entries=row[4],
            exits=row[5],
            exits_by_category=dict(zip(codes, row[6 : 6 + n], strict=True)),
            dynamic_exits=dyn,
            duration_days=days,
            hours_worked=hours,
            housing_denominator=h_den,
            housing_numerator=h_num,
            phc_continuations=cont,
            days_in_period=days_in_period,
            **flags,
        )
    edges = {}
    if whole_months(period) is None:
        # Only the structures with figures in P's months can have any in its edges (the
        # others' weeks, of another programme, would be looked up for nothing).
        params["edge_structure_ids"] = id_array({structure_id for _, structure_id in figures})
        cursor.execute(_edge_sql(programme, comparison=comparison), params)
        for row in cursor.fetchall():
            fig = figures.get((row[0], row[1]))
            if fig is None:  # nothing in the months holding P: nothing to take off
                continue
            e_lo, e_hi, x_lo, x_hi = row[2:6]
            dyn, days, cont, h_den, h_num, hours, people, minus, plus = row[6 + n :]
            edges[row[0], row[1]] = (e_lo, e_hi, x_lo, x_hi)
            fig.accompanied -= people
            fig.active_at_end += plus - minus
            fig.entries -= e_lo + e_hi
            fig.exits -= x_lo + x_hi
            categories = fig.exits_by_category
            for code, count in zip(codes, row[6 : 6 + n], strict=True):
                categories[code] -= count
            fig.dynamic_exits -= dyn
            fig.duration_days -= days
            fig.phc_continuations -= cont
            fig.housing_denominator -= h_den
            fig.housing_numerator -= h_num
            fig.hours_worked -= hours
        figures = {
            key: fig for key, fig in figures.items() if fig.accompanied > 0 or fig.hours_worked
        }
    return figures, edges


def _series(cursor, params: dict, period: Period, edges: dict) -> list[ind.MonthPoint]:
    """The monthly series of P (the table statement's): each month's entries and exits, how
    many structures contributed and the largest contribution."""
    free_dates = whole_months(period) is None
    cursor.execute(_SERIES_SQL + _EDGE_MONTHS_SQL if free_dates else _SERIES_SQL, params)
    found = {}
    # The months of P's first and last days, per structure, less their edges.
    per_structure: dict[dt.date, list[tuple[int, int]]] = {}
    for month, structure_id, *figures in cursor.fetchall():
        if structure_id is None:
            found[month] = figures
            continue
        entries, exits = figures[0], figures[3]
        e_lo, e_hi, x_lo, x_hi = edges.get((params["territory_id"], structure_id), (0,) * 4)
        if month == params["m1"]:
            entries, exits = entries - e_lo, exits - x_lo
        if month == params["m2"]:
            entries, exits = entries - e_hi, exits - x_hi
        per_structure.setdefault(month, []).append((entries, exits))
    if free_dates:
        for month in {params["m1"], params["m2"]}:
            ins = [e for e, _ in per_structure.get(month, [])]
            outs = [x for _, x in per_structure.get(month, [])]
            found[month] = (
                sum(ins),
                sum(1 for v in ins if v),
                max(ins, default=0),
                sum(outs),
                sum(1 for v in outs if v),
                max(outs, default=0),
            )
    points = []
    for month in period.months():
        entries, e_k, e_top, exits, x_k, x_top = found.get(month, (0,) * 6)
        points.append(
            ind.MonthPoint(
                month=month,
                entries=int(entries),
                exits=int(exits),
                entries_structures=int(e_k),
                entries_top=int(e_top),
                exits_structures=int(x_k),
                exits_top=int(x_top),
            )
        )
    return points


def table(
    *,
    programme,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int,
    places: Places | None = None,
) -> ind.IndicatorTable | None:
    """`indicators.indicator_table(..., with_months=True)` for a territory, read from the
    maintained rows (yearly for a calendar year, monthly otherwise, with the edges of free
    dates computed live, placed by the territory's `places`: read here, one query more, when
    not given), or None when they do not cover P. Call under row-level security for
    `structure_ids`."""
    if territory_years.calendar_year(period) is not None:
        return territory_years.table(
            programme=programme,
            period=period,
            structure_ids=structure_ids,
            territory_id=territory_id,
        )
    months = covered_months(period)
    if months is None:
        return None
    params = _params(
        programme=programme,
        period=period,
        months=months,
        structure_ids=structure_ids,
        territory_ids=[territory_id],
    )
    params["territory_id"] = territory_id
    flags = ind.rate_flags(programme)
    figures, points = {}, [ind.MonthPoint(m, 0, 0) for m in period.months()]
    if structure_ids:
        if whole_months(period) is None:  # the edges are placed in the territory's communes
            params["communes"] = (places or territory_places(territory_id)[1]).communes
        with transaction.atomic(), connection.cursor() as cursor:
            if not territory_years.refreshed(cursor, REFRESH_SQL, params):
                return None
            figures, edges = _structure_figures(cursor, params, programme=programme, period=period)
            points = _series(cursor, params, period, edges)
    by_structure = {structure_id: fig for (_, structure_id), fig in figures.items()}
    total = ind.Indicators(days_in_period=period.days, **flags)
    for fig in by_structure.values():
        territory_years._add(total, fig)
    return ind.IndicatorTable(total=total, by_structure=by_structure, months=points)


def comparison(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
) -> ind.Comparison | None:
    """`indicators.territory_comparison` read from the maintained rows (yearly for a
    calendar year, monthly otherwise, with the edges of free dates computed live), or None
    when they do not cover P. Call under row-level security for `structure_ids`."""
    if territory_years.calendar_year(period) is not None:
        return territory_years.comparison(
            programme=programme,
            period=period,
            territory_ids=territory_ids,
            structure_ids=structure_ids,
        )
    months = covered_months(period)
    if months is None:
        return None
    result = ind.empty_comparison(programme=programme, period=period, territory_ids=territory_ids)
    if not territory_ids or not structure_ids:
        return result
    params = _params(
        programme=programme,
        period=period,
        months=months,
        structure_ids=structure_ids,
        territory_ids=territory_ids,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if not territory_years.refreshed(cursor, REFRESH_SQL, params):
            return None
        figures, _ = _structure_figures(
            cursor, params, programme=programme, period=period, comparison=True
        )
    for (territory_id, _), fig in figures.items():  # in order: the table statement's
        if fig.accompanied <= 0:
            continue  # the comparison has no hours: no row for hours alone
        # Hours and housing belong to the territory page, not to the comparison.
        fig.hours_worked, fig.housing_denominator, fig.housing_numerator = Decimal(0), 0, 0
        result.by_structure[territory_id].append(fig)
        territory_years._add(result.figures[territory_id], fig)
    return result
