"""The exact rank test of small-count suppression: which hidden cells of a grid are a
linear combination of the published values, for everybody and for an insider who knows
some cells too (exact arithmetic over the rationals, sparse rows).

`reporting.suppression` decides what to hide; this module only answers what a reader could
recompute from the margin equations.
"""

from collections.abc import Hashable, Iterable
from fractions import Fraction

# The status of a published cell (reporting.suppression's other statuses all mean hidden).
PUBLISHED = "published"


def linearly_determined(
    values: dict, status: dict, constraints: Iterable, cache: dict | None = None
) -> list[Hashable]:
    """Hidden cells that are a linear combination of published values (exact arithmetic).

    The equations, restricted to the hidden cells, are brought to reduced row echelon form
    (sparse rows, rational coefficients); a hidden cell is determined exactly when its
    column is a pivot whose row holds nothing else.
    """
    hidden, basis = echelon(status, constraints, cache)
    return [hidden[i] for i, row in basis.items() if len(row) == 1]


def echelon(status: dict, constraints: Iterable, cache: dict | None = None):
    """(hidden cells in a fixed order, reduced basis {pivot column: sparse row}).

    `cache`: bases already computed, by hidden set (the outsiders' and the insiders' rank
    tests of one pass share theirs; neither changes a basis)."""
    hidden_set = frozenset(k for k, s in status.items() if s != PUBLISHED)
    if cache is not None and hidden_set in cache:
        return cache[hidden_set]
    result = reduce_hidden(status, constraints, hidden_set)
    if cache is not None:
        cache[hidden_set] = result
    return result


def reduce_hidden(status: dict, constraints: Iterable, hidden_set: frozenset):
    hidden = sorted(hidden_set, key=repr)
    index = {k: i for i, k in enumerate(hidden)}
    basis: dict[int, dict[int, Fraction]] = {}  # pivot column → fully reduced row
    if not hidden:
        return hidden, basis
    for c in constraints:
        row: dict[int, Fraction] = {}
        for k, coeff in [(c.margin, 1), *((p, -1) for p in c.parts)]:
            if k in index:
                i = index[k]
                row[i] = row.get(i, 0) + coeff
        insert_row(basis, {i: v for i, v in row.items() if v})
    return hidden, basis


def insert_row(basis: dict, row: dict, owned: set | None = None) -> None:
    """Add a row to a reduced basis, keeping it reduced.

    `owned`: when given, only the rows of these pivots belong to `basis` alone; any other
    row is shared with another basis and copied before it is changed.
    """
    # Basis rows are zero on every other pivot: one pass over the row's pivots reduces it.
    for pivot in [i for i in row if i in basis]:
        factor = row.get(pivot)
        if factor:
            axpy(row, -factor, basis[pivot])
    if not row:
        return
    pivot = min(row)
    scale = row[pivot]
    # Exact arithmetic throughout: coefficients stay Python ints while the pivots are ±1
    # (margin equations nearly always are) and become Fractions only when they must.
    if scale in (1, -1):
        row = {i: v * scale for i, v in row.items()}
    else:
        row = {i: Fraction(v) / scale for i, v in row.items()}
    for other_pivot, other in basis.items():
        factor = other.get(pivot)
        if factor:
            if owned is not None and other_pivot not in owned:
                other = basis[other_pivot] = dict(other)
                owned.add(other_pivot)
            axpy(other, -factor, row)
    basis[pivot] = row
    if owned is not None:
        owned.add(pivot)


def rows_with(basis: dict) -> dict[int, set[int]]:
    """Column → pivots of the basis rows that hold it."""
    found: dict[int, set[int]] = {}
    for pivot, row in basis.items():
        for i in row:
            found.setdefault(i, set()).add(pivot)
    return found


def determined_knowing(
    basis: dict,
    known: set[int],
    rows_with: dict | None = None,
    determined: set[int] | None = None,
) -> set[int]:
    """Columns determined once the `known` columns are known too: delete them from the
    reduced basis (rows keep their pivots, except those pivoted on a known column, which
    are reduced again). Cheaper than a new elimination per insider: only the rows holding
    a known column are copied (`rows_with`, from `rows_with(basis)`); the others are
    shared with `basis` until a re-insertion changes them, so only the copied rows are
    looked at again (`determined`: the pivots of the basis's one-cell rows, the same for
    every insider)."""
    if rows_with is None:
        rows_with = rows_with(basis)
    if determined is None:
        determined = {i for i, row in basis.items() if len(row) == 1}
    touched = set().union(*(rows_with.get(i, ()) for i in known))
    reduced = dict(basis)
    owned = set(touched)
    pending = []
    for pivot in touched:
        kept = dict(basis[pivot])  # a C-level copy: some rows span hundreds of columns
        for i in known:
            kept.pop(i, None)
        if pivot in known:
            del reduced[pivot]
            pending.append(kept)
        else:
            reduced[pivot] = kept
    for row in pending:
        insert_row(reduced, row, owned)
    # A row that was never copied is the basis's own row.
    return {i for i in determined if i not in owned} | {
        i for i in owned if i in reduced and len(reduced[i]) == 1
    }


def axpy(target: dict, factor: Fraction, source: dict) -> None:
    """target += factor × source, dropping the zeros (sparse rows)."""
    for i, v in source.items():
        value = target.get(i, 0) + factor * v
        if value:
            target[i] = value
        else:
            target.pop(i, None)
