"""The brand kit and co-branded copy through the portal: a partner admin keeps the kit (logo
checked from its bytes, SVG refused, colours as #rrggbb); admins write templates whose HTML is
sanitised and whose placeholders come from a fixed set, never executed as a template; a
partner previews its copy in the page and downloads the PDF, counted."""

from __future__ import annotations

import pytest

from marketing import services
from marketing.models import BrandKit, CobrandDownload, CobrandTemplate
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all
from tests.marketing.helpers import png_file, svg_file

pytestmark = pytest.mark.django_db

KIT = {
    "primary_color": "#112233",
    "secondary_color": "#ABCDEF",
    "contact_name": "Dana <b>Sales</b>",
    "contact_email": "dana@partner.example",
    "contact_phone": "+49 30 1234",
    "website": "https://partner.example",
}


def _template(world, body: str, kind: str = "one_pager", publish: bool = True):
    with tenant_context(world.tenant):
        tpl = services.template_create(by=world.admin, title="One-pager", kind=kind, body=body)
        if publish:
            tpl = services.template_publish(template=tpl, by=world.admin)
        return tpl


def test_partner_admin_saves_the_brand_kit_with_a_png_logo(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/marketing/brand-kit/", {**KIT, "logo": png_file()})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        kit = BrandKit.objects.get(partner=world.partner)
        assert kit.secondary_color == "#abcdef"
        assert kit.logo_content_type == "image/png"
        assert kit.logo.name.endswith(".png") and "logo" not in kit.logo.name.rsplit("/", 1)[-1]
    page = client.get("/marketing/brand-kit/")
    assert find(page, "img", class_="mkt-logo").attrs["src"].startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("primary_color", {"primary_color": "red"}),
        ("secondary_color", {"secondary_color": "#12345g"}),
        ("logo", {"logo": svg_file()}),
        ("logo", {"logo": svg_file("logo.png")}),
    ],
)
def test_bad_brand_kit_input_is_a_form_error_and_nothing_is_saved(world, field, data):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/marketing/brand-kit/", {**KIT, **data})
    assert resp.status_code == 200
    assert find(resp, "div", id=f"id_{field}_field", class_="has-error")
    with tenant_context(world.tenant):
        assert not BrandKit.objects.exists()


def test_only_partner_admins_keep_the_brand_kit(world):
    for member in (world.partner_user, world.admin, world.sales_rep):
        resp = portal_client(world.tenant, member).post("/marketing/brand-kit/", KIT)
        assert resp.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        "<p>{{ partner.secret }}</p>",
        "<p>{{ settings.SECRET_KEY }}</p>",
        '<a href="{{ partner.website }}">site</a>',
    ],
)
def test_unknown_placeholders_and_placeholders_in_tags_are_refused(world, body):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/marketing/templates/new/", {"title": "T", "kind": "one_pager", "body": body}
    )
    assert resp.status_code == 200
    assert find(resp, "div", id="id_body_field", class_="has-error")
    with tenant_context(world.tenant):
        assert not CobrandTemplate.objects.exists()


def test_template_html_is_sanitised_and_never_executed_as_a_template(world):
    tpl = _template(
        world,
        '<h1 onclick="x()">Hi {{ partner.name }}</h1><script>alert(1)</script>'
        '<p>{% now "Y" %} {{partner.phone}}</p>',
    )
    with tenant_context(world.tenant):
        tpl.refresh_from_db()
    assert "<script" not in tpl.body and "onclick" not in tpl.body
    with tenant_context(world.tenant):
        world.partner.name = "Acme <img src=x onerror=alert(1)>"
        world.partner.save()
        services.brand_kit_save(partner=world.partner, by=world.partner_admin, **KIT)
    page = portal_client(world.tenant, world.partner_user).get(f"/marketing/templates/{tpl.pk}/")
    preview = find(page, "div", data_preview=True)
    text = preview.text()
    assert "Hi Acme <img src=x onerror=alert(1)>" in text  # shown as text, escaped
    assert '{% now "Y" %}' in text  # template syntax stays text
    assert "+49 30 1234" in text
    assert not find_all(page, "img", src="x")


def test_partner_previews_its_copy_and_downloads_the_pdf_counted(world):
    tpl = _template(world, "<h1>{{ partner.name }}</h1>{{ partner.logo }}{{ partner.contact }}")
    with tenant_context(world.tenant):
        services.brand_kit_save(
            partner=world.partner, by=world.partner_admin, logo=png_file(), **KIT
        )
    client = portal_client(world.tenant, world.partner_user)
    page = client.get(f"/marketing/templates/{tpl.pk}/")
    preview = find(page, "div", data_preview=True)
    assert world.partner.name in preview.text()
    assert "Dana <b>Sales</b>" in preview.text()  # the contact name, escaped
    resp = client.get(f"/marketing/templates/{tpl.pk}/download/")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    with tenant_context(world.tenant):
        row = CobrandDownload.objects.get(template=tpl)
        assert row.partner_id == world.partner.pk


def test_email_templates_download_as_html(world):
    tpl = _template(world, "<p>Dear customer, {{ partner.name }} invites you.</p>", kind="email")
    resp = portal_client(world.tenant, world.partner_admin).get(
        f"/marketing/templates/{tpl.pk}/download/"
    )
    assert resp["Content-Type"].startswith("text/html")
    assert resp["Content-Disposition"].startswith("attachment")
    assert world.partner.name.encode() in resp.content


def test_drafts_are_hidden_from_partners(world):
    tpl = _template(world, "<p>{{ partner.name }}</p>", publish=False)
    client = portal_client(world.tenant, world.partner_user)
    assert client.get(f"/marketing/templates/{tpl.pk}/").status_code == 404
    assert client.get(f"/marketing/templates/{tpl.pk}/download/").status_code == 404
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.get(f"/marketing/templates/{tpl.pk}/").status_code == 200
