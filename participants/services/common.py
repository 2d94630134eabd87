"""What every write on a participant's file shares: the error shape, the tenancy check,
the last-contact date and the parcours row lock."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Structure
from web import bounds

from ..enums import ParcoursStatus
from ..models import Contract, Parcours, Participant

OPEN_STATUSES = [ParcoursStatus.ORIENTE, ParcoursStatus.EN_COURS]


def raise_errors(errors: dict[str, list[str]]) -> None:
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def check_same_structure(structure: Structure, **objects: Any) -> None:
    """Refuse any related object that belongs to another structure (defence in depth)."""
    for field, obj in objects.items():
        if obj is not None and getattr(obj, "structure_id", structure.pk) != structure.pk:
            raise ValidationError({field: _("Cet élément n'appartient pas à votre structure.")})


def check_dates(
    *,
    events: dict[str, dt.date | None] | None = None,
    planned: dict[str, dt.date | None] | None = None,
) -> None:
    """Refuse, field by field, an event dated outside the programmes' lifetime or beyond the
    small tolerance into the future, and a planned date beyond its horizon (`web.bounds`).
    Called first, so no rule computes with a date at the calendar's edge."""
    today = timezone.localdate()
    errors = {
        name: bounds.event_date_errors(day, today=today) for name, day in (events or {}).items()
    }
    for name, day in (planned or {}).items():
        errors[name] = errors.get(name, []) + bounds.planned_date_errors(day, today=today)
    raise_errors(errors)


def touch_contact(participant_id: int, day: dt.date) -> None:
    """Remember the last contact (drives the two-year retention). Past events only: an
    event dated ahead (within the tolerance) counts as a contact today, never later, so a
    file never gets a last contact in the future."""
    day = min(day, timezone.localdate())
    Participant.objects.filter(pk=participant_id).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day)
    ).update(last_contact_on=day)


def lock_parcours(parcours: Parcours) -> Parcours:
    """Re-read the parcours under a row lock, so concurrent status changes serialise and
    each one checks the state the other left."""
    locked = Parcours.objects.select_for_update().select_related("programme").get(pk=parcours.pk)
    parcours.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return parcours


def current_contract(parcours: Parcours, on_date: dt.date) -> Contract | None:
    return (
        parcours.contracts.filter(start_date__lte=on_date)
        .filter(Q(actual_end_date__isnull=True) | Q(actual_end_date__gte=on_date))
        .order_by("-start_date")
        .first()
    )
