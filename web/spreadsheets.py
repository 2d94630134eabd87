"""Helpers every CSV/XLSX exporter must use (quality.md S17: formula injection).

A spreadsheet treats a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula; participant-entered text such as `=HYPERLINK(...)` would then run on the reader's
machine. Such text cells are prefixed with an apostrophe, which spreadsheets show as text.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` made inert for a spreadsheet; numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` applied to every cell of a row."""
    return [safe_cell(value) for value in values]
