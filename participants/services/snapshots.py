"""Situation snapshots (entry, follow-up, exit)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Parcours, Participant, SituationSnapshot
from .common import OPEN_STATUSES, check_dates, check_same_structure
from .warnings import parcours_refresh_warnings

SNAPSHOT_FIELDS = {
    "housing",
    "street_history",
    "resources",
    "has_health_insurance",
    "has_complementary",
    "has_gp",
    "has_rqth",
    "has_aah",
} | {
    f"barrier_{code}"
    for code in (
        "logement",
        "sante_physique",
        "sante_psychique",
        "addictions",
        "mobilite",
        "justice",
        "administratif",
        "budget",
        "langue",
        "numerique",
        "famille",
    )
}


@transaction.atomic
def snapshot_record(
    *,
    participant: Participant,
    context: str,
    date: dt.date,
    actor,
    parcours: Parcours | None = None,
    **fields: Any,
) -> SituationSnapshot:
    unknown = set(fields) - SNAPSHOT_FIELDS
    if unknown:
        raise TypeError(f"Not snapshot fields: {sorted(unknown)}")
    check_dates(events={"date": date})
    check_same_structure(participant.structure, parcours=parcours)
    if parcours is not None and parcours.participant_id != participant.pk:
        raise ValidationError({"parcours": _("Ce parcours est celui d'une autre personne.")})
    # What is not given keeps its last known value: a caseworker without the sensitive-data
    # permission never sees health or justice barriers, and must not reset them.
    latest = (
        SituationSnapshot.objects.filter(
            structure_id=participant.structure_id, participant=participant
        )
        .order_by("-date", "-pk")
        .first()
    )
    if latest is not None:
        for name in SNAPSHOT_FIELDS - set(fields):
            fields[name] = getattr(latest, name)
    snapshot = SituationSnapshot(
        structure_id=participant.structure_id,
        participant=participant,
        parcours=parcours,
        context=context,
        date=date,
        **fields,
    )
    snapshot.full_clean(exclude=["participant", "parcours", "structure"])
    snapshot.save()
    if parcours is not None:
        parcours_refresh_warnings(parcours=parcours)
    else:
        for open_parcours in participant.parcours.filter(status__in=OPEN_STATUSES):
            parcours_refresh_warnings(parcours=open_parcours)
    return snapshot
