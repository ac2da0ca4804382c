"""Every page each role can reach, found by following the portal's own links from the home page
(on the demo tenant, whose data fills every list and detail page), audited three ways:

- axe-core finds no violation of any impact;
- at 1280 px the page does not overflow sideways and the main navigation is one row;
- at 375 px no page scrolls sideways.

A page is visited once per URL shape (a path segment with a digit stands for an id or a code),
so forty deals are one page. Links that download or leave (sign out, CSV, PDF, switch tenant)
are not followed; every portal action is a POST (a GET of an action's URL shows its
confirmation page), so following a link never changes data.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from demo.management.commands.seed_demo import PASSWORD
from prm.models import Tenant

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
MAX_PAGES = 250  # per role; the crawl fails loudly if a role reaches more (raise it then)
SKIP = re.compile(
    r"(^/accounts/logout|^/api/|^/switch/|^/static/|^/media/|\.csv$|\.pdf$|\.ics$|/download"
    r"|/documents/|/export|format=csv|/unsubscribe|/remittance|/certificate\.pdf|/pdf/?$)"
)
ROLES = {
    "partner_admin": "ada@northwind.example",
    "partner_user": "ben@northwind.example",
    "channel_manager": "manager@acme.example",
    "admin": "admin@acme.example",
    "sales_rep": "sam@acme.example",
}
LINKS = "els => els.map(e => e.getAttribute('href'))"
ONE_ROW = """() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  if (!nav) return true;
  const list = nav.querySelector('ul');
  const tops = [...list.children].filter(li => li.getClientRects().length)
    .map(li => Math.round(li.getBoundingClientRect().top));
  return new Set(tops).size <= 1;
}"""


def shape(path: str) -> str:
    return re.sub(r"[^/]*\d[^/]*", "{n}", urlsplit(path).path)


def crawl(page, site, tenant, visit) -> list[str]:
    """Same-host GET pages reachable from "/" by links, one per URL shape; `visit(path)` is
    called on each while the page is open."""
    seen: dict[str, str] = {}
    queue = ["/"]
    while queue:
        path = queue.pop(0)
        key = shape(path)
        if key in seen or SKIP.search(path):
            continue
        try:
            response = page.goto(site.url(tenant, path))
        except PlaywrightError as exc:  # a link to a file: the browser downloads it
            if "Download is starting" in str(exc):
                continue
            raise
        if (
            response is None
            or response.status >= 400
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        seen[key] = path
        assert len(seen) <= MAX_PAGES, f"more than {MAX_PAGES} page shapes: raise MAX_PAGES"
        visit(path)
        for href in page.locator("main a[href], nav a[href]").evaluate_all(LINKS):
            if not href or not href.startswith("/") or href.startswith("//"):
                continue
            target = href.split("#")[0]
            if target and shape(target) not in seen:
                queue.append(target)
    return list(seen.values())


# Minutes long: started first in a parallel run (tests/conftest.py).
RUN_FIRST = True


@pytest.fixture
def demo(site):
    call_command("seed_demo", stdout=io.StringIO())
    return Tenant.objects.get(slug="acme")


def test_every_page_each_role_reaches_is_accessible_and_fits_wide_and_phone_screens(site, demo):
    """Pages shared by roles (a deal, the profile) are checked by the first role reaching them."""
    checked: set[str] = set()
    problems: list[str] = []
    axe = Axe()
    for email in ROLES.values():
        wide = site.sign_in(demo, email, PASSWORD, viewport=WIDE)
        phone = site.sign_in(demo, email, PASSWORD, viewport=PHONE)
        fresh: list[str] = []

        def visit(path, wide=wide, fresh=fresh, email=email):
            if not wide.evaluate(ONE_ROW):
                problems.append(f"{email} {path}: the main navigation wraps at 1280 px")
            if shape(path) in checked:
                return
            checked.add(shape(path))
            fresh.append(path)
            width = wide.evaluate("document.documentElement.scrollWidth")
            if width > WIDE["width"]:
                problems.append(f"{email} {path}: {width} px wide at 1280 px")
            for v in axe.run(wide).response["violations"]:
                targets = "; ".join(str(n["target"]) for n in v["nodes"][:3])
                problems.append(f"{path}: axe [{v['impact']}] {v['id']}: {v['help']} -> {targets}")

        paths = crawl(wide, site, demo, visit)
        assert len(paths) >= 8, (email, paths)
        for path in fresh:
            phone.goto(site.url(demo, path))
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{email} {path}: {width} px wide at 375 px")
    assert len(checked) >= 60, sorted(checked)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
