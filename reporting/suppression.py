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
  (exact rank test over the rationals, `reporting.exact_rank`).
A cell is published only when both hold; when an equation still pins a cell, the smallest
published part ≥ 11 of that equation is hidden, else its margin; the loop ends because the
hidden set only grows. What this does not do: a full linear-programming audit of bounds
spread over several equations at once (the per-equation bounds and the exact rank test are
what the property tests check).

Dominance (INSEE business-statistics rule, quality.md S25 / §5.5): a cell that aggregates
structures is published only when at least 3 structures contribute to it and none gives more
than 85 % of it; otherwise it is hidden ("s", status DOMINANCE) and secondary suppression
keeps it from being recomputed like any other hidden cell. The caller says which cells
aggregate structures (`is_dominated` decides from the contributions).

Insiders: a structure's director knows the exact figures of their own structure. When the
grid holds per-structure cells (`owners`: cell → structure), the audit is also run once per
structure with that structure's cells known: no small count (1–10) of anybody else may be
pinned on an equation or linearly determined from what the insider knows plus the
published cells (the insider's rank test reuses the outsiders' reduced basis). A small
total made only of the insider's own count and zeros is theirs to know. The "< 11" label
itself bounds a cell, so some leaks cannot be closed by hiding more (a total "< 11" of
which the insider holds 9 leaves at most 1 for the others); the property test checks that
whatever remains is of that kind.
"""

import hashlib
import pickle  # noqa: S403 — only dumps, to fingerprint; nothing is ever loaded
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .exact_rank import PUBLISHED, linearly_determined
from .exact_rank import determined_knowing as _determined_knowing
from .exact_rank import echelon as _echelon
from .exact_rank import insert_row as _insert  # noqa: F401 — tests check it directly
from .exact_rank import rows_with as _rows_with

THRESHOLD = 11
PRIMARY_LABEL = "< 11"
SECONDARY_LABEL = "s"

PRIMARY, SECONDARY = "primary", "secondary"  # and PUBLISHED, from exact_rank
DOMINANCE = "dominance"

# INSEE: at least 3 contributors per cell, none above 85 % of the cell.
MIN_CONTRIBUTORS = 3
MAX_SHARE_PERCENT = 85

INF = float("inf")


@dataclass(frozen=True)
class Constraint:
    """margin = Σ parts (every key names a cell of the same grid)."""

    margin: Hashable
    parts: tuple[Hashable, ...]


def is_small(value: int) -> bool:
    return 1 <= value < THRESHOLD


def is_dominated(value, contributors: int, top) -> bool:
    """True when a cell that aggregates structures may not be published: fewer than
    3 structures contribute to it, or the largest contribution is above 85 % of the cell.
    A zero cell is never dominated (nobody contributed: there is nothing to protect)."""
    if not value:
        return False
    return contributors < MIN_CONTRIBUTORS or top * 100 > MAX_SHARE_PERCENT * value


def contributions(parts: Iterable) -> tuple[int, object]:
    """(number of non-zero contributions, largest contribution) of a cell's parts."""
    nonzero = [p for p in parts if p]
    return len(nonzero), max(nonzero, default=0)


def _bounds(value: int, status: str) -> tuple[float, float]:
    if status == PRIMARY:
        return 1, THRESHOLD - 1
    if status in (SECONDARY, DOMINANCE):
        return THRESHOLD, INF
    return value, value


class _EquationSums:
    """One equation's bounds, summed once per pass and shared by every insider.

    An insider differs from an outsider only by knowing their own few cells of the
    equation. A hidden part's bounds depend on its status alone ([1, 10] for a primary
    cell, [11, ∞) for a secondary or dominance cell), so whether a part is pinned depends on
    its class, not on the part: `pinned_for` adjusts the sums for the known cells and tests
    each class once, without a pass over the whole equation per insider (a région's total
    holds 344 structures).
    """

    def __init__(self, values: dict, status: dict, constraint: Constraint):
        self.values, self.status, self.constraint = values, status, constraint
        self.part_bounds = {p: _bounds(values[p], status[p]) for p in constraint.parts}
        self.parts = self.part_bounds.keys()  # a set view, for membership tests
        self.lo_sum = sum(lo for lo, _ in self.part_bounds.values())
        self.finite_hi = sum(hi for _, hi in self.part_bounds.values() if hi != INF)
        self.infinite_hi = sum(1 for _, hi in self.part_bounds.values() if hi == INF)
        self.hidden_by_class: dict[tuple, list] = {}
        for part in constraint.parts:
            if status[part] != PUBLISHED:
                self.hidden_by_class.setdefault(self.part_bounds[part], []).append(part)

    def pinned_for(self, known: frozenset) -> Iterable[Hashable]:
        c, values = self.constraint, self.values
        lo_sum, finite_hi, infinite_hi = self.lo_sum, self.finite_hi, self.infinite_hi
        for part in (k for k in known if k in self.parts):
            lo, hi = self.part_bounds[part]
            value = values[part]
            lo_sum += value - lo
            if hi == INF:
                finite_hi, infinite_hi = finite_hi + value, infinite_hi - 1
            else:
                finite_hi += value - hi
        margin = c.margin
        if margin in known or self.status[margin] == PUBLISHED:
            m_lo = m_hi = values[margin]
        else:
            m_lo, m_hi = _bounds(values[margin], self.status[margin])
            if max(m_lo, lo_sum) == min(m_hi, INF if infinite_hi else finite_hi):
                yield margin
        for (p_lo, p_hi), parts in self.hidden_by_class.items():
            others_lo = lo_sum - p_lo
            others_inf = infinite_hi - (p_hi == INF)
            others_hi = INF if others_inf else finite_hi - (0 if p_hi == INF else p_hi)
            if max(p_lo, m_lo - others_hi) == min(p_hi, m_hi - others_lo):
                yield from (p for p in parts if p not in known)


# The last audits, by the fingerprint of everything they depend on (see `suppress`).
AUDITS_KEPT = 64
_audits: OrderedDict[bytes, dict] = OrderedDict()
_audits_lock = threading.Lock()


def suppress(
    values: dict,
    constraints: list[Constraint],
    *,
    dominated: Iterable[Hashable] = (),
    owners: dict | None = None,
) -> dict:
    """The status of every cell: PUBLISHED, PRIMARY (1–10), DOMINANCE (a cell aggregating
    structures that fails the 3-structures / 85 % rule) or SECONDARY (hidden to protect).

    `dominated`: cells that fail the dominance rule (see `is_dominated`); `owners`: the
    structure each per-structure cell belongs to, for the insider audit.

    The audit is a pure function of its arguments, and a région's takes a tenth of a
    second; its counts change far less often than coordinators reload their dashboards.
    So the last `AUDITS_KEPT` answers are kept in the process, by a SHA-256 of the
    arguments serialised (pickle reads back what it wrote, so two grids that differ never
    serialise alike): the same grid gives the same statuses, any changed count or cell
    is another grid. What is kept is statuses only (no figure, no name), and they are given
    back only to a caller holding the identical grid.
    """
    dominated = set(dominated)
    key = fingerprint(values, constraints, dominated, owners)
    status = kept(key)
    if status is not None:
        return status
    status = _audit(values, constraints, dominated, owners)
    remember(key, status)
    return status


def fingerprint(values: dict, constraints: list[Constraint], dominated, owners) -> bytes:
    """The SHA-256 of everything an audit depends on (see `suppress`)."""
    return hashlib.sha256(
        pickle.dumps(
            (
                values,
                [(c.margin, c.parts) for c in constraints],
                sorted(set(dominated), key=repr),
                owners,
            ),
            protocol=5,
        )
    ).digest()


def kept(key: bytes) -> dict | None:
    """The statuses this process kept for the grid of fingerprint `key`, or None."""
    with _audits_lock:
        status = _audits.get(key)
        if status is not None:
            _audits.move_to_end(key)
    return None if status is None else dict(status)


def remember(key: bytes, status: dict) -> None:
    """Keep the statuses of the grid of fingerprint `key` in this process."""
    with _audits_lock:
        _audits[key] = dict(status)
        while len(_audits) > AUDITS_KEPT:
            _audits.popitem(last=False)


def forget_audits() -> None:
    """Drop the kept answers (the benchmark measures a first view with it)."""
    with _audits_lock:
        _audits.clear()


def _audit(values: dict, constraints: list[Constraint], dominated: set, owners) -> dict:
    status = {}
    for key, value in values.items():
        if is_small(value):
            status[key] = PRIMARY
        elif key in dominated and value:
            status[key] = DOMINANCE
        else:
            status[key] = PUBLISHED
    if all(s == PUBLISHED for s in status.values()):
        return status
    insiders = _insiders(values, owners or {}, constraints)
    while True:
        bases: dict = {}
        sums = [_EquationSums(values, status, c) for c in constraints]
        to_hide, stuck = _outsider_fixes(values, status, constraints, bases, sums)
        if not to_hide and not stuck:
            to_hide, stuck = _insider_fixes(values, status, constraints, insiders, bases, sums)
        if to_hide:
            for key in to_hide:
                status[key] = SECONDARY
            continue
        if not stuck:
            return status
        # Nothing left to hide on the leaking equations: hide every count ≥ 11. With all
        # non-zero counts hidden, no equation has a published constant left to solve with.
        for key, value in values.items():
            if status[key] == PUBLISHED and value >= THRESHOLD:
                status[key] = SECONDARY
        return status


@dataclass(frozen=True)
class _Insider:
    known: frozenset  # the cells the insider knows exactly (their own)
    holding: dict  # each of those cells → the positions of the equations that hold it
    margins_own: frozenset  # margins of equations made only of the insider's cells and zeros


def _insiders(values: dict, owners: dict, constraints: list[Constraint]) -> list[_Insider]:
    grouped: dict[Hashable, set] = {}
    for key, owner in owners.items():
        grouped.setdefault(owner, set()).add(key)
    # Cell → positions of the equations that hold it (equations keep their order).
    holding: dict[Hashable, list[int]] = {}
    for position, c in enumerate(constraints):
        holding.setdefault(c.margin, []).append(position)
        for key in c.parts:
            holding.setdefault(key, []).append(position)
    # The non-zero parts of each equation: a margin whose non-zero parts all belong to the
    # insider (none at all: the margin is zero too) counts the insider's own persons only.
    nonzero = [frozenset(p for p in c.parts if values[p]) for c in constraints]
    zeros = frozenset(c.margin for c, parts in zip(constraints, nonzero, strict=True) if not parts)
    insiders = []
    for _owner, keys in sorted(grouped.items(), key=lambda item: repr(item[0])):
        known = frozenset(keys)
        positions = {p for key in keys for p in holding.get(key, ())}
        own = {
            constraints[p].margin
            for p in positions
            if len(nonzero[p]) <= len(known) and nonzero[p] <= known
        }
        insiders.append(
            _Insider(known, {key: tuple(holding.get(key, ())) for key in keys}, zeros | own)
        )
    return insiders


def _candidate(values, status, constraint: Constraint, exclude=frozenset()):
    """The smallest published part ≥ 11 of the equation, else its margin when published;
    never a cell in `exclude` (an insider's own cells: hiding them would not help)."""
    parts = sorted(
        (
            k
            for k in constraint.parts
            if status[k] == PUBLISHED and values[k] >= THRESHOLD and k not in exclude
        ),
        key=lambda k: (values[k], repr(k)),
    )
    if parts:
        return parts[0]
    margin = constraint.margin
    if status[margin] == PUBLISHED and values[margin] >= THRESHOLD and margin not in exclude:
        return margin
    return None


def _outsider_fixes(values, status, constraints, bases, sums) -> tuple[set, bool]:
    """Cells to hide so that no hidden cell can be recomputed from the published ones, and
    whether some leak has no cell left to hide. Every equation that pins a cell gets one
    more hidden cell per pass; the rank test runs once the equations are quiet.

    `sums`: each equation's `_EquationSums` for this status, shared with the insiders."""
    to_hide, stuck = set(), False
    nobody = frozenset()
    for c, equation in zip(constraints, sums, strict=True):
        if next(iter(equation.pinned_for(nobody)), None) is not None:
            candidate = _candidate(values, status, c)
            if candidate is None:
                stuck = True
            else:
                to_hide.add(candidate)
    if to_hide or stuck:
        return to_hide, stuck
    determined = set(linearly_determined(values, status, constraints, bases))
    if not determined:
        return set(), False
    for c in constraints:
        if determined & {c.margin, *c.parts}:
            candidate = _candidate(values, status, c)
            if candidate is not None:
                return {candidate}, False
    return set(), True


def insider_view(status: dict, known: frozenset) -> dict:
    """The statuses as an insider sees them: their own cells are known exactly."""
    return {k: (PUBLISHED if k in known else s) for k, s in status.items()}


def _insider_fixes(values, status, constraints, insiders, bases, sums) -> tuple[set, bool]:
    """Cells to hide so that no structure, knowing its own cells, can recompute somebody
    else's small count: per equation (bounds), then across equations (exact rank test).

    Called once the outsiders' audit is quiet: knowing a published cell then tells nothing
    more, so each insider is audited on the equations that hold one of its hidden cells
    only, and an insider whose cells are all published is skipped."""
    to_hide, stuck = set(), False

    def protected(k, insider) -> bool:
        # A small total made only of the insider's own count and zeros is theirs to know.
        return status[k] == PRIMARY and k not in insider.known and k not in insider.margins_own

    audited = []
    for insider in insiders:
        hidden_known = frozenset(k for k in insider.known if status[k] != PUBLISHED)
        if not hidden_known:
            continue
        audited.append(insider)
        positions = sorted({p for k in hidden_known for p in insider.holding[k]})
        for position in positions:
            if not any(protected(k, insider) for k in sums[position].pinned_for(hidden_known)):
                continue
            c = constraints[position]
            candidate = _candidate(values, status, c, exclude=insider.known)
            if candidate is None:
                stuck = True
            else:
                to_hide.add(candidate)
    if to_hide or stuck:
        return to_hide, stuck
    hidden, basis = _echelon(status, constraints, bases)
    index = {k: i for i, k in enumerate(hidden)}
    rows_with = _rows_with(basis)
    determined = {i for i, row in basis.items() if len(row) == 1}
    for insider in audited:
        known = {index[k] for k in insider.known if k in index}
        if not known:
            continue
        leaked = {
            hidden[i]
            for i in _determined_knowing(basis, known, rows_with, determined)
            if protected(hidden[i], insider)
        }
        if not leaked:
            continue
        # Widen an equation of a leaked cell, else one of the cells it is tied to in the
        # reduced basis (the chain the insider's knowledge completes).
        tied = set(leaked)
        for row in basis.values():
            if any(index[k] in row for k in leaked):
                tied |= {hidden[i] for i in row}
        candidate = next(
            (
                found
                for cells in (leaked, tied)
                for c in constraints
                if cells & {c.margin, *c.parts}
                and (found := _candidate(values, status, c, exclude=insider.known)) is not None
            ),
            None,
        )
        if candidate is None:
            stuck = True
        else:
            to_hide.add(candidate)  # one per insider and pass: the basis is then recomputed
    return to_hide, stuck and not to_hide


def label(value, status: str) -> str:
    """How a cell is printed."""
    if status == PRIMARY:
        return PRIMARY_LABEL
    if status in (SECONDARY, DOMINANCE):
        return SECONDARY_LABEL
    return str(value)
