"""Chart labels are readable: sized for the drawing's width, shortened or thinned out rather
than overlapping, and a page gets a wide and a narrow drawing of each chart (the browser test
tests/browser/test_global_search.py::test_chart_labels_are_readable_and_apart measures them
as shown)."""

from __future__ import annotations

import re

import pytest

from analytics import charts
from tests.html_helpers import elements

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _font_sizes(svg: str) -> list[float]:
    """The font size of every <text> (its own, or the drawing's)."""
    els = elements(svg)
    out = []
    for e in els:
        if e.tag != "text":
            continue
        node = e
        while node is not None and "font-size" not in node.attrs:
            node = node.parent
        out.append(float(node.attrs["font-size"]))
    return out


def _x_label_spans(svg: str, font: float) -> list[tuple[float, float]]:
    """(left, right) of the category labels under the axis, from their estimated widths."""
    base_labels = [
        e
        for e in elements(svg)
        if e.tag == "text"
        and e.attrs.get("text-anchor") == "middle"
        and e.attrs.get("fill") == "#222"
    ]
    lowest = max(float(e.attrs["y"]) for e in base_labels)
    spans = []
    for e in base_labels:
        if float(e.attrs["y"]) == lowest:
            half = charts.text_width(e.text(), font) / 2
            spans.append((float(e.attrs["x"]) - half, float(e.attrs["x"]) + half))
    return sorted(spans)


@pytest.mark.parametrize("width", [charts.W, charts.NARROW_W])
def test_no_label_is_smaller_than_13_units(width):
    svg = charts.bar_chart(
        title="Revenue",
        categories=MONTHS,
        series=[("Pipeline", list(range(12))), ("Won", list(range(12)))],
        width=width,
    )
    sizes = _font_sizes(svg)
    assert sizes and min(sizes) >= 13


@pytest.mark.parametrize("width", [charts.W, charts.NARROW_W])
def test_category_labels_are_thinned_or_shortened_so_they_never_touch(width):
    categories = ["System integrator", "Reseller", "Managed service provider", "ISV"] + MONTHS
    svg = charts.bar_chart(
        title="T", categories=categories, series=[("S", [1] * len(categories))], width=width
    )
    font = 15 if width >= 480 else 13
    spans = _x_label_spans(svg, font)
    assert len(spans) >= 3
    for (_l1, r1), (l2, _r2) in zip(spans, spans[1:], strict=False):
        assert l2 - r1 >= 4, spans
    assert all(left >= 0 and right <= width for left, right in spans)
    # What is shortened on the axis is whole in the description read out.
    assert "Managed service provider" in re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)


def test_a_value_label_is_left_out_where_it_would_not_fit_its_bar():
    svg = charts.bar_chart(
        title="T",
        categories=MONTHS,
        series=[("A", [1_100_000] * 11 + [1_200_000]), ("B", [900_000] * 12)],
        width=charts.NARROW_W,
    )
    assert ">1.1M</text>" not in svg  # 12 groups of two bars on 320 units: no room
    assert "Jan: A 1.1M, B 900k" in svg  # the description still has every value
    wide = charts.bar_chart(title="T", categories=["Q1"], series=[("A", [1_200_000])])
    assert ">1.2M</text>" in wide


def test_a_long_title_wraps_inside_the_drawing():
    title = "MDF paid, won revenue from MDF activities and return, by quarter"
    svg = charts.bar_chart(title=title, categories=["Q1"], series=[("A", [1])], width=320)
    lines = [e.text() for e in elements(svg) if e.tag == "text" and e.attrs.get("font-weight")]
    assert len(lines) >= 2 and " ".join(lines) == title
    assert all(charts.text_width(line, 14, bold=True) <= 320 - 16 for line in lines)


def test_a_page_gets_a_wide_and_a_narrow_drawing_with_their_own_ids():
    html = charts.for_page(
        charts.line_chart,
        title="Health",
        categories=MONTHS,
        series=[("H", list(range(12)))],
        uid="h",
    )
    svgs = [e for e in elements(html) if e.tag == "svg"]
    assert [s.attrs["width"] for s in svgs] == [str(charts.W), str(charts.NARROW_W)]
    assert [s.attrs["aria-labelledby"] for s in svgs] == ["h-t h-d", "h-n-t h-n-d"]
    wide, narrow = (
        [e for e in elements(html) if e.tag == "div" and e.attrs.get("class") == c][0]
        for c in ("chart-wide", "chart-narrow")
    )
    assert wide and narrow
