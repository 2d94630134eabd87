"""The SQL of the follow-up and orientation figures (`reporting.outcomes` runs it).

Constant fragments only, as in `reporting.indicator_sql`: every value is a bound parameter.
Both statements answer one row per structure (and, for the follow-up, per check month);
totals and the dominance rule's contributions are summed in Python from those rows, which
are few (a région: a few hundred structures × 2 months).
"""

from .indicator_sql import LOCATION_FILTER, LOCATION_JOIN, TERRITORY_CTES, exit_housing_join

# Follow-up checks done in P (done_on between d1 and d2) at the reported months, of the
# scope's parcours, except those of neutralised exits (death, imprisonment, moving away...:
# no follow-up is scheduled for them, and a check recorded before the exit was corrected does
# not count). Housing kept: the person was housed at exit and still is at the check.
# Leads both statements, so that a query log (and a test) tells them from the indicators'.
OUTCOMES_MARK = "/* sillon: outcomes */"  # the first line of both statements below

FOLLOWUP_SQL = """/* sillon: outcomes */
{with_clause}
-- The checks first, then where their parcours lie: planned together, the few checks were
-- crossed with every commune of the territory before their parcours were read (27 ms for
-- 99 checks of a département).
done AS MATERIALIZED (
    SELECT f.structure_id, f.months, f.reached, f.dgefp_category, f.housing AS check_housing,
           p.id, p.participant_id, p.end_date, p.work_site_id
    FROM participants_followupcheck f
    JOIN participants_parcours p ON p.id = f.parcours_id AND p.structure_id = f.structure_id
    JOIN participants_exit e ON e.parcours_id = p.id AND e.structure_id = p.structure_id
    WHERE f.structure_id = ANY(%(structure_ids)s::bigint[])
      AND f.done_on BETWEEN %(d1)s AND %(d2)s
      AND f.months = ANY(%(months)s)
      AND p.programme_id = %(programme_id)s
      AND e.dgefp_category <> %(neutralised)s
),
checks AS (
    SELECT p.* FROM done p
    {location_join}
    WHERE true {location_filter}
)
SELECT p.structure_id, p.months,
       COUNT(*) AS checks,
       COUNT(*) FILTER (WHERE p.reached) AS reached,
       COUNT(*) FILTER (WHERE p.reached AND p.dgefp_category = ANY(%(dynamic)s)) AS employed,
       COUNT(*) FILTER (WHERE p.reached AND xh.housing = ANY(%(housed)s)) AS housed_at_exit,
       COUNT(*) FILTER (
           WHERE p.reached AND xh.housing = ANY(%(housed)s)
             AND p.check_housing = ANY(%(housed)s)
       ) AS housing_kept
FROM checks p
{housing_join}
GROUP BY p.structure_id, p.months
"""

# Parcours referred to the scope's structures that had something happen in P: the referral
# received, the entry (the parcours started), or the non-entry decided (end date of a
# NON_ENTRE parcours), read from the referred parcours' covering index alone. Delay: days
# from the referral to the entry. A file transferred from another structure of the
# deployment is not a referral into the programme: the person was already in it (and counted
# by the sending structure), so those parcours are left out.
ORIENTATION_SQL = """/* sillon: outcomes */
{with_clause}
referred AS (
    SELECT p.structure_id, p.status, p.referred_on, p.start_date, p.end_date,
           p.non_entry_reason
    FROM participants_parcours p
    {location_join}
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
)
SELECT structure_id,
       COUNT(*) FILTER (WHERE referred_on >= %(d1)s) AS referrals,
       COUNT(*) FILTER (
           WHERE status = ANY(%(started)s) AND start_date BETWEEN %(d1)s AND %(d2)s
       ) AS entries,
       COALESCE(SUM(start_date - referred_on) FILTER (
           WHERE status = ANY(%(started)s) AND start_date BETWEEN %(d1)s AND %(d2)s
       ), 0) AS delay_days,
       {reason_columns}
FROM referred
GROUP BY structure_id
"""

NO_HOUSING_JOIN = "LEFT JOIN LATERAL (SELECT NULL::varchar AS housing) xh ON true"


def fragments(*, territory_id: int | None, tracks_housing: bool = False) -> dict:
    """The parts of a statement that depend on the territory and the programme's flags."""
    with_territory = territory_id is not None
    return {
        "with_clause": "WITH RECURSIVE " + TERRITORY_CTES if with_territory else "WITH",
        "location_join": LOCATION_JOIN if with_territory else "",
        "location_filter": LOCATION_FILTER if with_territory else "",
        "housing_join": (
            exit_housing_join("true", "%(sortie)s") if tracks_housing else NO_HOUSING_JOIN
        ),
    }


def reason_columns(codes: list[str]) -> str:
    """One count per non-entry reason; `codes` are the module's enum values, not input."""
    return ",\n       ".join(
        "COUNT(*) FILTER (WHERE status = %(non_entre)s AND end_date BETWEEN %(d1)s AND %(d2)s"
        f" AND non_entry_reason = '{code}') AS reason_{index}"
        for index, code in enumerate(codes)
    )
