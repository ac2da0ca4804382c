"""The marketing journey (issue #21, items 1-2), driven through the portal: a channel manager
adds a brochure, uploads its PDF and publishes it; the partner's admin finds it in the library
by searching, downloads it, sets the company's brand kit (logo, colours, contact) and
downloads its co-branded one-pager as a PDF. Screenshots go to
docs/screenshots/journeys/marketing-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from marketing import services
from marketing.models import AssetDownload, BrandKit, CobrandDownload
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, download, menu_link
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.marketing.helpers import PDF_BYTES, png_bytes

pytestmark = [pytest.mark.celery_worker]

ONE_PAGER = (
    "<h1>Acme Cloud, delivered by {{ partner.name }}</h1><p>{{ partner.logo }}</p>"
    "<p>Run your applications with 99.95% availability.</p>{{ partner.contact }}"
)


def button(page, name: str):
    page.get_by_role("button", name=name, exact=True).click()


def test_journey_marketing_publish_find_brand_and_download(site, celery_worker, tmp_path):
    world = build_world("mkt")
    with tenant_context(world.tenant):
        tpl = services.template_create(
            by=world.admin, title="Acme Cloud one-pager", kind="one_pager", body=ONE_PAGER
        )
        services.template_publish(template=tpl, by=world.admin)
    axe = Axe()
    shots = Shots("marketing")

    def shot(page, step):
        # Every step of the journey is also checked with axe-core (serious or critical).
        shots(page, step)
        assert violations(page, axe) == []

    brochure = tmp_path / "acme-brochure.pdf"
    brochure.write_bytes(PDF_BYTES)
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes((120, 40), (11, 93, 59)))

    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    menu_link(manager, "Marketing assets").click()
    manager.get_by_role("link", name="New asset").click()
    manager.get_by_label("Title").fill("Acme Cloud brochure")
    manager.locator("#id_kind").select_option(label="PDF")
    manager.get_by_label("Tags").fill("overview, security")
    manager.get_by_label("Description").fill(
        "<p>The overview for <strong>first meetings</strong>.</p>"
    )
    shot(manager, "new-asset")
    button(manager, "Save")
    expect(manager.get_by_text("Asset saved as a draft.")).to_be_visible()
    manager.get_by_label("File").set_input_files(str(brochure))
    manager.get_by_label("What changed").fill("First edition")
    button(manager, "Add the version")
    expect(manager.get_by_text("New version added.")).to_be_visible()
    button(manager, "Publish")
    expect(manager.get_by_text("Published: the partners it is for see it")).to_be_visible()
    shot(manager, "published")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Marketing assets").click()
    partner.get_by_role("searchbox", name="Search", exact=True).fill("security")
    button(partner, "Show")
    partner.get_by_role("link", name="Acme Cloud brochure").click()
    shot(partner, "partner-finds-it")
    data = download(
        partner, lambda: partner.get_by_role("link", name="Download", exact=True).click()
    )
    assert data.startswith(b"%PDF-")

    menu_link(partner, "Brand kit").click()
    partner.get_by_label("Logo", exact=True).set_input_files(str(logo))
    partner.get_by_label("Primary colour").fill("#0b5d3b")
    partner.get_by_label("Secondary colour").fill("#f2a900")
    partner.get_by_label("Contact name").fill("Ada Admin")
    partner.get_by_label("Contact e-mail").fill("ada@partner.example")
    partner.get_by_label("Contact phone").fill("+1 206 555 0147")
    button(partner, "Save the brand kit")
    expect(partner.get_by_text("Brand kit saved.")).to_be_visible()
    shot(partner, "brand-kit")

    menu_link(partner, "Co-branded copy").click()
    partner.get_by_role("link", name="Acme Cloud one-pager").click()
    preview = partner.locator("[data-preview]")
    expect(preview).to_contain_text(f"Acme Cloud, delivered by {world.partner.name}")
    expect(preview).to_contain_text("+1 206 555 0147")
    expect(preview.locator("img.cobrand-logo")).to_be_visible()
    shot(partner, "co-branded-preview")
    pdf = download(
        partner, lambda: partner.get_by_role("link", name="Download PDF", exact=True).click()
    )
    assert pdf.startswith(b"%PDF-")

    with tenant_context(world.tenant):
        assert AssetDownload.objects.filter(partner=world.partner).count() == 1
        assert CobrandDownload.objects.filter(partner=world.partner).count() == 1
        assert BrandKit.objects.get(partner=world.partner).primary_color == "#0b5d3b"

    # On a phone the library and the co-branded preview do not scroll sideways.
    phone = site.sign_in(world.tenant, world.partner_admin.user.email, viewport=PHONE)
    for path in ("/marketing/", f"/marketing/templates/{tpl.pk}/", "/marketing/brand-kit/"):
        phone.goto(site.url(world.tenant, path))
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
