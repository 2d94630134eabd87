"""The indicators of domain.md §6, computed in PostgreSQL by aggregate queries.

This module knows nothing about users: it is handed a concrete set of structures, a
programme, an optional territory and a period, and answers with figures. Who may ask for
which scope is decided in `reporting.selectors` (which also opens row-level security for
the structures of the scope).

Why raw SQL rather than the ORM: every figure of a dashboard section comes out of ONE
statement (per-structure rows and the total in the same pass, through GROUPING SETS, with
the territory's communes expanded by a recursive CTE); the ORM cannot express that, and the
performance budget is "≤ 1.5 × one hand-written SQL query". The statements are assembled
from constant fragments only; every value travels as a bound parameter.
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from participants.enums import (
    COUNTED_STATUSES,
    DYNAMIC_CATEGORIES,
    HOUSED,
    PHC_CONTINUATIONS,
    DgefpCategory,
    Housing,
    SnapshotContext,
)

from .hours_by_month import covers_whole_months
from .periods import Period

# Days in an average month (365.25 / 12): durations in months are days / 30.4375.
DAYS_PER_MONTH = Decimal("30.4375")
# Reference annual hours of one full-time equivalent (35 h × 52 weeks − holidays; proposal).
FTE_ANNUAL_HOURS = Decimal(1607)

CATEGORY_CODES = [c.value for c in DgefpCategory]

# Keys printed by `manage.py indicators`, in domain.md §6 order.
KEYS = [
    "accompanied",
    "active_at_end",
    "entries",
    "exits",
    "exits_by_category",
    "dynamic_exit_rate",
    "average_duration_months",
    "hours_worked",
    "fte",
    "housing_access_rate",
    "phc_continuation_rate",
    "target",
    "attainment",
]


@dataclass
class Indicators:
    """The figures of one scope and period. Rates are fractions, None when undefined.

    Numerators and denominators are kept so that suppression can hide a rate whose
    denominator is a small count, and so that a reader can check every rate.
    """

    accompanied: int = 0
    active_at_end: int = 0
    entries: int = 0
    exits: int = 0
    exits_by_category: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(CATEGORY_CODES, 0)
    )
    dynamic_exits: int = 0
    duration_days: int = 0
    hours_worked: Decimal = Decimal(0)
    housing_denominator: int = 0
    housing_numerator: int = 0
    phc_continuations: int = 0
    days_in_period: int = 1
    programme_code: str = ""
    target: int | None = None
    target_metric: str | None = None

    # Derived figures -------------------------------------------------------------------

    @property
    def dynamic_denominator(self) -> int:
        return self.exits - self.exits_by_category.get(DgefpCategory.NEUTRALISEE, 0)

    @property
    def dynamic_exit_rate(self) -> Decimal | None:
        return _ratio(self.dynamic_exits, self.dynamic_denominator)

    @property
    def average_duration_months(self) -> Decimal | None:
        if not self.exits:
            return None
        return Decimal(self.duration_days) / self.exits / DAYS_PER_MONTH

    @property
    def fte(self) -> Decimal:
        return self.hours_worked / FTE_ANNUAL_HOURS * Decimal(365) / self.days_in_period

    @property
    def housing_access_rate(self) -> Decimal | None:
        if self.programme_code != "CVG":
            return None
        return _ratio(self.housing_numerator, self.housing_denominator)

    @property
    def phc_continuation_rate(self) -> Decimal | None:
        if self.programme_code != "PHC":
            return None
        return _ratio(self.phc_continuations, self.exits)

    @property
    def attainment(self) -> Decimal | None:
        if not self.target or not self.target_metric:
            return None
        return Decimal(getattr(self, self.target_metric)) / self.target

    def as_dict(self) -> dict:
        """The keys of domain.md §6, JSON-ready: rates as fractions rounded to 4 decimals."""
        return {
            "accompanied": self.accompanied,
            "active_at_end": self.active_at_end,
            "entries": self.entries,
            "exits": self.exits,
            "exits_by_category": dict(self.exits_by_category),
            "dynamic_exit_rate": _round(self.dynamic_exit_rate, 4),
            "average_duration_months": _round(self.average_duration_months, 2),
            "hours_worked": _round(self.hours_worked, 2),
            "fte": _round(self.fte, 2),
            "housing_access_rate": _round(self.housing_access_rate, 4),
            "phc_continuation_rate": _round(self.phc_continuation_rate, 4),
            "target": self.target,
            "attainment": _round(self.attainment, 4),
        }

    def raw(self) -> dict:
        """Every stored field (for frozen snapshots), JSON-ready."""
        data = asdict(self)
        data["hours_worked"] = str(self.hours_worked)
        return data

    @classmethod
    def from_raw(cls, data: dict) -> "Indicators":
        data = dict(data)
        data["hours_worked"] = Decimal(data["hours_worked"])
        return cls(**data)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(numerator) / denominator if denominator else None


def _round(value: Decimal | None, places: int) -> float | None:
    return None if value is None else float(round(value, places))


@dataclass
class IndicatorTable:
    """The figures of a scope: the total and one row per structure (structure id → figures)."""

    total: Indicators
    by_structure: dict[int, Indicators]
    months: list | None = None  # MonthPoint per month of P, when asked for


# SQL -----------------------------------------------------------------------------------

# The communes of a territory: its geo units' subtrees and those of its sub-territories.
_TERRITORY_CTES = """
terr(id) AS (
    SELECT id FROM sites_territory WHERE id = %(territory_id)s
    UNION ALL
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT tg.geounit_id FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT g.id FROM sites_geounit g JOIN geo ON g.parent_id = geo.id
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
_PARCOURS_CTE = """
ph AS MATERIALIZED (
    SELECT p.id, p.participant_id, p.structure_id, p.start_date, p.end_date
    FROM participants_parcours p
    {location_join}
    WHERE p.structure_id = ANY(%(structure_ids)s)
      AND p.programme_id = %(programme_id)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2_hours)s
      AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      {location_filter}
),
p AS (SELECT * FROM ph WHERE ph.start_date <= %(d2)s)
"""
HOURS_WEEK_SPAN = dt.timedelta(days=6)

_LOCATION_JOIN = """
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    JOIN sites_structure st ON st.id = p.structure_id
"""
_LOCATION_FILTER = "AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)"

_TABLE_SQL = """
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
    ) eh ON true
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
_HOUSING_JOINS = housing_joins("p.end_date <= %(d2)s", "%(entree)s", "%(sortie)s")
# The hours of P's weeks (counted by their Monday): from the month rows maintained by the
# database (reporting.HoursByMonth) when P is made of whole months, else from the weeks.
_HOURS_BY_WEEK = """
    JOIN participants_workedhours wh
      ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
     AND wh.week_start BETWEEN %(d1)s AND %(d2)s
"""
_HOURS_BY_MONTH = """
    JOIN reporting_hoursbymonth wh
      ON wh.structure_id = ph.structure_id AND wh.parcours_id = ph.id
     AND wh.month BETWEEN %(d1)s AND %(d2)s
"""

# Without housing figures (every programme but Convergence) the lateral look-ups are skipped.
_NO_HOUSING_JOINS = """
    LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) eh ON true
    LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) xh ON true
"""

# Entries and exits per calendar month of P, with how many structures contributed and the
# largest contribution; `monthly` is shared by the dashboard's table statement.
_MONTHLY_CTES = """
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
_MONTHLY_COLUMN = """,
    CASE WHEN COALESCE(agg.is_total, hours.is_total) = 1 THEN (
        SELECT json_agg(json_build_array(m, en, ek, etop, xn, xk, xtop) ORDER BY m)
        FROM monthly
    ) END"""

# Figures per territory in one pass: each parcours is mapped to every listed territory whose
# communes (sub-territories included) hold it.
_NATIONAL_SQL = """
WITH RECURSIVE
terr(root, id) AS (
    SELECT id, id FROM sites_territory WHERE id = ANY(%(territory_ids)s)
    UNION ALL
    SELECT terr.root, t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(root, id) AS (
    SELECT terr.root, tg.geounit_id
    FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT geo.root, g.id FROM sites_geounit g JOIN geo ON g.parent_id = geo.id
),
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

_NATIONAL_WORK_MEM_SQL = "SET LOCAL work_mem = '64MB'"

_STRUCTURES_IN_TERRITORIES_SQL = """
WITH RECURSIVE
terr(id) AS (
    SELECT id FROM sites_territory WHERE id = ANY(%(territory_ids)s)
    UNION
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT tg.geounit_id FROM sites_territory_geo_units tg JOIN terr ON tg.territory_id = terr.id
    UNION
    SELECT g.id FROM sites_geounit g JOIN geo ON g.parent_id = geo.id
)
SELECT st.id FROM sites_structure st WHERE st.commune_id IN (SELECT id FROM geo)
UNION
SELECT ws.structure_id FROM sites_worksite ws WHERE ws.commune_id IN (SELECT id FROM geo)
ORDER BY 1
"""


def _category_columns(alias: str = "") -> str:
    return ",\n".join(
        f"COUNT(*) FILTER (WHERE p.end_date <= %(d2)s AND e.dgefp_category = '{code}')"
        + (f" AS cat_{code.lower()}" if alias else "")
        for code in CATEGORY_CODES
    )


def _params(*, programme_id: int, period: Period, structure_ids, territory_id) -> dict:
    return {
        "programme_id": programme_id,
        "structure_ids": sorted(int(pk) for pk in structure_ids),
        "territory_id": territory_id,
        "statuses": [str(s) for s in COUNTED_STATUSES],
        "d1": period.start,
        "d2": period.end,
        "d2_hours": period.end + HOURS_WEEK_SPAN,
        "dynamic": [str(c) for c in DYNAMIC_CATEGORIES],
        "housed": [str(h) for h in HOUSED],
        "housed_or_unknown": [str(h) for h in HOUSED] + [str(Housing.INCONNU)],
        "continuations": [str(s) for s in PHC_CONTINUATIONS],
        "entree": str(SnapshotContext.ENTREE),
        "sortie": str(SnapshotContext.SORTIE),
    }


def _fragments(territory_id: int | None) -> dict:
    with_territory = territory_id is not None
    location_join = _LOCATION_JOIN if with_territory else ""
    location_filter = _LOCATION_FILTER if with_territory else ""
    return {
        "with_clause": "WITH RECURSIVE " + _TERRITORY_CTES if with_territory else "WITH",
        "parcours_cte": _PARCOURS_CTE.format(
            location_join=location_join, location_filter=location_filter
        ),
    }


def structures_in_territories(territory_ids: Collection[int]) -> list[int]:
    """Structures with their commune or a work site in the territories (sub-territories
    included), in one query whatever the number of territories."""
    with connection.cursor() as cursor:
        cursor.execute(_STRUCTURES_IN_TERRITORIES_SQL, {"territory_ids": sorted(territory_ids)})
        return [row[0] for row in cursor.fetchall()]


def structures_in_territory(territory_id: int) -> list[int]:
    return structures_in_territories([territory_id])


def indicator_table(
    *,
    programme_id: int,
    programme_code: str,
    period: Period,
    structure_ids: Collection[int],
    territory_id: int | None = None,
    with_months: bool = False,
) -> IndicatorTable:
    """All indicators of the scope, per structure and in total, in ONE query; with
    `with_months`, the same query also gives the entries and exits of every calendar month
    of P (`IndicatorTable.months`, months with none included)."""
    fragments = _fragments(territory_id)
    sql = _TABLE_SQL.format(
        **fragments,
        monthly_ctes="," + _MONTHLY_CTES if with_months else "",
        monthly_column=_MONTHLY_COLUMN if with_months else "",
        category_columns=_category_columns(alias="cat"),
        category_select=",\n    ".join(
            f"COALESCE(agg.cat_{code.lower()}, 0)" for code in CATEGORY_CODES
        ),
        housing_joins=_HOUSING_JOINS if programme_code == "CVG" else _NO_HOUSING_JOINS,
        hours_join=(
            _HOURS_BY_MONTH if covers_whole_months(period.start, period.end) else _HOURS_BY_WEEK
        ),
    )
    params = _params(
        programme_id=programme_id,
        period=period,
        structure_ids=structure_ids,
        territory_id=territory_id,
    )
    total = Indicators(days_in_period=period.days, programme_code=programme_code)
    by_structure: dict[int, Indicators] = {}
    months = [MonthPoint(m, 0, 0) for m in period.months()] if with_months else None
    if not params["structure_ids"]:
        return IndicatorTable(total=total, by_structure=by_structure, months=months)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(CATEGORY_CODES)
    for row in rows:
        structure_id, is_total, acc, active, entries, exits = row[:6]
        categories = dict(zip(CATEGORY_CODES, row[6 : 6 + n], strict=True))
        dyn, days, hours, h_den, h_num, cont = row[6 + n : 12 + n]
        if with_months and is_total:
            months = [_month_point(*point) for point in row[12 + n] or []]
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
            programme_code=programme_code,
        )
        if is_total:
            total = figures
        else:
            by_structure[structure_id] = figures
    return IndicatorTable(total=total, by_structure=by_structure, months=months)


@dataclass(frozen=True)
class MonthPoint:
    """Entries and exits of one month, with how many structures contributed to each and
    the largest contribution (for the dominance rule of the published series)."""

    month: dt.date
    entries: int
    exits: int
    entries_structures: int = 0
    entries_top: int = 0
    exits_structures: int = 0
    exits_top: int = 0


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


@dataclass
class Comparison:
    """Figures per territory, and each territory's rows per structure (for dominance)."""

    figures: dict[int, Indicators]
    by_structure: dict[int, list[Indicators]]


def territory_comparison(
    *,
    programme_id: int,
    programme_code: str,
    period: Period,
    territory_ids: Collection[int],
    structure_ids: Collection[int],
) -> Comparison:
    """Headline indicators for each territory (sub-territories included) and the same per
    structure within each territory, in ONE query (GROUPING SETS).

    Hours and housing are left out of the comparison: they belong to the territory page.
    """
    result = Comparison(
        figures={
            tid: Indicators(days_in_period=period.days, programme_code=programme_code)
            for tid in territory_ids
        },
        by_structure={tid: [] for tid in territory_ids},
    )
    if not territory_ids or not structure_ids:
        return result
    sql = _NATIONAL_SQL.format(category_columns=_category_columns())
    params = _params(
        programme_id=programme_id, period=period, structure_ids=structure_ids, territory_id=None
    )
    params["territory_ids"] = sorted(territory_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        # Every territory's parcours are sorted by territory and structure for the distinct
        # counts: 355,000 rows for the IAE nationally, which spill to disk at the default
        # 4 MB (external merge sorts; 1.61 → 1.47 s). Transaction-local.
        cursor.execute(_NATIONAL_WORK_MEM_SQL)
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            add_comparison_row(result, row, period=period, programme_code=programme_code)
    return result


def add_comparison_row(result: Comparison, row, *, period: Period, programme_code: str) -> None:
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
        programme_code=programme_code,
    )
    if is_total:
        result.figures[tid] = figures
    else:
        result.by_structure[tid].append(figures)
