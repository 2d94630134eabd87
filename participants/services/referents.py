"""Handing files over to another referent, several at once (a colleague leaves, a caseload
is rebalanced): the structure's managers choose the files and the new referent in one step.

No lost update, as for every multi-row save (docs/development.md): each file comes with
the version the page showed; the rows are locked, and a file saved by someone else since
then is reported — its referent now, who changed it and when, from the write history —
never overwritten. The others move in one UPDATE, which the write history records row by
row with the request's user and URL, and the name of this operation.
"""

import datetime as dt
from dataclasses import dataclass, field

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Structure, User

from ..models import Participant
from ..today import on_staff

OPERATION = "participants_reassign"


@dataclass(frozen=True)
class ReassignConflict:
    """A file not moved because it changed since the page showed it (or left the
    structure: `current_referent_id` and `changed_at` are then None and `gone` True)."""

    participant_id: int
    current_referent_id: int | None = None
    changed_at: dt.datetime | None = None
    changed_by_id: int | None = None
    gone: bool = False


@dataclass
class Reassignment:
    moved: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already with the new referent
    conflicts: list[ReassignConflict] = field(default_factory=list)


@transaction.atomic
def participants_reassign(
    *, structure: Structure, referent: User, versions: dict[int, int], actor
) -> Reassignment:
    """Give the files `versions` ({participant id: version shown}) of `structure` to
    `referent`, one of its staff. A file whose version moved is reported, not written; an
    id that is not a file of the structure is never written (reported as gone)."""
    if not on_staff(structure.pk, referent.pk).exists():
        raise ValidationError(
            {"referent": _("Cette personne ne fait pas partie de l'équipe de la structure.")}
        )
    rows = {
        pk: (version, referent_id, updated_at)
        for pk, version, referent_id, updated_at in Participant.objects.select_for_update()
        .filter(structure_id=structure.pk, pk__in=list(versions))
        .values_list("pk", "version", "referent_id", "updated_at")
        .order_by("pk")
    }
    result = Reassignment()
    stale: dict[int, tuple[int | None, dt.datetime]] = {}
    for pk, shown in sorted(versions.items()):
        if pk not in rows:
            result.conflicts.append(ReassignConflict(pk, gone=True))
            continue
        version, current, updated_at = rows[pk]
        if current == referent.pk:
            result.unchanged.append(pk)
        elif version != shown:
            stale[pk] = (current, updated_at)
        else:
            result.moved.append(pk)
    if result.moved:
        with pghistory.context(operation=OPERATION, referent=referent.pk):
            Participant.objects.filter(structure_id=structure.pk, pk__in=result.moved).update(
                referent=referent, version=F("version") + 1, updated_at=timezone.now()
            )
    result.conflicts += _explain(stale)
    return result


def _explain(stale: dict[int, tuple[int | None, dt.datetime]]) -> list[ReassignConflict]:
    """Who saved each stale file last (its latest history event's user), one query."""
    if not stale:
        return []
    last_events = (
        Participant.pgh_event_model.objects.filter(pgh_obj_id__in=list(stale))
        .select_related("pgh_context")
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
    )
    by = {}
    for event in last_events:
        context = event.pgh_context
        user = (context.metadata or {}).get("user") if context else None
        by[event.pgh_obj_id] = user if isinstance(user, int) else None
    return [
        ReassignConflict(pk, current_referent_id=current, changed_at=at, changed_by_id=by.get(pk))
        for pk, (current, at) in sorted(stale.items())
    ]
