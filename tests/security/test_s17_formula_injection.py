"""S17: exported cells that a spreadsheet would run as formulas are neutralised."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from web.spreadsheets import FORMULA_PREFIXES, safe_cell, safe_row


@given(prefix=st.sampled_from(FORMULA_PREFIXES), rest=st.text(max_size=50))
def test_every_formula_prefix_is_neutralised(prefix, rest):
    value = prefix + rest
    assert safe_cell(value) == "'" + value


@given(st.text(max_size=50).filter(lambda s: not s.startswith(FORMULA_PREFIXES)))
def test_plain_text_is_unchanged(value):
    assert safe_cell(value) == value


def test_non_text_values_pass_through():
    values = [-3, Decimal("-2.5"), dt.date(2024, 1, 2), None, True]
    assert safe_row(values) == values


def test_a_row_with_a_hyperlink_payload():
    row = safe_row(["Dupont", '=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "ok"])
    assert row == ["Dupont", '\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)", "ok"]
