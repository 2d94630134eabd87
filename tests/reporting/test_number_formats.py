"""Figures are written the reader's way: 12 345,6 in French, 12,345.6 in English."""

import datetime as dt
from decimal import Decimal

from django.utils import translation

from reporting import periods
from reporting.figures import Indicators
from reporting.presentation import Numbers, _month_label
from web.rounding import half_up

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


# Rounding: half away from zero, like PostgreSQL's round() and Excel's ROUND (issue 14.5).


def test_half_up_rounds_halves_away_from_zero():
    assert half_up(Decimal(21) / 32, 4) == Decimal("0.6563")  # 0.65625: Python gives 0.6562
    assert half_up(0.65625, 4) == Decimal("0.6563")
    assert half_up(Decimal("0.65624999"), 4) == Decimal("0.6562")
    assert half_up(Decimal("2.5")) == 3 and half_up(Decimal("3.5")) == 4
    assert half_up(Decimal("-2.5")) == -3
    assert half_up(0.125, 2) == Decimal("0.13")  # binary 0.125 is exact: a true half
    assert half_up(1.005, 2) == Decimal("1.01")  # read as printed, not as binary 1.00499…
    assert half_up(7) == 7


def test_published_rates_and_means_round_half_up():
    with translation.override("en"):
        num = Numbers.current()
        assert num.rate(Decimal(21) / 32) == "65.6%"
        assert num.rate(Decimal("0.00125")) == "0.1%"  # 0.125 %
        assert num.decimal(Decimal("12.25"), 1) == "12.3"  # Python's format: 12.2
        assert num.decimal(Decimal("0.5"), 0) == "1"
    with translation.override("fr"):
        assert Numbers.current().decimal(Decimal("12.25"), 1) == "12,3"


def test_json_figures_round_half_up():
    figures = Indicators(
        exits=32,
        dynamic_exits=21,
        exits_by_category={"EMPLOI_DURABLE": 21},
        days_in_period=365,
    )
    assert figures.as_dict()["dynamic_exit_rate"] == 0.6563


def test_month_names_follow_the_language():
    with translation.override("en"):
        assert str(periods.month(2021, 3).label) == "March 2021"
    with translation.override("fr"):
        assert str(periods.month(2021, 3).label) == "mars 2021"
