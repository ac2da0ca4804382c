"""Browser journeys: Playwright driving Debian's Chromium (headless) against a live server.

The tests start everything they need: a live Django server in a thread of the test process
(bound to 127.0.0.1, reached as http://<tenant-slug>.localhost:<port>, since the tenant comes
from the Host header), Chromium, and, where decisions run in tasks, the real Celery worker
(`celery_worker` from tests/conftest.py). Data is committed (transactional_db) so the server
thread and the worker see it.

Chromium is not optional: without it these tests FAIL with an explanation, they never skip.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots" / "journeys"
VIEWPORT = {"width": 1280, "height": 800}


def chromium_executable() -> str:
    """Debian's Chromium (Playwright cannot download its own browser here)."""
    configured = os.environ.get("PRM_CHROMIUM")
    candidates = [configured] if configured else ["/usr/bin/chromium", "chromium"]
    for candidate in candidates:
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    pytest.fail(
        "Chromium is missing, so the browser journeys cannot run. Install it with "
        "`apt-get install -y --no-install-recommends chromium` (.ci/run does this), or set "
        "PRM_CHROMIUM to a Chromium binary.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker):
    """A live server on 127.0.0.1 for the whole session (cheap; it only holds a socket)."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per module.

    Playwright's sync API keeps an asyncio loop in this thread, which Django would take for
    an async context and refuse database access from the test body; the test body is plain
    synchronous code, so the guard is lifted for as long as the browser lives."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=executable,
                headless=True,
                # *.localhost is loopback in Chromium already; pin it to the IPv4 address
                # the live server listens on.
                args=["--host-resolver-rules=MAP *.localhost 127.0.0.1"],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Site:
    """Opens pages for a tenant as a person would: a fresh browser context per person."""

    def __init__(self, server, browser):
        self.server = server
        self.browser = browser
        self.port = server.url.rsplit(":", 1)[1]
        self.contexts = []

    def url(self, tenant, path: str = "/") -> str:
        host = f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}" if tenant else settings.PRM_BASE_DOMAIN
        return f"http://{host}:{self.port}{path}"

    def new_page(self, *, viewport=None):
        context = self.browser.new_context(
            viewport=viewport or VIEWPORT, accept_downloads=True, locale="en-US"
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def sign_in(self, tenant, email: str, password: str = PASSWORD, *, viewport=None):
        """A new browser for one person, signed in through the sign-in form."""
        page = self.new_page(viewport=viewport)
        page.goto(self.url(tenant, "/accounts/login/"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def site(site_server, browser, transactional_db):
    site = Site(site_server, browser)
    yield site
    site.close()


class Shots:
    """docs/screenshots/journeys/<journey>-<n>-<step>.png, overwritten on every run."""

    def __init__(self, journey: str):
        self.journey = journey
        self.n = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, step: str) -> Path:
        self.n += 1
        path = SHOTS / f"{self.journey}-{self.n}-{step}.png"
        # A shot right after a click may land while the page is still navigating, when
        # Chromium refuses to capture ("Unable to capture screenshot"): wait for the new
        # page to load and try again, a few times, before giving up.
        for attempt in range(4):
            page.wait_for_load_state("load")
            try:
                page.screenshot(path=str(path))
                return path
            except PlaywrightError:
                if attempt == 3:
                    raise
                page.wait_for_timeout(250)
        return path


@pytest.fixture
def shots(request):
    name = request.node.name.removeprefix("test_journey_").split("_", 1)[0]
    return Shots(name)


def menu_link(page, name: str, *, nav_name: str = "Main"):
    """The main menu's link called `name`, made visible as a person would: on a phone the
    Menu button opens the menu first; an entry grouped in a panel (Deals, Workspace, ...) is
    revealed by opening its group."""
    menu = page.get_by_role("navigation", name=nav_name)
    toggle = menu.locator(".menu-toggle")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        hidden = page.get_by_role("link", name=name, exact=True, include_hidden=True)
        menu.locator("details").filter(has=hidden).locator("summary").click()
    return link


def download(page, trigger) -> bytes:
    """Runs trigger() (a click) and returns the bytes of the file the browser downloads."""
    with page.expect_download() as info:
        trigger()
    path = info.value.path()
    return Path(path).read_bytes()


def fill_application(page, *, company: str, website: str, contact: str, email: str) -> None:
    """The public application form filled in as a reseller in Germany with 50-249 people."""
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Website").fill(website)
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Partner type").select_option(label="Reseller")
    page.get_by_label("Company size").select_option(label="50–249 employees")
    page.get_by_label("Expected annual revenue with us").fill("250000")
    page.get_by_label("Your name").fill(contact)
    page.get_by_label("Your business e-mail").fill(email)
    page.get_by_label("Your phone number").fill("+49 30 1234567")
