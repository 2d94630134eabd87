"""Hand-written SQL for the rest of a territory dashboard, from the base tables.

`bench.sql.territory_table` computes the indicator table and the monthly series; a territory
dashboard also prints the follow-up after exit and the orientations, the targets of the
territory with the one matching the period (the gauge: its realised value is the table's
total), and the trajectory against it (cumulative entries and persons month by month, the
projection at the current pace). `territory_dashboard` computes all of it in four statements
(the table, the outcomes, the targets, and the trajectory when a target on `accompanied` or
`entries` matches the period, as the page does), so that `make bench` times the page against
the same work. tests/scale checks every figure against the page's own code.

Not computed: the small-count suppression and its audit (a privacy mask over these figures,
not a figure), the structures' names and the territory tree around the page (look-ups).
"""

import datetime as dt

from bench.sql import territory_table
from participants.enums import (
    COUNTED_STATUSES,
    DYNAMIC_CATEGORIES,
    HOUSED,
    NonEntryReason,
)

REASONS = [str(code) for code in NonEntryReason]

# The structures with a seat or a work site in the territory (their parcours are read through
# the structure's index; each parcours' own place is then checked).
STRUCTURES = """
    SELECT id FROM sites_structure WHERE commune_id IN (SELECT id FROM geo)
    UNION
    SELECT structure_id FROM sites_worksite WHERE commune_id IN (SELECT id FROM geo)
"""

# The territory's communes: its geo units, and below them by parent or by EPCI, for the
# territory and its sub-territories.
GEO = """
terr(id) AS (
    SELECT %(territory)s::bigint
    UNION ALL
    SELECT t.id FROM sites_territory t JOIN terr ON t.parent_id = terr.id
),
geo(id) AS (
    SELECT geounit_id FROM sites_territory_geo_units WHERE territory_id IN (SELECT id FROM terr)
    UNION
    SELECT g.id FROM geo JOIN sites_geounit g ON g.parent_id = geo.id OR g.epci_id = geo.id
),
"""

# Follow-up checks at 6 and 12 months done in the period (when the programme schedules one
# of them), of the territory's parcours whose exit is not neutralised; housing at exit (when
# the programme tracks housing) from the exit snapshot of the parcours, else of the person
# on the exit day. Orientations: the parcours referred (not transferred) with a referral,
# an entry or a non-entry in the period. One row per structure and one total (structure
# NULL), per check month (0: the orientations).
OUTCOMES_SQL = (
    "WITH RECURSIVE"  # noqa: S608 (constant fragments only)
    + GEO
    + """
prog AS (
    SELECT followup_check_months && ARRAY[6, 12]::smallint[] AS follows, tracks_housing
    FROM programmes_programme WHERE id = %(programme)s
),
checks AS (
    SELECT p.structure_id, f.months, f.reached,
           f.reached AND f.dgefp_category = ANY(%(dynamic)s) AS employed,
           f.reached AND xh.housing = ANY(%(housed)s) AS housed_at_exit,
           f.reached AND xh.housing = ANY(%(housed)s) AND f.housing = ANY(%(housed)s) AS kept
    FROM participants_followupcheck f
    JOIN participants_parcours p ON p.id = f.parcours_id
    JOIN participants_exit e ON e.parcours_id = p.id
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    LEFT JOIN LATERAL (
        SELECT s.housing FROM participants_situationsnapshot s
        WHERE (SELECT tracks_housing FROM prog)
          AND s.participant_id = p.participant_id AND s.structure_id = p.structure_id
          AND s.context = 'SORTIE'
          AND (s.parcours_id = p.id OR (s.parcours_id IS NULL AND s.date = p.end_date))
        ORDER BY s.parcours_id IS NOT NULL DESC, s.date DESC, s.id DESC
        LIMIT 1
    ) xh ON true
    WHERE (SELECT follows FROM prog)
      AND f.months IN (6, 12)
      AND f.done_on BETWEEN %(d1)s AND %(d2)s
      AND p.programme_id = %(programme)s
      AND e.dgefp_category <> 'NEUTRALISEE'
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
),
referred AS (
    SELECT p.structure_id, p.status, p.referred_on, p.start_date, p.end_date,
           p.non_entry_reason
    FROM participants_parcours p
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    WHERE p.structure_id = ANY(ARRAY({structures}))
      AND p.programme_id = %(programme)s
      AND p.referred_on <= %(d2)s AND p.referred_by <> 'TRANSFERT'
      AND (p.referred_on >= %(d1)s OR p.start_date >= %(d1)s OR p.end_date >= %(d1)s)
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
)
SELECT structure_id, months, COUNT(*), COUNT(*) FILTER (WHERE reached),
       COUNT(*) FILTER (WHERE employed), COUNT(*) FILTER (WHERE housed_at_exit),
       COUNT(*) FILTER (WHERE kept), {no_reasons}
FROM checks GROUP BY GROUPING SETS ((structure_id, months), (months))
UNION ALL
SELECT structure_id, 0,
       COUNT(*) FILTER (WHERE referred_on >= %(d1)s),
       COUNT(*) FILTER (WHERE status IN ('EN_COURS', 'SORTI')
                          AND start_date BETWEEN %(d1)s AND %(d2)s),
       COALESCE(SUM(start_date - referred_on) FILTER (
           WHERE status IN ('EN_COURS', 'SORTI') AND start_date BETWEEN %(d1)s AND %(d2)s), 0),
       0, 0, {reasons}
FROM referred GROUP BY GROUPING SETS ((structure_id), ())
"""
)


def outcomes_sql() -> str:
    return OUTCOMES_SQL.format(
        structures=STRUCTURES,
        no_reasons=", ".join("0" for _ in REASONS),
        reasons=",\n       ".join(
            "COUNT(*) FILTER (WHERE status = 'NON_ENTRE' AND end_date BETWEEN %(d1)s AND"
            f" %(d2)s AND non_entry_reason = '{code}')"
            for code in REASONS
        ),
    )


FOLLOWUP_FIELDS = ("checks", "reached", "employed", "housed_at_exit", "housing_kept")
ORIENTATION_FIELDS = ("referrals", "entries", "delay_days")

# The targets of the territory's deployments of the programme (all of them: the page lists
# them), and those matching the period: for each metric, the targets whose period is the
# period (summed over deployments), else, for a flow (entries, exits, hours), targets
# following each other from d1 to d2, the longest first at each day among those that still
# lead to d2 (docs/indicators.md, `attainment`).
TARGETS_SQL = """
WITH RECURSIVE
t AS (
    SELECT tg.metric, tg.period_start AS s, tg.period_end AS e, SUM(tg.value) AS v
    FROM programmes_target tg JOIN programmes_deployment d ON d.id = tg.deployment_id
    WHERE d.programme_id = %(programme)s AND d.territory_id = %(territory)s
    GROUP BY 1, 2, 3
),
inside AS (SELECT * FROM t WHERE s >= %(d1)s AND e <= %(d2)s),
leads(metric, s, e) AS (  -- spans from which a chain reaches d2
    SELECT metric, s, e FROM inside
    WHERE e = %(d2)s AND metric IN ('entries', 'exits', 'hours_worked')
    UNION
    SELECT i.metric, i.s, i.e FROM inside i JOIN leads l ON l.metric = i.metric AND l.s = i.e + 1
),
chain(metric, s, e) AS (
    SELECT metric, %(d1)s::date, %(d1)s::date - 1 FROM (SELECT DISTINCT metric FROM leads) m
    UNION ALL
    SELECT nxt.metric, nxt.s, nxt.e FROM chain c CROSS JOIN LATERAL (
        SELECT l.metric, l.s, l.e FROM leads l
        WHERE l.metric = c.metric AND l.s = c.e + 1 ORDER BY l.e DESC LIMIT 1
    ) nxt WHERE c.e < %(d2)s
),
matched AS (
    SELECT metric, v FROM inside WHERE s = %(d1)s AND e = %(d2)s
    UNION ALL
    SELECT c.metric, SUM(i.v) FROM chain c JOIN inside i USING (metric, s, e)
    WHERE NOT EXISTS (SELECT 1 FROM inside x WHERE x.metric = c.metric
                        AND x.s = %(d1)s AND x.e = %(d2)s)
    GROUP BY c.metric
)
SELECT 'matched', metric, v, NULL::date, NULL::date FROM matched
UNION ALL
SELECT 'listed', tg.metric, tg.value, tg.period_start, tg.period_end
FROM programmes_target tg JOIN programmes_deployment d ON d.id = tg.deployment_id
WHERE d.programme_id = %(programme)s AND d.territory_id = %(territory)s
"""

# The trajectory over the period against its target, month by month up to the reference
# date d_ref (today, or d2 once the period has ended): the entries of each month (a start
# typed after d_ref counts in d_ref's month) and the persons joining the accompanied count
# (from their first counted parcours still open at d1, at d1's month at the earliest), how
# many structures contributed and the largest contribution, and the running sums.
TRAJECTORY_SQL = (
    "WITH RECURSIVE"  # noqa: S608 (constant fragments only)
    + GEO
    + """
p AS MATERIALIZED (
    SELECT p.structure_id, p.participant_id, p.start_date
    FROM participants_parcours p
    JOIN sites_structure st ON st.id = p.structure_id
    LEFT JOIN sites_worksite ws ON ws.id = p.work_site_id
    WHERE p.structure_id = ANY(ARRAY({structures}))
      AND p.programme_id = %(programme)s AND p.status = ANY(%(statuses)s)
      AND p.start_date <= %(d2)s AND (p.end_date IS NULL OR p.end_date >= %(d1)s)
      AND COALESCE(ws.commune_id, st.commune_id) IN (SELECT id FROM geo)
),
cell AS (  -- structure × month: entries, persons
    SELECT structure_id, m, SUM(entries) AS entries, SUM(persons) AS persons FROM (
        SELECT structure_id, date_trunc('month', LEAST(start_date, %(d_ref)s))::date AS m,
               1 AS entries, 0 AS persons
        FROM p WHERE start_date >= %(d1)s
        UNION ALL
        SELECT structure_id,
               date_trunc('month', LEAST(GREATEST(MIN(start_date), %(d1)s), %(d_ref)s))::date,
               0, 1
        FROM p GROUP BY structure_id, participant_id
    ) x GROUP BY 1, 2
),
month AS (
    SELECT m.m::date AS m, COALESCE(SUM(c.entries), 0) AS entries,
           COUNT(c.entries) FILTER (WHERE c.entries > 0) AS entries_k,
           COALESCE(MAX(c.entries), 0) AS entries_top,
           COALESCE(SUM(c.persons), 0) AS persons,
           COUNT(c.persons) FILTER (WHERE c.persons > 0) AS persons_k,
           COALESCE(MAX(c.persons), 0) AS persons_top
    FROM generate_series(date_trunc('month', %(d1)s::date), %(d_ref)s, '1 month') m(m)
    LEFT JOIN cell c ON c.m = m.m::date
    GROUP BY m.m
)
SELECT m, entries, entries_k, entries_top, persons, persons_k, persons_top,
       SUM(entries) OVER w, SUM(persons) OVER w
FROM month WINDOW w AS (ORDER BY m) ORDER BY m
"""
).format(structures=STRUCTURES)

TRAJECTORY_FIELDS = (
    "month",
    "entries",
    "entries_structures",
    "entries_top",
    "persons",
    "persons_structures",
    "persons_top",
    "cum_entries",
    "cum_accompanied",
)
# The trajectory follows the target on `accompanied`, else on `entries`; the pace needs 30
# days of the period behind it (docs/indicators.md, "Trajectoire et projection").
TRAJECTORY_METRICS = ("accompanied", "entries")
MIN_DAYS_FOR_PACE = 30


def _params(*, territory_id, programme_id, start, end) -> dict:
    return {
        "territory": territory_id,
        "programme": programme_id,
        "statuses": [str(s) for s in COUNTED_STATUSES],
        "d1": start,
        "d2": end,
        "dynamic": [str(c) for c in DYNAMIC_CATEGORIES],
        "housed": [str(h) for h in HOUSED],
    }


def outcomes(cursor, **kwargs) -> dict:
    """{"followup": {6|12: {structure id or None (total): counts}}, "orientations":
    {structure id or None: counts with "non_entries_by_reason"}}."""
    cursor.execute(outcomes_sql(), _params(**kwargs))
    result: dict = {"followup": {6: {}, 12: {}}, "orientations": {}}
    for structure_id, months, *values in cursor.fetchall():
        if months:
            row = dict(zip(FOLLOWUP_FIELDS, values[:5], strict=True))
            result["followup"][months][structure_id] = row
        else:
            row = dict(zip(ORIENTATION_FIELDS, values[:3], strict=True))
            row["non_entries_by_reason"] = dict(zip(REASONS, values[5:], strict=True))
            if structure_id is None or any(values[:3]) or any(values[5:]):
                # A structure with nothing of P to count has no row (the page reads only
                # what it counts; a row of zeros publishes nothing either way).
                result["orientations"][structure_id] = row
    return result


def targets(cursor, **kwargs) -> dict:
    """{"matched": metric → value of the period, "listed": [(start, end, metric, value)]}."""
    cursor.execute(TARGETS_SQL, _params(**kwargs))
    result: dict = {"matched": {}, "listed": []}
    for kind, metric, value, start, end in cursor.fetchall():
        if kind == "matched":
            result["matched"][metric] = int(value)
        else:
            result["listed"].append((start, end, metric, int(value)))
    result["listed"].sort(key=lambda t: t[2])
    result["listed"].sort(key=lambda t: (t[1], t[0]), reverse=True)  # latest first
    return result


def trajectory(cursor, *, metric: str, target: int, today: dt.date, **kwargs) -> dict:
    """The months of the trajectory against `target` on `metric`, and the projection."""
    start, end = kwargs["start"], kwargs["end"]
    reference = min(today, end)
    months = []
    if reference >= start:
        cursor.execute(TRAJECTORY_SQL, _params(**kwargs) | {"d_ref": reference})
        months = [dict(zip(TRAJECTORY_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    projection = None
    elapsed = (reference - start).days + 1
    if months and reference < end and elapsed >= MIN_DAYS_FOR_PACE:
        last = months[-1]
        # value + entries × days left / days elapsed, rounded half away from zero.
        twice = 2 * (last[f"cum_{metric}"] * elapsed + last["cum_entries"] * (end - reference).days)
        projection = (twice + elapsed) // (2 * elapsed)
    return {
        "metric": metric,
        "target": target,
        "reference": reference,
        "months": months,
        "projection": projection,
    }


def territory_dashboard(cursor, *, today: dt.date | None = None, **kwargs) -> dict:
    """Every figure a territory dashboard prints (see the module docstring), on any DB-API
    cursor taking %(name)s parameters."""
    figures = {
        "table": territory_table(cursor, **kwargs),
        "outcomes": outcomes(cursor, **kwargs),
        "targets": targets(cursor, **kwargs),
        "trajectory": None,
    }
    matched = figures["targets"]["matched"]
    followed = next((m for m in TRAJECTORY_METRICS if m in matched), None)
    if followed is not None:
        figures["trajectory"] = trajectory(
            cursor,
            metric=followed,
            target=matched[followed],
            today=today or dt.date.today(),
            **kwargs,
        )
    return figures
