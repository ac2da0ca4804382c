"""Server-rendered SVG charts: bars (one or more series) and lines.

The same markup works in a page (strict CSP: presentation attributes only, no style
attributes, no script) and in a weasyprint PDF. Colour is never the only signal: every bar
and point carries its value as text (where it fits; the text description has them all),
series are told apart by a pattern and a legend with their names, lines by their dash and
marker shape, and the chart has a title and a text description for screen readers.

Labels stay readable where the chart is shown: a chart's text is sized for its own width
(at least 13 units, 15 on a wide chart) and placed so that no two labels overlap (axis
labels thinned out or shortened, value labels only where they fit, titles and legends
wrapped). `for_page` renders a wide and a narrow drawing of one chart; the page's CSS shows
the one that fits its box, so the labels never shrink below 12 px.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

# (fill colour, pattern id or "", line dash, marker) per series, in order.
SERIES_STYLES = [
    ("#1f5f99", "", "", "circle"),
    ("#c2571a", "hatch", "6 3", "square"),
    ("#2f7d32", "dots", "2 3", "triangle"),
    ("#6a3d9a", "cross", "10 4 2 4", "diamond"),
]


def fmt(value: Number | None) -> str:
    """Short value label: 1.2M, 35k, 12, 0.45."""
    if value is None:
        return "—"
    v = float(value)
    a = abs(v)
    if a >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if a >= 10_000:
        return f"{v / 1_000:.0f}k"
    if a >= 1_000:
        return f"{v / 1_000:.1f}k"
    if a and a < 10 and v != int(v):
        return f"{v:.2f}"
    return f"{v:.0f}"


def _defs(uid: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#c2571a"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
        f'<pattern id="{uid}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#2f7d32"/>'
        '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/></pattern>'
        f'<pattern id="{uid}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#6a3d9a"/>'
        '<path d="M0 4H8M4 0V8" stroke="#ffffff" stroke-width="1.5"/></pattern>'
        "</defs>"
    )


def _fill(uid: str, i: int) -> str:
    colour, pattern, _dash, _marker = SERIES_STYLES[i % len(SERIES_STYLES)]
    return f"url(#{uid}-{pattern})" if pattern else colour


W, H = 640, 260
# A narrow drawing for small boxes (a phone, a column of a two-column grid).
NARROW_W = 320
# Where a wide drawing would shrink its 15-unit labels below 12 px, the page shows the narrow
# one (static/css/app.css: the container query on .chart-pair uses the same width).
WIDE_MIN_BOX = 540
# Average advance of a character, as a share of the font size (sans-serif, a little generous
# so estimates err on the side of more room).
CHAR_EM = 0.6
BOLD_EM = 0.64


def text_width(text: str, font: float, *, bold: bool = False) -> float:
    """Estimated width of `text` in chart units (no font metrics on the server)."""
    return len(text) * font * (BOLD_EM if bold else CHAR_EM)


def _shorten(text: str, room: float, font: float) -> str:
    """`text`, cut with an ellipsis to fit `room` (the full text is in the description)."""
    if text_width(text, font) <= room:
        return text
    keep = max(1, int(room / (font * CHAR_EM)) - 1)
    return text[:keep].rstrip() + "…"


def _wrap(text: str, room: float, font: float, *, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", font, bold=bold) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _every(step: float, widest: float, gap: float) -> int:
    """Label every n-th slot so that labels `widest` wide keep `gap` between them."""
    if step <= 0:
        return 1
    return max(1, math.ceil((widest + gap) / step))


@dataclass
class _Frame:
    """Fonts and margins of one drawing, from its width and what it must hold."""

    width: int
    height: int
    font: float
    title_lines: list[str]
    legend_rows: list[list[tuple[int, str, float]]]  # (series index, name, x)
    pad_l: float
    pad_r: float
    pad_t: float
    pad_b: float

    @property
    def line_h(self) -> float:
        return self.font * 1.35

    @property
    def base(self) -> float:
        return self.height - self.pad_b

    @property
    def plot_w(self) -> float:
        return self.width - self.pad_l - self.pad_r

    @property
    def plot_h(self) -> float:
        return self.base - self.pad_t


def _frame(width: int, height: int, title: str, names: Sequence[str], y_labels: list[str]):
    font = 15.0 if width >= 480 else 13.0
    title_font = font + 1
    title_lines = _wrap(title, width - 16, title_font, bold=True)
    # The legend (two series or more), wrapped into rows of the chart's width.
    rows: list[list[tuple[int, str, float]]] = []
    if len(names) >= 2:
        x = 8.0
        rows = [[]]
        for i, name in enumerate(names):
            label = _shorten(name, width - 40, font)
            item = 24 + text_width(label, font) + 16
            if rows[-1] and x + item > width - 8:
                rows.append([])
                x = 8.0
            rows[-1].append((i, label, x))
            x += item
    line_h = font * 1.35
    pad_t = 8 + len(title_lines) * title_font * 1.3 + font + 8  # room for a top value label
    pad_b = font + 12 + len(rows) * line_h + (6 if rows else 0)
    pad_l = max(text_width(t, font) for t in y_labels) + 12 if y_labels else 12
    pad_r = max(16.0, font)
    # A plot never shorter than 110 units: the drawing grows instead.
    height = max(height, math.ceil(pad_t + pad_b + 110))
    return _Frame(width, height, font, title_lines, rows, pad_l, pad_r, pad_t, pad_b)


def _open(uid: str, title: str, desc: str, f: _Frame) -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {f.width} '
        f'{f.height}" width="{f.width}" height="{f.height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="sans-serif" font-size="{f.font:g}">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        _defs(uid),
    ]
    title_font = f.font + 1
    for i, line in enumerate(f.title_lines):
        y = 8 + title_font + i * title_font * 1.3
        out.append(
            f'<text x="8" y="{y:.1f}" font-size="{title_font:g}" font-weight="bold" '
            f'fill="#222">{escape(line)}</text>'
        )
    return out


def _no_data(out: list[str], f: _Frame) -> SafeString:
    out.append(
        f'<text x="{f.width / 2:.1f}" y="{(f.pad_t + f.base) / 2:.1f}" text-anchor="middle" '
        'fill="#222">No data yet</text>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _y_labels(top: float, unit: str) -> list[str]:
    return [f"{fmt(top * frac)}{unit}" for frac in (0.5, 1.0)] + [f"0{unit}"]


def _axis(top: float, f: _Frame, unit: str) -> list[str]:
    base = f.base
    right = f.width - f.pad_r
    out = [
        f'<line x1="{f.pad_l:.1f}" y1="{base:.1f}" x2="{right:.1f}" y2="{base:.1f}" stroke="#555"/>'
    ]
    for frac in (0.5, 1.0):
        y = base - f.plot_h * frac
        out.append(
            f'<line x1="{f.pad_l:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-dasharray="3 3"/>'
            f'<text x="{f.pad_l - 6:.1f}" y="{y + f.font * 0.35:.1f}" text-anchor="end" '
            f'fill="#444">{escape(fmt(top * frac))}{escape(unit)}</text>'
        )
    out.append(
        f'<text x="{f.pad_l - 6:.1f}" y="{base + f.font * 0.35:.1f}" text-anchor="end" '
        f'fill="#444">0{escape(unit)}</text>'
    )
    return out


def _x_labels(f: _Frame, categories: Sequence[str], xs: list[float], step: float) -> list[str]:
    """Category labels under the axis: every n-th (counted from the last, the latest), each
    shortened to its room, so none overlaps its neighbour."""
    n = len(categories)
    widest = max(text_width(c, f.font) for c in categories)
    # Shorten long labels to their slot (down to a few characters) before leaving any out.
    shortest = text_width("Abcd…", f.font)
    every = _every(step, min(widest, max(step - 8, shortest)), 8)
    room = max(step * every - 8, shortest)
    y = f.base + f.font + 6
    out = []
    for i in range(n - 1, -1, -every):
        label = _shorten(categories[i], room, f.font)
        half = text_width(label, f.font) / 2
        x = min(max(xs[i], half + 2), f.width - 2 - half)  # inside the drawing
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="#222">{escape(label)}</text>'
        )
    return out


def _legend(uid: str, f: _Frame, lines: bool = False) -> list[str]:
    out = []
    for r, row in enumerate(f.legend_rows):
        y = f.base + f.font + 12 + (r + 1) * f.line_h
        for i, name, x in row:
            colour, _p, dash, _m = SERIES_STYLES[i % len(SERIES_STYLES)]
            if lines:
                out.append(
                    f'<line x1="{x:.1f}" y1="{y - f.font * 0.35:.1f}" x2="{x + 18:.1f}" '
                    f'y2="{y - f.font * 0.35:.1f}" stroke="{colour}" stroke-width="2" '
                    f'stroke-dasharray="{dash}"/>'
                )
            else:
                out.append(
                    f'<rect x="{x:.1f}" y="{y - f.font * 0.85:.1f}" width="12" height="12" '
                    f'fill="{_fill(uid, i)}" stroke="#333" stroke-width="0.5"/>'
                )
            out.append(f'<text x="{x + 24:.1f}" y="{y:.1f}" fill="#222">{escape(name)}</text>')
    return out


def _top(values: Sequence[Number | None]) -> float:
    peak = max([float(v) for v in values if v is not None] or [0.0])
    return peak if peak > 0 else 1.0


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    unit: str = "",
    uid: str = "bar",
    width: int = W,
    height: int = H,
) -> SafeString:
    """Grouped bars: one group per category, one bar per series, each labelled with its
    value where the label fits over its bar. `uid` must be unique within the page (it
    names the patterns)."""
    names = [name for name, _v in series]
    all_values = [v for _n, values in series for v in values]
    desc = "; ".join(
        f"{cat}: " + ", ".join(f"{name} {fmt(values[i])}{unit}" for name, values in series)
        for i, cat in enumerate(categories)
    )
    top = _top(all_values)
    f = _frame(width, height, title, names, _y_labels(top, unit) if categories else [])
    out = _open(uid, title, desc or "No data", f)
    if not categories:
        return _no_data(out, f)
    out += _axis(top, f, unit)
    base = f.base
    group_w = f.plot_w / len(categories)
    bar_w = max(2.0, (group_w * 0.8) / max(1, len(series)))
    value_font = f.font
    for ci in range(len(categories)):
        gx = f.pad_l + ci * group_w + group_w * 0.1
        for si, (_name, values) in enumerate(series):
            value = values[ci] if ci < len(values) else None
            v = float(value or 0)
            h = f.plot_h * max(0.0, v) / top
            x = gx + si * bar_w
            out.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{_fill(uid, si)}" stroke="#333" stroke-width="0.5"/>'
            )
            label = fmt(value)
            if text_width(label, value_font) + 4 <= bar_w:  # a gap to the next bar's
                out.append(
                    f'<text x="{x + (bar_w - 1) / 2:.1f}" y="{base - h - 4:.1f}" '
                    f'text-anchor="middle" fill="#222">{escape(label)}</text>'
                )
    xs = [f.pad_l + ci * group_w + group_w / 2 for ci in range(len(categories))]
    out += _x_labels(f, categories, xs, group_w)
    out += _legend(uid, f)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if kind == "triangle":
        return (
            f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y + 3:.1f} L{x - 4:.1f} {y + 3:.1f} Z" '
            f'fill="{colour}"/>'
        )
    if kind == "diamond":
        return (
            f'<path d="M{x:.1f} {y - 4:.1f} L{x + 4:.1f} {y:.1f} L{x:.1f} {y + 4:.1f} '
            f'L{x - 4:.1f} {y:.1f} Z" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def line_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    unit: str = "",
    uid: str = "line",
    width: int = W,
    height: int = H,
    max_value: Number | None = None,
    label_every: int | None = None,
) -> SafeString:
    """Lines over ordered categories (e.g. months). Missing values break the line. The last
    point of every series is labelled with its value, and others as often as the labels fit
    (at most every `label_every` points); a second series puts its labels under its points."""
    names = [name for name, _v in series]
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{categories[i]} {fmt(v)}{unit}" for i, v in enumerate(values) if v is not None
        )
        for name, values in series
    )
    empty = not categories or all(v is None for _n, vs in series for v in vs)
    top = float(max_value) if max_value else _top([v for _n, vs in series for v in vs])
    f = _frame(width, height, title, names, [] if empty else _y_labels(top, unit))
    out = _open(uid, title, desc or "No data", f)
    if empty:
        return _no_data(out, f)
    # The last point sits on the right edge of the plot: room for its labels to its right.
    last_labels = [categories[-1]] + [fmt(vs[-1]) for _n, vs in series if vs]
    f.pad_r = max(f.pad_r, max(text_width(t, f.font) for t in last_labels) / 2 + 4)
    out += _axis(top, f, unit)
    base = f.base
    n = len(categories)
    step = f.plot_w / max(1, n - 1) if n > 1 else f.plot_w
    xs = [f.pad_l + i * step for i in range(n)]
    out += _x_labels(f, categories, xs, step)
    for si, (_name, values) in enumerate(series):
        colour, _p, dash, marker = SERIES_STYLES[si % len(SERIES_STYLES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                segments.append([])
                continue
            y = base - f.plot_h * min(1.0, max(0.0, float(value) / top))
            segments[-1].append((xs[i], y))
        for seg in segments:
            if len(seg) > 1:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-dasharray="{dash}"/>'
                )
        shown = [i for i, v in enumerate(values) if v is not None]
        widest = max((text_width(fmt(values[i]), f.font) for i in shown), default=0)
        every = max(label_every or 1, _every(step, widest, 6))
        labelled = set(range(shown[-1], -1, -every)) if shown else set()
        for i in shown:
            value = values[i]
            y = base - f.plot_h * min(1.0, max(0.0, float(value) / top))
            out.append(_marker(marker, xs[i], y, colour))
            if i in labelled:
                ly = y - 7 if si % 2 == 0 else y + f.font + 5
                half = text_width(fmt(value), f.font) / 2
                # Right of the value axis, so clear of its labels.
                lx = min(max(xs[i], f.pad_l + 1 + half), f.width - 2 - half)
                out.append(
                    f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="#222">'
                    f"{escape(fmt(value))}</text>"
                )
    out += _legend(uid, f, lines=True)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def for_page(chart: Callable[..., SafeString], **kwargs) -> SafeString:
    """One chart for a page: a wide and a narrow drawing; the page shows the one that fits
    its box (static/css/app.css, .chart-pair), the other is not displayed (and so not read
    out twice). Print and PDF use the wide one."""
    uid = kwargs.pop("uid", chart.__name__)
    height = kwargs.pop("height", H)
    wide = chart(uid=uid, width=W, height=height, **kwargs)
    narrow = chart(uid=f"{uid}-n", width=NARROW_W, height=height, **kwargs)
    return mark_safe(  # noqa: S308 - both drawings escape every value
        f'<div class="chart-pair"><div class="chart-wide">{wide}</div>'
        f'<div class="chart-narrow">{narrow}</div></div>'
    )
