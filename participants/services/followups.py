"""The follow-up after exit: the checks scheduled with an exit, and recording one."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .. import rules
from ..enums import EXIT_CATEGORY
from ..models import Exit, FollowupCheck, Parcours
from .common import check_dates, raise_errors, touch_contact


class FollowupCheckConflict(Exception):
    """Someone recorded this check since the form was read: nothing was overwritten."""

    def __init__(self, current: FollowupCheck):
        self.current = current
        super().__init__(_("Ce contrôle a été enregistré par quelqu'un d'autre entre-temps."))


def followup_closes_on(exit_: Exit) -> dt.date | None:
    """The last day a check can be recorded: the follow-up's end, plus the days a late last
    check is still accepted (settings.FOLLOWUP_LATE_DAYS)."""
    if exit_.followup_until is None:
        return None
    return exit_.followup_until + dt.timedelta(days=settings.FOLLOWUP_LATE_DAYS)


def followup_schedule(*, parcours: Parcours, exit_: Exit) -> list[FollowupCheck]:
    """The checks of the exit's follow-up (`rules.followup_due_dates`), created with it."""
    checks = [
        FollowupCheck(
            structure_id=parcours.structure_id, parcours=parcours, months=months, due_on=due
        )
        for months, due in rules.followup_due_dates(
            programme=parcours.programme,
            exit_date=exit_.date,
            situation=exit_.situation,
            followup_until=exit_.followup_until,
        )
    ]
    return FollowupCheck.objects.bulk_create(checks)


@transaction.atomic
def followup_check_record(
    *,
    check: FollowupCheck,
    actor,
    expected_version: int,
    done_on: dt.date,
    reached: bool,
    situation: str = "",
    housing: str = "",
    resource: str = "",
    comment: str = "",
) -> FollowupCheck:
    """Record (or correct) a check: reached or not, and the situation then.

    Done early or late as life allows, but never before the exit nor after the follow-up
    ended. Optimistic locking as for a file: a check saved meanwhile is not overwritten.
    """
    check_dates(events={"done_on": done_on})
    locked = FollowupCheck.objects.select_for_update().get(pk=check.pk)
    if locked.version != expected_version:
        raise FollowupCheckConflict(locked)
    exit_ = Exit.objects.select_related("parcours").get(parcours_id=locked.parcours_id)
    errors: dict[str, list[str]] = {"done_on": [], "situation": []}
    if done_on < exit_.date:
        errors["done_on"].append(
            _("Le contrôle ne peut pas précéder la sortie (%(date)s).")
            % {"date": exit_.date.strftime("%d/%m/%Y")}
        )
    closes_on = followup_closes_on(exit_)
    if closes_on and done_on > closes_on:
        errors["done_on"].append(
            _("Le suivi est clos depuis le %(date)s : ce contrôle ne peut plus être daté après.")
            % {"date": closes_on.strftime("%d/%m/%Y")}
        )
    if reached and situation not in EXIT_CATEGORY:
        errors["situation"].append(_("Indiquez la situation de la personne à ce jour."))
    raise_errors(errors)
    if not reached:
        situation = housing = resource = ""
    locked.done_on = done_on
    locked.reached = reached
    locked.situation = situation
    locked.housing = housing
    locked.resource = resource
    locked.comment = comment
    locked.recorded_by = actor
    locked.version += 1
    locked.full_clean(exclude=["parcours", "structure", "recorded_by"])
    locked.save()
    if reached:
        touch_contact(exit_.parcours.participant_id, done_on)
    return locked
