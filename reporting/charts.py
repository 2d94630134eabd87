"""Server-rendered SVG charts, the same markup in the page and in the PDF.

WeasyPrint runs no JavaScript, so charts are plain SVG built here. They stay readable
without colour: every bar carries its value as text, series differ by pattern (solid,
hatched, dotted) as well as by colour, and each chart has a <title> and <desc> for screen
readers. Hidden (suppressed) values are drawn as an empty dotted outline labelled "< 11" or
"s", never with their height. Every text node is escaped.
"""

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# The font family of the charts' text: the page's stack above, or the PDF's own embedded
# font (`drawn_in`), so that a document depends on no font installed on the machine.
_font: ContextVar[str] = ContextVar("chart_font", default=FONT)
INK = "#1b1b1b"
MUTED = "#595959"
SERIES_COLOURS = ["#1f4e5f", "#b34d00", "#2e7d32", "#6a1b9a", "#455a64", "#8d6e00"]


@dataclass(frozen=True)
class Value:
    """A value to draw: the number (None when hidden) and the text printed next to it."""

    number: float | None
    text: str


@contextmanager
def drawn_in(font: str) -> Iterator[None]:
    """Inside, charts write their text in `font` (a CSS font-family list)."""
    token = _font.set(font)
    try:
        yield
    finally:
        _font.reset(token)


# What html.escape replaces: a value holding none of these is printed as it is (most are
# numbers, colours and font names), the others are escaped as before.
_TO_ESCAPE = re.compile("[&<>\"']")
_ATTRIBUTE_NAMES: dict[str, str] = {}


def _attrs(**kwargs) -> str:
    names, parts = _ATTRIBUTE_NAMES, []
    for k, v in kwargs.items():
        name = names.get(k)
        if name is None:
            name = names[k] = k.rstrip("_").replace("_", "-")
        text = v if type(v) is str else str(v)
        if _TO_ESCAPE.search(text):
            text = escape(text)
        parts.append(f'{name}="{text}"')
    return " ".join(parts)


def _el(tag: str, **kwargs) -> str:
    return f"<{tag} {_attrs(**kwargs)}/>"


def _text(x, y, content, *, size=11, anchor="middle", weight="normal", fill=INK) -> str:
    attrs = _attrs(
        x=_n(x),
        y=_n(y),
        font_size=size,
        text_anchor=anchor,
        font_weight=weight,
        fill=fill,
        font_family=_font.get(),
    )
    return f"<text {attrs}>{escape(str(content))}</text>"


def _n(value: float) -> str:
    """Coordinates with two decimals at most, so the markup is stable byte for byte."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _patterns(prefix: str) -> str:
    """Fill patterns: 0 solid, 1 diagonal hatching, 2 dots, 3 cross-hatching, … + hidden."""
    defs = []
    for i, colour in enumerate(SERIES_COLOURS):
        pid = f"{prefix}-p{i}"
        kind = i % 4
        if kind == 0:
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == 1:
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
                f'stroke="{colour}" stroke-width="2.2"/>'
            )
        elif kind == 2:
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<circle cx="4" cy="4" r="2" fill="{colour}"/>'
            )
        else:
            body = (
                f'<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{colour}" stroke-width="1.6"/>'
            )
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f"{body}</pattern>"
        )
    return "<defs>" + "".join(defs) + "</defs>"


def _fill(prefix: str, index: int) -> str:
    """Series 0 is plain colour (pattern tiles of a solid fill show seams in some viewers)."""
    index %= len(SERIES_COLOURS)
    return SERIES_COLOURS[index] if index % 4 == 0 else f"url(#{prefix}-p{index})"


def _open(prefix: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        + _attrs(
            viewBox=f"0 0 {width} {height}",
            width=width,
            height=height,
            role="img",
            aria_labelledby=f"{prefix}-t {prefix}-d",
            class_="chart",
        )
        + ">"
        + f'<title id="{prefix}-t">{escape(title)}</title>'
        + f'<desc id="{prefix}-d">{escape(desc)}</desc>'
        + _patterns(prefix)
    )


def _hidden_bar(x, y, w, h) -> str:
    return _el(
        "rect",
        x=_n(x),
        y=_n(y),
        width=_n(w),
        height=_n(h),
        fill="none",
        stroke=MUTED,
        stroke_width=1,
        stroke_dasharray="2 2",
    )


def _nice_max(value: float) -> float:
    """The top of a 4-tick axis whose ticks are whole, round numbers (1, 2, 3, 5 × 10^k)."""
    if value <= 0:
        return 4
    raw_step = value / 4
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    for factor in (1, 2, 3, 5, 10):
        step = max(1, factor * magnitude)
        if step * 4 >= value:
            return step * 4
    return value


def _legend(prefix: str, names: Sequence[str], left: float) -> list[str]:
    """The series' swatches and names, left to right above the plot."""
    out, lx = [], left
    for s_index, name in enumerate(names):
        out.append(
            _el(
                "rect",
                x=lx,
                y=8,
                width=14,
                height=14,
                fill=_fill(prefix, s_index),
                stroke=INK,
                stroke_width=0.6,
            )
        )
        out.append(_text(lx + 20, 19, name, anchor="start"))
        lx += 30 + 7 * len(name)
    return out


def _value_grid(vmax: float, *, left: float, top: float, plot_h: float, x2: float) -> list[str]:
    """Five horizontal grid lines with their values on the left axis."""
    out = []
    for i in range(5):
        value = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(
            _el(
                "line",
                x1=left,
                x2=x2,
                y1=_n(y),
                y2=_n(y),
                stroke="#d0d0d0",
                stroke_width=0.6,
            )
        )
        out.append(_text(left - 4, y + 4, f"{value:.0f}", size=9, anchor="end", fill=MUTED))
    return out


def grouped_bars(
    *,
    prefix: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    width: int = 720,
    height: int = 260,
) -> str:
    """Vertical grouped bars (e.g. entries and exits per month) with a legend."""
    left, right, top, bottom = 40, 10, 34, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [v.number for _, values in series for v in values if v.number is not None]
    # A hidden bar may stand for up to 10 (or more): an axis topped at 4 when nothing is
    # published would read as "every month below 4".
    if any(v.number is None for _, values in series for v in values):
        numbers.append(10)
    vmax = _nice_max(max(numbers, default=0))
    n_cat = max(len(categories), 1)
    group_w = plot_w / n_cat
    bar_w = min(22.0, group_w * 0.8 / max(len(series), 1))
    desc = "; ".join(
        f"{cat} : " + ", ".join(f"{name} {values[i].text}" for name, values in series)
        for i, cat in enumerate(categories)
    )
    out = [_open(prefix, width, height, title, desc)]
    out += _legend(prefix, [name for name, _values in series], left)
    out += _value_grid(vmax, left=left, top=top, plot_h=plot_h, x2=width - right)
    for c_index, cat in enumerate(categories):
        gx = left + c_index * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, (_name, values) in enumerate(series):
            v = values[c_index]
            x = gx + s_index * bar_w
            if v.number is None:
                h = plot_h * 0.12
                out.append(_hidden_bar(x + 1, top + plot_h - h, bar_w - 2, h))
            else:
                h = plot_h * (v.number / vmax) if vmax else 0
                out.append(
                    _el(
                        "rect",
                        x=_n(x + 1),
                        y=_n(top + plot_h - h),
                        width=_n(bar_w - 2),
                        height=_n(h),
                        fill=_fill(prefix, s_index),
                        stroke=INK,
                        stroke_width=0.5,
                    )
                )
            out.append(_text(x + bar_w / 2, top + plot_h - h - 3, v.text, size=8))
        out.append(_text(left + c_index * group_w + group_w / 2, top + plot_h + 14, cat, size=9))
    out.append(
        _el(
            "line",
            x1=left,
            x2=width - right,
            y1=top + plot_h,
            y2=top + plot_h,
            stroke=INK,
            stroke_width=1,
        )
    )
    out.append("</svg>")
    return "".join(out)


def horizontal_bars(
    *,
    prefix: str,
    title: str,
    items: Sequence[tuple[str, Value]],
    width: int = 520,
    bar_height: int = 22,
) -> str:
    """One labelled horizontal bar per item (e.g. exits by DGEFP category)."""
    label_w, right = 190, 60
    height = 12 + len(items) * (bar_height + 8)
    numbers = [v.number for _, v in items if v.number is not None]
    vmax = max(numbers, default=0) or 1
    plot_w = width - label_w - right
    desc = "; ".join(f"{name} : {v.text}" for name, v in items)
    out = [_open(prefix, width, height, title, desc)]
    for i, (name, v) in enumerate(items):
        y = 6 + i * (bar_height + 8)
        out.append(_text(label_w - 8, y + bar_height * 0.7, name, anchor="end"))
        if v.number is None:
            w = plot_w * 0.08
            out.append(_hidden_bar(label_w, y, w, bar_height))
        else:
            w = plot_w * v.number / vmax
            out.append(
                _el(
                    "rect",
                    x=label_w,
                    y=y,
                    width=_n(w),
                    height=bar_height,
                    fill=_fill(prefix, i),
                    stroke=INK,
                    stroke_width=0.5,
                )
            )
        out.append(
            _text(label_w + w + 6, y + bar_height * 0.7, v.text, anchor="start", weight="bold")
        )
    out.append("</svg>")
    return "".join(out)


def gauge(
    *,
    prefix: str,
    title: str,
    value: Value,
    target: int | None,
    caption: str,
    ratio_caption: str,
    ratio_text: str = "",
    target_text: str = "",
    width: int = 320,
) -> str:
    """A half-ring gauge of a figure against its target (empty ring without a target);
    `ratio_text`, `target_text`: the share of the target and the target as printed in the
    document's language."""
    height = 200
    cx, cy, r, thickness = width / 2, 125, 100, 24
    ratio = None
    if target and value.number is not None:
        ratio = max(0.0, min(value.number / target, 1.0))
    target_text = target_text or str(target)
    desc = f"{value.text} / {target_text}" if target else value.text
    out = [_open(prefix, width, height, title, desc)]

    def arc(fraction: float) -> str:
        angle = math.pi * (1 - fraction)
        x, y = cx + r * math.cos(angle), cy - r * math.sin(angle)
        return f"M {_n(cx - r)} {_n(cy)} A {r} {r} 0 0 1 {_n(x)} {_n(y)}"

    out.append(_el("path", d=arc(0.9999), fill="none", stroke="#e3e3e3", stroke_width=thickness))
    if ratio:
        out.append(
            _el(
                "path",
                d=arc(max(ratio, 0.001)),
                fill="none",
                stroke=SERIES_COLOURS[0],
                stroke_width=thickness,
            )
        )
    elif value.number is None and target:
        out.append(
            _el(
                "path",
                d=arc(0.9999),
                fill="none",
                stroke=MUTED,
                stroke_width=1,
                stroke_dasharray="3 3",
            )
        )
    # Inside the ring: the figure and its target; under it: the caption and the share.
    out.append(_text(cx, cy - 18, value.text, size=30, weight="bold"))
    if target:
        out.append(_text(cx, cy + 2, f"/ {target_text}", size=14, fill=MUTED))
    out.append(_text(cx, cy + 26, caption, size=12, fill=MUTED))
    if ratio is not None:
        out.append(
            _text(
                cx,
                cy + 46,
                f"{ratio_text} {ratio_caption}",
                size=13,
                weight="bold",
            )
        )
    out.append("</svg>")
    return "".join(out)
