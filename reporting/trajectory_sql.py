"""The SQL of the trajectories against targets (`reporting.trajectories` runs it).

Kept apart from `reporting.indicator_sql` so that reworking the dashboards' statements and
these does not touch the same file. Constant fragments only: every value is a bound
parameter.

For each listed territory (sub-territories included, as everywhere) and each calendar month
of [d1, d_ref] — [d1, d2] the target's period, d_ref the reference date (today, or d2 once
the period has ended) — the statement gives (a territory's communes as the national view finds them,
`reporting.indicator_sql.ROOTED_GEO`: by parent and by EPCI):

- `entries`: parcours that started in the month (on or after d1); a start dated after
  d_ref (typed ahead) counts in d_ref's month, so that the last point is the period's
  figure, as on the dashboard;
- `persons`: persons who joined the accompanied count in that month: a person counts from
  the month of their earliest counted parcours that was not exited before d1, or from d1's
  month when it started earlier (so the first month carries the people already there), or
  from d_ref's month when it starts later;
- for both, how many structures contributed and the largest contribution (the dominance
  rule of the published series);
- `cum_entries`, `cum_persons`: the running sums, month by month. `cum_persons` at a month
  is `accompanied` over [d1, that month's last day], and `cum_entries` is `entries` over
  the same period; at d_ref's month, both are the figures of the whole period [d1, d2]
  (docs/indicators.md, "Trajectoire").

`TRAJECTORY_MONTHS_SQL` gives the same rows from the maintained monthly rows
(`reporting.territory_months`) when the target's period is made of whole months m1…m2 they
cover, d_ref in month mr (each structure's figures, as `by_structure` above, then the same
aggregation):

- `entries` of a month: the month's `entries` (parcours starting in it); those of the
  months after mr, up to m2 (starts typed ahead, by date after d_ref), count in mr, as
  those of mr's own days after d_ref do;
- `persons` of a month: the people whose first counted month of P it is: `accompanied` of
  m1; for a later month m, its `run_starts` (people counted in m and not in the month
  before) less the people back in m after a month away who were already counted in P
  (`TerritoryMonthGap`: next_month = m, last_month ≥ m1); the months after mr add to mr.
  The running sum at m is then `accompanied` over m1…m as the monthly rows give it.
"""

from .indicator_sql import ROOTED_GEO
from .territory_years import GAPS, MONTHS

# The per-month aggregation and the running sums over the months of [d1, d_ref], shared by
# both statements: `cells` (root, structure_id, m, entries, persons) comes before it.
_RUNNING = """
monthly AS (
    SELECT root, m,
           SUM(entries) AS entries,
           COUNT(*) FILTER (WHERE entries > 0) AS entries_k,
           MAX(entries) AS entries_top,
           SUM(persons) AS persons,
           COUNT(*) FILTER (WHERE persons > 0) AS persons_k,
           MAX(persons) AS persons_top
    FROM cells GROUP BY 1, 2
),
grid AS (
    SELECT roots.root, months.m
    FROM (SELECT unnest(%(territory_ids)s::bigint[]) AS root) roots
    CROSS JOIN (
        SELECT generate_series(
            date_trunc('month', %(d1)s::date), %(d_ref)s::date, interval '1 month'
        )::date AS m
    ) months
)
SELECT grid.root, grid.m,
       COALESCE(monthly.entries, 0), COALESCE(monthly.entries_k, 0),
       COALESCE(monthly.entries_top, 0),
       COALESCE(monthly.persons, 0), COALESCE(monthly.persons_k, 0),
       COALESCE(monthly.persons_top, 0),
       SUM(COALESCE(monthly.entries, 0)) OVER running,
       SUM(COALESCE(monthly.persons, 0)) OVER running
FROM grid LEFT JOIN monthly USING (root, m)
WINDOW running AS (PARTITION BY grid.root ORDER BY grid.m)
ORDER BY grid.root, grid.m
"""

TRAJECTORY_SQL = (
    "\nWITH RECURSIVE\n"  # noqa: S608 (constant fragments only)
    + ROOTED_GEO
    + """,
p AS MATERIALIZED (
    SELECT p.participant_id, p.structure_id, p.start_date,
           COALESCE(ws.commune_id, st.commune_id) AS commune_id
    FROM participants_parcours p
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    JOIN sites_structure st ON st.id = p.structure_id
    WHERE p.structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
      AND p.programme_id = %(programme_id)s
      AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s
      AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
),
located AS (
    SELECT geo.root, p.participant_id, p.structure_id, p.start_date
    FROM p JOIN (SELECT DISTINCT root, id FROM geo) geo ON geo.id = p.commune_id
),
by_structure AS (
    SELECT root, structure_id, date_trunc('month', LEAST(start_date, %(d_ref)s::date))::date AS m,
           COUNT(*) AS entries, 0 AS persons
    FROM located WHERE start_date >= %(d1)s
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT root, structure_id, m, 0, COUNT(*) FROM (
        SELECT root, structure_id, participant_id,
               date_trunc(
                   'month', LEAST(GREATEST(MIN(start_date), %(d1)s::date), %(d_ref)s::date)
               )::date AS m
        FROM located GROUP BY root, structure_id, participant_id
    ) firsts
    GROUP BY 1, 2, 3
),
cells AS (
    SELECT root, structure_id, m, SUM(entries) AS entries, SUM(persons) AS persons
    FROM by_structure GROUP BY 1, 2, 3
),"""
    + _RUNNING
)

TRAJECTORY_MONTHS_SQL = f"""
WITH
r AS (
    SELECT territory_id AS root, structure_id, LEAST(month, %(mr)s::date) AS m, entries,
           CASE WHEN month = %(m1)s THEN accompanied ELSE run_starts END AS persons
    FROM {MONTHS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s::bigint[])
      AND month BETWEEN %(m1)s AND %(m2)s
      AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
),
back AS (
    SELECT territory_id AS root, structure_id, LEAST(next_month, %(mr)s::date) AS m,
           0 AS entries, -people AS persons
    FROM {GAPS}
    WHERE programme_id = %(programme_id)s AND territory_id = ANY(%(territory_ids)s::bigint[])
      AND last_month >= %(m1)s AND next_month <= %(m2)s
      AND structure_id IN (SELECT unnest(%(structure_ids)s::bigint[]))
),
cells AS (
    SELECT root, structure_id, m, SUM(entries) AS entries, SUM(persons) AS persons
    FROM (SELECT * FROM r UNION ALL SELECT * FROM back) both_sides
    GROUP BY 1, 2, 3
),"""  # noqa: S608 (constant identifiers only)
TRAJECTORY_MONTHS_SQL += _RUNNING
