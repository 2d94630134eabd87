"""Reproducible synthetic dataset for benchmarks and load tests (`generate_dataset`).

Shape and proportions follow quality.md §1: Convergence exits reach employment or training
about 47% of the time, 35% of those without housing at entry obtain it, accompaniment lasts
about two years; Premières Heures starts at 4 h/week rising by paliers towards 20 h, most sas
last under 12 months and a majority continue to a CDDI or to Convergence.

Everything is drawn from one `random.Random(seed)` stream (plus a few derived streams), never
from the hash of a string, so the same seed gives the same rows on any machine. The window is
fixed (it does not depend on today's date) for the same reason.

Organisations (a few thousand rows) go through the ORM; person-level tables (millions of rows)
go through PostgreSQL COPY with ids reserved from their sequences. When a person-level table
is empty at the start, its secondary indexes and foreign keys are dropped for the load and
rebuilt afterwards from their own definitions (what pg_restore does): building an index once
is much cheaper than maintaining it row by row. All of it happens in one transaction, so a
failed run leaves nothing behind.
"""

from .generator import Generator, database_has_participants, generate
from .plan import Result
from .progress import Progress
from .shape import AS_OF, SCALES, WINDOW_START, Scale

__all__ = [
    "AS_OF",
    "SCALES",
    "WINDOW_START",
    "Generator",
    "Progress",
    "Result",
    "Scale",
    "database_has_participants",
    "generate",
]
