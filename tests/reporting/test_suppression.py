"""Suppression as a property: on random tables with margins, no published cell is in 1–10
and no hidden cell can be recomputed from the published ones.

The checker below is written independently of reporting.suppression (interval reasoning on
each equation, then an exact rank test over the rationals)."""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.suppression import (
    DOMINANCE,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    Constraint,
    contributions,
    is_dominated,
    label,
    suppress,
)
from tests.hypothesis_profiles import examples


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


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


# Dominance (quality.md S25) and insiders ------------------------------------------------
#
# The grid of a territory dashboard: one row per structure (its own figures, published with
# the small-count rule only), a total row that aggregates the structures (dominance rule:
# ≥ 3 contributing structures, none above 85 %), and each row's margin (exits = Σ
# categories). A structure knows its own row exactly: with that knowledge it must not
# recompute anybody else's small count.


def _territory_grid(cells: list[list[int]]):
    """Rows = structures, columns = categories; column "T" is the row's margin; row "T" is
    the territory total. Returns values, constraints, dominated total cells, owners."""
    values, constraints, owners = {}, [], {}
    n_rows, n_cols = len(cells), len(cells[0])
    for r in range(n_rows):
        for c in range(n_cols):
            values[(r, c)] = cells[r][c]
        values[(r, "T")] = sum(cells[r])
        constraints.append(Constraint((r, "T"), tuple((r, c) for c in range(n_cols))))
        owners.update({(r, c): r for c in [*range(n_cols), "T"]})
    dominated = set()
    for c in [*range(n_cols), "T"]:
        parts = [values[(r, c)] for r in range(n_rows)]
        values[("T", c)] = sum(parts)
        constraints.append(Constraint(("T", c), tuple((r, c) for r in range(n_rows))))
        nonzero = [p for p in parts if p]
        total = values[("T", c)]
        # Independent of reporting.suppression.is_dominated: written from the INSEE rule.
        if total and (len(nonzero) < 3 or max(nonzero) / total > 0.85):
            dominated.add(("T", c))
    constraints.append(Constraint(("T", "T"), tuple(("T", c) for c in range(n_cols))))
    return values, constraints, dominated, owners


def _insider_view(status, owners, insider):
    return {k: (PUBLISHED if owners.get(k) == insider else s) for k, s in status.items()}


def _others_small(values, status, owners, constraints, insider):
    """Small counts the insider must not learn: other structures' cells, and totals unless
    every part but the insider's own is a published zero (then it is their own count)."""
    protected = set()
    for key, cell_status in status.items():
        if cell_status != PRIMARY or owners.get(key) == insider:
            continue
        own_only = any(
            c.margin == key and all(owners.get(p) == insider or values[p] == 0 for p in c.parts)
            for c in constraints
        )
        if not own_only:
            protected.add(key)
    return protected


def _insider_leaks(values, status, constraints, owners, insider):
    view = _insider_view(status, owners, insider)
    protected = _others_small(values, status, owners, constraints, insider)
    found = set(_recomputable_on_one_equation(values, view, constraints))
    found |= set(_linearly_recomputable(values, view, constraints))
    return found & protected


grids = st.integers(2, 4).flatmap(
    lambda n_cols: st.lists(
        st.lists(
            st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=n_cols, max_size=n_cols
        ),
        min_size=1,
        max_size=5,
    )
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids)
def test_dominance_and_insiders(cells):
    values, constraints, dominated, owners = _territory_grid(cells)
    status = suppress(values, constraints, dominated=dominated, owners=owners)
    for key, value in values.items():
        if status[key] == PUBLISHED:
            assert not 1 <= value <= 10, (key, value)
            # A published territory cell passes the dominance rule.
            assert key not in dominated, (key, value)
        if status[key] in (SECONDARY, DOMINANCE):
            assert value >= 11
    # Nobody recomputes a hidden cell from the published ones…
    assert _recomputable_on_one_equation(values, status, constraints) == []
    assert _linearly_recomputable(values, status, constraints) == []
    # …and no structure, knowing its own row, recomputes another's small count, except
    # where even hiding every non-zero count would not prevent it (the "< 11" label itself
    # bounds a cell: a total "< 11" of which the insider holds 9 leaves 1 for the others).
    everything_hidden = {
        k: PRIMARY if 1 <= v <= 10 else (SECONDARY if v >= 11 else PUBLISHED)
        for k, v in values.items()
    }
    for insider in range(len(cells)):
        unavoidable = _insider_leaks(values, everything_hidden, constraints, owners, insider)
        leaks = _insider_leaks(values, status, constraints, owners, insider)
        assert leaks <= unavoidable, (insider, leaks - unavoidable)


def test_is_dominated_follows_the_insee_rule():
    assert not is_dominated(0, 0, 0)  # nothing to protect
    assert is_dominated(30, 2, 20)  # two structures only
    assert is_dominated(100, 3, 86)  # one structure above 85 %
    assert not is_dominated(100, 3, 85)  # exactly 85 % is allowed
    assert contributions([0, 5, 12, 0, 3]) == (3, 12)


def test_a_dominated_total_is_hidden_and_not_recomputable():
    # Three structures, the first making 90 % of column 0: its total is hidden, and one
    # more cell of the column too, or the rows would give it back.
    values, constraints, dominated, owners = _territory_grid([[90, 20], [5, 30], [5, 25]])
    assert ("T", 0) in dominated
    status = suppress(values, constraints, dominated=dominated, owners=owners)
    assert status[("T", 0)] == DOMINANCE
    assert label(values[("T", 0)], status[("T", 0)]) == "s"
    column = [status[(r, 0)] for r in range(3)]
    assert column.count(PUBLISHED) <= 1


# The audits kept in the process --------------------------------------------------------


def test_an_audit_is_given_back_for_the_identical_grid_only(monkeypatch):
    from reporting import suppression

    audits = []
    real = suppression._audit
    monkeypatch.setattr(suppression, "_audit", lambda *a: audits.append(a) or real(*a))
    monkeypatch.setattr(suppression, "_audits", suppression.OrderedDict())
    values, constraints = _table([[5, 30, 40], [20, 25, 50]])

    first = suppress(values, constraints)
    first[(0, 1)] = "changed by a caller"  # the caller's copy, not the kept answer
    assert suppress(dict(values), list(constraints)) == real(values, constraints, set(), None)
    assert len(audits) == 1

    # One count more anywhere, a dominated cell, an owner, another equation: another grid.
    moved = {**values, (1, 0): 21, (1, "T"): 96, ("T", 0): 26, ("T", "T"): 171}
    suppress(moved, constraints)
    suppress(values, constraints, dominated={("T", 0)})
    suppress(values, constraints, owners={(0, 0): "A"})
    suppress(values, constraints[:-1])
    assert len(audits) == 5


def test_the_kept_audits_are_bounded(monkeypatch):
    from reporting import suppression

    monkeypatch.setattr(suppression, "_audits", suppression.OrderedDict())
    for n in range(suppression.AUDITS_KEPT + 5):
        suppress(*_table([[5, 30 + n], [20, 25]]))
    assert len(suppression._audits) == suppression.AUDITS_KEPT
    # What is kept is statuses, not figures.
    assert {s for kept in suppression._audits.values() for s in kept.values()} <= {
        PUBLISHED,
        PRIMARY,
        SECONDARY,
        DOMINANCE,
    }
