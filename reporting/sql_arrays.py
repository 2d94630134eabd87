"""Arrays sent to PostgreSQL as one text literal.

Django binds a statement's parameters on the client (psycopg's client-side cursor): a
Python list is written out element by element by psycopg's list dumper, in Python — about
0.2 ms for the 344 structures of a région, in every statement that names them, and 10 µs
for a list of three codes, paid again in every statement of a dashboard. The same array
written once as a string costs a few microseconds:

- ids: `"{1,2,3}"`, cast in the statement (`%(structure_ids)s::bigint[]`);
- codes: `"{EN_COURS,SORTI}"`, which psycopg writes as `'{EN_COURS,SORTI}'` — the very
  literal it writes for the list of the same strings (untyped, the comparison types it),
  so the statement sent is unchanged.
"""

import re
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z0-9_]+")


def id_array(ids: Iterable[int]) -> str:
    """Ids as one array literal, in ascending order (to cast: `::bigint[]`)."""
    return "{" + ",".join(map(str, sorted(int(pk) for pk in ids))) + "}"


def code_array(codes: Iterable[str]) -> str:
    """Codes (enum values: letters, digits, underscores) as one array literal, in their
    order. Anything else would need quoting inside the literal: refused."""
    values = [str(code) for code in codes]
    for value in values:
        # NULL, in any case, would be read as a missing element, not as the code.
        if not _WORD.fullmatch(value) or value.upper() == "NULL":
            raise ValueError(f"not a plain code: {value!r}")
    return "{" + ",".join(values) + "}"
