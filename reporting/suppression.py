"""Small-count suppression for every aggregate shown to coordinators and funders.

Primary suppression: a count from 1 to 10 is published as "< 11" (the threshold of CASD,
ATIH, the Health Data Hub: no published cell below 11). Zero is published.

Secondary suppression ("secret secondaire", INSEE): a table also publishes margins (a total
row, a structure's exits = the sum of its exits by category, the year's entries = the sum of
the months). A hidden cell must not be recomputable from them, so other cells are hidden too
and published as "s". The reader knows the algorithm, hence:
- a primary cell lies in [1, 10]; a secondary cell is always a count ≥ 11 (zeros are never
  picked: hiding a zero would tell nothing and could be undone by bounds);
- on every margin equation (margin = Σ parts), no hidden cell may be pinned to a single value
  by the published cells and the bounds of the other hidden cells of the equation;
- across equations, no hidden cell may be a linear combination of the published values
  (exact rank test over the rationals).
A cell is published only when both hold; when an equation still pins a cell, the smallest
published part ≥ 11 of that equation is hidden, else its margin; the loop ends because the
hidden set only grows. What this does not do: a full linear-programming audit of bounds
spread over several equations at once (the per-equation bounds and the exact rank test are
what the property tests check).
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 11
PRIMARY_LABEL = "< 11"
SECONDARY_LABEL = "s"

PUBLISHED, PRIMARY, SECONDARY = "published", "primary", "secondary"

INF = float("inf")


@dataclass(frozen=True)
class Constraint:
    """margin = Σ parts (every key names a cell of the same grid)."""

    margin: Hashable
    parts: tuple[Hashable, ...]


def is_small(value: int) -> bool:
    return 1 <= value < THRESHOLD


def _bounds(value: int, status: str) -> tuple[float, float]:
    if status == PRIMARY:
        return 1, THRESHOLD - 1
    if status == SECONDARY:
        return THRESHOLD, INF
    return value, value


def pinned_cells(values: dict, status: dict, constraint: Constraint) -> list[Hashable]:
    """Hidden cells of one equation that the published cells and the bounds pin down."""
    bounds = {k: _bounds(values[k], status[k]) for k in (constraint.margin, *constraint.parts)}
    pinned = []
    m_lo, m_hi = bounds[constraint.margin]
    if status[constraint.margin] != PUBLISHED:
        # margin ∈ [Σ lo(parts), Σ hi(parts)] ∩ its own bounds
        lo = max(m_lo, sum(bounds[p][0] for p in constraint.parts))
        hi = min(m_hi, sum(bounds[p][1] for p in constraint.parts))
        if lo == hi:
            pinned.append(constraint.margin)
    for i, part in enumerate(constraint.parts):
        if status[part] == PUBLISHED:
            continue
        others = constraint.parts[:i] + constraint.parts[i + 1 :]
        # part = margin − Σ others
        lo = max(bounds[part][0], m_lo - sum(bounds[q][1] for q in others))
        hi = min(bounds[part][1], m_hi - sum(bounds[q][0] for q in others))
        if lo == hi:
            pinned.append(part)
    return pinned


def linearly_determined(
    values: dict, status: dict, constraints: Iterable[Constraint]
) -> list[Hashable]:
    """Hidden cells that are a linear combination of published values (exact arithmetic)."""
    hidden = sorted({k for k, s in status.items() if s != PUBLISHED}, key=repr)
    if not hidden:
        return []
    index = {k: i for i, k in enumerate(hidden)}
    rows: list[list[Fraction]] = []
    for c in constraints:
        row = [Fraction(0)] * len(hidden)
        for k, coeff in [(c.margin, 1), *((p, -1) for p in c.parts)]:
            if k in index:
                row[index[k]] += coeff
        if any(row):
            rows.append(row)
    basis = _row_echelon(rows)
    determined = []
    for key, i in index.items():
        unit = [Fraction(0)] * len(hidden)
        unit[i] = Fraction(1)
        if _in_span(basis, unit):
            determined.append(key)
    return determined


def _row_echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced basis as (pivot column, row) pairs."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = _reduce(basis, row)
        pivot = next((i for i, v in enumerate(row) if v), None)
        if pivot is None:
            continue
        row = [v / row[pivot] for v in row]
        basis = [(p, [a - b * r[pivot] for a, b in zip(r, row, strict=True)]) for p, r in basis]
        basis.append((pivot, row))
    return basis


def _reduce(basis, row):
    row = list(row)
    for pivot, b in basis:
        if row[pivot]:
            factor = row[pivot]
            row = [a - factor * c for a, c in zip(row, b, strict=True)]
    return row


def _in_span(basis, vector) -> bool:
    return not any(_reduce(basis, vector))


def suppress(values: dict, constraints: list[Constraint]) -> dict:
    """The status of every cell: PUBLISHED, PRIMARY (1–10) or SECONDARY (hidden to protect)."""
    status = {k: (PRIMARY if is_small(v) else PUBLISHED) for k, v in values.items()}
    if all(s == PUBLISHED for s in status.values()):
        return status
    while True:
        leaking, constraint = _find_leak(values, status, constraints)
        if not leaking:
            return status
        candidate = _candidate(values, status, constraint) if constraint else None
        if candidate is not None:
            status[candidate] = SECONDARY
        else:
            # Nothing left to hide on the leaking equations: hide every count ≥ 11. With all
            # non-zero counts hidden, no equation has a published constant left to solve with.
            for key, value in values.items():
                if status[key] == PUBLISHED and value >= THRESHOLD:
                    status[key] = SECONDARY
            return status


def _candidate(values, status, constraint: Constraint):
    """The smallest published part ≥ 11 of the equation, else its margin when published."""
    parts = sorted(
        (k for k in constraint.parts if status[k] == PUBLISHED and values[k] >= THRESHOLD),
        key=lambda k: (values[k], repr(k)),
    )
    if parts:
        return parts[0]
    if status[constraint.margin] == PUBLISHED and values[constraint.margin] >= THRESHOLD:
        return constraint.margin
    return None


def _find_leak(values, status, constraints) -> tuple[bool, Constraint | None]:
    """(True, an equation to widen) when a hidden cell can be recomputed."""
    for c in constraints:
        if pinned_cells(values, status, c):
            return True, c
    determined = set(linearly_determined(values, status, constraints))
    if not determined:
        return False, None
    for c in constraints:
        if determined & {c.margin, *c.parts} and _candidate(values, status, c) is not None:
            return True, c
    return True, None


def label(value, status: str) -> str:
    """How a cell is printed."""
    if status == PRIMARY:
        return PRIMARY_LABEL
    if status == SECONDARY:
        return SECONDARY_LABEL
    return str(value)
