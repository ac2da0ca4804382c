"""The main menu fits the screen for every role: at 1280 px and at 375 px no entry is cut off,
grouped entries (Program, Settings) open from the keyboard, and axe stays clean with a group
open."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world

ROLES = ["admin", "channel_manager", "partner_admin", "partner_user"]
DESKTOP = {"width": 1280, "height": 800}


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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
@pytest.mark.parametrize("role", ROLES)
def test_no_menu_entry_is_cut_off(site, nav_world, role, viewport):
    page = site.sign_in(nav_world.tenant, nav_world.member(role).user.email, viewport=viewport)
    menu = page.get_by_role("navigation", name="Main")
    width = viewport["width"]
    top = menu.locator(":scope > ul > li > a, :scope > ul > li > details > summary")
    assert top.count() >= 5
    problems = clipped(page, top, width)
    groups = menu.locator("details")
    for i in range(groups.count()):
        groups.nth(i).locator("summary").click()
        problems += clipped(page, groups.nth(i).locator("a"), width)
    assert not problems, f"{role} at {width}px: " + "; ".join(problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_admin_menu_groups_open_from_the_keyboard_and_stay_accessible(site, nav_world):
    page = site.sign_in(nav_world.tenant, nav_world.admin.user.email, viewport=DESKTOP)
    menu = page.get_by_role("navigation", name="Main")
    assert menu.locator("details").count() == 2
    summary = menu.locator("summary", has_text="Program")
    summary.focus()
    page.keyboard.press("Enter")
    assert menu.locator("details").first.evaluate("d => d.open")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "/program/tiers/"
    problems = violations(page, Axe())
    # Escape closes the menu and gives focus back to its summary (static/js/nav.js).
    page.keyboard.press("Escape")
    assert not menu.locator("details").first.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # Opening the other group closes this one.
    summary.click()
    menu.locator("summary", has_text="Settings").click()
    assert menu.locator("details[open]").count() == 1
    assert not problems, "\n".join(problems)


def test_page_in_a_group_marks_the_group_as_current(site, nav_world):
    page = site.sign_in(nav_world.tenant, nav_world.admin.user.email, viewport=DESKTOP)
    page.goto(site.url(nav_world.tenant, "/members/"))
    menu = page.get_by_role("navigation", name="Main")
    assert menu.locator("details.current summary").inner_text().startswith("Settings")
    link = menu.get_by_role("link", name="Members", exact=True, include_hidden=True)
    assert link.get_attribute("aria-current") == "page"
