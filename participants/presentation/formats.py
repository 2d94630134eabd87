"""The French number and date formats of the file page's sentences."""

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format


def format_hours(value: Decimal) -> str:
    """35.50 → '35,5'."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def format_day(day: dt.date) -> str:
    return date_format(day, "d/m/Y")
