"""The suppression grid of a published document: every count it prints, the equations
that tie them together (rows → total, categories → exits, months → total, a territory →
the territories it contains), which cells fail the dominance rule, and the statuses
`reporting.suppression` gives them; and the hours (and FTE) withheld for cells of fewer
than 11 persons (`withheld_hours`). See docs/indicators.md, "Secret statistique"."""

from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter

from . import audits
from .figures import CATEGORY_CODES
from .published_cells import count
from .suppression import (
    PUBLISHED,
    THRESHOLD,
    Constraint,
    contributions,
    is_dominated,
    suppress,
)


@dataclass
class Grid:
    """The cells of a document with their equations, before suppression."""

    values: dict = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    dominated: set = field(default_factory=set)
    owners: dict | None = None  # per-structure cell → its structure (insider audit)
    # Statuses may come from the audits the background job stored (reporting.audits).
    stored: bool = False

    def statuses(self, suppressed: bool) -> dict:
        if not suppressed:
            return dict.fromkeys(self.values, PUBLISHED)
        if self.stored:
            # A dashboard page's grid: its audit may have been computed by the job.
            return audits.statuses(
                self.values, self.constraints, dominated=self.dominated, owners=self.owners
            )
        return suppress(self.values, self.constraints, dominated=self.dominated, owners=self.owners)


@dataclass
class DashboardStatus:
    """What suppression decided for a dashboard: each count's status, the derived columns
    of the total row the dominance rule hides, and those of structure rows."""

    status: dict
    total_hidden: set[str]
    row_hidden: dict


# The parts of a row's exits: its exit categories, then the exits of no recorded category.
_EXITS_PARTS = (*(f"cat:{c}" for c in CATEGORY_CODES), "cat:unknown")


def _exits_parts(row_key) -> Constraint:
    """exits = Σ exits by category + exits of no recorded category."""
    return Constraint((row_key, "exits"), tuple((row_key, col) for col in _EXITS_PARTS))


def _table_cells(grid: Grid, table, structure_ids, count_cols, territorial: bool) -> None:
    """The total and structure rows: their counts, exits = Σ categories on each row, and
    total = Σ rows on each column (dominance on the total when `territorial`)."""
    grid_cols = [*count_cols, "cat:unknown"]
    # Each column read as `published_cells.count` reads it, decided once per column (a
    # région's grid has thousands of cells); the cells in the same order as ever (the
    # stored audits are found by the grid's fingerprint).
    readers = [(col, col[4:] if col.startswith("cat:") else None) for col in count_cols]
    values = grid.values
    rows = [("total", table.total)] + [(pk, table.by_structure[pk]) for pk in structure_ids]
    for row_key, fig in rows:
        by_category = fig.exits_by_category
        for col, code in readers:
            values[(row_key, col)] = getattr(fig, col) if code is None else by_category.get(code, 0)
        values[(row_key, "cat:unknown")] = fig.exits - sum(by_category.values())
        grid.constraints.append(_exits_parts(row_key))
        if row_key != "total":
            grid.owners.update({(row_key, col): row_key for col in grid_cols})
    if structure_ids:
        for col in grid_cols:
            parts = tuple(zip(structure_ids, repeat(col)))  # (pk, col) of every row
            grid.constraints.append(Constraint(("total", col), parts))
    if territorial:
        for col in grid_cols:
            parts = [values[pk, col] for pk in structure_ids]
            if is_dominated(values["total", col], *contributions(parts)):
                grid.dominated.add(("total", col))


def _month_cells(grid: Grid, months, territorial: bool) -> None:
    """Each month's entries and exits, and the year's total = Σ months."""
    for point in months:
        grid.values[(point.month, "entries")] = point.entries
        grid.values[(point.month, "exits")] = point.exits
        if territorial:
            if is_dominated(point.entries, point.entries_structures, point.entries_top):
                grid.dominated.add((point.month, "entries"))
            if is_dominated(point.exits, point.exits_structures, point.exits_top):
                grid.dominated.add((point.month, "exits"))
    if months:
        for col in ("entries", "exits"):
            grid.constraints.append(
                Constraint(("total", col), tuple((p.month, col) for p in months))
            )


def dashboard_status(
    dashboard,
    structure_ids,
    count_cols,
    *,
    suppressed: bool,
    territorial: bool,
    stored_audits: bool = False,
) -> DashboardStatus:
    """The statuses of a dashboard's counts (`territorial`: its territory-level cells obey
    the dominance rule) and the derived cells that dominance hides; with `stored_audits`,
    read from the audit the background job stored for the identical grid, if any."""
    grid = Grid(owners={}, stored=stored_audits)
    _table_cells(grid, dashboard.table, structure_ids, count_cols, territorial)
    _month_cells(grid, dashboard.months, territorial)
    status = grid.statuses(suppressed)
    total_hidden: set[str] = set()
    row_hidden: dict = {}
    table = dashboard.table
    if territorial:
        total_hidden, hours_dominated = _derived_dominance(table, structure_ids)
        if hours_dominated and structure_ids:
            # The territory's hours are the sum of the rows': hide the largest row's too.
            top = max(structure_ids, key=lambda pk: table.by_structure[pk].hours_worked)
            row_hidden[top] = {"hours_worked", "fte"}
    if suppressed:
        total_withheld, rows_withheld = withheld_hours(
            table.total.accompanied,
            {pk: table.by_structure[pk].accompanied for pk in structure_ids},
            total_hidden="hours_worked" in total_hidden,
        )
        if total_withheld:
            total_hidden |= HOURS
        for pk in rows_withheld:
            row_hidden.setdefault(pk, set()).update(HOURS)
    return DashboardStatus(status, total_hidden, row_hidden)


HOURS = {"hours_worked", "fte"}


def withheld_hours(
    total_headcount: int, headcounts: dict, *, total_hidden: bool = False
) -> tuple[bool, set]:
    """Whether the total's hours (and FTE) are withheld, and the rows whose are.

    Hours worked by fewer than 11 persons are as telling as a small count: the hours and
    FTE of a cell whose headcount (`accompanied`) is 1–10 are withheld, the total's
    included. The total's hours are the sum of the rows', so whatever the published rows
    leave out can be recomputed: the rows withheld must together gather ≥ 11 persons even
    for a structure that subtracts its own row (an insider). More rows (of ≥ 11 persons)
    are withheld, fewest persons first, until that holds; when no choice of rows makes it
    hold, the total's hours are withheld instead. A withheld total leaves at least two
    unknowns in that one equation (it and each withheld row), so nothing more needs hiding.
    (`total_hidden`: the dominance rule already withholds the total's hours.)
    """
    small = {pk for pk, n in headcounts.items() if 1 <= n < THRESHOLD}
    total_withheld = total_hidden or 1 <= total_headcount < THRESHOLD
    if total_withheld or not small:
        return total_withheld, small

    def protected(rows: set) -> bool:
        gathered = sum(headcounts[pk] for pk in rows)
        return all(gathered - headcounts[pk] >= THRESHOLD for pk in rows)

    rows = set(small)
    others = sorted(
        (pk for pk, n in headcounts.items() if n >= THRESHOLD),
        key=lambda pk: (headcounts[pk], repr(pk)),
    )
    while not protected(rows) and others:
        rows.add(others.pop(0))
    if protected(rows):
        return False, rows
    return True, small


def _derived_dominance(table, structure_ids) -> tuple[set[str], bool]:
    """The derived columns of the total row that fail the dominance rule, and whether the
    total's hours do (rates follow their numerator and denominator, the average duration
    the summed durations, FTE the hours)."""
    rows = [table.by_structure[pk] for pk in structure_ids]
    total = table.total

    def dominated(attr) -> bool:
        value = getattr(total, attr)
        return is_dominated(value, *contributions(getattr(r, attr) for r in rows))

    hidden = set()
    if dominated("duration_days"):
        hidden.add("average_duration_months")
    if dominated("housing_denominator") or dominated("housing_numerator"):
        hidden.add("housing_access_rate")
    if dominated("phc_continuations"):
        hidden.add("phc_continuation_rate")
    hours = dominated("hours_worked")
    if hours:
        hidden |= {"hours_worked", "fte"}
    return hidden, hours


def _parts(parts, col: str) -> list:
    """Each part's count `col` (published_cells.count, one attribute read for the column)."""
    if col.startswith("cat:"):
        code = col[4:]
        return [p.exits_by_category.get(code, 0) for p in parts]
    return list(map(attrgetter(col), parts))


def comparison_status(comparison, count_cols) -> tuple[dict, set]:
    """The national view's statuses, and the territories whose average duration the
    dominance rule hides. Every row aggregates structures (dominance on each count); a
    territory containing others is tied to them by parent = Σ children + rest."""
    suppressed = comparison.suppressed
    grid = Grid()
    duration_hidden: set = set()
    for territory in comparison.territories:
        tid = territory.pk
        fig = comparison.figures[tid]
        parts = comparison.by_structure.get(tid, [])
        for col in count_cols:
            value = grid.values[(tid, col)] = count(fig, col)
            # A zero cell is never dominated: its parts are not read (the national view's
            # territories hold 12,000 structure rows).
            if suppressed and value and is_dominated(value, *contributions(_parts(parts, col))):
                grid.dominated.add((tid, col))
        grid.values[(tid, "cat:unknown")] = fig.exits - sum(fig.exits_by_category.values())
        unknown_parts = (p.exits - sum(p.exits_by_category.values()) for p in parts)
        if suppressed and is_dominated(
            grid.values[(tid, "cat:unknown")], *contributions(unknown_parts)
        ):
            grid.dominated.add((tid, "cat:unknown"))
        if suppressed and is_dominated(
            fig.duration_days, *contributions(p.duration_days for p in parts)
        ):
            duration_hidden.add(tid)
        grid.constraints.append(_exits_parts(tid))
    _enclosing_cells(grid, comparison.enclosing, [*count_cols, "cat:unknown"])
    return grid.statuses(suppressed), duration_hidden


def _enclosing_cells(grid: Grid, enclosing: dict, grid_cols) -> None:
    """parent = Σ children + rest: the rest (never shown) is a cell of the grid, protected
    like any other when it is a small count."""
    children: dict[int, list[int]] = {}
    for child, parent in enclosing.items():
        children.setdefault(parent, []).append(child)
    for parent, kids in children.items():
        for col in grid_cols:
            rest = grid.values[(parent, col)] - sum(grid.values[(k, col)] for k in kids)
            grid.values[(("rest", parent), col)] = rest
            grid.constraints.append(
                Constraint((parent, col), (*((k, col) for k in kids), (("rest", parent), col)))
            )
