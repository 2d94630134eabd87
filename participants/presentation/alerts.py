"""The alerts of a participant's file: the programme's rules near or crossed, computed at
today's date (the warnings stored on a parcours can be older than today)."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .. import rules
from ..enums import ParcoursStatus, SnapshotContext
from ..models import Parcours, SituationSnapshot, WorkedHours
from .formats import format_day


@dataclass
class Alert:
    level: str  # "danger" (a rule is crossed) or "warning" (near, or to check)
    message: str
    programme: str = ""


def alerts(
    parcours_list: list[Parcours],
    snapshots: list[SituationSnapshot],
    recent_hours: dict[int, list[WorkedHours]],
    today: dt.date,
) -> list[Alert]:
    """Rules near or crossed, computed now (stored warnings can be older than today)."""
    alerts: list[Alert] = []
    entry_dates = sorted(s.date for s in snapshots if s.context == SnapshotContext.ENTREE)
    for p in parcours_list:
        programme = p.programme
        if p.status not in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
            continue
        is_open = p.end_date is None
        live = dict(p.warnings or {})
        live.pop("long_parcours", None)
        live.pop("entry_snapshot", None)
        if is_open:
            live.update(
                rules.long_parcours_warning(
                    programme=programme, start_date=p.start_date, end_date=None, today=today
                )
            )
            first_entry = next(
                (d for d in entry_dates if d >= p.start_date - dt.timedelta(days=90)), None
            )
            live.update(
                rules.entry_snapshot_warning(
                    programme=programme,
                    start_date=p.start_date,
                    first_entry_snapshot=first_entry,
                    today=today,
                )
            )
            nearing = rules.nearing_limit_alert(
                programme=programme, start_date=p.start_date, end_date=None, today=today
            )
            if nearing:
                crossed = today > rules.last_day_within(p.start_date, programme.max_months)
                alerts.append(Alert("danger" if crossed else "warning", nearing, programme.code))
            stages = list(p.stages.all())
            contracts = list(p.contracts.all())
            current_contract = contracts[0] if contracts else None
            expected = stages[-1].weekly_hours if stages else None
            if expected is None and current_contract is not None:
                expected = current_contract.weekly_hours
            if expected is not None:
                for message in rules.weekly_hours_errors(
                    programme=programme,
                    hours=expected,
                    on_date=today,
                    derogation_from=current_contract.derogation_from if current_contract else None,
                    derogation_to=current_contract.derogation_to if current_contract else None,
                ):
                    alerts.append(Alert("danger", message, programme.code))
            for week in recent_hours.get(p.pk, []):
                for message in rules.worked_hours_errors(programme=programme, hours=week.hours):
                    alerts.append(
                        Alert(
                            "danger",
                            _("Semaine du %(d)s : %(m)s")
                            % {"d": format_day(week.week_start), "m": message},
                            programme.code,
                        )
                    )
        elif "ai_placement" not in live:
            continue
        alerts += [Alert("warning", message, programme.code) for message in live.values()]
    return alerts
