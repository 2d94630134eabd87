"""The figures of one scope and period, as the indicator statements give them.

Plain data: `reporting.indicators` fills them from PostgreSQL, `reporting.territory_years`
from the yearly rows; the presentation layer formats and suppresses them. Which optional
rates are defined is decided by the programme's flags (docs/indicators.md), copied into
each `Indicators` so that a frozen figure carries them.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from participants.enums import DgefpCategory
from web.rounding import half_up

# Days in an average month (365.25 / 12): durations in months are days / 30.4375.
DAYS_PER_MONTH = Decimal("30.4375")
# Reference annual hours of one full-time equivalent (35 h × 52 weeks − holidays; proposal).
FTE_ANNUAL_HOURS = Decimal(1607)

CATEGORY_CODES = [c.value for c in DgefpCategory]

# Keys printed by `manage.py indicators`, in domain.md §6 order.
KEYS = [
    "accompanied",
    "active_at_end",
    "entries",
    "exits",
    "exits_by_category",
    "dynamic_exit_rate",
    "average_duration_months",
    "hours_worked",
    "fte",
    "housing_access_rate",
    "phc_continuation_rate",
    "target",
    "attainment",
]


def rate_flags(programme) -> dict[str, bool]:
    """The programme's flags that decide which optional rates are defined (keyword
    arguments of `Indicators`)."""
    return {
        "tracks_housing": programme.tracks_housing,
        "tracks_continuations": programme.tracks_continuations,
    }


@dataclass
class Indicators:
    """The figures of one scope and period. Rates are fractions, None when undefined.

    Numerators and denominators are kept so that suppression can hide a rate whose
    denominator is a small count, and so that a reader can check every rate.
    """

    accompanied: int = 0
    active_at_end: int = 0
    entries: int = 0
    exits: int = 0
    exits_by_category: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(CATEGORY_CODES, 0)
    )
    dynamic_exits: int = 0
    duration_days: int = 0
    hours_worked: Decimal = Decimal(0)
    housing_denominator: int = 0
    housing_numerator: int = 0
    phc_continuations: int = 0
    days_in_period: int = 1
    # The programme's flags (`rate_flags`): the rates it does not track are undefined.
    tracks_housing: bool = False
    tracks_continuations: bool = False
    target: int | None = None
    target_metric: str | None = None

    # Derived figures -------------------------------------------------------------------

    @property
    def dynamic_denominator(self) -> int:
        return self.exits - self.exits_by_category.get(DgefpCategory.NEUTRALISEE, 0)

    @property
    def dynamic_exit_rate(self) -> Decimal | None:
        return _ratio(self.dynamic_exits, self.dynamic_denominator)

    @property
    def average_duration_months(self) -> Decimal | None:
        if not self.exits:
            return None
        return Decimal(self.duration_days) / self.exits / DAYS_PER_MONTH

    @property
    def fte(self) -> Decimal:
        return self.hours_worked / FTE_ANNUAL_HOURS * Decimal(365) / self.days_in_period

    @property
    def housing_access_rate(self) -> Decimal | None:
        if not self.tracks_housing:
            return None
        return _ratio(self.housing_numerator, self.housing_denominator)

    @property
    def phc_continuation_rate(self) -> Decimal | None:
        if not self.tracks_continuations:
            return None
        return _ratio(self.phc_continuations, self.exits)

    @property
    def attainment(self) -> Decimal | None:
        if not self.target or not self.target_metric:
            return None
        return Decimal(getattr(self, self.target_metric)) / self.target

    def as_dict(self) -> dict:
        """The keys of domain.md §6, JSON-ready: rates as fractions rounded to 4 decimals."""
        return {
            "accompanied": self.accompanied,
            "active_at_end": self.active_at_end,
            "entries": self.entries,
            "exits": self.exits,
            "exits_by_category": dict(self.exits_by_category),
            "dynamic_exit_rate": _round(self.dynamic_exit_rate, 4),
            "average_duration_months": _round(self.average_duration_months, 2),
            "hours_worked": _round(self.hours_worked, 2),
            "fte": _round(self.fte, 2),
            "housing_access_rate": _round(self.housing_access_rate, 4),
            "phc_continuation_rate": _round(self.phc_continuation_rate, 4),
            "target": self.target,
            "attainment": _round(self.attainment, 4),
        }

    def raw(self) -> dict:
        """Every stored field (for frozen snapshots), JSON-ready."""
        data = asdict(self)
        data["hours_worked"] = str(self.hours_worked)
        return data

    @classmethod
    def from_raw(cls, data: dict) -> "Indicators":
        data = dict(data)
        data["hours_worked"] = Decimal(data["hours_worked"])
        return cls(**data)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(numerator) / denominator if denominator else None


def _round(value: Decimal | None, places: int) -> float | None:
    """JSON numbers rounded half away from zero (0.65625 → 0.6563), as SQL and Excel do."""
    return None if value is None else float(half_up(value, places))


@dataclass
class IndicatorTable:
    """The figures of a scope: the total and one row per structure (structure id → figures)."""

    total: Indicators
    by_structure: dict[int, Indicators]
    months: list | None = None  # MonthPoint per month of P, when asked for


@dataclass(frozen=True)
class MonthPoint:
    """Entries and exits of one month, with how many structures contributed to each and
    the largest contribution (for the dominance rule of the published series)."""

    month: dt.date
    entries: int
    exits: int
    entries_structures: int = 0
    entries_top: int = 0
    exits_structures: int = 0
    exits_top: int = 0


@dataclass
class Comparison:
    """Figures per territory, and each territory's rows per structure (for dominance)."""

    figures: dict[int, Indicators]
    by_structure: dict[int, list[Indicators]]
