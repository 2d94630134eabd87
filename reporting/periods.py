"""Reporting periods: P = [start, end], both bounds included (domain.md §6).

The periods people ask for are built here so that every screen, export, PDF and the command
line name them the same way: calendar year, quarter, month, Convergence semester
(1 Apr–30 Sep, 1 Oct–31 Mar), a funder's July-to-June year, a target's own period, free
dates.
"""

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from web import bounds


@dataclass(frozen=True, order=True)
class Period:
    """A closed interval of dates with a human label and a stable code (used in URLs)."""

    start: dt.date
    end: dt.date
    code: str = ""
    label: str = ""

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(_("La fin de la période doit suivre son début."))

    @property
    def days(self) -> int:
        """Number of days in P, both bounds included."""
        return (self.end - self.start).days + 1

    def months(self) -> list[dt.date]:
        """First day of every calendar month that P touches, in order."""
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return months


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}", _("année %(y)s") % {"y": y})


def quarter(y: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise ValueError(_("Trimestre inconnu."))
    first = 3 * (q - 1) + 1
    last = first + 2
    end = dt.date(y, last, calendar.monthrange(y, last)[1])
    # French ordinals: "1er trimestre", then "2e", "3e", "4e".
    label = (
        _("1er trimestre %(y)s") % {"y": y}
        if q == 1
        else _("%(q)se trimestre %(y)s") % {"q": q, "y": y}
    )
    return Period(dt.date(y, first, 1), end, f"{y}-T{q}", label)


def month(y: int, m: int) -> Period:
    end = dt.date(y, m, calendar.monthrange(y, m)[1])
    return Period(dt.date(y, m, 1), end, f"{y}-{m:02d}", f"{MONTHS[m]} {y}")


def semester(y: int, s: int) -> Period:
    """Convergence semesters: S1 = 1 Apr–30 Sep of y, S2 = 1 Oct of y – 31 Mar of y + 1."""
    if s == 1:
        return Period(
            dt.date(y, 4, 1),
            dt.date(y, 9, 30),
            f"{y}-S1",
            _("semestre avril–septembre %(y)s") % {"y": y},
        )
    if s == 2:
        return Period(
            dt.date(y, 10, 1),
            dt.date(y + 1, 3, 31),
            f"{y}-S2",
            _("semestre octobre %(y)s – mars %(y1)s") % {"y": y, "y1": y + 1},
        )
    raise ValueError(_("Semestre inconnu."))


def july_june(y: int) -> Period:
    """A funder's financial year: 1 July of y – 30 June of y + 1 (code `2024-JJ`)."""
    return Period(
        dt.date(y, 7, 1),
        dt.date(y + 1, 6, 30),
        f"{y}-JJ",
        _("exercice juillet %(y)s – juin %(y1)s") % {"y": y, "y1": y + 1},
    )


def free(start: dt.date, end: dt.date) -> Period:
    """Free dates, inside the years Sillon handles (ValueError otherwise: a 404 in a URL)."""
    _check_bounds(start, end)
    return _free(start, end)


def _free(start: dt.date, end: dt.date) -> Period:
    return Period(
        start,
        end,
        f"{start.isoformat()}_{end.isoformat()}",
        _("du %(a)s au %(b)s") % {"a": f"{start:%d/%m/%Y}", "b": f"{end:%d/%m/%Y}"},
    )


def canonical(start: dt.date, end: dt.date) -> Period:
    """The named period (year, Convergence semester, quarter, month) with exactly these
    bounds, else free dates: a target set over 2021 is offered as "année 2021", not as a
    second, differently coded "du 01/01/2021 au 31/12/2021".

    The bounds are compared before any period is built: no two named periods share their
    bounds, and a page asks this of every target of its territory."""
    if start.day == 1:
        y, m = start.year, start.month
        if end == _month_end(y, m):
            return month(y, m)
        if m == 1 and end == dt.date(y, 12, 31):
            return year(y)
        if m in (1, 4, 7, 10) and end == _month_end(y, m + 2):
            return quarter(y, (m + 2) // 3)
        if m == 4 and end == dt.date(y, 9, 30):
            return semester(y, 1)
        if m == 10 and end == dt.date(y + 1, 3, 31):
            return semester(y, 2)
        if m == 7 and end == dt.date(y + 1, 6, 30):
            return july_june(y)
    return _free(start, end)


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


_PATTERNS = [
    (re.compile(r"^(\d{4})$"), lambda m: year(int(m[1]))),
    (re.compile(r"^(\d{4})-T([1-4])$"), lambda m: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-S([12])$"), lambda m: semester(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-JJ$"), lambda m: july_june(int(m[1]))),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), lambda m: month(int(m[1]), int(m[2]))),
    (
        re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$"),
        lambda m: free(dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])),
    ),
]


def _check_bounds(start: dt.date, end: dt.date) -> None:
    if not bounds.period_in_bounds(start, end):
        raise ValueError(
            _("Période hors des années prises en charge (%(a)s à %(b)s).")
            % {"a": bounds.EVENTS_START.year, "b": bounds.CALENDAR_END.year}
        )


def parse(code: str) -> Period:
    """The period named by a code: `2021`, `2021-T2`, `2021-S1`, `2021-JJ`, `2021-03`,
    `2021-03-01_2021-12-31`.

    Raises ValueError on anything else, or on a period outside the years Sillon handles
    (`web.bounds`: 2000 to 2100), so a view can answer 404 on a malformed URL.
    """
    for pattern, build in _PATTERNS:
        match = pattern.match(code or "")
        if match:
            try:
                period = build(match)
            except (OverflowError, ValueError):  # a date past 31/12/9999
                raise ValueError(_("Période inconnue : %(code)s") % {"code": code}) from None
            _check_bounds(period.start, period.end)
            return period
    raise ValueError(_("Période inconnue : %(code)s") % {"code": code})


def is_calendar_year(period: Period) -> bool:
    """1 January to 31 December of one year, whatever its code (`2021`, or the same bounds
    as free dates)."""
    return (
        period.start.year == period.end.year
        and (period.start.month, period.start.day) == (1, 1)
        and (period.end.month, period.end.day) == (12, 31)
    )


def choices_around(today: dt.date, *, years: int = 4) -> list[Period]:
    """The periods offered in the dashboard's selector, most recent first."""
    return list(_choices_around(today, years, get_language()))


@functools.lru_cache(maxsize=16)
def _choices_around(today: dt.date, years: int, language: str | None) -> tuple[Period, ...]:
    # Built once per day, span and language in a process: every dashboard offers them, and
    # a Period is immutable (its label is translated when it is built, hence the language).
    periods: list[Period] = []
    for y in range(today.year, today.year - years, -1):
        periods.append(year(y))
        periods.append(july_june(y))
        periods.extend(semester(y, s) for s in (2, 1))
        periods.extend(quarter(y, q) for q in (4, 3, 2, 1))
    return tuple(p for p in periods if p.start <= today)
