"""Server-rendered SVG charts: bars (one or more series) and lines.

The same markup works in a page (strict CSP: presentation attributes only, no style
attributes, no script) and in a weasyprint PDF. Colour is never the only signal: every bar
and point carries its value as text, series are told apart by a pattern and a legend with
their names, lines by their dash and marker shape, and the chart has a title and a text
description for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
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

W, H = 640, 260
PAD_L, PAD_R, PAD_T, PAD_B = 56, 28, 28, 52


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


def _open(uid: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        'font-family="sans-serif" font-size="11">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        _defs(uid),
        f'<text x="{PAD_L}" y="16" font-size="13" font-weight="bold" fill="#222">'
        f"{escape(title)}</text>",
    ]


def _axis(top: float, width: int, height: int, unit: str) -> list[str]:
    base = height - PAD_B
    out = [
        f'<line x1="{PAD_L}" y1="{base}" x2="{width - PAD_R}" y2="{base}" stroke="#555"/>',
    ]
    for frac in (0.5, 1.0):
        y = base - (base - PAD_T) * frac
        out.append(
            f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{width - PAD_R}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-dasharray="3 3"/>'
            f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">'
            f"{escape(fmt(top * frac))}{escape(unit)}</text>"
        )
    out.append(
        f'<text x="{PAD_L - 6}" y="{base + 4}" text-anchor="end" fill="#444">0{escape(unit)}</text>'
    )
    return out


def _legend(uid: str, names: Sequence[str], height: int, lines: bool = False) -> list[str]:
    if len(names) < 2:
        return []
    out = []
    x = PAD_L
    y = height - 12
    for i, name in enumerate(names):
        colour, _p, dash, _m = SERIES_STYLES[i % len(SERIES_STYLES)]
        if lines:
            out.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
        else:
            out.append(
                f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{_fill(uid, i)}" '
                'stroke="#333" stroke-width="0.5"/>'
            )
        out.append(f'<text x="{x + 22}" y="{y}" fill="#222">{escape(name)}</text>')
        x += 30 + 7 * len(name)
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
    value. `uid` must be unique within the page (it names the patterns)."""
    names = [name for name, _v in series]
    all_values = [v for _n, values in series for v in values]
    desc = "; ".join(
        f"{cat}: " + ", ".join(f"{name} {fmt(values[i])}{unit}" for name, values in series)
        for i, cat in enumerate(categories)
    )
    out = _open(uid, title, desc or "No data", width, height)
    if not categories:
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">No data yet</text>'
        )
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
    top = _top(all_values)
    out += _axis(top, width, height, unit)
    base = height - PAD_B
    plot_w = width - PAD_L - PAD_R
    group_w = plot_w / len(categories)
    bar_w = max(2.0, (group_w * 0.8) / max(1, len(series)))
    for ci, cat in enumerate(categories):
        gx = PAD_L + ci * group_w + group_w * 0.1
        for si, (_name, values) in enumerate(series):
            value = values[ci] if ci < len(values) else None
            v = float(value or 0)
            h = (base - PAD_T) * max(0.0, v) / top
            x = gx + si * bar_w
            out.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{_fill(uid, si)}" stroke="#333" stroke-width="0.5"/>'
            )
            if bar_w >= 14:
                out.append(
                    f'<text x="{x + (bar_w - 1) / 2:.1f}" y="{base - h - 3:.1f}" '
                    f'text-anchor="middle" font-size="10" fill="#222">{escape(fmt(value))}</text>'
                )
        if group_w >= 24 or ci % max(1, int(24 / group_w) + 1) == 0:
            out.append(
                f'<text x="{PAD_L + ci * group_w + group_w / 2:.1f}" y="{base + 14}" '
                f'text-anchor="middle" fill="#222">{escape(cat)}</text>'
            )
    out += _legend(uid, names, height)
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
    point of every series is labelled with its value; others every `label_every` points."""
    names = [name for name, _v in series]
    desc = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{categories[i]} {fmt(v)}{unit}" for i, v in enumerate(values) if v is not None
        )
        for name, values in series
    )
    out = _open(uid, title, desc or "No data", width, height)
    if not categories or all(v is None for _n, vs in series for v in vs):
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">No data yet</text>'
        )
        out.append("</svg>")
        return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
    top = float(max_value) if max_value else _top([v for _n, vs in series for v in vs])
    out += _axis(top, width, height, unit)
    base = height - PAD_B
    plot_w = width - PAD_L - PAD_R
    n = len(categories)
    step = plot_w / max(1, n - 1) if n > 1 else 0
    every = label_every or max(1, n // 6)
    for i, cat in enumerate(categories):
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{PAD_L + i * step:.1f}" y="{base + 14}" text-anchor="middle" '
                f'fill="#222">{escape(cat)}</text>'
            )
    for si, (_name, values) in enumerate(series):
        colour, _p, dash, marker = SERIES_STYLES[si % len(SERIES_STYLES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                segments.append([])
                continue
            y = base - (base - PAD_T) * min(1.0, max(0.0, float(value) / top))
            segments[-1].append((PAD_L + i * step, y))
        for seg in segments:
            if len(seg) > 1:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-dasharray="{dash}"/>'
                )
        last = max((i for i, v in enumerate(values) if v is not None), default=None)
        for i, value in enumerate(values):
            if value is None:
                continue
            x = PAD_L + i * step
            y = base - (base - PAD_T) * min(1.0, max(0.0, float(value) / top))
            out.append(_marker(marker, x, y, colour))
            if i == last or i % every == 0:
                out.append(
                    f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="#222">{escape(fmt(value))}</text>'
                )
    out += _legend(uid, names, height, lines=True)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
