"""The dates and numbers Sillon handles, in one place (issue 16 item 1, issue 18 item 3).

Whatever a URL, a form, a filter or an import carries is checked against these bounds, and
anything outside is a French validation message (forms, filters, import rows, services) or a
404 (a URL path or query). No model and no programme rule here: the programmes' own limits
(durations, weekly-hours bands, follow-up months) stay in `participants/rules.py`, read from
the `Programme` row; these bounds only keep every value inside a calendar and a range the
code, Python's `date` and PostgreSQL handle, and keep typed dates from dodging retention.

- any date typed anywhere (planned dates included): `CALENDAR_START` .. `CALENDAR_END`;
- a birth date: `CALENDAR_START` .. today;
- an event (parcours start, exit, action, situation, palier, notice, contract start, a week
  of hours): `EVENTS_START` .. today + `FUTURE_TOLERANCE`;
- a planned date (planned contract end, derogation, follow-up until): `EVENTS_START` ..
  today + `PLANNED_HORIZON_YEARS`;
- an ISO week (hours grid) or a reporting period: the years of `EVENTS_START` ..
  `CALENDAR_END`;
- weekly hours: at most `WEEKLY_HOURS_MAX` (the programmes' bands are tighter);
- an id in a URL path: beyond PostgreSQL's bigint, Django's lookups answer "no row", so
  the selectors' 404 (nothing to check here).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CALENDAR_START = dt.date(1900, 1, 1)
CALENDAR_END = dt.date(2100, 12, 31)
# The programmes' lifetime: no parcours, hours or report before this day.
EVENTS_START = dt.date(2000, 1, 1)
# How far ahead an event may be dated (an exit or a palier recorded a few days early): a
# future last contact would postpone the two-year retention, so the margin is small.
FUTURE_TOLERANCE = dt.timedelta(days=31)
# How far ahead a planned date may go: Convergence's 5 years plus 12 months of follow-up.
PLANNED_HORIZON_YEARS = 6
WEEKLY_HOURS_MAX = Decimal(168)  # hours in a week


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def latest_event(today: dt.date) -> dt.date:
    """The last day an event may be dated on, seen from `today`."""
    return today + FUTURE_TOLERANCE


def latest_planned(today: dt.date) -> dt.date:
    """The last day a planned date may be, seen from `today`."""
    try:
        horizon = today.replace(year=today.year + PLANNED_HORIZON_YEARS)
    except ValueError:  # 29 February
        horizon = today.replace(year=today.year + PLANNED_HORIZON_YEARS, day=28)
    return min(horizon, CALENDAR_END)


def calendar_errors(day: dt.date | None) -> list[str]:
    """Any date Sillon stores or shows lies between 1900 and 2100."""
    if day is None or CALENDAR_START <= day <= CALENDAR_END:
        return []
    return [
        _("Saisissez une date comprise entre le %(a)s et le %(b)s.")
        % {"a": _d(CALENDAR_START), "b": _d(CALENDAR_END)}
    ]


def birth_date_errors(day: dt.date | None, *, today: dt.date) -> list[str]:
    if day is None or CALENDAR_START <= day <= today:
        return []
    return [
        _("Indiquez une date de naissance passée, après le %(a)s (jj/mm/aaaa).")
        % {"a": _d(CALENDAR_START)}
    ]


def event_date_errors(day: dt.date | None, *, today: dt.date) -> list[str]:
    """An event happened (or happens within a few days): between the programmes' start and
    today plus the tolerance. Beyond it, a typo (31/12/9999, 2028 for 2026) is refused."""
    if day is None:
        return []
    if day < EVENTS_START:
        return [
            _("Cette date est antérieure au %(a)s : vérifiez l'année.") % {"a": _d(EVENTS_START)}
        ]
    if day > latest_event(today):
        return [
            _(
                "Cette date est trop loin dans le futur : au plus tard le %(b)s "
                "(%(n)s jours après aujourd'hui). Vérifiez l'année."
            )
            % {"b": _d(latest_event(today)), "n": FUTURE_TOLERANCE.days}
        ]
    return []


def planned_date_errors(day: dt.date | None, *, today: dt.date) -> list[str]:
    """A planned date (contract end, follow-up) may be in the future, within a horizon."""
    if day is None:
        return []
    if day < EVENTS_START:
        return [
            _("Cette date est antérieure au %(a)s : vérifiez l'année.") % {"a": _d(EVENTS_START)}
        ]
    if day > latest_planned(today):
        return [
            _("Cette date prévue est trop lointaine : au plus tard le %(b)s. Vérifiez l'année.")
            % {"b": _d(latest_planned(today))}
        ]
    return []


def validate_calendar_date(day: dt.date | None) -> None:
    """A form field validator: the calendar bounds, as a French message."""
    errors = calendar_errors(day)
    if errors:
        raise ValidationError(errors[0], code="out_of_bounds")


def year_in_bounds(year: int) -> bool:
    """The years an ISO week or a reporting period may name."""
    return EVENTS_START.year <= year <= CALENDAR_END.year


def period_in_bounds(start: dt.date, end: dt.date) -> bool:
    """A reporting period lies inside the programmes' lifetime and the calendar."""
    return start >= EVENTS_START and end <= CALENDAR_END
