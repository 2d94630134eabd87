"""The shortcuts that make suppression fast on large tables give the same answers as plain
computations written independently (random grids, random statuses, random insiders)."""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.suppression import (
    DOMINANCE,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    _determined_knowing,
    _echelon,
    _EquationSums,
    _insert,
    _rows_with,
    insider_view,
)
from tests.hypothesis_profiles import examples
from tests.reporting.test_suppression import _recomputable_on_one_equation, _table

STATUSES = st.sampled_from([PUBLISHED, PRIMARY, SECONDARY, DOMINANCE])
grids = st.integers(1, 5).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=1, max_size=6
    )
)


def _plain_determined_knowing(basis, known):
    """The straightforward version: copy every row, drop the known columns, re-reduce."""
    reduced, pending = {}, []
    for pivot, row in basis.items():
        kept = {i: v for i, v in row.items() if i not in known}
        (pending.append(kept) if pivot in known else reduced.__setitem__(pivot, kept))
    for row in pending:
        _insert(reduced, row)
    return {i for i, row in reduced.items() if len(row) == 1}


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids, st.data())
def test_equation_sums_pin_what_interval_reasoning_pins(cells, data):
    """Against the property tests' own interval checker, run on the insider's view (their
    known cells published): one sum per equation adjusted for the known cells gives the
    same pinned cells as reasoning on every cell of the equation."""
    values, constraints = _table(cells)
    status = {k: data.draw(STATUSES) for k in values}
    known = frozenset(k for k in values if data.draw(st.booleans()))
    view = insider_view(status, known)
    for c in constraints:
        assert sorted(_EquationSums(values, status, c).pinned_for(known), key=repr) == sorted(
            set(_recomputable_on_one_equation(values, view, [c])), key=repr
        )


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids, st.data())
def test_shared_rows_knowing_gives_the_plain_answer_and_leaves_the_basis_alone(cells, data):
    values, constraints = _table(cells)
    status = {k: data.draw(STATUSES) for k in values}
    hidden, basis = _echelon(status, constraints)
    if not hidden:
        return
    known = {i for i in range(len(hidden)) if data.draw(st.booleans())}
    before = copy.deepcopy(basis)
    assert _determined_knowing(basis, known, _rows_with(basis)) == _plain_determined_knowing(
        before, known
    )
    assert basis == before
