"""Weekly hours: paliers, the expected band at a date, the hours worked each week."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import WorkSite
from web import bounds

from .. import rules
from ..enums import ParcoursStatus
from ..models import HoursStage, Parcours, WorkedHours
from .common import (
    check_dates,
    check_same_structure,
    current_contract,
    lock_parcours,
    raise_errors,
    touch_contact,
)
from .warnings import parcours_refresh_warnings


class WorkedHoursConflict(Exception):
    """The week's row changed since the page that submits was rendered: nothing written.
    `current` is the row as it is now (None if it was deleted meanwhile)."""

    def __init__(self, *, current: WorkedHours | None):
        self.current = current
        super().__init__(_("Ces heures ont été modifiées par quelqu'un d'autre entre-temps."))


def worked_hours_version(row: WorkedHours | None) -> str:
    """The token a page keeps of a week's row as it showed it ('' for no row): the time of
    its last write, which every save through the ORM sets (`auto_now`)."""
    return row.updated_at.isoformat() if row is not None else ""


def _is_version(row: WorkedHours | None, token: str) -> bool:
    """Whether `token` is the row as the page showed it: the one definition of a version is
    `worked_hours_version` (a hand-made or garbled token never matches)."""
    return worked_hours_version(row) == token


@transaction.atomic
def parcours_set_hours(
    *, parcours: Parcours, start_date: dt.date, weekly_hours: Decimal, actor
) -> HoursStage:
    """A new palier: raise or lower the weekly hours from a date (PHC/DPH)."""
    check_dates(events={"start_date": start_date})
    lock_parcours(parcours)
    programme = parcours.programme
    weekly_hours = Decimal(weekly_hours)
    errors: dict[str, list[str]] = {"start_date": [], "weekly_hours": []}
    if not programme.has_hours_stages:
        errors["weekly_hours"].append(
            _("Le programme %(prog)s ne fonctionne pas par paliers d'heures.")
            % {"prog": programme.label}
        )
    if start_date < parcours.start_date or (parcours.end_date and start_date > parcours.end_date):
        errors["start_date"].append(_("Le palier doit commencer pendant le parcours."))
    contract = current_contract(parcours, start_date)
    errors["weekly_hours"] += rules.weekly_hours_errors(
        programme=programme,
        hours=weekly_hours,
        on_date=start_date,
        derogation_from=contract.derogation_from if contract else None,
        derogation_to=contract.derogation_to if contract else None,
        contract_kind=contract.kind if contract else None,
    )
    raise_errors(errors)
    stage, _created = HoursStage.objects.update_or_create(
        structure_id=parcours.structure_id,
        parcours=parcours,
        start_date=start_date,
        defaults={"weekly_hours": weekly_hours},
    )
    parcours_refresh_warnings(parcours=parcours)
    return stage


@transaction.atomic
def worked_hours_record(
    *,
    parcours: Parcours,
    week_start: dt.date,
    hours: Decimal,
    actor,
    work_site: WorkSite | None = None,
    paid_hours: Decimal | None = None,
    absence_hours: Decimal = Decimal(0),
    expected_version: str | None = None,
) -> WorkedHours:
    """Record (or correct) the hours worked in one ISO week; unchanged values write nothing.

    `expected_version` (`worked_hours_version` of the row the caller showed, '' for none):
    the save applies only if the row is still at that version, checked under the row's lock
    (or the unique constraint for a first save), so two concurrent saves serialise and the
    second sees the first one's write; otherwise WorkedHoursConflict, nothing written (unless
    the row already holds exactly these values). None: no check."""
    check_same_structure(parcours.structure, work_site=work_site)
    hours = Decimal(hours)
    errors = rules.worked_hours_errors(programme=parcours.programme, hours=hours)
    if week_start.isoweekday() != 1:
        errors.append(_("Une semaine commence un lundi."))
    errors += bounds.event_date_errors(week_start, today=timezone.localdate())
    week_end = week_start + dt.timedelta(days=6)
    if week_end < parcours.start_date or (parcours.end_date and week_start > parcours.end_date):
        errors.append(_("Cette semaine est en dehors du parcours."))
    if parcours.status not in (ParcoursStatus.EN_COURS, ParcoursStatus.SORTI):
        errors.append(_("Des heures ne se saisissent que sur un parcours commencé."))
    raise_errors({"hours": errors})
    defaults = {
        "hours": hours,
        "work_site": work_site or parcours.work_site,
        "paid_hours": paid_hours,
        "absence_hours": Decimal(absence_hours),
    }
    week_rows = WorkedHours.objects.select_for_update().filter(
        structure_id=parcours.structure_id, parcours=parcours, week_start=week_start
    )
    row = week_rows.first()
    if expected_version is not None:
        _check_version(row, expected_version, defaults)
    if row is None:
        try:
            with transaction.atomic():
                row = WorkedHours.objects.create(
                    structure_id=parcours.structure_id,
                    parcours=parcours,
                    week_start=week_start,
                    **defaults,
                )
        except IntegrityError:  # a concurrent save of the same week won: update it instead
            row = week_rows.get()
            if expected_version is not None:
                _check_version(row, expected_version, defaults)
    if any(getattr(row, k) != v for k, v in defaults.items()):
        for k, v in defaults.items():
            setattr(row, k, v)
        row.save()
    if hours > 0:
        touch_contact(parcours.participant_id, min(week_end, timezone.localdate()))
    parcours_refresh_warnings(parcours=parcours)
    return row


def _check_version(row: WorkedHours | None, expected_version: str, values: dict) -> None:
    """Raise WorkedHoursConflict if `row` moved past `expected_version` to other values."""
    if _is_version(row, expected_version):
        return
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return  # someone saved exactly this meanwhile: nothing is lost, nothing to write
    raise WorkedHoursConflict(current=row)
