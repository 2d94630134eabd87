"""Anonymise or erase a participant's file, and find the files past their retention period.

Both actions also delete the file's write history (django-pghistory events keep the old
names and notes), which the web role may not do by itself: that one step runs with the
connection's owner role (sites.tenancy.rls.owner_role).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from participants.importing.jobs import import_jobs_purge_pending
from participants.models import (
    AccompanimentAction,
    Contract,
    Exit,
    FollowupCheck,
    HoursStage,
    Parcours,
    Participant,
    SituationSnapshot,
    WorkedHours,
)
from sites.tenancy.rls import owner_role

ANONYMOUS = "ANONYME"
EPOCH = dt.date(1900, 1, 1)

# Every model of a file, with the path from it to the participant.
FILE_MODELS = [
    (Participant, "pk"),
    (Parcours, "participant"),
    (Contract, "parcours__participant"),
    (HoursStage, "parcours__participant"),
    (WorkedHours, "parcours__participant"),
    (SituationSnapshot, "participant"),
    (AccompanimentAction, "parcours__participant"),
    (Exit, "parcours__participant"),
    (FollowupCheck, "parcours__participant"),
]


def _latest(model, path: str, field: str) -> Coalesce:
    rows = (
        model.objects.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(latest=Max(field))
        .values("latest")
    )
    return Coalesce(Subquery(rows, output_field=DateField()), Value(EPOCH))


def with_last_contact(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """Annotate `last_contact`: the latest dated trace of the person in the file."""
    return queryset.annotate(
        last_contact=Greatest(
            Coalesce("last_contact_on", Value(EPOCH)),
            Cast("created_at", DateField()),
            _latest(AccompanimentAction, "parcours__participant", "date"),
            _latest(WorkedHours, "parcours__participant", "week_start"),
            _latest(Parcours, "participant", "start_date"),
            _latest(Parcours, "participant", "end_date"),
            _latest(Exit, "parcours__participant", "date"),
            _latest(Exit, "parcours__participant", "followup_until"),
            _latest(SituationSnapshot, "participant", "date"),
        )
    )


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """Files whose last contact is before this date are past their retention period."""
    return (today or timezone.localdate()) - dt.timedelta(days=settings.RETENTION_DAYS)


def participants_past_retention(today: dt.date | None = None) -> QuerySet[Participant]:
    """Not yet anonymised files, last contact before the cutoff (oldest first)."""
    return (
        with_last_contact(Participant.objects.filter(anonymised_at__isnull=True))
        .filter(last_contact__lt=retention_cutoff(today))
        .order_by("last_contact", "pk")
    )


def _file_row_ids(participant_id: int) -> dict:
    """The primary keys of every row of the file, per model."""
    return {
        model: list(model.objects.filter(**{path: participant_id}).values_list("pk", flat=True))
        for model, path in FILE_MODELS
    }


def _purge_history(row_ids: dict) -> int:
    """Delete the write history of these rows (the owner role: audit tables are
    append-only for the web role)."""
    deleted = 0
    with owner_role():
        for model, ids in row_ids.items():
            events = model.pgh_event_model.objects.filter(pgh_obj_id__in=ids)
            deleted += events.delete()[0]
    return deleted


@transaction.atomic
def participant_anonymise(*, participant: Participant) -> bool:
    """Keep only statistics-grade data (year of birth, sex, coded situations, dates of the
    parcours); remove identity, contact details, free text and history. Idempotent: returns
    False when the file was already anonymised."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.anonymised_at is not None:
        return False
    pid = locked.pk
    Participant.objects.filter(pk=pid).update(
        last_name=ANONYMOUS,
        first_name="",
        birth_date=dt.date(locked.birth_date.year, 1, 1) if locked.birth_date else None,
        phone="",
        email="",
        address="",
        orienteur="",
        pass_iae_number="",
        external_id="",
        referent=None,
        anonymised_at=timezone.now(),
    )
    Parcours.objects.filter(participant=pid).update(prolongation_reason="")
    Contract.objects.filter(parcours__participant=pid).update(placement_company="")
    AccompanimentAction.objects.filter(parcours__participant=pid).update(
        note="", partner="", author=None
    )
    Exit.objects.filter(parcours__participant=pid).update(comment="")
    FollowupCheck.objects.filter(parcours__participant=pid).update(comment="", recorded_by=None)
    _purge_history(_file_row_ids(pid))
    participant.refresh_from_db()
    return True


@transaction.atomic
def participant_erase(*, participant: Participant) -> None:
    """Delete the whole file and its history (art. 17). The read-access log keeps only the
    pseudonymous id and ages out with its own retention. The structure's uploads not yet
    imported go too: one of them may hold the person's rows."""
    pid = participant.pk
    import_jobs_purge_pending(structure_id=participant.structure_id)
    row_ids = _file_row_ids(pid)
    Parcours.objects.filter(participant=pid).delete()
    SituationSnapshot.objects.filter(participant=pid).delete()
    Participant.objects.filter(pk=pid).delete()
    # After the deletes: their triggers wrote "delete" events that hold the old values too.
    _purge_history(row_ids)
