"""What is published of the follow-up and orientation figures (`reporting.outcomes`).

The same rules as the dashboard's table (`reporting.suppression`), on a grid of their own:
for coordinators and funders every count from 1 to 10 is "< 11", every cell aggregates
structures and obeys the dominance rule, and the margins (checks = reached + unreachable,
reached = employed + not employed, housed at exit = kept + lost, non-entries = Σ reasons)
are protected by secondary suppression, so no hidden count can be recomputed from the
published ones. A rate is published only when both its parts are; an average delay only
when its count is. These figures are territory-level only: a drill-down to one structure
does not publish them (with the territory's total they would give the others' figures).
"""

from participants.enums import NonEntryReason

from .formats import Numbers
from .outcomes import REASON_CODES, REPORTED_MONTHS, FollowupCounts, Outcomes
from .suppression import PUBLISHED, Constraint, contributions, is_dominated, label, suppress

FOLLOWUP_PARTS = {
    "checks": ("reached", "unreachable"),
    "reached": ("employed", "not_employed"),
    "housed_at_exit": ("housing_kept", "housing_lost"),
}


def _followup_cells(outcomes: Outcomes) -> tuple[dict, dict, list[Constraint]]:
    """Values, per-structure contributions and margin equations of the follow-up cells."""
    values, parts_by_cell, constraints = {}, {}, []
    for months in REPORTED_MONTHS:
        total = outcomes.followup_total[months]
        rows = list(outcomes.followup[months].values())
        names = ["checks", "reached", "unreachable", "employed", "not_employed"]
        if outcomes.tracks_housing and months == 12:
            names += ["housed_at_exit", "housing_kept", "housing_lost"]
        for name in names:
            values[(months, name)] = getattr(total, name)
            parts_by_cell[(months, name)] = [getattr(row, name) for row in rows]
        for margin, parts in FOLLOWUP_PARTS.items():
            if (months, margin) in values:
                constraints.append(Constraint((months, margin), tuple((months, p) for p in parts)))
    return values, parts_by_cell, constraints


def _orientation_cells(outcomes: Outcomes) -> tuple[dict, dict, list[Constraint]]:
    total, rows = outcomes.orientations_total, list(outcomes.orientations.values())
    values = {
        "referrals": total.referrals,
        "entries": total.entries,
        "non_entries": total.non_entries,
    }
    parts_by_cell = {
        "referrals": [r.referrals for r in rows],
        "entries": [r.entries for r in rows],
        "non_entries": [r.non_entries for r in rows],
    }
    for code in REASON_CODES:
        values[code] = total.non_entries_by_reason[code]
        parts_by_cell[code] = [r.non_entries_by_reason[code] for r in rows]
    return values, parts_by_cell, [Constraint("non_entries", tuple(REASON_CODES))]


def _statuses(values, parts_by_cell, constraints, *, suppressed: bool, territorial: bool):
    if not suppressed:
        return dict.fromkeys(values, PUBLISHED)
    dominated = (
        [k for k, v in values.items() if is_dominated(v, *contributions(parts_by_cell[k]))]
        if territorial
        else []
    )
    return suppress(values, constraints, dominated=dominated)


def _rate(num: Numbers, status: dict, value, parts: tuple) -> str:
    if value is None:
        return "–"
    if all(status[p] == PUBLISHED for p in parts):
        return num.rate(value)
    return num.hidden


def publish_followup(outcomes: Outcomes, *, suppressed: bool, territorial: bool) -> list[dict]:
    """One row per reported month: checks done, unreachable, share in employment or
    training among the people reached, and (12 months) housing kept."""
    if not outcomes.tracks_followup:
        return []
    num = Numbers.current()
    values, parts, constraints = _followup_cells(outcomes)
    status = _statuses(values, parts, constraints, suppressed=suppressed, territorial=territorial)

    def shown(months, name) -> str:
        return label(num.count(values[(months, name)]), status[(months, name)])

    rows = []
    for months in REPORTED_MONTHS:
        total: FollowupCounts = outcomes.followup_total[months]
        with_housing = (months, "housed_at_exit") in values
        rows.append(
            {
                "months": months,
                "checks": shown(months, "checks"),
                "unreachable": shown(months, "unreachable"),
                "employment_rate": _rate(
                    num,
                    status,
                    total.employment_rate,
                    ((months, "employed"), (months, "not_employed")),
                ),
                "housing_kept_rate": _rate(
                    num,
                    status,
                    total.housing_kept_rate,
                    ((months, "housing_kept"), (months, "housing_lost")),
                )
                if with_housing
                else None,
            }
        )
    return rows


def publish_orientations(outcomes: Outcomes, *, suppressed: bool, territorial: bool) -> dict:
    """Referrals received, entries after a referral with their average delay, and the
    non-entries by reason, of P."""
    num = Numbers.current()
    values, parts, constraints = _orientation_cells(outcomes)
    status = _statuses(values, parts, constraints, suppressed=suppressed, territorial=territorial)

    def shown(key) -> str:
        return label(num.count(values[key]), status[key])

    total = outcomes.orientations_total
    if status["entries"] != PUBLISHED:
        delay = num.hidden
    else:
        delay = num.decimal(total.average_delay_days, 1)
    reason_labels = dict(NonEntryReason.choices)
    return {
        "referrals": shown("referrals"),
        "entries": shown("entries"),
        "average_delay_days": delay,
        "non_entries": shown("non_entries"),
        "reasons": [
            {"code": code, "label": str(reason_labels[code]), "value": shown(code)}
            for code in REASON_CODES
        ],
        "empty": not any(values.values()),
    }
