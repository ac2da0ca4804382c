"""The main menu fits the screen for every role (issue #18): at 1280 px at most seven
top-level entries on one row, group panels open directly under their own entry and close on
Escape and outside clicks; at 375 px a Menu button collapses the whole menu and, opened, lists
every group as a section; axe stays clean with a panel open."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world

ROLES = ["admin", "channel_manager", "partner_admin", "partner_user", "sales_rep"]
# A sales rep's menu is short: Home, the partner directory and Deals (with My accounts).
FEWEST = {"sales_rep": 3}
DESKTOP = {"width": 1280, "height": 800}
TOP = ":scope > ul > li > a, :scope > ul > li > details > summary"


def clipped(page, locator, width: int) -> list[str]:
    """Entries of `locator` that are not fully on screen (or not visible at all)."""
    out = []
    for i in range(locator.count()):
        item = locator.nth(i)
        box = item.bounding_box()
        name = item.inner_text().strip()
        if box is None or not item.is_visible():
            out.append(f"{name}: not visible")
        elif box["x"] < 0 or box["x"] + box["width"] > width or box["width"] == 0:
            out.append(f"{name}: x={box['x']:.0f} w={box['width']:.0f}")
    return out


@pytest.fixture
def nav_world(transactional_db):
    return build_world("navfit")


@pytest.mark.parametrize("role", ROLES)
def test_desktop_menu_is_one_row_of_at_most_seven_entries(site, nav_world, role):
    page = site.sign_in(nav_world.tenant, nav_world.member(role).user.email, viewport=DESKTOP)
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.locator(".menu-toggle")
    assert not toggle.is_visible()
    top = menu.locator(TOP)
    assert FEWEST.get(role, 5) <= top.count() <= 7
    tops = {round(top.nth(i).bounding_box()["y"]) for i in range(top.count())}
    assert len(tops) == 1, f"{role}: the menu wraps to {len(tops)} rows"
    problems = clipped(page, top, 1280)
    groups = menu.locator("details")
    for i in range(groups.count()):
        summary = groups.nth(i).locator("summary")
        summary.click()
        entry = summary.bounding_box()
        panel = groups.nth(i).locator("ul").bounding_box()
        # The panel hangs from its own entry: starts at its left edge, right under it, and is
        # not a full-width bar.
        assert abs(panel["x"] - entry["x"]) <= 2, (role, summary.inner_text())
        assert abs(panel["y"] - (entry["y"] + entry["height"])) <= 4
        assert panel["width"] < 600
        problems += clipped(page, groups.nth(i).locator("a"), 1280)
    assert not problems, f"{role}: " + "; ".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize("role", ROLES)
def test_phone_menu_is_collapsed_behind_a_menu_button(site, nav_world, role):
    page = site.sign_in(nav_world.tenant, nav_world.member(role).user.email, viewport=PHONE)
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "mainnav-list"
    assert menu.bounding_box()["height"] < 60
    assert not menu.locator("#mainnav-list").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    links = menu.locator("a")
    assert links.count() >= FEWEST.get(role, 5)
    # Every link of every group is listed, on screen, without opening anything else.
    assert not clipped(page, links, PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Escape closes it and gives focus back to the button.
    links.first.focus()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
    assert not menu.locator("#mainnav-list").is_visible()


def test_phone_menu_link_is_reachable_and_leads_to_its_page(site, nav_world):
    page = site.sign_in(nav_world.tenant, nav_world.partner_admin.user.email, viewport=PHONE)
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Menu").click()
    menu.get_by_role("link", name="My tier", exact=True).click()
    page.wait_for_url("**/tier/")
    assert page.get_by_role("navigation", name="Main").bounding_box()["height"] < 60


def test_admin_menu_groups_open_from_the_keyboard_and_stay_accessible(site, nav_world):
    page = site.sign_in(nav_world.tenant, nav_world.admin.user.email, viewport=DESKTOP)
    menu = page.get_by_role("navigation", name="Main")
    partners = menu.locator("details").filter(has=page.locator("summary", has_text="Partners"))
    summary = partners.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert partners.evaluate("d => d.open")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/partners/"
    problems = violations(page, Axe())
    # Escape closes the panel and gives focus back to its summary (static/js/nav.js).
    page.keyboard.press("Escape")
    assert not partners.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # Opening another group closes this one; a click outside closes all.
    summary.click()
    menu.locator("summary", has_text="Workspace").click()
    assert menu.locator("details[open]").count() == 1
    page.locator("footer").click()
    assert menu.locator("details[open]").count() == 0
    assert not problems, "\n".join(problems)


def test_page_in_a_group_marks_the_group_as_current(site, nav_world):
    page = site.sign_in(nav_world.tenant, nav_world.admin.user.email, viewport=DESKTOP)
    page.goto(site.url(nav_world.tenant, "/members/"))
    menu = page.get_by_role("navigation", name="Main")
    assert menu.locator("details.current summary").inner_text().startswith("Workspace")
    link = menu.get_by_role("link", name="Members", exact=True, include_hidden=True)
    assert link.get_attribute("aria-current") == "page"
