"""The weekly hours grid of a work site: scoped reads and the reading of one submit.

One row per parcours active on the site during the ISO week, with what the row needs (the
person, the programme, the palier or contract in force, the hours already recorded) fetched
in a fixed number of queries whatever the number of rows. Saving goes through
`services.worked_hours_record`, row by row, so the rules are the services' own; a refused row
keeps its typed value and its message, the others are saved.

No lost update: each row carries the version of what the page showed (`version-<pk>`, see
`services.worked_hours_version`). A row saved by someone else since then is not overwritten:
it comes back with the value saved meanwhile, who saved it and when (the write history), and
saving it again applies the typed value deliberately.
"""

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sites.models import WorkSite
from sites.tenancy import Scope
from web import bounds

from . import services
from .enums import ParcoursStatus
from .models import Contract, HoursStage, Parcours, WorkedHours

NUMBER = re.compile(r"^\d{1,2}([.,]\d{1,2})?$")


def week_monday(year: int, week: int) -> dt.date:
    """The Monday of ISO week `week` of `year`; ValueError when there is no such week or the
    year is outside those Sillon handles (`web.bounds`: 2000 to 2100)."""
    if not bounds.year_in_bounds(year):
        raise ValueError(year)
    return dt.date.fromisocalendar(year, week, 1)


def work_sites_for_hours(*, scope: Scope) -> QuerySet[WorkSite]:
    """Work sites of the structures the person works in (never another structure's)."""
    return (
        WorkSite.objects.filter(structure_id__in=scope.structure_ids, is_active=True)
        .select_related("structure")
        .order_by("structure__name", "name")
    )


def work_site_get(*, scope: Scope, pk: int) -> WorkSite:
    """The work site if it belongs to one of the scope's structures, else 404."""
    return get_object_or_404(
        WorkSite.objects.filter(structure_id__in=scope.structure_ids).select_related("structure"),
        pk=pk,
    )


@dataclass
class Conflict:
    """A row someone else saved after the page was rendered, as it is now."""

    current: WorkedHours | None
    by: str = ""  # who saved it (the write history's user), '' if unknown
    typed_kept: bool = False  # the user had typed another value: kept, not saved

    @property
    def message(self) -> str:
        if self.current is None:
            text = _("Ligne supprimée entre-temps par quelqu'un d'autre.")
        else:
            when = timezone.localtime(self.current.updated_at)
            values = {
                "who": self.by,
                "day": formats.date_format(when, "d/m/Y"),
                "time": formats.time_format(when, "H:i"),
                "h": _format(self.current.hours) or "0",
                "a": _format(self.current.absence_hours) or "0",
            }
            if self.by:
                text = (
                    _(
                        "Modifié entre-temps par %(who)s le %(day)s à %(time)s : "
                        "%(h)s h travaillées, %(a)s h d'absence."
                    )
                    % values
                )
            else:
                text = (
                    _(
                        "Modifié entre-temps le %(day)s à %(time)s : "
                        "%(h)s h travaillées, %(a)s h d'absence."
                    )
                    % values
                )
        if self.typed_kept:
            return " ".join(
                [
                    text,
                    _(
                        "Votre saisie n'a pas été enregistrée : "
                        "enregistrez à nouveau pour la confirmer."
                    ),
                ]
            )
        return " ".join([text, _("La valeur enregistrée est conservée.")])


@dataclass
class GridRow:
    """One line of the grid: a parcours, what is expected of it that week, what is recorded."""

    parcours: Parcours
    expected: Decimal | None
    maximum: Decimal
    recorded: WorkedHours | None
    hours: str = ""
    absence: str = ""
    errors: list[str] = field(default_factory=list)
    saved: bool = False
    conflict: Conflict | None = None

    @property
    def version(self) -> str:
        """What the page shows of the recorded row, sent back with the submit."""
        return services.worked_hours_version(self.recorded)

    @property
    def participant(self):
        return self.parcours.participant

    # The row's texts are built here rather than by template tags: a busy work site shows
    # about 230 rows, and three {% blocktranslate %} a row were a third of the page's time.
    @property
    def band_label(self) -> str:
        """« 8 h (max. 20 h) », or « max. 20 h » without a palier or contract."""
        return _band_label(self.expected, self.maximum, get_language())

    @property
    def hours_label(self) -> str:
        return _("Heures travaillées par %(p)s") % {"p": self.participant}

    @property
    def absence_label(self) -> str:
        return _("Heures d'absence de %(p)s") % {"p": self.participant}

    @property
    def above_expected(self) -> bool:
        """More hours than the palier or contract: allowed, shown so it is a choice."""
        try:
            return self.expected is not None and Decimal(self.hours.replace(",", ".")) > (
                self.expected
            )
        except InvalidOperation:
            return False


@functools.lru_cache(maxsize=256)
def _band_label(expected: Decimal | None, maximum: Decimal, language: str | None) -> str:
    """A grid shows a handful of distinct bands on a hundred rows or more: each one is
    formatted once (floatformat localises; `language` keys the cache, since it decides the
    words and the decimal mark)."""
    shown_maximum = floatformat(maximum, "-1")
    if expected is None:
        return _("max. %(m)s h") % {"m": shown_maximum}
    return _("%(h)s h (max. %(m)s h)") % {"h": floatformat(expected, "-1"), "m": shown_maximum}


def _format(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


def _in_force_hours(model, week_start: dt.date):
    """The weekly hours of the `model` row (palier or contract) of the outer parcours in
    force on the week's reference day: the last one started on or before the later of the
    week's Monday and the parcours' start."""
    on_date = Greatest(Value(week_start), OuterRef("start_date"))
    return Subquery(
        model.objects.filter(parcours_id=OuterRef("pk"), start_date__lte=on_date)
        .order_by("-start_date", "-pk")
        .values("weekly_hours")[:1]
    )


def grid_rows(*, scope: Scope, work_site: WorkSite, week_start: dt.date) -> list[GridRow]:
    """The grid's rows, in two queries (parcours with the hours expected of them that week,
    recorded hours): the palier in force, else the contract's hours, come with each parcours
    as a subquery instead of two prefetches of every palier and contract."""
    week_end = week_start + dt.timedelta(days=6)
    parcours = (
        Parcours.objects.filter(
            structure_id__in=scope.structure_ids,
            work_site=work_site,
            status__in=[ParcoursStatus.EN_COURS, ParcoursStatus.SORTI],
            start_date__lte=week_end,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=week_start))
        # Not the parcours a transfer left behind: the person is another structure's now,
        # and the database refuses any write on them (docs/security.md §2, "Transfers").
        .filter(participant__structure_id=F("structure_id"))
        .select_related("participant", "programme", "structure")
        .annotate(
            expected_hours=Coalesce(
                _in_force_hours(HoursStage, week_start), _in_force_hours(Contract, week_start)
            )
        )
        .order_by("participant__last_name", "participant__first_name", "start_date")
    )
    parcours = list(parcours)
    recorded = {
        row.parcours_id: row
        for row in WorkedHours.objects.filter(
            structure_id__in=scope.structure_ids,
            parcours__in=[p.pk for p in parcours],
            week_start=week_start,
        )
    }
    rows = []
    for item in parcours:
        done = recorded.get(item.pk)
        rows.append(
            GridRow(
                parcours=item,
                expected=item.expected_hours,
                maximum=item.programme.max_weekly_hours,
                recorded=done,
                hours=_format(done.hours) if done else "",
                absence=_format(done.absence_hours) if done and done.absence_hours else "",
            )
        )
    return rows


def _number(text: str, label: str, errors: list[str]) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    if not NUMBER.match(text):
        errors.append(
            _("%(label)s : « %(v)s » n'est pas un nombre d'heures (exemples : 7, 7,5).")
            % {"label": label, "v": text[:20]}
        )
        return None
    return Decimal(text.replace(",", "."))


def grid_save(
    *, rows: list[GridRow], data, work_site: WorkSite, week_start: dt.date, actor
) -> tuple[int, int]:
    """Apply one submit of the grid; returns (rows saved, rows refused). Rows saved by
    someone else since the page was rendered are not written: they get `conflict`.

    An empty hours cell records nothing (an existing value is kept: to record an absent
    week, type 0 and the absence hours). Unchanged rows write nothing. A submit without a
    row's version (not one the page sends) saves that row without the check.
    """
    saved = refused = 0
    stale: list[tuple[GridRow, str, Decimal, Decimal]] = []
    for row in rows:
        pk = row.parcours.pk
        row.hours = str(data.get(f"hours-{pk}", "")).strip()
        row.absence = str(data.get(f"absence-{pk}", "")).strip()
        version = data.get(f"version-{pk}")
        row.errors = []
        hours = _number(row.hours, _("Heures travaillées"), row.errors)
        absence = _number(row.absence, _("Absences"), row.errors)
        if hours is None and absence is not None and not row.errors:
            row.errors.append(_("Indiquez aussi les heures travaillées (0 si aucune)."))
        if row.errors:
            refused += 1
            continue
        if hours is None:
            continue
        absence = absence or Decimal(0)
        done = row.recorded
        if done and done.hours == hours and done.absence_hours == absence:
            continue
        if version is not None and version != row.version:
            stale.append((row, str(version), hours, absence))  # changed since it was shown
            continue
        try:
            row.recorded = services.worked_hours_record(
                parcours=row.parcours,
                week_start=week_start,
                hours=hours,
                absence_hours=absence,
                work_site=work_site,
                paid_hours=done.paid_hours if done else None,
                actor=actor,
                expected_version=None if version is None else str(version),
            )
        except services.WorkedHoursConflict as conflict:  # saved between our read and lock
            row.recorded = conflict.current
            stale.append((row, str(version), hours, absence))
        except ValidationError as error:
            row.errors = list(error.messages)
            refused += 1
        else:
            row.saved = True
            saved += 1
    _explain_conflicts(stale)
    return saved, refused


def _explain_conflicts(stale: list[tuple[GridRow, str, Decimal, Decimal]]) -> None:
    """Who saved each stale row, and whether the user had typed over what the page showed
    (then the typed value stays in the cell, to confirm) or not (the saved value replaces
    it). Both come from the write history: the event of the version the page showed, and
    the row's last event with its request's user. Two queries, only when there are
    conflicts."""
    if not stale:
        return
    events = WorkedHours.pgh_event_model.objects.filter(
        pgh_obj_id__in=[row.recorded.pk for row, *_sent in stale if row.recorded is not None]
    ).select_related("pgh_context")
    by_row: dict[int, list] = {}
    for event in events.order_by("pgh_id"):
        by_row.setdefault(event.pgh_obj_id, []).append(event)
    last_user = {}
    for obj_id, history in by_row.items():
        context = history[-1].pgh_context
        last_user[obj_id] = (context.metadata or {}).get("user") if context else None
    names = {
        user.pk: str(user)
        for user in get_user_model().objects.filter(pk__in=set(last_user.values()) - {None})
    }
    for row, version, hours, absence in stale:
        current = row.recorded
        history = by_row.get(current.pk, []) if current is not None else []
        shown = next(
            (e for e in history if services.worked_hours_version(e) == version),
            None,
        )
        if version == "":
            typed_over = True  # the page showed an empty row: the value was typed
        elif shown is None:
            typed_over = True  # unknown: keep what was sent, nothing is saved anyway
        else:
            typed_over = (shown.hours, shown.absence_hours) != (hours, absence)
        row.conflict = Conflict(
            current=current,
            by=(names.get(last_user.get(current.pk)) or "") if current is not None else "",
            typed_kept=typed_over,
        )
        if not typed_over:
            row.hours = _format(current.hours) if current else ""
            absence = current.absence_hours if current else None
            row.absence = _format(absence) if absence else ""
