"""Accompaniment actions logged on a parcours."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AccompanimentAction, Parcours
from .common import check_dates, touch_contact


@transaction.atomic
def action_log(
    *,
    parcours: Parcours,
    actor,
    date: dt.date,
    kind: str,
    theme: str,
    duration_minutes: int,
    partner: str = "",
    note: str = "",
) -> AccompanimentAction:
    check_dates(events={"date": date})
    action = AccompanimentAction(
        structure_id=parcours.structure_id,
        parcours=parcours,
        author=actor,
        date=date,
        kind=kind,
        theme=theme,
        duration_minutes=duration_minutes,
        partner=partner,
        note=note,
    )
    action.full_clean(exclude=["parcours", "structure", "author"])
    if date < parcours.start_date:
        raise ValidationError(
            {
                "date": _("L'action ne peut pas précéder l'entrée en parcours (%(start)s).")
                % {"start": parcours.start_date.strftime("%d/%m/%Y")}
            }
        )
    action.save()
    touch_contact(parcours.participant_id, date)
    return action
