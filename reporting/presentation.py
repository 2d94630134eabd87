"""What is published of a dashboard: figures formatted, small counts suppressed.

`publish_dashboard()` turns computed figures into one JSON-ready document. The page, the
CSV/XLSX exports and the funder PDF all render that same document (the PDF from its frozen
copy), so they cannot disagree, and suppressed values never reach a template: a hidden cell
is only its label ("< 11" or "s").
"""

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from participants.enums import DgefpCategory
from programmes.enums import TargetMetric

from . import charts
from .indicators import CATEGORY_CODES, Indicators
from .suppression import (
    DOMINANCE,
    PUBLISHED,
    SECONDARY,
    Constraint,
    contributions,
    is_dominated,
    is_small,
    label,
    suppress,
)

COUNT_KEYS = ["accompanied", "active_at_end", "entries", "exits"]
NO_BREAK = "\u202f"


def indicator_labels() -> dict[str, str]:
    return {
        "accompanied": _("Personnes accompagnées"),
        "active_at_end": _("File active en fin de période"),
        "entries": _("Entrées"),
        "exits": _("Sorties"),
        "dynamic_exit_rate": _("Taux de sorties dynamiques"),
        "average_duration_months": _("Durée moyenne des parcours sortis (mois)"),
        "hours_worked": _("Heures travaillées"),
        "fte": _("ETP"),
        "housing_access_rate": _("Accès au logement (Convergence)"),
        "phc_continuation_rate": _("Suite de parcours après Premières Heures"),
    }


@dataclass(frozen=True)
class Numbers:
    """How figures are written in the active language: 12 345,6 in French (narrow no-break
    space), 12,345.6 in English. Decided once per document: a région's page formats
    thousands of cells, and looking the language up costs more than formatting a number."""

    french: bool
    hidden: str  # a derived value that may not be published ("s")

    @classmethod
    def current(cls) -> "Numbers":
        return cls((get_language() or "fr").startswith("fr"), _("s"))

    def count(self, value: int) -> str:
        return f"{value:,}".replace(",", NO_BREAK) if self.french else f"{value:,}"

    def decimal(self, value: Decimal | float | None, places: int = 1) -> str:
        if value is None:
            return "–"
        text = f"{float(value):,.{places}f}"
        return text.replace(",", NO_BREAK).replace(".", ",") if self.french else text

    def rate(self, value: Decimal | float | None) -> str:
        if value is None:
            return "–"
        return self.decimal(100 * float(value), 1) + (NO_BREAK + "%" if self.french else "%")


# French abbreviations as INSEE writes them (Django's own French catalogue says "jan.").
MONTHS_SHORT = [
    pgettext_lazy("abbreviated month", "janv."),
    pgettext_lazy("abbreviated month", "févr."),
    pgettext_lazy("abbreviated month", "mars"),
    pgettext_lazy("abbreviated month", "avr."),
    pgettext_lazy("abbreviated month", "mai"),
    pgettext_lazy("abbreviated month", "juin"),
    pgettext_lazy("abbreviated month", "juil."),
    pgettext_lazy("abbreviated month", "août"),
    pgettext_lazy("abbreviated month", "sept."),
    pgettext_lazy("abbreviated month", "oct."),
    pgettext_lazy("abbreviated month", "nov."),
    pgettext_lazy("abbreviated month", "déc."),
]


def _month_label(month: dt.date) -> str:
    """« janv. 25 » in French, « Jan. 25 » in English."""
    return f"{MONTHS_SHORT[month.month - 1]} {month:%y}"


def _columns(programme_code: str) -> list[str]:
    cols = [*COUNT_KEYS, *(f"cat:{c}" for c in CATEGORY_CODES)]
    cols += ["dynamic_exit_rate", "average_duration_months", "hours_worked", "fte"]
    if programme_code == "CVG":
        cols.append("housing_access_rate")
    if programme_code == "PHC":
        cols.append("phc_continuation_rate")
    return cols


def _count(fig: Indicators, key: str) -> int:
    if key.startswith("cat:"):
        return fig.exits_by_category.get(key[4:], 0)
    return getattr(fig, key)


def _safe_rate(num: Numbers, rate, numerator: int, denominator: int, parts_published: bool) -> str:
    """A rate is published only when neither it nor its complement reveals a small count."""
    if rate is None:
        return "–"
    if is_small(numerator) or is_small(denominator - numerator) or not parts_published:
        return num.hidden
    if denominator < 11:
        return num.hidden
    return num.rate(rate)


def _row_cells(
    num: Numbers, fig: Indicators, columns, status, row_key, suppressed: bool, hidden=frozenset()
) -> list[str]:
    """The printed cells of one row. `hidden`: derived columns (rates, durations, hours)
    that the dominance rule hides on this row."""
    cells = []
    for col in columns:
        if col in hidden:
            cells.append(num.hidden)
            continue
        if col in COUNT_KEYS or col.startswith("cat:"):
            value = _count(fig, col)
            cells.append(
                label(num.count(value), status[(row_key, col)]) if suppressed else num.count(value)
            )
        elif col == "dynamic_exit_rate":
            if not suppressed:
                cells.append(num.rate(fig.dynamic_exit_rate))
            else:
                parts = (
                    all(status[(row_key, f"cat:{c}")] == PUBLISHED for c in CATEGORY_CODES)
                    and status[(row_key, "exits")] == PUBLISHED
                )
                cells.append(
                    _safe_rate(
                        num,
                        fig.dynamic_exit_rate,
                        fig.dynamic_exits,
                        fig.dynamic_denominator,
                        parts,
                    )
                )
        elif col == "average_duration_months":
            hide = suppressed and fig.exits and fig.exits < 11
            cells.append(num.hidden if hide else num.decimal(fig.average_duration_months, 1))
        elif col == "hours_worked":
            cells.append(num.decimal(fig.hours_worked, 0))
        elif col == "fte":
            cells.append(num.decimal(fig.fte, 2))
        elif col == "housing_access_rate":
            rate = fig.housing_access_rate
            cells.append(
                _safe_rate(num, rate, fig.housing_numerator, fig.housing_denominator, True)
                if suppressed
                else num.rate(rate)
            )
        elif col == "phc_continuation_rate":
            rate = fig.phc_continuation_rate
            cells.append(
                _safe_rate(num, rate, fig.phc_continuations, fig.exits, True)
                if suppressed
                else num.rate(rate)
            )
    return cells


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


def publish_dashboard(dashboard, *, generated_on: dt.date | None = None) -> dict:
    """The published document of a dashboard (see the module docstring).

    For coordinators and funders (`scope.suppressed`), on a territory: counts 1–10 are
    "< 11"; the territory-level cells (the total row, the key figures, the months, the exit
    categories) also obey the dominance rule (≥ 3 structures, none > 85 %); the rows per
    structure are published with the small-count rule only, and every hidden cell is kept
    from being recomputed, by an outsider or by a structure knowing its own figures
    (docs/indicators.md, "Secret statistique"). A drill-down to one structure publishes
    that structure's row of the same suppressed territory grid (the dashboard holds the
    whole territory's figures), without the monthly series.
    """
    scope, period, table = dashboard.scope, dashboard.period, dashboard.table
    programme = scope.programme
    num = Numbers.current()
    suppressed = scope.suppressed
    focus = scope.structure.pk if (suppressed and scope.structure is not None) else None
    columns = _columns(programme.code)
    count_cols = [c for c in columns if c in COUNT_KEYS or c.startswith("cat:")]
    structure_ids = sorted(
        table.by_structure,
        key=lambda pk: dashboard.structures[pk].name if pk in dashboard.structures else "",
    )
    # Territory-level cells aggregate structures: the dominance rule applies to them.
    territorial = suppressed and scope.territory is not None

    # The grid of every published count and the equations that tie them together.
    values: dict = {}
    owners: dict = {}
    dominated: set = set()
    constraints: list[Constraint] = []
    rows = [("total", table.total)] + [(pk, table.by_structure[pk]) for pk in structure_ids]
    for row_key, fig in rows:
        for col in count_cols:
            values[(row_key, col)] = _count(fig, col)
        unknown = fig.exits - sum(fig.exits_by_category.values())
        values[(row_key, "cat:unknown")] = unknown
        constraints.append(
            Constraint(
                (row_key, "exits"),
                (*((row_key, f"cat:{c}") for c in CATEGORY_CODES), (row_key, "cat:unknown")),
            )
        )
        if row_key != "total":
            owners.update({(row_key, col): row_key for col in [*count_cols, "cat:unknown"]})
    if structure_ids:
        for col in [*count_cols, "cat:unknown"]:
            constraints.append(Constraint(("total", col), tuple((pk, col) for pk in structure_ids)))
    if territorial:
        for col in [*count_cols, "cat:unknown"]:
            parts = (values[(pk, col)] for pk in structure_ids)
            if is_dominated(values[("total", col)], *contributions(parts)):
                dominated.add(("total", col))
    for point in dashboard.months:
        values[(point.month, "entries")] = point.entries
        values[(point.month, "exits")] = point.exits
        if territorial:
            if is_dominated(point.entries, point.entries_structures, point.entries_top):
                dominated.add((point.month, "entries"))
            if is_dominated(point.exits, point.exits_structures, point.exits_top):
                dominated.add((point.month, "exits"))
    if dashboard.months:
        for col in ("entries", "exits"):
            constraints.append(
                Constraint(("total", col), tuple((p.month, col) for p in dashboard.months))
            )
    status = (
        suppress(values, constraints, dominated=dominated, owners=owners)
        if suppressed
        else dict.fromkeys(values, PUBLISHED)
    )
    total_hidden: set[str] = set()
    row_hidden: dict = {}
    if territorial:
        total_hidden, hours_dominated = _derived_dominance(table, structure_ids)
        if hours_dominated and structure_ids:
            # The territory's hours are the sum of the rows': hide the largest row's too.
            top = max(structure_ids, key=lambda pk: table.by_structure[pk].hours_worked)
            row_hidden[top] = {"hours_worked", "fte"}

    labels = indicator_labels()
    category_labels = dict(DgefpCategory.choices)
    column_labels = [
        str(category_labels[c[4:]]) if c.startswith("cat:") else labels[c] for c in columns
    ]
    # What the key figures, the gauge and the categories show: the territory's total, or on
    # a drill-down the structure's row.
    head_key = focus if focus is not None else "total"
    head = table.by_structure.get(focus) if focus is not None else table.total
    if head is None:  # the structure has no parcours in the period
        head_key = "empty"
        head = Indicators(days_in_period=period.days, programme_code=programme.code)
        for col in [*count_cols, "cat:unknown"]:
            status[(head_key, col)] = PUBLISHED

    def shown(row_key, col, value) -> tuple[int | None, str]:
        st = status[(row_key, col)]
        return (value if st == PUBLISHED else None), label(num.count(value), st)

    total = table.total
    headline = []
    for key in COUNT_KEYS:
        number, text = shown(head_key, key, getattr(head, key))
        headline.append({"key": key, "label": labels[key], "value": text, "number": number})
    head_cells = _row_cells(
        num,
        head,
        columns,
        status,
        head_key,
        suppressed,
        hidden=total_hidden if focus is None else row_hidden.get(focus, set()),
    )
    for key in columns[len(count_cols) :]:
        headline.append(
            {
                "key": key,
                "label": labels[key],
                "value": head_cells[columns.index(key)],
                "number": None,
            }
        )

    target = None
    if focus is None and total.target and total.target_metric:
        metric = total.target_metric
        if metric in COUNT_KEYS:
            achieved_number, achieved_text = shown("total", metric, getattr(total, metric))
        elif "hours_worked" in total_hidden:
            achieved_number, achieved_text = None, num.hidden
        else:
            achieved_number = float(total.hours_worked)
            achieved_text = num.decimal(total.hours_worked, 0)
        target = {
            "metric": metric,
            "metric_label": str(TargetMetric(metric).label),
            "value": total.target,
            "achieved": achieved_text,
            "attainment": num.rate(total.attainment) if achieved_number is not None else num.hidden,
        }

    categories = []
    for code in CATEGORY_CODES:
        number, text = shown(head_key, f"cat:{code}", head.exits_by_category[code])
        categories.append(
            {"code": code, "label": str(category_labels[code]), "value": text, "number": number}
        )

    months = []
    for point in dashboard.months if focus is None else []:
        e_number, e_text = shown(point.month, "entries", point.entries)
        x_number, x_text = shown(point.month, "exits", point.exits)
        months.append(
            {
                "month": point.month.isoformat()[:7],
                "label": _month_label(point.month),
                "entries": e_text,
                "entries_number": e_number,
                "exits": x_text,
                "exits_number": x_number,
            }
        )

    structure_rows = [
        {
            "name": dashboard.structures[pk].name if pk in dashboard.structures else "",
            "slug": dashboard.structures[pk].slug if pk in dashboard.structures else "",
            "cells": _row_cells(
                num,
                table.by_structure[pk],
                columns,
                status,
                pk,
                suppressed,
                hidden=row_hidden.get(pk, set()),
            ),
        }
        for pk in structure_ids
        if focus is None
    ]

    return {
        "programme": {"code": programme.code, "label": programme.label},
        "territory": (
            {"name": scope.territory.name, "slug": scope.territory.slug}
            if scope.territory
            else None
        ),
        "structure": scope.structure.name if scope.structure else None,
        "period": {
            "code": period.code,
            "label": str(period.label),
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "suppressed": suppressed,
        "secondary_used": any(s in (SECONDARY, DOMINANCE) for s in status.values()),
        "months_withheld": focus is not None,
        "headline": headline,
        "target": target,
        "categories": categories,
        "months": months,
        "columns": columns,
        "column_labels": column_labels,
        "rows": structure_rows,
        "total_cells": head_cells,
        "generated_on": (generated_on or dt.date.today()).isoformat(),
    }


def charts_for(published: dict) -> dict[str, str]:
    """The SVG charts of a published document (the same call for the page and the PDF)."""
    accompanied = next(h for h in published["headline"] if h["key"] == "accompanied")
    target = published["target"]
    gauge_value = charts.Value(accompanied["number"], accompanied["value"])
    gauge_target = target["value"] if target and target["metric"] == "accompanied" else None
    svg = {
        "gauge": charts.gauge(
            prefix="g",
            title=_("Personnes accompagnées par rapport à l'objectif"),
            value=gauge_value,
            target=gauge_target,
            caption=_("personnes accompagnées"),
            ratio_caption=_("de l'objectif"),
        ),
        "monthly": charts.grouped_bars(
            prefix="m",
            title=_("Entrées et sorties par mois"),
            categories=[m["label"] for m in published["months"]],
            series=[
                (
                    _("Entrées"),
                    [charts.Value(m["entries_number"], m["entries"]) for m in published["months"]],
                ),
                (
                    _("Sorties"),
                    [charts.Value(m["exits_number"], m["exits"]) for m in published["months"]],
                ),
            ],
        ),
        "categories": charts.horizontal_bars(
            prefix="c",
            title=_("Sorties par catégorie DGEFP"),
            items=[
                (c["label"], charts.Value(c["number"], c["value"])) for c in published["categories"]
            ],
        ),
    }
    # Every text node of the SVG is escaped by reporting.charts: safe to insert as markup.
    return {name: mark_safe(markup) for name, markup in svg.items()}  # noqa: S308


def column_groups(
    published: dict, *, markup: bool = False, link_period: str | None = None
) -> list[dict]:
    """The structure table cut in three (counts, exits by category, rates and hours), so it
    fits a page; each group carries its own labels, rows, total and, with `markup` (the
    page), its rows as markup (`body_html`; `link_period`: each structure's name links to
    its drill-down for that period)."""
    columns = published["columns"]
    groups = [
        (_("Effectifs"), [c for c in columns if c in COUNT_KEYS]),
        (_("Sorties par catégorie DGEFP"), [c for c in columns if c.startswith("cat:")]),
        (
            _("Taux, durées et heures"),
            [c for c in columns if c not in COUNT_KEYS and not c.startswith("cat:")],
        ),
    ]
    result = []
    for title, keys in groups:
        idx = [columns.index(k) for k in keys]
        rows = [
            {"name": r["name"], "slug": r["slug"], "cells": [r["cells"][i] for i in idx]}
            for r in published["rows"]
        ]
        result.append(
            {
                "title": title,
                "labels": [published["column_labels"][i] for i in idx],
                "rows": rows,
                "body_html": _body_html(rows, link_period) if markup else "",
                "total": [published["total_cells"][i] for i in idx],
            }
        )
    return result


def _body_html(rows: list[dict], link_period: str | None) -> str:
    """A group's rows as one escaped string: a région's page has a thousand of them, and the
    template language costs more per row than the figures do. Every value is escaped here
    (names and slugs are typed by users; cells are formatted figures and labels)."""
    esc = html.escape
    # Cells repeat ("< 11", "s", small counts): each distinct one is escaped once.
    cell_markup: dict[str, str] = {}

    def td(cell: str) -> str:
        markup = cell_markup.get(cell)
        if markup is None:
            markup = cell_markup[cell] = f'<td class="text-end">{esc(cell)}</td>'
        return markup

    out = []
    for row in rows:
        name = esc(row["name"])
        if link_period is not None:
            query = f"?periode={esc(link_period)}&amp;structure={esc(row['slug'])}"
            name = f'<a href="{query}">{name}</a>'
        cells = "".join(map(td, row["cells"]))
        out.append(f'<tr><th scope="row">{name}</th>{cells}</tr>')
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


def publish_comparison(comparison) -> dict:
    """The national view's table: one row per territory, small counts suppressed.

    Every row aggregates structures, so the dominance rule applies to each count. Rows are
    not added up, but a territory containing another (a région holds its métropoles) is
    tied to it: parent = Σ children + the rest of the parent, and the rest (never shown)
    is protected like any cell when it is a small count, so that subtracting a métropole
    from its région recomputes nothing hidden.
    """
    suppressed = comparison.suppressed
    columns = [*COUNT_KEYS, *(f"cat:{c}" for c in CATEGORY_CODES)]
    columns += ["dynamic_exit_rate", "average_duration_months"]
    count_cols = [c for c in columns if c in COUNT_KEYS or c.startswith("cat:")]
    grid_cols = [*count_cols, "cat:unknown"]
    values: dict = {}
    dominated: set = set()
    duration_hidden: set = set()
    constraints = []
    for territory in comparison.territories:
        tid = territory.pk
        fig = comparison.figures[tid]
        parts = comparison.by_structure.get(tid, [])
        for col in count_cols:
            values[(tid, col)] = _count(fig, col)
            if suppressed and is_dominated(
                values[(tid, col)], *contributions(_count(p, col) for p in parts)
            ):
                dominated.add((tid, col))
        values[(tid, "cat:unknown")] = fig.exits - sum(fig.exits_by_category.values())
        unknown_parts = (p.exits - sum(p.exits_by_category.values()) for p in parts)
        if suppressed and is_dominated(values[(tid, "cat:unknown")], *contributions(unknown_parts)):
            dominated.add((tid, "cat:unknown"))
        if suppressed and is_dominated(
            fig.duration_days, *contributions(p.duration_days for p in parts)
        ):
            duration_hidden.add(tid)
        constraints.append(
            Constraint(
                (tid, "exits"),
                (*((tid, f"cat:{c}") for c in CATEGORY_CODES), (tid, "cat:unknown")),
            )
        )
    children: dict[int, list[int]] = {}
    for child, parent in comparison.enclosing.items():
        children.setdefault(parent, []).append(child)
    for parent, kids in children.items():
        for col in grid_cols:
            rest = values[(parent, col)] - sum(values[(k, col)] for k in kids)
            values[(("rest", parent), col)] = rest
            constraints.append(
                Constraint((parent, col), (*((k, col) for k in kids), (("rest", parent), col)))
            )
    status = (
        suppress(values, constraints, dominated=dominated)
        if suppressed
        else dict.fromkeys(values, PUBLISHED)
    )
    labels = indicator_labels()
    category_labels = dict(DgefpCategory.choices)
    num = Numbers.current()
    rows = [
        {
            "name": territory.name,
            "slug": territory.slug,
            "cells": _row_cells(
                num,
                comparison.figures[territory.pk],
                columns,
                status,
                territory.pk,
                suppressed,
                hidden={"average_duration_months"} if territory.pk in duration_hidden else set(),
            ),
        }
        for territory in comparison.territories
    ]
    return {
        "programme": {"code": comparison.programme.code, "label": comparison.programme.label},
        "period": {"code": comparison.period.code, "label": str(comparison.period.label)},
        "suppressed": suppressed,
        "column_labels": [
            str(category_labels[c[4:]]) if c.startswith("cat:") else labels[c] for c in columns
        ],
        "rows": rows,
    }
