"""Figures are written the reader's way: 12 345,6 in French, 12,345.6 in English."""

import datetime as dt

from django.utils import translation

from reporting.presentation import Numbers, _month_label

NNBSP = "\u202f"


def test_french_figures():
    with translation.override("fr"):
        num = Numbers.current()
        assert num.count(12345) == f"12{NNBSP}345"
        assert num.decimal(1234.56, 1) == f"1{NNBSP}234,6"
        assert num.rate(0.4652) == f"46,5{NNBSP}%"
        assert _month_label(dt.date(2025, 1, 1)) == "janv. 25"


def test_english_figures():
    with translation.override("en"):
        num = Numbers.current()
        assert num.count(12345) == "12,345"
        assert num.decimal(1234.56, 1) == "1,234.6"
        assert num.rate(0.4652) == "46.5%"
        assert _month_label(dt.date(2025, 1, 1)) == "Jan. 25"


def test_undefined_stays_a_dash():
    num = Numbers.current()
    assert num.decimal(None) == num.rate(None) == "–"
