"""What is published of a trajectory against a target (docs/indicators.md, "Trajectoire
et projection"; docs/security.md §10 for the reasoning on running sums).

A running sum leaks like its differences: two consecutive points give the month between
them. So a point is printed only when it is already a sum of published cells:

- **entries**: the dashboard's own monthly entries and its total (same P: the trajectory
  follows a target whose period is P). The point at the end of month m is printed when
  every month up to m is published, or when the total and every month after m are (it is
  then the total minus published months); the last point is the total itself.
- **accompanied**: the months' newcomers (persons joining the count) are a grid of their
  own — newcomers of each month, their total = the period's `accompanied` — suppressed like
  the dashboard's months (1–10, secondary cells, dominance). Its total must be the
  dashboard's published `accompanied`: when the dashboard hides it, or the grid would, no
  point of the series is printed. Points follow the same prefix / suffix rule.

The projection is derived from the last points (value and entries) and constants: it is
printed only when both are. Coordinators and funders get this; caseworkers, managers and
platform administrators see exact figures. No series per structure.
"""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from programmes.enums import TargetMetric

from .formats import Numbers, month_label
from .suppression import PUBLISHED, Constraint, is_dominated, is_small, label, suppress
from .trajectories import ENDED, MIN_DAYS_FOR_PACE, NOT_STARTED, Trajectory


def _printable(statuses: list[str], total_published: bool) -> list[bool]:
    """Which running sums may be printed, given the statuses of the increments they add
    up: a prefix of published increments, or the total minus a suffix of them."""
    n = len(statuses)
    result = []
    for i in range(n):
        prefix = all(s == PUBLISHED for s in statuses[: i + 1])
        suffix = total_published and all(s == PUBLISHED for s in statuses[i + 1 :])
        result.append(prefix or suffix)
    return result


def _entries_printable(trajectory: Trajectory, dashboard_status: dict, months) -> list[bool]:
    """The entries points, from the dashboard's monthly entries (all months of P)."""
    total = dashboard_status[("total", "entries")] == PUBLISHED
    month_status = {p.month: dashboard_status[(p.month, "entries")] for p in months}
    ordered = sorted(month_status)
    result = []
    for index, point in enumerate(trajectory.months):
        if index == len(trajectory.months) - 1:
            result.append(total)  # the last point is P's total (starts typed ahead included)
            continue
        before = [month_status[m] for m in ordered if m <= point.month]
        after = [month_status[m] for m in ordered if m > point.month]
        prefix = all(s == PUBLISHED for s in before)
        suffix = total and all(s == PUBLISHED for s in after)
        result.append(prefix or suffix)
    return result


def _accompanied_printable(
    trajectory: Trajectory, dashboard_status: dict, territorial: bool
) -> list[bool]:
    """The accompanied points, from the grid of the months' newcomers."""
    months = trajectory.months
    if dashboard_status[("total", "accompanied")] != PUBLISHED:
        return [False] * len(months)
    values = {("persons", p.month): p.persons for p in months}
    values[("persons", "total")] = months[-1].cum_accompanied
    dominated = []
    if territorial:
        dominated = [
            ("persons", p.month)
            for p in months
            if is_dominated(p.persons, p.persons_structures, p.persons_top)
        ]
        # The total is the dashboard's `accompanied`, published: nothing to decide here.
    constraint = Constraint(("persons", "total"), tuple(("persons", p.month) for p in months))
    status = suppress(values, [constraint], dominated=dominated)
    if status[("persons", "total")] != PUBLISHED:
        return [False] * len(months)
    return _printable([status[("persons", p.month)] for p in months], total_published=True)


def publish_trajectory(
    trajectory: Trajectory | None,
    *,
    dashboard_status: dict,
    months,
    suppressed: bool,
    territorial: bool,
) -> dict | None:
    """The trajectory as the page, the exports and the PDF print it (None: no target
    whose period is P on `accompanied` or `entries`)."""
    if trajectory is None:
        return None
    num = Numbers.current()
    period, points = trajectory.period, trajectory.months
    if suppressed and points:
        entries_ok = _entries_printable(trajectory, dashboard_status, months)
        accompanied_ok = _accompanied_printable(trajectory, dashboard_status, territorial)
    else:
        entries_ok = accompanied_ok = [True] * len(points)
    hidden_label = label(0, "secondary")

    def shown(value: int, ok: bool) -> tuple[int | None, str]:
        # A total minus published months may be a small count: never printed.
        if ok and not (suppressed and is_small(value)):
            return value, num.count(value)
        return None, label(value, "primary") if 1 <= value < 11 else hidden_label

    published_months = []
    for point, e_ok, a_ok in zip(points, entries_ok, accompanied_ok, strict=True):
        month_end = (point.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        day = min(month_end - dt.timedelta(days=1), trajectory.reference)
        e_number, e_text = shown(point.cum_entries, e_ok)
        a_number, a_text = shown(point.cum_accompanied, a_ok)
        published_months.append(
            {
                "month": point.month.isoformat()[:7],
                "label": month_label(point.month),
                # Where the point sits on the period's axis: days from its start.
                "day": (day - period.start).days + 1,
                "entries": e_text,
                "entries_number": e_number,
                "accompanied": a_text,
                "accompanied_number": a_number,
            }
        )
    current = published_months[-1] if published_months else None
    value_number = current[f"{trajectory.metric}_number"] if current else None
    projection = None
    note = ""
    if trajectory.state == NOT_STARTED:
        note = _("La période de l'objectif n'a pas commencé.")
    elif trajectory.state == ENDED:
        note = _("Période terminée : le chiffre est définitif.")
    elif trajectory.elapsed_days < MIN_DAYS_FOR_PACE:
        note = _("Pas de projection avant %(days)s jours de période écoulés.") % {
            "days": MIN_DAYS_FOR_PACE
        }
    elif value_number is None or current["entries_number"] is None:
        note = _("Projection non publiée : elle repose sur un chiffre masqué.")
    else:
        projection = trajectory.projection()
    return {
        "metric": trajectory.metric,
        "metric_label": str(TargetMetric(trajectory.metric).label),
        "target": trajectory.target,
        "target_text": num.count(trajectory.target),
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "end_label": f"{period.end:%d/%m}",
        },
        "state": trajectory.state,
        "reference": trajectory.reference.isoformat(),
        "reference_label": f"{trajectory.reference:%d/%m/%Y}",
        "elapsed_days": trajectory.elapsed_days,
        "total_days": period.days,
        "months": published_months,
        "value": current[trajectory.metric] if current else num.count(0),
        "value_number": value_number if current else 0,
        "axis": [month_label(m) for m in period.months()],
        "attainment": num.rate(Decimal(value_number) / trajectory.target)
        if value_number is not None and trajectory.target
        else num.hidden,
        "projection": projection,
        "projection_text": num.count(projection) if projection is not None else "",
        "note": note,
    }
