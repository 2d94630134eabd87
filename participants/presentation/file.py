"""The participant's file page: identity, side panel of parcours, current situation,
timeline and alerts, built from the rows `selectors.participant_file_data` reads."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sites.tenancy import Scope

from ..models import Parcours, Participant, SituationSnapshot
from ..policies import can_view_sensitive, visible_barrier_codes
from ..selectors import OPEN_STATUSES, participant_file_data
from .alerts import Alert, alerts
from .timeline import TimelineEntry, snapshot_entry, timeline


@dataclass
class ParcoursRow:
    """A parcours as the file's side panel shows it, with what its buttons need."""

    parcours: Parcours
    weekly_hours: Decimal | None
    can_link_previous: bool
    previous: Parcours | None


@dataclass
class ParticipantFile:
    participant: Participant
    age: int | None
    parcours: list[ParcoursRow]
    current: Parcours | None
    latest_snapshot: SituationSnapshot | None
    situation: TimelineEntry | None
    timeline: list[TimelineEntry]
    alerts: list[Alert]
    can_view_sensitive: bool
    barrier_codes: list[str]


def _parcours_rows(parcours_list: list[Parcours]) -> list[ParcoursRow]:
    """Each parcours with its current weekly hours (last palier, else latest contract)."""
    by_pk = {p.pk: p for p in parcours_list}
    rows = []
    for p in parcours_list:
        stages, contracts = list(p.stages.all()), list(p.contracts.all())
        hours = stages[-1].weekly_hours if stages else None
        if hours is None and contracts:
            hours = contracts[0].weekly_hours
        earlier = [o for o in parcours_list if o.pk != p.pk and o.start_date <= p.start_date]
        rows.append(
            ParcoursRow(
                parcours=p,
                weekly_hours=hours,
                can_link_previous=p.previous_id is None and bool(earlier),
                previous=by_pk.get(p.previous_id),
            )
        )
    return rows


def _age(birth_date: dt.date | None, today: dt.date) -> int | None:
    if not birth_date:
        return None
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def participant_file(
    *, scope: Scope, participant: Participant, today: dt.date | None = None
) -> ParticipantFile:
    """Everything the participant's file shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    data = participant_file_data(participant=participant, today=today)
    parcours_list, snapshots = data.parcours, data.snapshots
    codes = visible_barrier_codes(scope, participant.structure_id)
    current = next((p for p in parcours_list if p.status in OPEN_STATUSES), None)
    return ParticipantFile(
        participant=participant,
        age=_age(participant.birth_date, today),
        parcours=_parcours_rows(parcours_list),
        current=current or (parcours_list[0] if parcours_list else None),
        latest_snapshot=snapshots[0] if snapshots else None,
        situation=snapshot_entry(snapshots[0], codes) if snapshots else None,
        timeline=timeline(parcours_list, snapshots, data.monthly_hours, codes),
        alerts=alerts(parcours_list, snapshots, data.recent_hours, today),
        can_view_sensitive=can_view_sensitive(scope, participant.structure_id),
        barrier_codes=codes,
    )
