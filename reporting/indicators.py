"""The indicators of domain.md §6, computed in PostgreSQL by aggregate queries.

This module knows nothing about users: it is handed a concrete set of structures, a
programme, an optional territory and a period, and answers with figures. Who may ask for
which scope is decided in `reporting.selectors` (which also opens row-level security for
the structures of the scope).

Why raw SQL rather than the ORM: every figure of a dashboard section comes out of ONE
statement (per-structure rows and the total in the same pass, through GROUPING SETS, with
the territory's communes expanded by a recursive CTE); the ORM cannot express that, and the
performance budget is "≤ 1.5 × one hand-written SQL query". The statements are assembled
from the constant fragments of `reporting.indicator_sql` only; every value travels as a
bound parameter. The figures' classes live in `reporting.figures` (re-exported here).
"""

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from django.db import connections, transaction

from participants.enums import (
    COUNTED_STATUSES,
    DYNAMIC_CATEGORIES,
    HOUSED,
    PHC_CONTINUATIONS,
    Housing,
    SnapshotContext,
)
from sites.tenancy.replica import reporting_alias

from . import indicator_sql as sql
from .figures import (  # noqa: F401 — re-exported: callers know them as indicators.*
    CATEGORY_CODES,
    KEYS,
    Comparison,
    Indicators,
    IndicatorTable,
    MonthPoint,
    rate_flags,
)
from .hours_by_month import covers_whole_months
from .indicator_sql import HOURS_WEEK_SPAN, housing_joins  # noqa: F401 — re-exported
from .periods import Period
from .sql_arrays import code_array, id_array

# The codes the statements compare with, as array literals (reporting.sql_arrays).
_STATUSES = code_array(COUNTED_STATUSES)
_DYNAMIC = code_array(DYNAMIC_CATEGORIES)
_HOUSED = code_array(HOUSED)
_HOUSED_OR_UNKNOWN = code_array([*HOUSED, Housing.INCONNU])
_CONTINUATIONS = code_array(PHC_CONTINUATIONS)


def _params(*, programme_id: int, period: Period, structure_ids, territory_id) -> dict:
    return {
        "programme_id": programme_id,
        "structure_ids": id_array(structure_ids),
        "territory_id": territory_id,
        "statuses": _STATUSES,
        "d1": period.start,
        "d2": period.end,
        "d2_hours": period.end + HOURS_WEEK_SPAN,
        "dynamic": _DYNAMIC,
        "housed": _HOUSED,
        "housed_or_unknown": _HOUSED_OR_UNKNOWN,
        "continuations": _CONTINUATIONS,
        "entree": str(SnapshotContext.ENTREE),
        "sortie": str(SnapshotContext.SORTIE),
    }


def _fragments(territory_id: int | None) -> dict:
    with_territory = territory_id is not None
    location_join = sql.LOCATION_JOIN if with_territory else ""
    location_filter = sql.LOCATION_FILTER if with_territory else ""
    return {
        "with_clause": "WITH RECURSIVE " + sql.TERRITORY_CTES if with_territory else "WITH",
        "parcours_cte": sql.PARCOURS_CTE.format(
            location_join=location_join, location_filter=location_filter
        ),
    }


def structures_in_territories(territory_ids: Collection[int]) -> list[int]:
    """Structures with their commune or a work site in the territories (sub-territories
    included), in one query whatever the number of territories."""
    with connections[reporting_alias()].cursor() as cursor:
        params = {"territory_ids": id_array(territory_ids)}
        cursor.execute(sql.STRUCTURES_IN_TERRITORIES_SQL, params)
        return [row[0] for row in cursor.fetchall()]


def structures_in_territory(territory_id: int) -> list[int]:
    return structures_in_territories([territory_id])


def _table_sql(*, programme, period: Period, territory_id: int | None, with_months: bool) -> str:
    """The dashboard's statement for this programme, period and territory (see TABLE_SQL)."""
    return sql.TABLE_SQL.format(
        **_fragments(territory_id),
        monthly_ctes="," + sql.MONTHLY_CTES if with_months else "",
        monthly_column=sql.MONTHLY_COLUMN if with_months else "",
        category_columns=sql.category_columns(alias="cat"),
        category_select=",\n    ".join(
            f"COALESCE(agg.cat_{code.lower()}, 0)" for code in CATEGORY_CODES
        ),
        housing_joins=sql.HOUSING_JOINS if programme.tracks_housing else sql.NO_HOUSING_JOINS,
        hours_join=(
            sql.HOURS_BY_MONTH
            if covers_whole_months(period.start, period.end)
            else sql.HOURS_BY_WEEK
        ),
    )


def indicator_table(
    *,
    programme,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int | None = None,
    with_months: bool = False,
) -> IndicatorTable:
    """All indicators of the scope, per structure and in total, in ONE query; with
    `with_months`, the same query also gives the entries and exits of every calendar month
    of P (`IndicatorTable.months`, months with none included). `programme`: the
    `Programme` row (its id, and its flags for the optional rates)."""
    statement = _table_sql(
        programme=programme, period=period, territory_id=territory_id, with_months=with_months
    )
    params = _params(
        programme_id=programme.pk,
        period=period,
        structure_ids=structure_ids,
        territory_id=territory_id,
    )
    flags = rate_flags(programme)
    table = IndicatorTable(
        total=Indicators(days_in_period=period.days, **flags),
        by_structure={},
        months=[MonthPoint(m, 0, 0) for m in period.months()] if with_months else None,
    )
    if not structure_ids:
        return table
    with connections[reporting_alias()].cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    for row in rows:
        _add_table_row(table, row, period=period, flags=flags, with_months=with_months)
    return table


def _add_table_row(table: IndicatorTable, row, *, period: Period, flags: dict, with_months):
    """One row of the dashboard's statement (a structure, or the total with the monthly
    series) into `table`."""
    n = len(CATEGORY_CODES)
    structure_id, is_total, acc, active, entries, exits = row[:6]
    categories = dict(zip(CATEGORY_CODES, row[6 : 6 + n], strict=True))
    dyn, days, hours, h_den, h_num, cont = row[6 + n : 12 + n]
    if with_months and is_total:
        table.months = [_month_point(*point) for point in row[12 + n] or []]
    figures = Indicators(
        accompanied=acc,
        active_at_end=active,
        entries=entries,
        exits=exits,
        exits_by_category=categories,
        dynamic_exits=dyn,
        duration_days=days,
        hours_worked=Decimal(hours),
        housing_denominator=h_den,
        housing_numerator=h_num,
        phc_continuations=cont,
        days_in_period=period.days,
        **flags,
    )
    if is_total:
        table.total = figures
    else:
        table.by_structure[structure_id] = figures


def _month_point(m, e, ek, etop, x, xk, xtop) -> MonthPoint:
    """A point of the `monthly` series, as the table's JSON column gives it."""
    return MonthPoint(
        month=dt.date.fromisoformat(m),
        entries=int(e),
        exits=int(x),
        entries_structures=int(ek),
        entries_top=int(etop),
        exits_structures=int(xk),
        exits_top=int(xtop),
    )


def empty_comparison(*, programme, period: Period, territory_ids: Collection[int]) -> Comparison:
    """A comparison of the territories with every figure at zero (filled row by row)."""
    return Comparison(
        figures={
            tid: Indicators(days_in_period=period.days, **rate_flags(programme))
            for tid in territory_ids
        },
        by_structure={tid: [] for tid in territory_ids},
    )


def territory_comparison(
    *,
    programme,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
) -> Comparison:
    """Headline indicators for each territory (sub-territories included) and the same per
    structure within each territory, in ONE query (GROUPING SETS).

    Hours and housing are left out of the comparison: they belong to the territory page.
    """
    result = empty_comparison(programme=programme, period=period, territory_ids=territory_ids)
    if not territory_ids or not structure_ids:
        return result
    statement = sql.NATIONAL_SQL.format(category_columns=sql.category_columns())
    params = _params(
        programme_id=programme.pk, period=period, structure_ids=structure_ids, territory_id=None
    )
    params["territory_ids"] = id_array(territory_ids)
    # Inside `reporting_reads` (the selectors) this runs on the reporting alias.
    alias = reporting_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # Every territory's parcours are sorted by territory and structure for the distinct
        # counts: 355,000 rows for the IAE nationally, which spill to disk at the default
        # 4 MB (external merge sorts; 1.61 → 1.47 s). Transaction-local.
        cursor.execute(sql.NATIONAL_WORK_MEM_SQL)
        cursor.execute(statement, params)
        for row in cursor.fetchall():
            add_comparison_row(result, row, period=period, programme=programme)
    return result


def add_comparison_row(result: Comparison, row, *, period: Period, programme) -> None:
    """One row of a comparison statement — territory, structure, is_total, people, active,
    entries, exits, the exits of each category, dynamic exits, days, continuations — into
    `result` (the live statement's and reporting.territory_years' rows have this shape)."""
    n = len(CATEGORY_CODES)
    tid, _structure_id, is_total, acc, active, entries, exits = row[:7]
    dyn, days, cont = row[7 + n :]
    figures = Indicators(
        accompanied=int(acc),
        active_at_end=int(active),
        entries=int(entries),
        exits=int(exits),
        exits_by_category={
            code: int(count) for code, count in zip(CATEGORY_CODES, row[7 : 7 + n], strict=True)
        },
        dynamic_exits=int(dyn),
        duration_days=int(days),
        phc_continuations=int(cont),
        days_in_period=period.days,
        **rate_flags(programme),
    )
    if is_total:
        result.figures[tid] = figures
    else:
        result.by_structure[tid].append(figures)
