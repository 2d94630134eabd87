"""Writes on the person: create, update with optimistic locking, duplicate look-up."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Structure
from web import bounds

from ..models import Participant
from .common import raise_errors

PARTICIPANT_EDITABLE = {
    "external_id",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "orienteur",
    "pass_iae_number",
    "referent",
    "notice_given_on",
    "notice_version",
}


class ConflictError(Exception):
    """Someone else saved the record since it was read: nothing was overwritten."""

    def __init__(self, *, current: Participant, changed_fields: list[str]):
        self.current = current
        self.changed_fields = changed_fields
        super().__init__(_("Ce dossier a été modifié par quelqu'un d'autre entre-temps."))


def _dates_errors(fields: dict[str, Any]) -> None:
    """Birth date between 1900 and today; the notice's delivery date is an event."""
    today = timezone.localdate()
    raise_errors(
        {
            "birth_date": bounds.birth_date_errors(fields.get("birth_date"), today=today),
            "notice_given_on": bounds.event_date_errors(fields.get("notice_given_on"), today=today),
        }
    )


def participant_find_duplicates(
    *, structure: Structure, last_name: str, first_name: str, birth_date: dt.date | None
) -> QuerySet[Participant]:
    """Files of the structure with the same name (case-insensitive) and birth date."""
    if birth_date is None:
        return Participant.objects.none()
    return Participant.objects.filter(
        structure=structure,
        last_name__iexact=last_name.strip(),
        first_name__iexact=first_name.strip(),
        birth_date=birth_date,
    )


@transaction.atomic
def participant_create(*, structure: Structure, actor, **fields: Any) -> Participant:
    unknown = set(fields) - PARTICIPANT_EDITABLE
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    _dates_errors(fields)
    participant = Participant(structure=structure, **fields)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, actor, expected_version: int, **fields: Any
) -> Participant:
    """Optimistic locking: the update applies only if nobody saved since `expected_version`."""
    unknown = set(fields) - PARTICIPANT_EDITABLE
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    _dates_errors(fields)
    candidate = Participant.objects.get(pk=participant.pk)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    values = {name: getattr(candidate, name) for name in fields}
    updated = Participant.objects.filter(pk=participant.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    current = Participant.objects.get(pk=participant.pk)
    if not updated:
        raise ConflictError(
            current=current, changed_fields=_changed_since(current, expected_version, values)
        )
    return current


def _changed_since(current: Participant, version: int, submitted: dict[str, Any]) -> list[str]:
    """Fields someone else changed since `version`, read from the write history; without
    history for that version, the fields whose saved value differs from the submission."""
    seen = (
        Participant.pgh_event_model.objects.filter(pgh_obj_id=current.pk, version=version)
        .order_by("-pgh_id")
        .first()
    )
    if seen is None:
        return [name for name, value in submitted.items() if getattr(current, name) != value]
    return [
        name
        for name in sorted(PARTICIPANT_EDITABLE)
        if getattr(seen, f"{name}_id" if name == "referent" else name)
        != getattr(current, f"{name}_id" if name == "referent" else name)
    ]
