"""The exit from a parcours, with the situation at the exit."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .. import rules
from ..enums import EXIT_CATEGORY, ParcoursStatus, SnapshotContext
from ..models import Exit, Parcours
from .common import check_dates, lock_parcours, raise_errors, touch_contact
from .followups import followup_schedule
from .snapshots import snapshot_record
from .warnings import parcours_refresh_warnings


@transaction.atomic
def parcours_exit(
    *,
    parcours: Parcours,
    date: dt.date,
    situation: str,
    actor,
    followup_until: dt.date | None = None,
    comment: str = "",
    exit_snapshot: dict[str, Any] | None = None,
) -> Exit:
    """Record the exit: ends the parcours on the exit date, with the exit situation, and
    schedules the programme's follow-up checks (Convergence: 3, 6 and 12 months later)."""
    check_dates(events={"date": date}, planned={"followup_until": followup_until})
    lock_parcours(parcours)
    programme = parcours.programme
    errors = {
        "situation": []
        if situation in EXIT_CATEGORY
        else [
            _("Choisissez la situation détaillée à la sortie (elle détermine la catégorie DGEFP).")
        ],
        "date": rules.dates_errors(start_date=parcours.start_date, end_date=date)
        + rules.duration_errors(
            programme=programme,
            start_date=parcours.start_date,
            end_date=date,
            prolongation_reason=parcours.prolongation_reason,
        ),
        "followup_until": rules.followup_errors(
            programme=programme, exit_date=date, followup_until=followup_until
        ),
    }
    if parcours.status != ParcoursStatus.EN_COURS:
        errors["date"].append(_("Seul un parcours en cours peut faire l'objet d'une sortie."))
    late_contract = parcours.contracts.filter(start_date__gt=date).order_by("start_date").first()
    if late_contract is not None:
        errors["date"].append(
            _("Un contrat commence le %(start)s, après cette date de sortie.")
            % {"start": late_contract.start_date.strftime("%d/%m/%Y")}
        )
    raise_errors(errors)
    if followup_until is None:
        # The follow-up lasts what the programme says unless the form says shorter.
        followup_until = rules.default_followup_until(programme=programme, exit_date=date)
    parcours.end_date = date
    parcours.status = ParcoursStatus.SORTI
    parcours.version += 1
    parcours.save(update_fields=["end_date", "status", "version", "updated_at"])
    parcours.contracts.filter(actual_end_date__isnull=True).update(actual_end_date=date)
    exit_ = Exit(
        structure_id=parcours.structure_id,
        parcours=parcours,
        date=date,
        situation=situation,
        followup_until=followup_until,
        comment=comment,
    )
    exit_.full_clean(exclude=["parcours", "structure"])
    exit_.save()
    followup_schedule(parcours=parcours, exit_=exit_)
    if exit_snapshot is not None:
        snapshot_record(
            participant=parcours.participant,
            parcours=parcours,
            context=SnapshotContext.SORTIE,
            date=date,
            actor=actor,
            **exit_snapshot,
        )
    touch_contact(parcours.participant_id, date)
    parcours_refresh_warnings(parcours=parcours)
    return exit_
