"""Boundary and hostile values for the route fuzzer, as hypothesis strategies.

Each family holds the values that broke web applications before (this one included: the
nine server errors of issue 16 were dates at the calendar's edges), and hypothesis mixes them
with values of its own making. `value_for(field)` favours the family of the field's kind
(a date field gets mostly dates) but sends any family anywhere: a date in a number field,
markup in a choice.
"""

import datetime as dt

from hypothesis import strategies as st

# Dates at the calendar's edges, impossible days, every format the forms accept and some
# they do not, and the period codes of the dashboards at the same edges.
DATES = (
    "0001-01-01",
    "9999-12-31",
    "31/12/9999",
    "01/01/0001",
    "29/02/2023",
    "29/02/2100",
    "2023-02-29",
    "30/02/2024",
    "31/04/2024",
    "32/01/2024",
    "00/00/0000",
    "1/1/1",
    "31/12/99",
    "10000-01-01",
    "-2024-01-01",
    "2024-13-01",
    "31/12/1899",
    "01/01/2101",
    "01/01/1900",
    "31/12/2100",
    "2024-W53",
    "9999",
    "9999-T4",
    "9999-S2",
    "9999-12",
    "0000",
    "0001-01-01_9999-12-31",
    "2024-T9",
    "2024-00",
)
NUMBERS = (
    "0",
    "-1",
    "-0",
    "2147483647",
    "2147483648",
    "-2147483649",
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    str(10**30),
    "9" * 400,
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1,5",
    "0.0000000001",
    "99999999999999999999.99",
    "1_000",
    "0x1F",
    " 4 ",
    "٤",  # Arabic-Indic four
    "²",  # a digit to str.isdigit, not to int()
    "4,",
    ",5",
)
TEXTS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "é" * 3_000,
    "\u202etxt.exe",  # right-to-left override
    "مرحبا بالعالم",
    "👩🏽‍🔧🏳️‍🌈" * 20,
    "e" + "\u0301" * 200,  # combining accents piled up
    "\u200b\ufeff\u2028\u2029",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7|add:7 }}{% debug %}",
    "%s%n%x%(name)s",
    "' OR 1=1 --",
    '=HYPERLINK("https://evil.example","x")',
    "+33 6 00 00 00 00",
    "-1+1",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "../../etc/passwd",
    "a\r\nb\nc\rd",
    "[]",
    "{}",
)
# Where `next=` may send a browser: each of these leaves the site.
OFFSITE = (
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
    " //evil.example",
    "\t//evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
)
# django-tables2's list parameters.
TABLE = {
    "sort": ("-", "--last_name", "nonexistent", "-" * 300, "__class__", "pk,-pk", "structure"),
    "page": ("0", "-1", "last", "99999999999999999999", "1e309", "NaN", "2"),
    "per_page": ("0", "-1", "1000000", "NaN", "5"),
}

# One value in every field at once, for the sweep of `make fuzz`: the values that broke a
# route before (NUL, a 400-digit number, a negative page size, a long login name) and the
# calendar's edges.
KILLERS = (
    "\x00",
    "9" * 400,
    "1e309",
    "NaN",
    "-1",
    "2147483648",
    "31/12/9999",
    "0001-01-01",
    "29/02/2023",
    "9999-T4",
    "x" * 10_000,
)

_generated_text = st.text(max_size=40)
_generated_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
_generated_dates = st.tuples(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%Y", "%Y-%m"]),
).map(lambda pair: pair[0].strftime(pair[1]))

dates = st.one_of(st.sampled_from(DATES), _generated_dates)
numbers = st.one_of(st.sampled_from(NUMBERS), _generated_numbers)
texts = st.one_of(st.sampled_from(TEXTS), _generated_text)
hostile = st.one_of(dates, numbers, texts, st.sampled_from(OFFSITE))
BY_KIND = {"date": dates, "number": numbers, "choice": numbers, "flag": texts, "text": texts}


def value_for(name: str, kind: str, valid: list[str]) -> st.SearchStrategy[str]:
    """A value for one parameter: mostly hostile, of its kind first, sometimes a valid one
    (so the other fields of a form pass and the hostile one reaches deeper code)."""
    if name == "next":
        return st.sampled_from(OFFSITE)
    if name in TABLE:
        return st.sampled_from(TABLE[name])
    families = [BY_KIND.get(kind, texts), hostile]
    if valid:
        families.append(st.sampled_from(valid))
    return st.one_of(families)
