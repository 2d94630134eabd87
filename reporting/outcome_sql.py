"""The SQL of the follow-up and orientation figures (`reporting.outcomes` runs it).

Constant fragments only, as in `reporting.indicator_sql`: every value is a bound parameter.
One statement answers both: one row per structure (and, for the follow-up, per check
month); totals and the dominance rule's contributions are summed in Python from those rows,
which are few (a région: a few hundred structures × 3).
"""

from .indicator_sql import exit_housing_join

# Where a parcours lies: at its work site's commune, else at its structure's (both always
# set). The structures seated in the territory and the work sites in it are given
# (reporting.places, read with the scope's structures); each parcours of a figure is checked
# against them (hashed). They used to be looked up here, down the territory tree, in every
# statement (national dataset, CVG région, free dates: 7.4 → 4.9 ms the statement alone,
# both forms alternated at load 0.7–0.8).
LOCATED_CTES = """
seats AS (SELECT unnest(%(seats)s::bigint[]) AS id),
sites AS (SELECT unnest(%(sites)s::bigint[]) AS id),"""
LOCATED = """AND (p.work_site_id IN (SELECT id FROM sites)
           OR (p.work_site_id IS NULL AND p.structure_id IN (SELECT id FROM seats)))"""

# Follow-up checks done in P (done_on between d1 and d2) at the reported months, of the
# scope's parcours, except those of neutralised exits (death, imprisonment, moving away...:
# no follow-up is scheduled for them, and a check recorded before the exit was corrected does
# not count). Housing kept: the person was housed at exit and still is at the check.
# Leads the statement, so that a query log (and a test) tells it from the indicators'.
OUTCOMES_MARK = "/* sillon: outcomes */"  # the first line of the statement below

# The follow-up figures' part of the statement (left out when the programme schedules no
# reported check): one row per structure and check month.
FOLLOWUP_CTES = """
-- The checks first, then their parcours by id, then where they lie: planned together, the
-- few checks were crossed with every commune of the territory before their parcours were
-- read (27 ms for 99 checks of a département); and, the checks of a year overestimated
-- (1,010 for 303), every parcours of the programme was read and hashed (CVG région,
-- calendar year, national dataset at load 1.7: 20.8 ms of execution, 9.0 by id).
fc AS MATERIALIZED (
    SELECT f.parcours_id, f.structure_id, f.months, f.reached, f.dgefp_category, f.housing
    FROM participants_followupcheck f
    WHERE f.structure_id = ANY(%(structure_ids)s::bigint[])
      AND f.done_on BETWEEN %(d1)s AND %(d2)s
      AND f.months = ANY(%(months)s)
),
done AS MATERIALIZED (
    SELECT f.structure_id, f.months, f.reached, f.dgefp_category, f.housing AS check_housing,
           p.id, p.participant_id, p.end_date, p.work_site_id
    FROM fc f
    JOIN participants_parcours p ON p.id = f.parcours_id AND p.structure_id = f.structure_id
    JOIN participants_exit e ON e.parcours_id = p.id AND e.structure_id = p.structure_id
    WHERE p.id = ANY(ARRAY(SELECT parcours_id FROM fc))
      AND p.programme_id = %(programme_id)s
      AND e.dgefp_category <> %(neutralised)s
),
checks AS (
    SELECT p.* FROM done p WHERE true {location_filter}
),
followup AS (
    SELECT p.structure_id, p.months, ARRAY[
        COUNT(*),
        COUNT(*) FILTER (WHERE p.reached),
        COUNT(*) FILTER (WHERE p.reached AND p.dgefp_category = ANY(%(dynamic)s)),
        COUNT(*) FILTER (WHERE p.reached AND xh.housing = ANY(%(housed)s)),
        COUNT(*) FILTER (
            WHERE p.reached AND xh.housing = ANY(%(housed)s)
              AND p.check_housing = ANY(%(housed)s)
        )
    ] AS counts  -- checks, reached, employed, housed at exit, housing kept
    FROM checks p
    {housing_join}
    GROUP BY p.structure_id, p.months
),"""
FOLLOWUP_ROWS = """SELECT structure_id, months, counts FROM followup
UNION ALL
"""

# Parcours referred to the scope's structures that had something happen in P: the referral
# received, the entry (the parcours started), or the non-entry decided (end date of a
# NON_ENTRE parcours), read from the referred parcours' covering index alone. Delay: days
# from the referral to the entry. A file transferred from another structure of the
# deployment is not a referral into the programme: the person was already in it (and counted
# by the sending structure), so those parcours are left out.
# Both figures in one statement: the territory's communes are walked once, and the statement
# is planned and sent once. The follow-up rows carry their check month, the orientation rows
# none; `counts` is an array of the figures, in the order of the comments.
OUTCOMES_SQL = """/* sillon: outcomes */
{with_clause}{followup_ctes}
referred AS (
    SELECT p.structure_id, p.status, p.referred_on, p.start_date, p.end_date,
           p.non_entry_reason
    FROM participants_parcours p
    WHERE p.structure_id = ANY(%(structure_ids)s::bigint[])
      AND p.programme_id = %(programme_id)s
      AND p.referred_on IS NOT NULL
      AND p.referred_by <> %(transfer)s
      AND p.referred_on <= %(d2)s
      -- Only what is counted below: a parcours referred before P and exited in it, or still
      -- open, adds nothing.
      AND (p.referred_on >= %(d1)s
           OR (p.status = ANY(%(started)s) AND p.start_date BETWEEN %(d1)s AND %(d2)s)
           OR (p.status = %(non_entre)s AND p.end_date BETWEEN %(d1)s AND %(d2)s))
      {location_filter}
),
orientations AS (
    SELECT structure_id, ARRAY[
        COUNT(*) FILTER (WHERE referred_on >= %(d1)s),
        COUNT(*) FILTER (
            WHERE status = ANY(%(started)s) AND start_date BETWEEN %(d1)s AND %(d2)s
        ),
        COALESCE(SUM(start_date - referred_on) FILTER (
            WHERE status = ANY(%(started)s) AND start_date BETWEEN %(d1)s AND %(d2)s
        ), 0),
        {reason_columns}
    ] AS counts  -- referrals, entries, delay in days, non-entries by reason
    FROM referred
    GROUP BY structure_id
)
{followup_rows}SELECT structure_id, NULL::smallint, counts FROM orientations
"""

NO_HOUSING_JOIN = "LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) xh ON true"


def statement(
    *,
    territory_id: int | None,
    tracks_followup: bool,
    tracks_housing: bool,
    reason_codes: list[str],
) -> str:
    """The statement for a territory (or none: the own structures) and the programme's
    flags; `reason_codes` are the module's enum values, not input."""
    with_territory = territory_id is not None
    location_filter = LOCATED if with_territory else ""
    housing_join = exit_housing_join("true", "%(sortie)s") if tracks_housing else NO_HOUSING_JOIN
    followup_ctes = FOLLOWUP_CTES.format(housing_join=housing_join, location_filter=location_filter)
    return OUTCOMES_SQL.format(
        with_clause="WITH" + LOCATED_CTES if with_territory else "WITH",
        followup_ctes=followup_ctes if tracks_followup else "",
        followup_rows=FOLLOWUP_ROWS if tracks_followup else "",
        reason_columns=reason_columns(reason_codes),
        location_filter=location_filter,
    )


def reason_columns(codes: list[str]) -> str:
    """One count per non-entry reason; `codes` are the module's enum values, not input."""
    return ",\n        ".join(
        "COUNT(*) FILTER (WHERE status = %(non_entre)s AND end_date BETWEEN %(d1)s AND %(d2)s"
        f" AND non_entry_reason = '{code}')"
        for code in codes
    )
