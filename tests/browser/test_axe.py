"""Accessibility of the main pages, for every role, with axe-core in Chromium.

The pages come from the portal itself: every entry of the role's main menu, plus the detail
pages and forms reached from them, plus the public pages. A serious or critical axe
violation fails the test, with the rule, the help text and the offending elements.
"""

from __future__ import annotations

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from dealreg import services as deal_services
from prm.tenancy import tenant_context
from tests.conftest import build_world

BLOCKING = {"serious", "critical"}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def axe_world(transactional_db):
    world = build_world("axe")
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Umbrella Corporation",
                "customer_domain_input": "umbrella.example",
                "amount": 5000,
                "expected_close_date": timezone.now().date() + datetime.timedelta(days=20),
            },
        )
    world.deal = deal
    return world


def menu_paths(page) -> list[str]:
    """Every page of the main menu and of the account menu (notifications, API keys, ...)."""
    hrefs = []
    for name in ("Main", "Account"):
        nav = page.get_by_role("navigation", name=name)
        hrefs += nav.get_by_role("link", include_hidden=True).evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
    return [h for h in hrefs if h and h.startswith("/")]


def violations(page, axe: Axe) -> list[str]:
    found = []
    for v in axe.run(page).response["violations"]:
        if v["impact"] in BLOCKING:
            nodes = "; ".join(
                f"{n['target']} ({n.get('failureSummary', '').splitlines()[-1].strip()})"
                for n in v["nodes"][:3]
            )
            found.append(f"{page.url}: [{v['impact']}] {v['id']}: {v['help']} -> {nodes}")
    return found


# A page shared by several roles (profile, notifications, API keys...) is audited once per
# run: axe takes seconds per page on a small machine, and the runtime budget is minutes.
AUDITED: set[str] = set()


def audit(site, page, tenant, paths) -> list[str]:
    axe = Axe()
    problems = []
    for path in dict.fromkeys(paths):
        if path in AUDITED:
            continue
        AUDITED.add(path)
        response = page.goto(site.url(tenant, path))
        assert response is not None and response.status < 400, f"{path}: {response.status}"
        problems += violations(page, axe)
    return problems


EXTRA = {
    "partner_admin": ["/deals/new/", "/deals/{deal}/", "/mdf/requests/new/", "/profile/"],
    "partner_user": ["/deals/{deal}/", "/learning/certificates/"],
    "channel_manager": ["/deals/{deal}/", "/partners/{partner}/", "/analytics/partners/{partner}/"],
    "admin": ["/partners/{partner}/edit/", "/program/what-if/", "/members/{member}/"],
}


@pytest.mark.parametrize("role", ["partner_admin", "partner_user", "channel_manager", "admin"])
def test_main_pages_of_each_role_have_no_serious_axe_violations(site, axe_world, role):
    world = axe_world
    member = world.member(role)
    page = site.sign_in(world.tenant, member.user.email)
    ids = {"deal": world.deal.pk, "partner": world.partner.pk, "member": member.pk}
    paths = ["/", *menu_paths(page), *(p.format(**ids) for p in EXTRA[role])]
    assert len(paths) >= 5
    problems = audit(site, page, world.tenant, paths)
    assert not problems, "\n".join(problems)


def test_public_pages_have_no_serious_axe_violations(site, axe_world):
    page = site.new_page()
    problems = audit(
        site,
        page,
        axe_world.tenant,
        ["/apply/", "/accounts/login/", "/accounts/password/reset/"],
    )
    page.goto(site.url(axe_world.tenant, "/verify/NOSUCHCODE"))
    problems += violations(page, Axe())
    assert not problems, "\n".join(problems)


def test_keyboard_focus_is_visible(site, axe_world):
    page = site.sign_in(axe_world.tenant, axe_world.partner_admin.user.email)
    page.keyboard.press("Tab")  # the skip link comes first
    focused = page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return {text: e.textContent.trim(), style: s.outlineStyle, width: s.outlineWidth}; }"
    )
    assert focused["text"] == "Skip to content"
    assert focused["style"] != "none" and focused["width"] not in ("0px", ""), focused
    for _ in range(3):
        page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partner_pages_fit_a_phone_without_horizontal_scrolling(site, axe_world, role):
    world = axe_world
    page = site.sign_in(world.tenant, world.member(role).user.email, viewport=PHONE)
    paths = ["/", *menu_paths(page), f"/deals/{world.deal.pk}/", "/deals/new/"]
    too_wide = []
    for path in dict.fromkeys(paths):
        page.goto(site.url(world.tenant, path))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path}: {width}px")
    assert not too_wide, "wider than 375 px: " + ", ".join(too_wide)
