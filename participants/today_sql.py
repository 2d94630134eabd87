""" "Aujourd'hui" in one statement: every kind of item of one structure, for one referent's
people or for all of them.

The structure's live parcours (open, waiting for an entry, or ended since last Monday for the
hours) are read once, by the structure's index, into a materialised set that each kind
filters in turn; follow-up checks, contracts, snapshots, hours and memberships are looked up
by their own indexes. PostgreSQL keeps only the rows that need doing, so a structure of 750
people returns a few hundred short rows, never its parcours. It runs as the web role: row-level
security applies to every table read. The rules are those of docs/domain.md ("Aujourd'hui");
each branch's comment names the kind it computes.

Every branch returns the same columns (the kinds and rules are the enums' values, passed as
parameters):
    kind, due_on, subject_id, participant_id, last_name, first_name, programme,
    number (months, people or days), label (limit rule, contract kind, source or site),
    day (the last contact).
"""

import datetime as dt

from django.db import connection

from sites.enums import Role

from .enums import LimitKind, ParcoursStatus, SnapshotContext, TodayKind

TODAY_SQL = """
WITH live AS MATERIALIZED (
    SELECT pc.id, pc.participant_id, pc.status, pc.start_date, pc.end_date, pc.work_site_id,
           pc.prolongation_reason, pc.referred_on, pc.referred_by,
           p.last_name, p.first_name, p.last_contact_on, p.referent_id,
           (%(referent)s::bigint IS NULL OR p.referent_id = %(referent)s::bigint) AS mine,
           pr.code AS programme, pr.warn_months, pr.base_months, pr.max_months,
           pr.entry_snapshot_days
    FROM participants_parcours pc
    JOIN participants_participant p ON p.id = pc.participant_id
    JOIN programmes_programme pr ON pr.id = pc.programme_id
    WHERE pc.structure_id = %(structure)s
      AND (pc.status IN (%(oriented)s, %(open)s)
           OR (pc.status = %(exited)s AND pc.end_date >= %(monday)s))
)
-- Follow-up checks due (or soon due) while the follow-up is not over.
SELECT %(k_followup)s::text AS kind, fc.due_on, fc.id AS subject_id, pc.participant_id, p.last_name,
       p.first_name, pr.code AS programme, fc.months AS number, NULL AS label, NULL::date AS day
FROM participants_followupcheck fc
JOIN participants_parcours pc ON pc.id = fc.parcours_id
JOIN participants_exit e ON e.parcours_id = pc.id
JOIN participants_participant p ON p.id = pc.participant_id
JOIN programmes_programme pr ON pr.id = pc.programme_id
WHERE fc.structure_id = %(structure)s
  AND fc.done_on IS NULL
  AND fc.due_on <= %(check_until)s
  AND e.followup_until >= %(followup_from)s
  AND (%(referent)s::bigint IS NULL OR p.referent_id = %(referent)s::bigint)
UNION ALL
-- Duration limits: the strictest rule reached within its notice (60 months over 24 over 12).
SELECT %(k_limit)s::text, rule.due_on, live.id, live.participant_id, live.last_name,
       live.first_name, live.programme, rule.months, rule.name, NULL
FROM live
CROSS JOIN LATERAL (
    SELECT r.name, r.due_on, r.months
    FROM (VALUES
        (3, %(r_max)s::text, (live.start_date + make_interval(months => live.max_months))::date,
         live.max_months, %(max_until)s::date, true),
        (2, %(r_base)s::text, (live.start_date + make_interval(months => live.base_months))::date,
         live.base_months, %(base_until)s::date, live.prolongation_reason = ''),
        (1, %(r_warn)s::text, (live.start_date + make_interval(months => live.warn_months))::date,
         live.warn_months, %(warn_until)s::date, true)
    ) AS r (strictness, name, due_on, months, until, applies)
    WHERE r.applies AND r.due_on <= r.until
    ORDER BY r.strictness DESC
    LIMIT 1
) AS rule
WHERE live.status = %(open)s AND live.mine
UNION ALL
-- Entry diagnosis missing near its deadline: none attached to the parcours, nor recorded for
-- the person around its start (as the stored warning counts it, services.warnings).
SELECT %(k_diagnosis)s::text, live.start_date + live.entry_snapshot_days, live.id,
       live.participant_id, live.last_name, live.first_name, live.programme, NULL, NULL, NULL
FROM live
WHERE live.status = %(open)s AND live.mine
  AND live.start_date + live.entry_snapshot_days <= %(diagnosis_until)s
  AND NOT EXISTS (
      SELECT 1 FROM participants_situationsnapshot s
      WHERE s.structure_id = %(structure)s AND s.participant_id = live.participant_id
        AND s.context = %(entry)s
        AND (s.parcours_id = live.id
             OR (s.parcours_id IS NULL AND s.date >= live.start_date - 30))
  )
UNION ALL
-- Last week's hours, per work site: people on the site that week with no hours recorded.
SELECT %(k_hours)s::text, %(monday)s::date + 7, live.work_site_id, NULL, NULL, NULL, NULL,
       count(*), ws.name, NULL
FROM live
JOIN sites_worksite ws ON ws.id = live.work_site_id
WHERE live.status IN (%(open)s, %(exited)s) AND live.mine
  AND live.start_date <= %(sunday)s
  AND (live.end_date IS NULL OR live.end_date >= %(monday)s)
  AND NOT EXISTS (
      SELECT 1 FROM participants_workedhours wh
      WHERE wh.structure_id = %(structure)s AND wh.parcours_id = live.id
        AND wh.week_start = %(monday)s
  )
GROUP BY live.work_site_id, ws.name
UNION ALL
-- Contracts of open parcours ending soon (or past their planned end) with no actual end.
SELECT %(k_contract)s::text, c.planned_end_date, c.id, live.participant_id, live.last_name,
       live.first_name, NULL, NULL, c.kind, NULL
FROM live
JOIN participants_contract c ON c.parcours_id = live.id
WHERE live.status = %(open)s AND live.mine
  AND c.structure_id = %(structure)s
  AND c.actual_end_date IS NULL
  AND c.planned_end_date <= %(contract_until)s
UNION ALL
-- No contact for N weeks: one item per person, on their earliest open parcours.
(SELECT DISTINCT ON (live.participant_id)
        %(k_contact)s::text, coalesce(live.last_contact_on, live.start_date) + %(no_contact_days)s,
        live.id, live.participant_id, live.last_name, live.first_name, NULL, NULL, NULL,
        coalesce(live.last_contact_on, live.start_date)
 FROM live
 WHERE live.status = %(open)s AND live.mine
   AND coalesce(live.last_contact_on, live.start_date) < %(contact_since)s
 ORDER BY live.participant_id, live.start_date, live.id)
UNION ALL
-- Orientations waiting for an entry or a non-entry, since the referral.
SELECT %(k_orientation)s::text, coalesce(live.referred_on, live.start_date), live.id,
       live.participant_id, live.last_name, live.first_name, live.programme,
       %(today)s::date - coalesce(live.referred_on, live.start_date), live.referred_by, NULL
FROM live
WHERE live.status = %(oriented)s AND live.mine
UNION ALL
-- Files whose referent is missing, deactivated or off the structure's staff: nobody's yet,
-- so listed whatever the referent filter.
(SELECT DISTINCT ON (live.participant_id)
        %(k_referent)s::text, NULL, live.participant_id, live.participant_id, live.last_name,
        live.first_name, NULL, NULL, NULL, NULL
 FROM live
 WHERE live.status IN (%(oriented)s, %(open)s)
   AND NOT EXISTS (
       SELECT 1 FROM sites_membership m
       JOIN sites_user u ON u.id = m.user_id
       WHERE m.user_id = live.referent_id AND m.structure_id = %(structure)s
         AND m.is_active AND u.is_active AND m.role IN (%(caseworker)s, %(manager)s)
   )
 ORDER BY live.participant_id)
"""


def today_rows(
    *,
    structure_id: int,
    referent_id: int | None,
    today: dt.date,
    monday: dt.date,
    until: dict[str, dt.date],
    contact_since: dt.date,
    no_contact_days: int,
    followup_from: dt.date,
) -> list[dict]:
    """The statement's rows as dicts; `until` holds each kind's horizon (check, contract,
    diagnosis, warn, base, max)."""
    params = {
        "structure": structure_id,
        "referent": referent_id,
        "today": today,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "contact_since": contact_since,
        "no_contact_days": no_contact_days,
        "followup_from": followup_from,
        **{f"{name}_until": day for name, day in until.items()},
        "oriented": ParcoursStatus.ORIENTE.value,
        "open": ParcoursStatus.EN_COURS.value,
        "exited": ParcoursStatus.SORTI.value,
        "entry": SnapshotContext.ENTREE.value,
        **{f"k_{kind.value}": kind.value for kind in TodayKind},
        **{f"r_{rule.value}": rule.value for rule in LimitKind},
        "caseworker": Role.CASEWORKER.value,
        "manager": Role.MANAGER.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(TODAY_SQL, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
