"""Rounding of published numbers: half away from zero, as an analyst's SQL or a spreadsheet.

Python's `round()` and `format()` round half to even (and work on the binary float), so
21/32 = 0.65625 would print 0.6562 where PostgreSQL's `round(0.65625, 4)` and Excel's
`ROUND` give 0.6563. Every rate, mean and projection Sillon publishes goes through
`half_up`, on a `Decimal` made from the value's exact decimal text.
"""

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: Decimal | float | int, places: int = 0) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (−2.5 → −3).

    A float is read through its shortest repr (0.1 → Decimal("0.1"), not the binary
    0.1000000000000000055…), so a figure computed as a float rounds like the number printed.
    """
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
