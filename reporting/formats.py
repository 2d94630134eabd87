"""How published figures are written and named in the active language."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from web.rounding import half_up

NO_BREAK = "\u202f"
# Decimals of a printed percentage (one rule for every document).
RATE_PLACES = 1


def indicator_labels() -> dict[str, str]:
    return {
        "accompanied": _("Personnes accompagnées"),
        "active_at_end": _("File active en fin de période"),
        "entries": _("Entrées"),
        "exits": _("Sorties"),
        "dynamic_exit_rate": _("Taux de sorties dynamiques"),
        "average_duration_months": _("Durée moyenne des parcours sortis (mois)"),
        "hours_worked": _("Heures travaillées"),
        "fte": _("ETP"),
        "housing_access_rate": _("Accès au logement (Convergence)"),
        "phc_continuation_rate": _("Suite de parcours après Premières Heures"),
    }


@dataclass(frozen=True)
class Numbers:
    """How figures are written in the active language: 12 345,6 in French (narrow no-break
    space), 12,345.6 in English. Decided once per document: a région's page formats
    thousands of cells, and looking the language up costs more than formatting a number."""

    french: bool
    hidden: str  # a derived value that may not be published ("s")

    @classmethod
    def current(cls) -> "Numbers":
        return cls((get_language() or "fr").startswith("fr"), _("s"))

    def count(self, value: int) -> str:
        return f"{value:,}".replace(",", NO_BREAK) if self.french else f"{value:,}"

    def decimal(self, value: Decimal | float | None, places: int = 1) -> str:
        """Rounded half away from zero (web.rounding), like SQL and spreadsheets."""
        if value is None:
            return "–"
        text = f"{half_up(value, places):,.{places}f}"
        return text.replace(",", NO_BREAK).replace(".", ",") if self.french else text

    def rate(self, value: Decimal | float | None) -> str:
        """A fraction as a percentage, THE way every percentage is printed (table cells, key
        figures, gauge, attainment, trajectory, national view, CSV/XLSX, PDF): one decimal,
        rounded half away from zero. 0.4652 → « 46,5 % » / "46.5%"; 0.8125 → « 81,3 % »."""
        if value is None:
            return "–"
        percent = (value if isinstance(value, Decimal) else Decimal(repr(value))) * 100
        return self.decimal(percent, RATE_PLACES) + (NO_BREAK + "%" if self.french else "%")


# French abbreviations as INSEE writes them (Django's own French catalogue says "jan.").
MONTHS_SHORT = [
    pgettext_lazy("abbreviated month", "janv."),
    pgettext_lazy("abbreviated month", "févr."),
    pgettext_lazy("abbreviated month", "mars"),
    pgettext_lazy("abbreviated month", "avr."),
    pgettext_lazy("abbreviated month", "mai"),
    pgettext_lazy("abbreviated month", "juin"),
    pgettext_lazy("abbreviated month", "juil."),
    pgettext_lazy("abbreviated month", "août"),
    pgettext_lazy("abbreviated month", "sept."),
    pgettext_lazy("abbreviated month", "oct."),
    pgettext_lazy("abbreviated month", "nov."),
    pgettext_lazy("abbreviated month", "déc."),
]


def month_label(month: dt.date) -> str:
    """« janv. 25 » in French, « Jan. 25 » in English."""
    return f"{MONTHS_SHORT[month.month - 1]} {month:%y}"
