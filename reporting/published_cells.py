"""The printed cells of a published row: which columns a programme shows, and each
figure written, or hidden by its label when suppression says so."""

import functools

from .figures import CATEGORY_CODES, Indicators
from .formats import Numbers
from .suppression import PUBLISHED, is_small, label

COUNT_KEYS = ["accompanied", "active_at_end", "entries", "exits"]


def columns_for(programme) -> list[str]:
    """The table's columns: the counts, the exit categories, the common rates, and the
    optional rates the programme tracks (its flags, docs/indicators.md)."""
    cols = [*COUNT_KEYS, *(f"cat:{c}" for c in CATEGORY_CODES)]
    cols += ["dynamic_exit_rate", "average_duration_months", "hours_worked", "fte"]
    if programme.tracks_housing:
        cols.append("housing_access_rate")
    if programme.tracks_continuations:
        cols.append("phc_continuation_rate")
    return cols


def is_count(col: str) -> bool:
    return col in COUNT_KEYS or col.startswith("cat:")


def count(fig: Indicators, key: str) -> int:
    if key.startswith("cat:"):
        return fig.exits_by_category.get(key[4:], 0)
    return getattr(fig, key)


def safe_rate(num: Numbers, rate, numerator: int, denominator: int, parts_published: bool) -> str:
    """A rate is published only when neither it nor its complement reveals a small count."""
    if rate is None:
        return "–"
    if is_small(numerator) or is_small(denominator - numerator) or not parts_published:
        return num.hidden
    if denominator < 11:
        return num.hidden
    return num.rate(rate)


def row_cells(
    num: Numbers, fig: Indicators, columns, status, row_key, suppressed: bool, hidden=frozenset()
) -> list[str]:
    """The printed cells of one row. `hidden`: derived columns (rates, durations, hours)
    that the dominance rule hides on this row. (A région's page prints thousands of cells:
    each column is read as `_column_readers` decided once, a published count printed as
    it is.)"""
    by_category = fig.exits_by_category
    count = num.count
    cells = []
    for col, code in _column_readers(tuple(columns)):
        if col in hidden:
            cells.append(num.hidden)
        elif code is None:
            cells.append(_derived_cell(num, fig, col, status, row_key, suppressed))
        else:
            text = count(by_category.get(code, 0) if code else getattr(fig, col))
            if suppressed:
                state = status[row_key, col]
                if state != PUBLISHED:
                    text = label(text, state)
            cells.append(text)
    return cells


@functools.cache
def _column_readers(columns: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    """How each column is read (`count`): (column, the category of an exit category's
    column, "" for a count attribute, None for a derived column)."""
    return tuple(
        (col, col[4:] if col.startswith("cat:") else "" if col in COUNT_KEYS else None)
        for col in columns
    )


# The statuses a row's dynamic exit rate depends on (`_derived_cell`).
_CATEGORY_COLUMNS = tuple(f"cat:{c}" for c in CATEGORY_CODES)


def _derived_cell(num: Numbers, fig: Indicators, col: str, status, row_key, suppressed) -> str:
    """A rate, duration or hours cell (never a count)."""
    if col == "dynamic_exit_rate":
        if not suppressed:
            return num.rate(fig.dynamic_exit_rate)
        parts = (
            all(status[row_key, col] == PUBLISHED for col in _CATEGORY_COLUMNS)
            and status[row_key, "exits"] == PUBLISHED
        )
        return safe_rate(
            num, fig.dynamic_exit_rate, fig.dynamic_exits, fig.dynamic_denominator, parts
        )
    if col == "average_duration_months":
        hide = suppressed and fig.exits and fig.exits < 11
        return num.hidden if hide else num.decimal(fig.average_duration_months, 1)
    if col == "hours_worked":
        return num.decimal(fig.hours_worked, 0)
    if col == "fte":
        return num.decimal(fig.fte, 2)
    if col == "housing_access_rate":
        rate = fig.housing_access_rate
        if not suppressed:
            return num.rate(rate)
        return safe_rate(num, rate, fig.housing_numerator, fig.housing_denominator, True)
    if col == "phc_continuation_rate":
        rate = fig.phc_continuation_rate
        if not suppressed:
            return num.rate(rate)
        return safe_rate(num, rate, fig.phc_continuations, fig.exits, True)
    raise ValueError(col)
