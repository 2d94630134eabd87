"""Files whose last contact lies in the future (issue 18 item 3).

A file's `last_contact_on` drives its two-year retention; before the dates were bounded
(`web.bounds`), a mistyped year (31/12/9999, 2028 for 2026) could set it in the future and
keep the file forever. These functions find such files and derive their last contact again
from their past events only; `manage.py future_contacts [--fix]` runs them.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast, Greatest

from participants.models import (
    AccompanimentAction,
    Exit,
    Parcours,
    Participant,
    SituationSnapshot,
    WorkedHours,
)
from web import bounds

# Every dated event that counts as a contact (the planned contract end and the post-exit
# follow-up are plans, not contacts), with the path from its model to the participant.
CONTACT_EVENTS = [
    (AccompanimentAction, "parcours__participant", "date"),
    (WorkedHours, "parcours__participant", "week_start"),
    (Parcours, "participant", "start_date"),
    (Parcours, "participant", "end_date"),
    (Exit, "parcours__participant", "date"),
    (SituationSnapshot, "participant", "date"),
]


@dataclass(frozen=True)
class ContactRepair:
    participant_id: int
    structure_id: int
    recorded: dt.date
    derived: dt.date


def _latest_past(model, path: str, field: str, today: dt.date) -> Subquery:
    rows = (
        model.objects.filter(**{path: OuterRef("pk"), f"{field}__lte": today})
        .order_by()
        .values(path)
        .annotate(latest=Max(field))
        .values("latest")
    )
    return Subquery(rows, output_field=DateField())


def with_past_contact(queryset: QuerySet[Participant], today: dt.date) -> QuerySet[Participant]:
    """Annotate `past_contact`: the latest event of the file dated today or before, else the
    day the file was created (PostgreSQL's GREATEST ignores NULLs)."""
    return queryset.annotate(
        past_contact=Greatest(
            Cast("created_at", DateField()),
            *(_latest_past(model, path, field, today) for model, path, field in CONTACT_EVENTS),
        )
    )


def future_contacts(today: dt.date) -> QuerySet[Participant]:
    """Files (not anonymised) whose recorded last contact is after today."""
    return with_past_contact(
        Participant.objects.filter(anonymised_at__isnull=True, last_contact_on__gt=today), today
    ).order_by("structure_id", "pk")


def future_contacts_repair(*, today: dt.date, fix: bool) -> list[ContactRepair]:
    """Each file with a future last contact and the last contact derived from its past
    events; with `fix`, stored (one UPDATE a file, recorded in the write history)."""
    repairs = []
    for participant in future_contacts(today):
        derived = min(participant.past_contact, today)  # created "today" at the latest
        repairs.append(
            ContactRepair(
                participant_id=participant.pk,
                structure_id=participant.structure_id,
                recorded=participant.last_contact_on,
                derived=derived,
            )
        )
        if fix:
            Participant.objects.filter(pk=participant.pk).update(last_contact_on=derived)
    return repairs


def far_future_events(today: dt.date) -> list[tuple[str, int, int, dt.date]]:
    """Events dated beyond the tolerance (model, row id, participant id, date): they would
    postpone the file's retention too. The right date is the caseworker's to say, so they
    are listed, never changed."""
    latest = bounds.latest_event(today)
    found = []
    for model, path, field in CONTACT_EVENTS:
        rows = model.objects.filter(**{f"{field}__gt": latest}).values_list(
            "pk", f"{path}_id" if path == "participant" else path, field
        )
        found += [(model.__name__, pk, person, day) for pk, person, day in rows]
    return sorted(found, key=lambda row: (row[2], row[0], row[1]))
