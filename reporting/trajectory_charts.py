"""Server-rendered SVG of trajectories against targets: the territory's chart (page and
PDF alike) and the national view's small multiples. Same conventions as
`reporting.charts`: values printed as text, series told apart by line style and marker as
well as colour, hidden points drawn as an empty dotted marker with their label, every text
node escaped."""

from collections.abc import Sequence
from dataclasses import dataclass

from .charts import INK, MUTED, SERIES_COLOURS, _el, _n, _nice_max, _open, _text, _value_grid

TARGET_COLOUR = "#b34d00"


@dataclass(frozen=True)
class Labels:
    """The words of a trajectory chart, in the document's language."""

    title: str
    accompanied: str
    entries: str
    target: str  # "Objectif : 118"
    projection: str  # "à ce rythme : 104 / 118 au 31/12", or ""


def _polyline(points: list[tuple[float, float]], colour: str, dash: str = "") -> str:
    if len(points) < 2:
        return ""
    extra = {"stroke_dasharray": dash} if dash else {}
    return _el(
        "polyline",
        points=" ".join(f"{_n(x)},{_n(y)}" for x, y in points),
        fill="none",
        stroke=colour,
        stroke_width=2.2,
        **extra,
    )


def _marker(x: float, y: float, colour: str, square: bool) -> str:
    if square:
        return _el(
            "rect",
            x=_n(x - 3.5),
            y=_n(y - 3.5),
            width=7,
            height=7,
            fill=colour,
            stroke=INK,
            stroke_width=0.5,
        )
    return _el("circle", cx=_n(x), cy=_n(y), r=3.8, fill=colour, stroke=INK, stroke_width=0.5)


def _legend(labels: Labels, has_projection: bool, width: int, left: int, right: int):
    """The legend's entries laid out in rows that fit the width: the two series, the
    target and the projection (their words stay out of the plot, where they covered the
    points and each other). Returns (markup, height of the rows)."""
    entries = [
        ("series", labels.accompanied, SERIES_COLOURS[0], "", False),
        ("series", labels.entries, SERIES_COLOURS[2], "5 3", True),
        ("target", labels.target, TARGET_COLOUR, "8 4", False),
    ]
    if has_projection and labels.projection:
        entries.append(("projection", labels.projection, SERIES_COLOURS[0], "2 3", False))
    out, x, y = [], left, 16
    for kind, name, colour, dash, square in entries:
        entry_w = 36 + 6.5 * len(name)
        if x > left and x + entry_w > width - right:
            x, y = left, y + 18
        if kind == "target":
            out.append(
                _el(
                    "line",
                    x1=_n(x),
                    x2=_n(x + 22),
                    y1=y,
                    y2=y,
                    stroke=colour,
                    stroke_width=1.6,
                    stroke_dasharray=dash,
                )
            )
        else:
            out.append(_polyline([(x, y), (x + 22, y)], colour, dash))
        if kind == "series":
            out.append(_marker(x + 11, y, colour, square))
        elif kind == "projection":
            out.append(_el("circle", cx=_n(x + 22), cy=y, r=4, fill="#ffffff", stroke=INK))
        fill = TARGET_COLOUR if kind == "target" else INK
        weight = "bold" if kind == "projection" else "normal"
        out.append(_text(x + 30, y + 4, name, anchor="start", fill=fill, weight=weight))
        x += entry_w + 12
    return out, y + 8


def trajectory(*, prefix: str, trajectory: dict, labels: Labels, width: int = 720) -> str:
    """Running sums of accompanied persons and entries over the target's period, the
    target as a dashed line, and the projection at the current pace as a dotted one; the
    target's and the projection's words in the legend above the plot."""
    months = trajectory["months"]
    has_projection = trajectory["projection"] is not None and bool(months)
    legend, legend_h = _legend(labels, has_projection, width, 44, 48)
    left, right, top, bottom = 44, 48, legend_h + 16, 42
    height = 250 + top
    plot_w, plot_h = width - left - right, height - top - bottom
    total_days = trajectory["total_days"]
    numbers = [trajectory["target"], trajectory["projection"] or 0]
    numbers += [m[k] for m in months for k in ("accompanied_number", "entries_number") if m[k]]
    vmax = _nice_max(max(numbers))

    def x_of(day: float) -> float:
        return left + plot_w * day / total_days

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / vmax

    desc = "; ".join(
        f"{m['label']} : {labels.accompanied} {m['accompanied']}, {labels.entries} {m['entries']}"
        for m in months
    )
    desc = f"{labels.target}. {desc}. {labels.projection}".strip(" .")
    out = [_open(prefix, width, height, labels.title, desc)]
    out += _value_grid(vmax, left=left, top=top, plot_h=plot_h, x2=width - right)
    # Month labels, centred on each month of the period.
    axis = trajectory["axis"]
    step = plot_w / max(len(axis), 1)
    every = 1 if len(axis) <= 12 else 3
    for i, name in enumerate(axis):
        if i % every == 0:
            out.append(_text(left + step * (i + 0.5), top + plot_h + 14, name, size=9))
    out.append(_el("line", x1=left, x2=width - right, y1=top + plot_h, y2=top + plot_h, stroke=INK))
    # The target.
    ty = y_of(trajectory["target"])
    out.append(
        _el(
            "line",
            x1=left,
            x2=width - right,
            y1=_n(ty),
            y2=_n(ty),
            stroke=TARGET_COLOUR,
            stroke_width=1.6,
            stroke_dasharray="8 4",
        )
    )
    # The two series: accompanied (solid, circles), entries (dashed, squares).
    series = [
        ("accompanied_number", "accompanied", SERIES_COLOURS[0], "", False),
        ("entries_number", "entries", SERIES_COLOURS[2], "5 3", True),
    ]
    ends = []
    for key, text_key, colour, dash, square in series:
        segment: list[tuple[float, float]] = []
        for m in months:
            x = x_of(m["day"])
            if m[key] is None:
                out.append(_polyline(segment, colour, dash))
                segment = []
                out.append(
                    _el(
                        "circle",
                        cx=_n(x),
                        cy=_n(top + plot_h - 6),
                        r=4,
                        fill="none",
                        stroke=MUTED,
                        stroke_dasharray="2 2",
                    )
                )
                continue
            segment.append((x, y_of(m[key])))
            out.append(_marker(x, y_of(m[key]), colour, square))
        out.append(_polyline(segment, colour, dash))
        if months:
            last = months[-1]
            y = y_of(last[key]) if last[key] is not None else top + plot_h - 6
            ends.append([y, last[text_key]])
    # The last values, right of the last point, kept 12 px apart (they may be equal).
    if len(ends) == 2 and abs(ends[0][0] - ends[1][0]) < 12:
        upper, lower = sorted(ends, key=lambda e: e[0])
        upper[0], lower[0] = (upper[0] + lower[0]) / 2 - 6, (upper[0] + lower[0]) / 2 + 6
    for y, text in ends:
        out.append(_text(x_of(months[-1]["day"]) + 7, y + 4, text, anchor="start", size=10))
    # The projection, from the current value to the period's end (its words: the legend).
    if has_projection:
        last = months[-1]
        start = last[f"{trajectory['metric']}_number"]
        px, py = x_of(total_days), y_of(trajectory["projection"])
        out.append(
            _el(
                "line",
                x1=_n(x_of(last["day"])),
                y1=_n(y_of(start)),
                x2=_n(px),
                y2=_n(py),
                stroke=SERIES_COLOURS[0],
                stroke_width=1.8,
                stroke_dasharray="2 3",
            )
        )
        out.append(_el("circle", cx=_n(px), cy=_n(py), r=4, fill="#ffffff", stroke=INK))
    out += legend
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Panel:
    """One territory of the small multiples: its name and its published figures."""

    name: str
    value: float | None  # the figure at the reference date (None: hidden)
    value_text: str
    target: int
    projection: int | None
    caption: str  # "72 / 118 · à ce rythme 104"


def small_multiples(
    *, prefix: str, title: str, panels: Sequence[Panel], columns: int = 4, width: int = 720
) -> str:
    """One small bar per territory on a common scale relative to its own target (100 % is
    the dashed line): the bar is the figure today, the ring the projection."""
    cell_w, cell_h = width / columns, 64
    rows = max(1, -(-len(panels) // columns))
    height = int(rows * cell_h + 8)
    ceiling = max(
        [1.2]
        + [(p.value or 0) / p.target for p in panels if p.target]
        + [(p.projection or 0) / p.target for p in panels if p.target]
    )
    desc = "; ".join(f"{p.name} : {p.caption}" for p in panels)
    out = [_open(prefix, width, height, title, desc)]
    for i, panel in enumerate(panels):
        x0 = (i % columns) * cell_w + 6
        y0 = (i // columns) * cell_h + 6
        bar_w = cell_w - 18
        # Bold 10 px text is about 6.4 px a character: longer names are cut, not run into
        # the next panel.
        fits = int((cell_w - 10) / 6.4)
        name = panel.name if len(panel.name) <= fits else panel.name[: fits - 1] + "…"
        out.append(_text(x0, y0 + 11, name, anchor="start", size=10, weight="bold"))
        by = y0 + 18
        out.append(_el("rect", x=_n(x0), y=_n(by), width=_n(bar_w), height=14, fill="#eeeeee"))
        if panel.value is None:
            out.append(
                _el(
                    "rect",
                    x=_n(x0),
                    y=_n(by),
                    width=_n(bar_w * 0.08),
                    height=14,
                    fill="none",
                    stroke=MUTED,
                    stroke_dasharray="2 2",
                )
            )
        elif panel.target:
            w = bar_w * min(panel.value / panel.target / ceiling, 1)
            out.append(
                _el("rect", x=_n(x0), y=_n(by), width=_n(w), height=14, fill=SERIES_COLOURS[0])
            )
        if panel.target:
            tx = x0 + bar_w / ceiling
            out.append(
                _el(
                    "line",
                    x1=_n(tx),
                    x2=_n(tx),
                    y1=_n(by - 3),
                    y2=_n(by + 17),
                    stroke=TARGET_COLOUR,
                    stroke_width=1.6,
                    stroke_dasharray="3 2",
                )
            )
            if panel.projection is not None:
                px = x0 + bar_w * min(panel.projection / panel.target / ceiling, 1)
                out.append(
                    _el("circle", cx=_n(px), cy=_n(by + 7), r=4.5, fill="#ffffff", stroke=INK)
                )
        out.append(_text(x0, by + 30, panel.caption, anchor="start", size=9, fill=MUTED))
    out.append("</svg>")
    return "".join(out)
