"""Type the cells of an import row: dates, hours, codes, names against the structure's
programmes and work sites, then the programme's rules on the typed values (the functions of
`participants.rules` the services apply). One row at a time, no query per row."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from participants import rules
from participants.enums import EXIT_CATEGORY, Housing, Sex
from programmes.models import Programme
from sites.models import Structure, WorkSite
from web import bounds

from .columns import COLUMN_BY_KEY
from .reader import MAX_CELL_CHARS, RawRow

IDENTITY_FIELDS = ("last_name", "first_name", "birth_date", "sex")
MAX_LENGTHS = {"external_id": 64, "last_name": 150, "first_name": 150}
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
HOURS = re.compile(r"^\d{1,3}([.,]\d+)?$")


@dataclass
class RowData:
    """One row's typed values, once every cell parsed."""

    line: int
    external_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None
    sex: str
    programme: Programme
    work_site: WorkSite | None
    start_date: dt.date
    end_date: dt.date | None
    exit_situation: str
    weekly_hours: Decimal
    housing_at_entry: str
    housing_at_exit: str
    prolongation_reason: str

    @property
    def identity(self) -> dict:
        return {name: getattr(self, name) for name in IDENTITY_FIELDS}

    @property
    def last_date(self) -> dt.date:
        return self.end_date or self.start_date


class CellError(ValueError):
    """A cell that cannot be read; the message is French."""


def parse_date(text: str) -> dt.date:
    match = ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = FRENCH_DATE.match(text)
        if not match:
            raise CellError(
                _("« %(v)s » n'est pas une date : écrivez JJ/MM/AAAA ou AAAA-MM-JJ.")
                % {"v": text[:40]}
            )
        day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("« %(v)s » n'est pas une date qui existe.") % {"v": text[:40]}) from None


def parse_hours(text: str) -> Decimal:
    if not HOURS.match(text):
        raise CellError(
            _("« %(v)s » n'est pas un nombre d'heures (exemples : 4, 20, 17,5).") % {"v": text[:40]}
        )
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation:  # the pattern rules this out; kept for safety on odd digits
        raise CellError(_("« %(v)s » n'est pas un nombre.") % {"v": text[:40]}) from None
    if hours != hours.quantize(Decimal("0.1")):
        raise CellError(_("Indiquez les heures au dixième près (par exemple 17,5)."))
    return hours


def parse_code(text: str, choices, what: str) -> str:
    code = text.strip().upper()
    if code not in choices.values:
        raise CellError(
            _("« %(v)s » n'est pas un code de %(what)s connu (voir le format d'import).")
            % {"v": text[:40], "what": what}
        )
    return code


def normal_name(text: str) -> str:
    return " ".join(text.split()).casefold()


class RowParser:
    """Types the cells of a row, with the structure's programmes and work sites at hand."""

    def __init__(self, *, structure: Structure, today: dt.date):
        self.today = today
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.work_sites = {
            normal_name(site.name): site for site in WorkSite.objects.filter(structure=structure)
        }

    def parse(self, raw: RawRow) -> tuple[RowData | None, list[str]]:
        """The row's typed values, or None and every message (each cell checked, in the
        columns' order, then the programme's rules on the typed values)."""
        cells = _Cells(raw.cells)
        identity = self._identity(cells)
        programme = self._programme(cells)
        work_site = self._work_site(cells)
        parcours = _parcours_values(cells, today=self.today)
        # The rules the services apply, on the typed values.
        if programme and parcours["start_date"]:
            _rule_errors(cells, programme, parcours)
        if cells.errors:
            return None, cells.errors
        return (
            RowData(
                line=raw.line, **identity, programme=programme, work_site=work_site, **parcours
            ),
            [],
        )

    def _identity(self, cells: "_Cells") -> dict:
        external_id = cells.required("external_id")
        last_name = " ".join(cells.required("last_name").split())
        first_name = " ".join(cells.required("first_name").split())
        birth_date = cells.optional("birth_date", parse_date)
        if birth_date and birth_date > self.today:
            cells.err("birth_date", _("la date de naissance est dans le futur."))
        elif birth_date and birth_date < bounds.CALENDAR_START:
            cells.err(
                "birth_date",
                _("la date de naissance est antérieure au %(a)s.")
                % {"a": bounds.CALENDAR_START.strftime("%d/%m/%Y")},
            )
        sex = cells.optional("sex", parse_code, Sex, _("sexe (F ou M)")) or ""
        return {
            "external_id": external_id,
            "last_name": last_name,
            "first_name": first_name,
            "birth_date": birth_date,
            "sex": sex,
        }

    def _programme(self, cells: "_Cells") -> Programme | None:
        programme = None
        code = cells.required("programme").upper()
        if code:
            programme = self.programmes.get(code)
            if programme is None:
                cells.err(
                    "programme",
                    _("« %(v)s » inconnu : indiquez %(codes)s.")
                    % {"v": code[:20], "codes": ", ".join(sorted(self.programmes)) or "CVG"},
                )
        return programme

    def _work_site(self, cells: "_Cells") -> WorkSite | None:
        work_site = None
        site_name = cells.cell("work_site")
        if site_name:
            work_site = self.work_sites.get(normal_name(site_name))
            if work_site is None:
                cells.err(
                    "work_site",
                    _("aucun lieu d'activité « %(v)s » dans la structure.") % {"v": site_name[:80]},
                )
        return work_site


class _Cells:
    """A row's cells, read one at a time, with the messages of the cells that fail."""

    def __init__(self, cells: dict[str, str]):
        self.cells = cells
        self.errors: list[str] = []

    def err(self, key: str, message: str) -> None:
        self.errors.append(f"{COLUMN_BY_KEY[key].label.capitalize()} : {message}")

    def cell(self, key: str) -> str:
        value = self.cells.get(key, "")
        if len(value) > MAX_CELL_CHARS:
            self.err(key, _("valeur trop longue (%(n)s caractères).") % {"n": len(value)})
            return ""
        return value

    def required(self, key: str) -> str:
        value = self.cell(key)
        if not value:
            self.err(key, _("obligatoire."))
        elif key in MAX_LENGTHS and len(value) > MAX_LENGTHS[key]:
            self.err(key, _("%(n)s caractères au plus.") % {"n": MAX_LENGTHS[key]})
            return ""
        return value

    def optional(self, key: str, parse, *args):
        value = self.cell(key)
        if not value:
            return None
        try:
            return parse(value, *args)
        except CellError as error:
            self.err(key, str(error))
            return None


def _event_date(cells: _Cells, key: str, today: dt.date) -> dt.date | None:
    """A parcours' date, inside the programmes' lifetime and at most a few days ahead
    (web.bounds: a typo must not exempt a file from retention)."""
    day = cells.optional(key, parse_date)
    errors = bounds.event_date_errors(day, today=today)
    for message in errors:
        cells.err(key, message)
    # The row is refused either way; a date inside the calendar still goes through the
    # programme's rules, so the row's every reason is listed.
    return None if bounds.calendar_errors(day) else day


def _parcours_values(cells: _Cells, *, today: dt.date) -> dict:
    """The parcours' dates, exit, hours and housing cells, with the checks between them."""
    start_date = None
    if cells.required("start_date"):
        start_date = _event_date(cells, "start_date", today)
    end_date = _event_date(cells, "end_date", today)
    exit_situation = cells.optional("exit_situation", parse_code, _ExitCodes, _("sortie")) or ""
    if end_date and not exit_situation and not cells.cell("exit_situation"):
        cells.err("exit_situation", _("obligatoire quand il y a une date de sortie."))
    if exit_situation and not end_date and not cells.cell("end_date"):
        cells.err("end_date", _("une situation de sortie suppose une date de sortie."))
    weekly_hours = None
    if cells.required("weekly_hours"):
        weekly_hours = cells.optional("weekly_hours", parse_hours)
    housing_at_entry = cells.optional("housing_at_entry", parse_code, Housing, _("logement")) or ""
    housing_at_exit = cells.optional("housing_at_exit", parse_code, Housing, _("logement")) or ""
    if housing_at_exit and not end_date and not cells.cell("end_date"):
        cells.err("housing_at_exit", _("un logement de sortie suppose une date de sortie."))
    return {
        "start_date": start_date,
        "end_date": end_date,
        "exit_situation": exit_situation,
        "weekly_hours": weekly_hours,
        "housing_at_entry": housing_at_entry,
        "housing_at_exit": housing_at_exit,
        "prolongation_reason": cells.cell("prolongation_reason"),
    }


def _rule_errors(cells: _Cells, programme: Programme, values: dict) -> None:
    """The programme's dates, duration and hours rules, as the services apply them."""
    start_date, end_date = values["start_date"], values["end_date"]
    for message in rules.dates_errors(start_date=start_date, end_date=end_date):
        cells.err("end_date", message)
    if end_date is None or end_date >= start_date:
        for message in rules.duration_errors(
            programme=programme,
            start_date=start_date,
            end_date=end_date,
            prolongation_reason=values["prolongation_reason"],
        ):
            cells.err("end_date", message)
    if values["weekly_hours"] is not None:
        for message in rules.weekly_hours_errors(
            programme=programme, hours=values["weekly_hours"], on_date=start_date
        ):
            cells.err("weekly_hours", message)


class _ExitCodes:
    """ExitSituation codes, shaped like a TextChoices for `parse_code`."""

    values = list(EXIT_CATEGORY)
