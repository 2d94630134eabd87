"""Figures are written the reader's way: 12 345,6 in French, 12,345.6 in English."""

import datetime as dt

from django.utils import translation

from reporting.presentation import _month_label, fmt_decimal, fmt_int, fmt_rate

NNBSP = "\u202f"


def test_french_figures():
    with translation.override("fr"):
        assert fmt_int(12345) == f"12{NNBSP}345"
        assert fmt_decimal(1234.56, 1) == f"1{NNBSP}234,6"
        assert fmt_rate(0.4652) == f"46,5{NNBSP}%"
        assert _month_label(dt.date(2025, 1, 1)) == "janv. 25"


def test_english_figures():
    with translation.override("en"):
        assert fmt_int(12345) == "12,345"
        assert fmt_decimal(1234.56, 1) == "1,234.6"
        assert fmt_rate(0.4652) == "46.5%"
        assert _month_label(dt.date(2025, 1, 1)) == "Jan. 25"


def test_undefined_stays_a_dash():
    assert fmt_decimal(None) == fmt_rate(None) == "–"
