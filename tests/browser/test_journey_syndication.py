"""The content syndication journey (issue #21, item 5): a partner's admin switches the embed on
for its website, copies the snippet and previews it; a page served from another origin (the
partner's website: a tiny local HTTP server) embeds the snippet, and a visitor sees the
vendor's published content co-branded with the partner's name and colours. The same page on
an origin the partner did not allow shows nothing (CSP frame-ancestors). Screenshots go to
docs/screenshots/journeys/syndication-<n>-<step>.png."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from marketing import services
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.marketing.helpers import published


class _Website:
    """The partner's own website: one page holding whatever snippet it is given."""

    def __init__(self):
        self.body = b""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (the http.server hook's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(site.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def show(self, snippet: str) -> None:
        self.body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Northwind'
            "</title></head><body><h1>Northwind Resellers</h1>"
            f"{snippet}</body></html>"
        ).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def website():
    site = _Website()
    yield site
    site.close()


pytestmark = [pytest.mark.celery_worker]


def test_journey_syndication_partner_embeds_the_content_on_its_website(
    site, celery_worker, website
):
    world = build_world("synd")
    published(world, title="Acme Cloud brochure", description="Why teams move to Acme Cloud.")
    published(world, title="Acme Cloud demo", kind="video")
    with tenant_context(world.tenant):
        services.brand_kit_save(
            partner=world.partner,
            by=world.partner_admin,
            primary_color="#0b5d3b",
            secondary_color="#f2a900",
            contact_name="Dana Seller",
            contact_email="dana@northwind.example",
        )
    origin = f"http://127.0.0.1:{website.port}"
    shot = Shots("syndication")
    axe = Axe()

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Content on your website").click()
    partner.get_by_label("Show the content on my website").check()
    partner.get_by_label("Websites allowed to embed it").fill(origin)
    shot(partner, "settings")
    partner.get_by_role("button", name="Save", exact=True).click()
    expect(partner.get_by_text("Syndication settings saved.")).to_be_visible()
    preview = partner.frame_locator("iframe.synd-preview")
    expect(preview.get_by_role("heading", name="Acme Cloud brochure")).to_be_visible()
    shot(partner, "snippet-and-preview")
    problems = violations(partner, axe)
    iframe_snippet = partner.get_by_label("As an iframe").input_value()
    script_snippet = partner.get_by_label("Or as a script").input_value()

    # The partner's website, another origin, embeds the iframe snippet.
    website.show(iframe_snippet)
    for viewport in (None, PHONE):
        visitor = site.new_page(viewport=viewport)
        visitor.goto(f"{origin}/")
        embed = visitor.frame_locator("iframe")
        expect(embed.get_by_role("heading", name="Acme Cloud brochure")).to_be_visible()
        expect(embed.get_by_role("heading", name="Acme Cloud demo")).to_be_visible()
        expect(embed.get_by_text(world.partner.name, exact=True)).to_be_visible()
        expect(embed.get_by_text("Dana Seller")).to_be_visible()
        # The partner's primary colour, from the embed's own stylesheet; that sheet may arrive
        # after the text is visible, so the check waits for it instead of reading it once.
        expect(embed.locator(".synd-open").first).to_have_css("background-color", "rgb(11, 93, 59)")
    shot(visitor, "website-phone")

    # The script snippet writes the same iframe.
    website.show(script_snippet)
    visitor = site.new_page()
    visitor.goto(f"{origin}/")
    expect(
        visitor.frame_locator("iframe").get_by_role("heading", name="Acme Cloud brochure")
    ).to_be_visible()
    shot(visitor, "website")

    # The embed page itself is accessible, at both widths.
    src = visitor.locator("iframe").get_attribute("src")
    for viewport in (None, PHONE):
        page = site.new_page(viewport=viewport)
        page.goto(src)
        problems += violations(page, axe)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= page.viewport_size["width"]

    # An origin the partner did not allow cannot frame it.
    website.show(iframe_snippet)
    stranger = site.new_page()
    stranger.goto(f"http://elsewhere.localhost:{website.port}/")
    stranger.wait_for_timeout(1000)
    frame = stranger.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Acme Cloud brochure")).to_have_count(0)
    assert not problems, "\n".join(problems)
