"""What is published of a dashboard: figures formatted, small counts suppressed.

`publish_dashboard()` turns computed figures into one JSON-ready document. The page, the
CSV/XLSX exports and the funder PDF all render that same document (the PDF from its frozen
copy), so they cannot disagree, and suppressed values never reach a template: a hidden cell
is only its label ("< 11" or "s").

The suppression grid is built in `reporting.published_grid`, each row's cells in
`reporting.published_cells`, numbers and names in `reporting.formats`.
"""

import datetime as dt

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from participants.enums import DgefpCategory
from programmes.enums import TargetMetric
from web.jinja2 import render_fragment

from . import charts, trajectory_charts
from .figures import CATEGORY_CODES, Indicators, rate_flags
from .formats import Numbers, indicator_labels, month_label
from .published_cells import COUNT_KEYS, columns_for, is_count, row_cells
from .published_grid import comparison_status, dashboard_status
from .published_outcomes import publish_followup, publish_orientations
from .published_targets import publish_target_overview, target_panels
from .published_trajectory import publish_trajectory
from .suppression import DOMINANCE, PUBLISHED, SECONDARY, label

# The name tests/reporting/test_number_formats.py knows it by.
_month_label = month_label


def _shown(num: Numbers, status: dict, row_key, col, value) -> tuple[int | None, str]:
    """A count as published: (the number when published, else None; its printed text)."""
    st = status[(row_key, col)]
    return (value if st == PUBLISHED else None), label(num.count(value), st)


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
    columns = columns_for(programme)
    count_cols = [c for c in columns if is_count(c)]
    structure_ids = sorted(
        table.by_structure,
        key=lambda pk: dashboard.structures[pk].name if pk in dashboard.structures else "",
    )
    # Territory-level cells aggregate structures: the dominance rule applies to them.
    territorial = suppressed and scope.territory is not None
    decided = dashboard_status(
        dashboard,
        structure_ids,
        count_cols,
        suppressed=suppressed,
        territorial=territorial,
        stored_audits=True,
    )
    status = decided.status
    # What the key figures, the gauge and the categories show: the territory's total, or on
    # a drill-down the structure's row.
    head_key = focus if focus is not None else "total"
    head = table.by_structure.get(focus) if focus is not None else table.total
    if head is None:  # the structure has no parcours in the period
        head_key = "empty"
        head = Indicators(days_in_period=period.days, **rate_flags(programme))
        for col in [*count_cols, "cat:unknown"]:
            status[(head_key, col)] = PUBLISHED
    head_hidden = decided.total_hidden if focus is None else decided.row_hidden.get(focus, set())
    head_cells = row_cells(num, head, columns, status, head_key, suppressed, hidden=head_hidden)
    document = {
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
        "headline": _headline(num, status, head_key, head, columns, head_cells),
        "target": _target(num, status, table.total, decided.total_hidden)
        if focus is None
        else None,
        "categories": _categories(num, status, head_key, head),
        "months": _months(num, status, dashboard.months) if focus is None else [],
        "columns": columns,
        "column_labels": _column_labels(columns),
        "rows": []
        if focus is not None
        else _structure_rows(dashboard, num, columns, decided, structure_ids),
        "total_cells": head_cells,
        "generated_on": (generated_on or dt.date.today()).isoformat(),
        # The language its words and numbers are written in (the PDF is rendered in it).
        "language": get_language() or settings.LANGUAGE_CODE,
    }
    document["trajectory"] = (
        publish_trajectory(
            dashboard.trajectory,
            dashboard_status=status,
            months=dashboard.months,
            suppressed=suppressed,
            territorial=territorial,
        )
        if focus is None
        else None
    )
    figures_after = dashboard.outcomes
    if figures_after is not None:
        document["followup"] = publish_followup(
            figures_after, suppressed=suppressed, territorial=territorial
        )
        document["orientations"] = publish_orientations(
            figures_after, suppressed=suppressed, territorial=territorial
        )
    return document


def _column_labels(columns: list[str]) -> list[str]:
    labels = indicator_labels()
    category_labels = dict(DgefpCategory.choices)
    return [str(category_labels[c[4:]]) if c.startswith("cat:") else labels[c] for c in columns]


def _headline(num, status, head_key, head, columns, head_cells) -> list[dict]:
    """The key figures: the four counts, then the rates, durations and hours as printed in
    the head row."""
    labels = indicator_labels()
    headline = []
    for key in COUNT_KEYS:
        number, text = _shown(num, status, head_key, key, getattr(head, key))
        headline.append({"key": key, "label": labels[key], "value": text, "number": number})
    for key in [c for c in columns if not is_count(c)]:
        headline.append(
            {
                "key": key,
                "label": labels[key],
                "value": head_cells[columns.index(key)],
                "number": None,
            }
        )
    return headline


def _target(num, status, total: Indicators, total_hidden: set[str]) -> dict | None:
    """The territory's target and its attainment (the gauge), when one matches P."""
    if not (total.target and total.target_metric):
        return None
    metric = total.target_metric
    if metric in COUNT_KEYS:
        achieved_number, achieved_text = _shown(
            num, status, "total", metric, getattr(total, metric)
        )
    elif "hours_worked" in total_hidden:
        achieved_number, achieved_text = None, num.hidden
    else:
        achieved_number = float(total.hours_worked)
        achieved_text = num.decimal(total.hours_worked, 0)
    return {
        "metric": metric,
        "metric_label": str(TargetMetric(metric).label),
        "value": total.target,
        "achieved": achieved_text,
        "attainment": num.rate(total.attainment) if achieved_number is not None else num.hidden,
    }


def _categories(num, status, head_key, head: Indicators) -> list[dict]:
    category_labels = dict(DgefpCategory.choices)
    categories = []
    for code in CATEGORY_CODES:
        number, text = _shown(num, status, head_key, f"cat:{code}", head.exits_by_category[code])
        categories.append(
            {"code": code, "label": str(category_labels[code]), "value": text, "number": number}
        )
    return categories


def _months(num, status, points) -> list[dict]:
    months = []
    for point in points:
        e_number, e_text = _shown(num, status, point.month, "entries", point.entries)
        x_number, x_text = _shown(num, status, point.month, "exits", point.exits)
        months.append(
            {
                "month": point.month.isoformat()[:7],
                "label": month_label(point.month),
                "entries": e_text,
                "entries_number": e_number,
                "exits": x_text,
                "exits_number": x_number,
            }
        )
    return months


def _structure_rows(dashboard, num, columns, decided, structure_ids) -> list[dict]:
    """One row per structure of the table (`structure_ids`: sorted by name)."""
    table, names = dashboard.table, dashboard.structures
    return [
        {
            "name": names[pk].name if pk in names else "",
            "slug": names[pk].slug if pk in names else "",
            "cells": row_cells(
                num,
                table.by_structure[pk],
                columns,
                decided.status,
                pk,
                dashboard.scope.suppressed,
                hidden=decided.row_hidden.get(pk, set()),
            ),
        }
        for pk in structure_ids
    ]


def charts_for(published: dict) -> dict[str, str]:
    """The SVG charts of a published document (the same call for the page and the PDF)."""
    accompanied = next(h for h in published["headline"] if h["key"] == "accompanied")
    target = published["target"]
    gauge_value = charts.Value(accompanied["number"], accompanied["value"])
    gauge_target = target["value"] if target and target["metric"] == "accompanied" else None
    svg = {
        # The share printed under the ring is the document's own attainment, written once.
        "gauge": charts.gauge(
            prefix="g",
            title=_("Personnes accompagnées par rapport à l'objectif"),
            value=gauge_value,
            target=gauge_target,
            target_text=Numbers.current().count(gauge_target) if gauge_target else "",
            caption=_("personnes accompagnées"),
            ratio_caption=_("de l'objectif"),
            ratio_text=target["attainment"] if gauge_target else "",
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
    trajectory = published.get("trajectory")
    if trajectory and trajectory["months"]:
        svg["trajectory"] = trajectory_charts.trajectory(
            prefix="t", trajectory=trajectory, labels=trajectory_labels(trajectory)
        )
    # Every text node of the SVG is escaped by reporting.charts: safe to insert as markup.
    return {name: mark_safe(markup) for name, markup in svg.items()}  # noqa: S308


def target_overview_chart(targets: list[dict]) -> str:
    """The national view's small multiples: one bar per territory against its target."""
    if not targets:
        return ""
    svg = trajectory_charts.small_multiples(
        prefix="sm",
        title=_("Atteinte des objectifs par territoire"),
        panels=target_panels(
            targets,
            _("%(value)s / %(target)s · à ce rythme : %(projection)s"),
            _("%(value)s / %(target)s"),
        ),
    )
    # Every text node is escaped by reporting.trajectory_charts.
    return mark_safe(svg)  # noqa: S308


def trajectory_labels(trajectory: dict) -> trajectory_charts.Labels:
    """The words of the trajectory chart ("à ce rythme : 104 / 118 au 31/12")."""
    projection = ""
    if trajectory["projection"] is not None:
        projection = _("à ce rythme : %(projection)s / %(target)s au %(end)s") % {
            "projection": trajectory["projection_text"],
            "target": trajectory["target_text"],
            "end": trajectory["period"]["end_label"],
        }
    return trajectory_charts.Labels(
        title=_("Trajectoire par rapport à l'objectif"),
        accompanied=_("Personnes accompagnées (cumul)"),
        entries=_("Entrées (cumul)"),
        target=_("Objectif : %(target)s") % {"target": trajectory["target_text"]},
        projection=projection,
    )


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
                "body_html": render_fragment(
                    "reporting/structure_rows.html", {"rows": rows, "link_period": link_period}
                )
                if markup
                else "",
                "total": [published["total_cells"][i] for i in idx],
            }
        )
    return result


def structure_tables(groups: list[dict]) -> SafeString:
    """The structure tables of a dashboard (`column_groups(..., markup=True)`), as markup:
    their headers and totals printed by a Jinja2 fragment, their rows already rendered."""
    return render_fragment("reporting/structure_tables.html", {"groups": groups})


def month_rows(published: dict) -> SafeString:
    """The rows of the monthly chart's data table, as markup (none when the months are
    withheld: the page then prints no table)."""
    return render_fragment("reporting/month_rows.html", {"months": published["months"]})


def period_options(choices: list[dict]) -> SafeString:
    """The period selector's options (`views._period_choices`), as markup: every dashboard
    offers about fifty periods, a Jinja2 fragment's loop instead of Django's."""
    return render_fragment("reporting/period_options.html", {"choices": choices})


def publish_comparison(comparison, *, today: dt.date | None = None) -> dict:
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
    status, duration_hidden = comparison_status(comparison, [c for c in columns if is_count(c)])
    num = Numbers.current()
    rows = [
        {
            "name": territory.name,
            "slug": territory.slug,
            "cells": row_cells(
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
        "column_labels": _column_labels(columns),
        "rows": rows,
        "targets": publish_target_overview(
            comparison, status, suppressed=suppressed, today=today or dt.date.today()
        ),
    }
