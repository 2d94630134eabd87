"""Any period made of whole calendar months, read from the maintained rows.

A calendar year is read from the yearly rows (reporting.territory_years); any other period
made of whole months — a month, a quarter, a Convergence semester, a July-to-June year,
several years — from the monthly rows `TerritoryMonth` and `TerritoryMonthGap`, kept exact
with the yearly rows (the same stale marks, recomputed together by
`reporting_territory_year_refresh`). Per structure, over the months m1…m2 of P:

- entries, exits, exits by category, dynamic exits, days, continuations, housing and hours
  are the sums of the months' figures (each parcours starts, ends, and each week is counted,
  in one month);
- `active_at_end` is the last month's (present on its last day, the last day of P);
- the distinct people are those counted in m1, plus those counted in a later month and not
  in the month before it (`run_starts`), minus the people who had a month without any
  counted parcours between two months of P (`TerritoryMonthGap`, last_month ≥ m1 and
  next_month ≤ m2): each person counted in P starts exactly one more stretch of months
  inside P than the gaps P holds between their stretches.

A territory's figures are the sums of its structures' (a participant belongs to one
structure, as for the yearly rows). Other periods (free dates) are computed live.
"""

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from django.db import connection, transaction

from . import indicators as ind
from . import territory_years
from .hours_by_month import covers_whole_months
from .periods import Period
from .territory_years import GAPS, MAX_STALE, MONTHS

_CATEGORY_SUMS = ", ".join(
    f"SUM(r.exits_by_category[{i}]) AS cat_{i}" for i in range(1, len(ind.CATEGORY_CODES) + 1)
)

# Each structure's figures over the months [m1, m2] of P (the scope's structures and
# territories given), as described above.
_STRUCTURES_CTES = f"""
r AS (
    SELECT * FROM {MONTHS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s)
      AND month BETWEEN %(m1)s AND %(m2)s
      AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
),
g AS (
    SELECT territory_id, structure_id, SUM(people) AS people FROM {GAPS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s)
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
        SUM(r.dynamic_exits) AS dynamic_exits, SUM(r.duration_days) AS duration_days,
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
SELECT * FROM s
"""  # noqa: S608 (constant identifiers only)

# The monthly series: each month's entries and exits, how many structures contributed and
# the largest contribution.
_SERIES_SQL = f"""
SELECT month, SUM(entries), COUNT(*) FILTER (WHERE entries > 0), MAX(entries),
       SUM(exits), COUNT(*) FILTER (WHERE exits > 0), MAX(exits)
FROM {MONTHS}
WHERE programme_id = %(programme_id)s AND territory_id = %(territory_id)s
  AND month BETWEEN %(m1)s AND %(m2)s
  AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
GROUP BY month
"""  # noqa: S608 (constant identifiers only)

# The comparison's rows: per territory, and per structure within each (structures with
# nobody counted in P left out, as the live statement has no row for them).
_COMPARISON_SQL = f"""
WITH {_STRUCTURES_CTES}
SELECT territory_id, structure_id, GROUPING(structure_id),
    SUM(accompanied), SUM(active_at_end), SUM(entries), SUM(exits),
    {", ".join(f"SUM(cat_{i})" for i in range(1, len(ind.CATEGORY_CODES) + 1))},
    SUM(dynamic_exits), SUM(duration_days), SUM(phc_continuations)
FROM s WHERE accompanied > 0
GROUP BY GROUPING SETS ((territory_id), (territory_id, structure_id))
"""  # noqa: S608 (constant identifiers only)


def whole_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """(first month, last month) of P, each as its first day, when P is made of whole
    calendar months; else None."""
    if not covers_whole_months(period.start, period.end):
        return None
    return period.start, period.end.replace(day=1)


def _covered(period: Period) -> tuple[dt.date, dt.date] | None:
    """P's months when the monthly rows hold all of them, else None."""
    months = whole_months(period)
    through = territory_years.covered_through() if months is not None else None
    if through is None or months[1].year > through:
        return None
    return months


def _refreshed(cursor, params: dict) -> bool:
    """Recompute the stale structures of the scope (yearly and monthly rows together);
    False when the page must compute live (see territory_years)."""
    cursor.execute(territory_years._REFRESH_SQL, params)
    return cursor.fetchone()[0] >= 0


def table(
    *,
    programme,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int,
) -> ind.IndicatorTable | None:
    """`indicators.indicator_table(..., with_months=True)` for a territory, read from the
    maintained rows (yearly for a calendar year, monthly for other whole months), or None
    when P is not made of whole months they cover. Call under row-level security for
    `structure_ids`."""
    if territory_years.calendar_year(period) is not None:
        return territory_years.table(
            programme=programme,
            period=period,
            structure_ids=structure_ids,
            territory_id=territory_id,
        )
    months = _covered(period)
    if months is None:
        return None
    params = {
        "programme_id": programme.pk,
        "m1": months[0],
        "m2": months[1],
        "territory_id": territory_id,
        "territory_ids": [territory_id],
        "structure_ids": sorted(structure_ids),
        "max_stale": MAX_STALE,
    }
    rows, series = [], []
    if params["structure_ids"]:
        with transaction.atomic(), connection.cursor() as cursor:
            if not _refreshed(cursor, params):
                return None
            cursor.execute(_TABLE_SQL, params)
            rows = cursor.fetchall()
            cursor.execute(_SERIES_SQL, params)
            series = cursor.fetchall()
    flags = ind.rate_flags(programme)
    n = len(ind.CATEGORY_CODES)
    by_structure = {}
    for row in rows:
        _territory, structure_id, acc, active, n_in, n_out = row[:6]
        categories = row[6 : 6 + n]
        dyn, days, hours, h_den, h_num, cont = row[6 + n :]
        by_structure[structure_id] = ind.Indicators(
            accompanied=int(acc),
            active_at_end=int(active),
            entries=int(n_in),
            exits=int(n_out),
            exits_by_category={
                code: int(count) for code, count in zip(ind.CATEGORY_CODES, categories, strict=True)
            },
            dynamic_exits=int(dyn),
            duration_days=int(days),
            hours_worked=Decimal(hours),
            housing_denominator=int(h_den),
            housing_numerator=int(h_num),
            phc_continuations=int(cont),
            days_in_period=period.days,
            **flags,
        )
    total = ind.Indicators(days_in_period=period.days, **flags)
    for figures in by_structure.values():
        territory_years._add(total, figures)
    found = {row[0]: row[1:] for row in series}
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
    return ind.IndicatorTable(total=total, by_structure=by_structure, months=points)


def comparison(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
) -> ind.Comparison | None:
    """`indicators.territory_comparison` read from the maintained rows (yearly for a
    calendar year, monthly for other whole months), or None when P is not made of whole
    months they cover. Call under row-level security for `structure_ids`."""
    if territory_years.calendar_year(period) is not None:
        return territory_years.comparison(
            programme=programme,
            period=period,
            territory_ids=territory_ids,
            structure_ids=structure_ids,
        )
    months = _covered(period)
    if months is None:
        return None
    result = ind.empty_comparison(programme=programme, period=period, territory_ids=territory_ids)
    if not territory_ids or not structure_ids:
        return result
    params = {
        "programme_id": programme.pk,
        "m1": months[0],
        "m2": months[1],
        "territory_ids": sorted(territory_ids),
        "structure_ids": sorted(structure_ids),
        "max_stale": MAX_STALE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if not _refreshed(cursor, params):
            return None
        cursor.execute(_COMPARISON_SQL, params)
        for row in cursor.fetchall():
            ind.add_comparison_row(result, row, period=period, programme=programme)
    return result
