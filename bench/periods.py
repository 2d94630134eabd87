"""The periods `make bench` times the dashboards on (bench/run.py), which tests/scale checks
the hand-written reference on: importing them runs nothing (bench.run sets up Django)."""

import datetime as dt

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))

# The periods coordinators and funders ask for, besides the calendar year: a quarter, a
# Convergence semester (1 October – 31 March), a funder's July-to-June year, free dates.
LIVE_PERIODS = {
    "calendar year 2025": YEAR,
    "quarter Q2 2025": (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    "semester 01/10/2024–31/03/2025": (dt.date(2024, 10, 1), dt.date(2025, 3, 31)),
    "July–June 2024–2025": (dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
    "free dates 10/02–20/05/2025": (dt.date(2025, 2, 10), dt.date(2025, 5, 20)),
}
