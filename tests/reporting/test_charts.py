"""The SVG charts' layout decisions seen on the demo: a hidden month does not shrink the
axis, and the trajectory's target and projection words stay out of the plot."""

import html
import re

from reporting import charts, trajectory_charts


def _texts(svg: str) -> list[tuple[float, str]]:
    """(y, words) of every text node (the charts write `y` before the text's other
    attributes and escape the words)."""
    return [
        (float(y), html.unescape(words))
        for y, words in re.findall(r'<text x="[^"]*" y="([^"]*)"[^>]*>([^<]*)</text>', svg)
    ]


def test_hidden_months_keep_an_axis_that_could_hold_them():
    hidden = charts.Value(None, "< 11")
    svg = charts.grouped_bars(
        prefix="m",
        title="Entrées et sorties par mois",
        categories=["janv.", "févr."],
        series=[("Entrées", [hidden, hidden]), ("Sorties", [hidden, charts.Value(2, "2")])],
    )
    axis = {text for _y, text in _texts(svg) if text.isdigit()}
    # 0, 3, 6, 9, 12: a "< 11" may be 10; the axis used to stop at 4.
    assert "12" in axis and "4" not in axis


def _trajectory(projection):
    months = [
        {
            "label": "janv. 26",
            "day": 31,
            "accompanied": "34",
            "accompanied_number": 34,
            "entries": "s",
            "entries_number": None,
        },
        {
            "label": "déc. 26",
            "day": 340,
            "accompanied": "77",
            "accompanied_number": 77,
            "entries": "46",
            "entries_number": 46,
        },
    ]
    return {
        "months": months,
        "total_days": 365,
        "target": 70,
        "projection": projection,
        "metric": "accompanied",
        "axis": ["janv. 26", "déc. 26"],
    }


LABELS = trajectory_charts.Labels(
    title="Trajectoire",
    accompanied="Personnes accompagnées (cumul)",
    entries="Entrées (cumul)",
    target="Objectif : 70",
    projection="à ce rythme : 80 / 70 au 31/12",
)


def test_the_target_and_projection_words_stay_above_the_plot():
    svg = trajectory_charts.trajectory(prefix="t", trajectory=_trajectory(80), labels=LABELS)
    texts = _texts(svg)
    # The plot starts below its top grid line's value label (the axis maximum, 80).
    plot_top = min(y for y, text in texts if text == "80") - 4
    for words in (LABELS.target, LABELS.projection):
        [y] = [y for y, text in texts if text == words]
        assert y < plot_top, (words, y, plot_top)
    # No projection: no projection words at all.
    svg = trajectory_charts.trajectory(prefix="t", trajectory=_trajectory(None), labels=LABELS)
    words = [text for _y, text in _texts(svg)]
    assert LABELS.projection not in words and LABELS.target in words
