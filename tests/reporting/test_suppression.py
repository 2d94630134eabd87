"""Suppression as a property: on random tables with margins, no published cell is in 1–10
and no hidden cell can be recomputed from the published ones.

The checker below is written independently of reporting.suppression (interval reasoning on
each equation, then an exact rank test over the rationals)."""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.suppression import (
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    Constraint,
    label,
    suppress,
)


def _table(cells: list[list[int]]):
    """A grid with row totals, column totals and the grand total, and its equations."""
    values, constraints = {}, []
    n_rows, n_cols = len(cells), len(cells[0])
    for r in range(n_rows):
        for c in range(n_cols):
            values[(r, c)] = cells[r][c]
        values[(r, "T")] = sum(cells[r])
        constraints.append(Constraint((r, "T"), tuple((r, c) for c in range(n_cols))))
    for c in range(n_cols):
        values[("T", c)] = sum(cells[r][c] for r in range(n_rows))
        constraints.append(Constraint(("T", c), tuple((r, c) for r in range(n_rows))))
    values[("T", "T")] = sum(values[(r, "T")] for r in range(n_rows))
    constraints.append(Constraint(("T", "T"), tuple((r, "T") for r in range(n_rows))))
    constraints.append(Constraint(("T", "T"), tuple(("T", c) for c in range(n_cols))))
    return values, constraints


def _known_range(key, values, status):
    if status[key] == PUBLISHED:
        return values[key], values[key]
    if status[key] == PRIMARY:
        return 1, 10
    return 11, float("inf")


def _recomputable_on_one_equation(values, status, constraints):
    leaks = []
    for c in constraints:
        terms = [(c.margin, 1)] + [(p, -1) for p in c.parts]
        for key, sign in terms:
            if status[key] == PUBLISHED:
                continue
            # sign * key = − Σ other sign_k * k
            lo, hi = 0.0, 0.0
            for other, s in terms:
                if other == key:
                    continue
                a, b = _known_range(other, values, status)
                lo += min(-s * a, -s * b)
                hi += max(-s * a, -s * b)
            if sign < 0:
                lo, hi = -hi, -lo
            own_lo, own_hi = _known_range(key, values, status)
            if max(lo, own_lo) == min(hi, own_hi):
                leaks.append(key)
    return leaks


def _rank(rows):
    rows = [list(r) for r in rows]
    rank, col = 0, 0
    n_cols = len(rows[0]) if rows else 0
    while rank < len(rows) and col < n_cols:
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
        col += 1
    return rank


def _linearly_recomputable(values, status, constraints):
    hidden = [k for k in values if status[k] != PUBLISHED]
    matrix = []
    for c in constraints:
        row = [Fraction(0)] * len(hidden)
        for j, key in enumerate(hidden):
            if key == c.margin:
                row[j] += 1
            row[j] -= sum(1 for p in c.parts if p == key)
        matrix.append(row)
    base = _rank(matrix) if hidden else 0
    leaks = []
    for j, key in enumerate(hidden):
        unit = [Fraction(int(i == j)) for i in range(len(hidden))]
        if _rank([*matrix, unit]) == base:
            leaks.append(key)
    return leaks


small_or_not = st.one_of(st.integers(0, 12), st.integers(0, 80))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(small_or_not, min_size=n_cols, max_size=n_cols), min_size=1, max_size=5
        )
    )
)
def test_no_small_published_cell_and_no_recomputable_hidden_cell(cells):
    values, constraints = _table(cells)
    status = suppress(values, constraints)
    assert set(status) == set(values)
    for key, value in values.items():
        if status[key] == PUBLISHED:
            assert not 1 <= value <= 10, (key, value)
        if status[key] == PRIMARY:
            assert 1 <= value <= 10
        if status[key] == SECONDARY:
            assert value >= 11
    assert _recomputable_on_one_equation(values, status, constraints) == []
    assert _linearly_recomputable(values, status, constraints) == []


def test_a_lone_small_cell_gets_a_companion():
    # Row: 5 + 30 + 40 = 75; column totals published: hiding only the 5 would leak it.
    values, constraints = _table([[5, 30, 40], [20, 25, 50]])
    status = suppress(values, constraints)
    assert status[(0, 0)] == PRIMARY
    assert sum(s == SECONDARY for s in status.values()) >= 2
    assert label(values[(0, 0)], status[(0, 0)]) == "< 11"
    assert label(values[(0, 1)], SECONDARY) == "s"


def test_nothing_hidden_when_nothing_is_small():
    values, constraints = _table([[0, 30], [20, 0]])
    assert set(suppress(values, constraints).values()) == {PUBLISHED}
