"""Chart labels as shown in Chromium: at 1280 px and at 375 px every label of every chart
on the analytics pages is at least 12 px high, no two labels overlap, the page does not
scroll sideways, and axe finds nothing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from dealreg.models import DealStatus
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.factories import DealFactory

DESKTOP = {"width": 1280, "height": 800}

# Every shown chart's labels: their size in CSS pixels and the pairs whose boxes overlap.
MEASURE = """() => {
  const out = {charts: 0, small: [], overlaps: []};
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    if (!box.width) { continue; }  // the drawing this box does not show
    out.charts += 1;
    const scale = box.width / svg.viewBox.baseVal.width;
    const texts = Array.from(svg.querySelectorAll("text"));
    const rects = texts.map(t => t.getBoundingClientRect());
    texts.forEach(t => {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 12) { out.small.push(t.textContent + ": " + px.toFixed(1) + "px"); }
    });
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 &&
            a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          out.overlaps.push(texts[i].textContent + " / " + texts[j].textContent);
        }
      }
    }
  }
  return out;
}"""


@pytest.fixture
def chart_world(transactional_db):
    world = build_world("charts")
    for name in ("Umbrella Corporation", "Initech"):  # the manager's review-queue chart
        DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status=DealStatus.SUBMITTED,
            customer_name=name,
            submitted_at=timezone.now(),
        )
    return world


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
@pytest.mark.parametrize(
    ("role", "path"),
    [("partner_admin", "/analytics/"), ("channel_manager", "/analytics/manager/?scope=all")],
)
def test_chart_labels_are_readable_and_apart(site, chart_world, role, path, viewport):
    page = site.sign_in(chart_world.tenant, chart_world.member(role).user.email, viewport=viewport)
    page.goto(site.url(chart_world.tenant, path))
    found = page.evaluate(MEASURE)
    assert found["charts"] >= 1
    assert not found["small"], found["small"]
    assert not found["overlaps"], found["overlaps"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not violations(page, Axe())
