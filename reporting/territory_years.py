"""Calendar-year figures of the territory dashboards and the national view, from
`TerritoryYear` (kept exact on read).

Writers only append the structures they touch to `TerritoryYearStale` (triggers of migration
0003_territory_years; the function that recomputes them keeps its own frozen copy of the
statement below, last replaced by 0004_programme_flags: change both together, with a
migration replacing the function). Before reading, `table` and `comparison` recompute the
stale structures of their scope, under a per-structure advisory lock, and delete exactly
the stale rows they saw: a row committed meanwhile stays for the next reader. So the
figures are those of the live statements (indicators.py) over the same committed data —
tested after every kind of write — while a région's year of the whole IAE reads a few
hundred rows instead of joining 15,000 parcours with their exits and hours, and the
national view about 8,000 instead of aggregating 450,000 parcours.

`manage.py refresh_territory_years` recomputes what is stale in the background (so that few
structures are left for readers) and rebuilds everything when a new year starts or the
geography changed (the geography's triggers drop the coverage: until then, live figures).
"""

import json
from collections.abc import Collection

from django.db import connection, transaction

from participants.enums import (
    COUNTED_STATUSES,
    DYNAMIC_CATEGORIES,
    HOUSED,
    PHC_CONTINUATIONS,
    Housing,
    SnapshotContext,
)

from . import indicators as ind
from .models import (
    TerritoryMonth,
    TerritoryMonthGap,
    TerritoryMonthStale,
    TerritoryWeek,
    TerritoryYear,
    TerritoryYearCoverage,
    TerritoryYearStale,
)
from .periods import Period
from .sql_arrays import id_array

TABLE = TerritoryYear._meta.db_table
STALE = TerritoryYearStale._meta.db_table
COVERAGE = TerritoryYearCoverage._meta.db_table
MONTHS = TerritoryMonth._meta.db_table
GAPS = TerritoryMonthGap._meta.db_table
MONTH_STALE = TerritoryMonthStale._meta.db_table
WEEKS = TerritoryWeek._meta.db_table


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


HOUSED_OR_UNKNOWN = [*HOUSED, Housing.INCONNU]


# Each counted parcours of the structures, where it lies (its work site's commune, else its
# structure's), its exit and, for the exits of a programme that tracks housing, the housing
# at entry and at exit (the same look-ups as indicator_sql.HOUSING_JOINS); the territories
# holding each commune, found upwards (ancestors of the commune's geo units by their parent
# and EPCI links, then the territories' ancestors): the same membership as the dashboards'
# downward search; every calendar year that can hold the parcours' hours (from the year
# of its start minus six days: a week counts by its Monday) up to the coverage, `counted`
# when the parcours itself overlaps the year; the hours of each parcours and year from
# reporting_hoursbymonth. Figures per programme, year, territory and structure, as
# indicators.py defines them for P = that year. A row is kept when a parcours counts or
# hours exist, as the dashboard's statement gives a row.
# Entry and exit housing of every ended parcours of a programme that tracks housing (the
# same look-ups as the live statement's, which gates them on the period instead).
_HOUSING_JOINS = ind.housing_joins(
    "pr.tracks_housing AND p.end_date IS NOT NULL",
    f"'{SnapshotContext.ENTREE}'",
    f"'{SnapshotContext.SORTIE}'",
)


def territories_holding(communes: str) -> str:
    """The CTEs `up` and `inside` (commune, territory): the territories holding each commune
    that `communes` selects (a SELECT of (commune, commune) pairs), found upwards — the
    commune's geo units by their parent and EPCI links, then the territories' ancestors —
    the same membership as the dashboards' downward search. Shared by the maintained
    rows' statements and the edges of free dates (reporting.territory_months)."""
    return f"""up(commune_id, geo_id) AS (
    {communes}
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
"""  # noqa: S608 (a constant fragment of the module's own statements)


# The counted parcours with their location, exit and housing (`p`), and the territories
# holding each commune (`inside`): shared by the yearly and the monthly statements.
PARCOURS_CTES = f"""WITH RECURSIVE
p AS (
    SELECT p.id, p.programme_id, p.structure_id, p.participant_id, p.start_date, p.end_date,
           COALESCE(ws.commune_id, st.commune_id) AS commune_id,
           e.dgefp_category, e.situation, eh.housing AS entry_housing,
           xh.housing AS exit_housing
    FROM participants_parcours p
    JOIN programmes_programme pr ON pr.id = p.programme_id
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    LEFT JOIN participants_exit e ON e.parcours_id = p.id {{exit_filter}}{_HOUSING_JOINS.rstrip()}
    WHERE p.status IN ({_quoted(COUNTED_STATUSES)}) {{structure_filter}}
),
{territories_holding("SELECT DISTINCT commune_id, commune_id FROM p")}"""  # noqa: S608 (constant identifiers and enum values only)

COMPUTE_SQL = f"""
{PARCOURS_CTES}hy AS (
    SELECT h.parcours_id, extract(year FROM h.month)::int AS year, SUM(h.hours) AS hours
    FROM reporting_hoursbymonth h
    WHERE true {{hours_filter}}
    GROUP BY 1, 2
),
py AS (
    SELECT p.*, y.year, make_date(y.year, 1, 1) AS d1, make_date(y.year, 12, 31) AS d2,
           p.start_date <= make_date(y.year, 12, 31) AS counted,
           hy.hours, hy.parcours_id IS NOT NULL AS has_hours
    FROM p CROSS JOIN {COVERAGE} c
    CROSS JOIN LATERAL generate_series(
        extract(year FROM p.start_date - 6)::int,
        LEAST(COALESCE(extract(year FROM p.end_date)::int, c.through_year), c.through_year)
    ) AS y(year)
    LEFT JOIN hy ON hy.parcours_id = p.id AND hy.year = y.year
)
INSERT INTO {TABLE} (
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
    jsonb_build_object({
    ", ".join(
        f"'{code}', COUNT(*) FILTER (WHERE py.end_date <= py.d2 AND py.dgefp_category = '{code}')"
        for code in ind.CATEGORY_CODES
    )
}),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND py.dgefp_category IN ({_quoted(DYNAMIC_CATEGORIES)})
    ),
    COALESCE(SUM(py.end_date - py.start_date) FILTER (WHERE py.end_date <= py.d2), 0),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND py.situation IN ({_quoted(PHC_CONTINUATIONS)})
    ),
    COALESCE(SUM(py.hours), 0),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND NOT (py.entry_housing IN ({_quoted(HOUSED_OR_UNKNOWN)}))
    ),
    COUNT(*) FILTER (
        WHERE py.end_date <= py.d2 AND NOT (py.entry_housing IN ({_quoted(HOUSED_OR_UNKNOWN)}))
          AND py.exit_housing IN ({_quoted(HOUSED)})
    ),
    ARRAY[{
    ", ".join(
        "COUNT(*) FILTER (WHERE py.counted AND py.start_date >= py.d1 "
        f"AND extract(month FROM py.start_date) = {month})"
        for month in range(1, 13)
    )
}],
    ARRAY[{
    ", ".join(
        "COUNT(*) FILTER (WHERE py.end_date <= py.d2 "
        f"AND extract(month FROM py.end_date) = {month})"
        for month in range(1, 13)
    )
}]
FROM py JOIN inside ON inside.commune_id = py.commune_id
GROUP BY py.programme_id, py.year, inside.territory_id, py.structure_id
HAVING COUNT(*) FILTER (WHERE py.counted) > 0 OR bool_or(py.has_hours)
"""  # noqa: S608 (constant identifiers and enum values only)

# The same figures per calendar month (reporting_territorymonth), and the gaps between two
# stretches of months a person is counted in (reporting_territorymonthgap), in one statement
# (the gaps' insert is a data-modifying CTE). `reporting_territory_month_refresh` keeps its
# own frozen copy (migration 0008_territory_months): change both together. Every month
# that can hold a parcours' hours, from the month of its start minus six days up to its
# end or December of the coverage's last year; `counted` when the parcours overlaps the
# month. Distinct people are counted per person and month (`people`): in the month,
# present at its end, absent the month before (a new stretch); a stretch that follows an
# earlier one after at least one month without leaves a gap (its last month before, its
# first month after). A row is kept when a parcours counts or hours exist, as the
# dashboard's statement gives a row. The same statement keeps the weeks' hours of the
# counted parcours per programme, structure and commune (reporting_territoryweek, another
# data-modifying CTE), which free dates read at their edges (reporting.territory_months).
MONTH_COMPUTE_SQL = f"""
{PARCOURS_CTES}weeks AS (
    INSERT INTO {WEEKS} (programme_id, structure_id, commune_id, week, hours)
    SELECT p.programme_id, p.structure_id, p.commune_id, wh.week_start, SUM(wh.hours)
    FROM p JOIN participants_workedhours wh
        ON wh.structure_id = p.structure_id AND wh.parcours_id = p.id
    GROUP BY p.programme_id, p.structure_id, p.commune_id, wh.week_start
    HAVING SUM(wh.hours) <> 0
),
hm AS (
    SELECT h.structure_id, h.parcours_id, h.month, h.hours
    FROM reporting_hoursbymonth h
    WHERE true {{hours_filter}}
),
pm AS (
    SELECT p.*, s.month::date AS month, (s.month + interval '1 month')::date - 1 AS me,
           hm.hours, hm.parcours_id IS NOT NULL AS has_hours
    FROM p CROSS JOIN {COVERAGE} c
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
    INSERT INTO {GAPS} (programme_id, territory_id, structure_id, last_month, next_month, people)
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
        ARRAY[{
    ", ".join(
        f"COUNT(*) FILTER (WHERE tm.end_date <= tm.me AND tm.dgefp_category = '{code}')"
        for code in ind.CATEGORY_CODES
    )
}] AS exits_by_category,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me AND tm.dgefp_category IN ({_quoted(DYNAMIC_CATEGORIES)})
        ) AS dynamic_exits,
        COALESCE(SUM(tm.end_date - tm.start_date) FILTER (WHERE tm.end_date <= tm.me), 0)
            AS duration_days,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me AND tm.situation IN ({_quoted(PHC_CONTINUATIONS)})
        ) AS phc_continuations,
        COALESCE(SUM(tm.hours), 0) AS hours_worked,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me
              AND NOT (tm.entry_housing IN ({_quoted(HOUSED_OR_UNKNOWN)}))
        ) AS housing_denominator,
        COUNT(*) FILTER (
            WHERE tm.end_date <= tm.me
              AND NOT (tm.entry_housing IN ({_quoted(HOUSED_OR_UNKNOWN)}))
              AND tm.exit_housing IN ({_quoted(HOUSED)})
        ) AS housing_numerator,
        bool_or(tm.has_hours) AS has_hours
    FROM tm GROUP BY tm.programme_id, tm.territory_id, tm.structure_id, tm.month
)
-- One row per key from each side, put together by a grouping (a join of the two would be
-- planned on generate_series' default estimate of 1,000 months a parcours, and spill).
INSERT INTO {MONTHS} (
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

# The figures of the comparable territories, per territory and per structure within each.
_READ_SQL = f"""
SELECT territory_id, structure_id, GROUPING(structure_id),
    SUM(accompanied), SUM(active_at_end), SUM(entries), SUM(exits),
    {", ".join(f"SUM((exits_by_category->>'{c}')::int)" for c in ind.CATEGORY_CODES)},
    SUM(dynamic_exits), SUM(duration_days), SUM(phc_continuations)
FROM {TABLE}
WHERE programme_id = %(programme_id)s AND year = %(year)s
  AND territory_id = ANY(%(territory_ids)s::bigint[])
  AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
  AND accompanied > 0  -- rows kept for hours only: the comparison has no hours
GROUP BY GROUPING SETS ((territory_id), (territory_id, structure_id))
"""  # noqa: S608 (constant identifiers only)

# A territory dashboard's rows: one per structure, as indicator_table's statement gives them.
_TABLE_SQL = f"""
SELECT structure_id, accompanied, active_at_end, entries, exits, exits_by_category,
    dynamic_exits, duration_days, hours_worked, housing_denominator, housing_numerator,
    phc_continuations, entries_by_month, exits_by_month
FROM {TABLE}
WHERE programme_id = %(programme_id)s AND year = %(year)s AND territory_id = %(territory_id)s
  AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
"""  # noqa: S608 (constant identifiers only)


# Recompute the stale structures among the scope's. The function answers how many stale
# rows it cleared, or -1 when the page must compute live instead: more stale structures than
# `max_stale`, no coverage (the geography changed), or a lock still busy after 1 s (another
# reader recomputing the same structures, a rebuild).
def refresh_statement(function: str, stale_table: str) -> str:
    """`function` (the yearly or the monthly rows' refresh) over the scope's stale
    structures listed in `stale_table`."""
    return f"""
SELECT {function}(ARRAY(
    SELECT DISTINCT structure_id FROM {stale_table}
    WHERE structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
), %(max_stale)s)
"""  # noqa: S608 (constant identifiers only)


def refreshed(cursor, statement: str, params: dict) -> bool:
    """Run a refresh statement; False when the page must compute live instead."""
    cursor.execute(statement, params)
    return cursor.fetchone()[0] >= 0


_REFRESH_SQL = refresh_statement("reporting_territory_year_refresh", STALE)

# Beyond this many stale structures a page computes live: recomputing costs about 4.5 ms a
# structure on the IAE région of the national dataset (1 stale 254 ms, 10 stale 313 ms, 50
# stale 515 ms, 200 stale 1,147 ms, while computing live costs about 413 ms), so the two
# meet between 30 and 50 structures on a quiet machine (50–75 at load average 7, where the
# live statement suffers more); each also holds an advisory lock until the request ends
# (PostgreSQL's lock table: max_locks_per_transaction × connections). docs/performance.md.
MAX_STALE = 50
# Advisory lock classes (first key of pg_advisory_xact_lock): 1129 is a participant's
# current parcours (participants/0009), 1130 a structure's yearly rows (this module), 1131
# its monthly rows (reporting.territory_months).


def calendar_year(period: Period) -> int | None:
    """The year when P is exactly one calendar year, else None."""
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return start.year
    return None


# Read by every dashboard (twice where a trajectory is drawn): written as SQL, since
# compiling the queryset cost more than the query (docs/performance.md).
_COVERAGE_SQL = f"SELECT through_year FROM {COVERAGE} WHERE id = 1"  # noqa: S608 (constant)


def covered_through() -> int | None:
    """The last year held for every structure, None when the rows must not be used."""
    with connection.cursor() as cursor:
        cursor.execute(_COVERAGE_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def comparison(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
) -> ind.Comparison | None:
    """`indicators.territory_comparison` read from the yearly rows, or None when P is not a
    calendar year they cover (the caller then computes live). Call under row-level security
    for `structure_ids`."""
    year = calendar_year(period)
    through = covered_through() if year is not None else None
    if through is None or year > through:
        return None
    result = ind.empty_comparison(programme=programme, period=period, territory_ids=territory_ids)
    if not territory_ids or not structure_ids:
        return result
    params = {
        "programme_id": programme.pk,
        "year": year,
        "territory_ids": id_array(territory_ids),
        "structure_ids": id_array(structure_ids),
        "max_stale": MAX_STALE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if not refreshed(cursor, _REFRESH_SQL, params):
            return None
        cursor.execute(_READ_SQL, params)
        for row in cursor.fetchall():
            ind.add_comparison_row(result, row, period=period, programme=programme)
    return result


def table(
    *,
    programme,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int,
) -> ind.IndicatorTable | None:
    """`indicators.indicator_table(..., with_months=True)` for a territory, read from the
    yearly rows, or None when P is not a calendar year they cover. Call under row-level
    security for `structure_ids`."""
    year = calendar_year(period)
    through = covered_through() if year is not None else None
    if through is None or year > through:
        return None
    params = {
        "programme_id": programme.pk,
        "year": year,
        "territory_id": territory_id,
        "structure_ids": id_array(structure_ids),
        "max_stale": MAX_STALE,
    }
    rows = []
    if structure_ids:
        with transaction.atomic(), connection.cursor() as cursor:
            if not refreshed(cursor, _REFRESH_SQL, params):
                return None
            cursor.execute(_TABLE_SQL, params)
            rows = cursor.fetchall()
    by_structure, entries, exits = {}, [], []
    flags = ind.rate_flags(programme)
    for row in rows:
        structure_id, acc, active, n_in, n_out, categories, dyn, days, hours = row[:9]
        h_den, h_num, cont, by_month_in, by_month_out = row[9:]
        categories = json.loads(categories)  # Django's psycopg setup leaves JSON as text
        by_structure[structure_id] = ind.Indicators(
            accompanied=acc,
            active_at_end=active,
            entries=n_in,
            exits=n_out,
            exits_by_category={code: categories.get(code, 0) for code in ind.CATEGORY_CODES},
            dynamic_exits=dyn,
            duration_days=days,
            hours_worked=hours,
            housing_denominator=h_den,
            housing_numerator=h_num,
            phc_continuations=cont,
            days_in_period=period.days,
            **flags,
        )
        entries.append(by_month_in)
        exits.append(by_month_out)
    total = ind.Indicators(days_in_period=period.days, **flags)
    for figures in by_structure.values():
        _add(total, figures)
    return ind.IndicatorTable(
        total=total, by_structure=by_structure, months=_months(period, entries, exits)
    )


def _add(total: ind.Indicators, figures: ind.Indicators) -> None:
    """Adds a structure's figures to the territory's (distinct people add up: a participant
    belongs to one structure)."""
    # Attribute by attribute, not by name: the national view adds 12,000 structure rows.
    total.accompanied += figures.accompanied
    total.active_at_end += figures.active_at_end
    total.entries += figures.entries
    total.exits += figures.exits
    total.dynamic_exits += figures.dynamic_exits
    total.duration_days += figures.duration_days
    total.hours_worked += figures.hours_worked
    total.housing_denominator += figures.housing_denominator
    total.housing_numerator += figures.housing_numerator
    total.phc_continuations += figures.phc_continuations
    categories = total.exits_by_category
    for code, count in figures.exits_by_category.items():
        categories[code] += count


def _months(period: Period, entries: list, exits: list) -> list[ind.MonthPoint]:
    """Each month's entries and exits, how many structures contributed and the largest
    contribution (the table statement's monthly series)."""
    points = []
    for month in period.months():
        ins = [by_month[month.month - 1] for by_month in entries]
        outs = [by_month[month.month - 1] for by_month in exits]
        points.append(
            ind.MonthPoint(
                month=month,
                entries=sum(ins),
                exits=sum(outs),
                entries_structures=sum(1 for n in ins if n),
                entries_top=max(ins, default=0),
                exits_structures=sum(1 for n in outs if n),
                exits_top=max(outs, default=0),
            )
        )
    return points


def refresh_stale(batch: int = 100) -> int:
    """Recompute every stale structure's yearly, then monthly rows, `batch` structures a
    transaction (owner role; the background job). Returns how many stale rows were
    cleared; stops early when the rows have no coverage (a rebuild is due) or a reader
    holds the locks (next run)."""
    cleared = 0
    for function, table in (
        ("reporting_territory_year_refresh", STALE),
        ("reporting_territory_month_refresh", MONTH_STALE),
    ):
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")  # a batch job, not a request
                cursor.execute(
                    f"SELECT {function}(ARRAY("  # noqa: S608
                    f"SELECT DISTINCT structure_id FROM {table} ORDER BY 1 LIMIT %s), %s)",
                    [batch, batch],
                )
                done = cursor.fetchone()[0]
            if done <= 0:
                break
            cleared += done
    return cleared


def rebuild(through_year: int) -> None:
    """Recompute every yearly and monthly row up to `through_year` (owner role): after a
    bulk load, when a new year starts, after a change of geography."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")  # 23 s on the national dataset
        # The geography and the programmes' flags hold still while the rows are computed
        # (a change would otherwise drop a coverage row not yet committed, and be lost).
        cursor.execute(
            "LOCK TABLE sites_territory, sites_territory_geo_units, sites_geounit, "
            "programmes_programme IN SHARE MODE"
        )
        # Readers that would recompute a structure give up after 1 s and compute live;
        # writers, who only append stale rows, never wait. Stale rows committed after this
        # point stay for the readers.
        cursor.execute(f"LOCK TABLE {TABLE}, {MONTHS}, {GAPS}, {WEEKS} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT id FROM {STALE}")  # noqa: S608
        seen = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT id FROM {MONTH_STALE}")  # noqa: S608
        seen_months = [row[0] for row in cursor.fetchall()]
        for table in (TABLE, MONTHS, GAPS, WEEKS):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {COVERAGE} (id, through_year) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET through_year = EXCLUDED.through_year",
            [through_year],
        )
        everything = {"structure_filter": "", "exit_filter": "", "hours_filter": ""}
        cursor.execute(COMPUTE_SQL.format(**everything))
        cursor.execute(MONTH_COMPUTE_SQL.format(**everything))
        cursor.execute(f"DELETE FROM {STALE} WHERE id = ANY(%s)", [seen])  # noqa: S608
        cursor.execute(f"DELETE FROM {MONTH_STALE} WHERE id = ANY(%s)", [seen_months])  # noqa: S608
