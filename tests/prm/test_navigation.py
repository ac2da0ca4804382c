"""The main menu of issue #18: at most seven top-level entries per role, grouped by the job,
labels that say what is inside, personal pages in the account menu, and a Menu button for
phones; plus the branded error pages and the favicon."""

from __future__ import annotations

import importlib

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings

from prm import context_processors
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import DealFactory, MdfProgramFactory, WebhookEndpointFactory
from tests.html_helpers import find, find_all

ROLES = [r.value for r in Role]
# A sales rep's menu is short on purpose: Home, the partner directory and Deals.
FEWEST = {Role.SALES_REP: 3}


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_at_most_seven_top_level_entries(role):
    nav, _account = context_processors.menu_for(role, "/")
    assert FEWEST.get(role, 5) <= len(nav) <= 7, [str(e["label"]) for e in nav]


@pytest.mark.parametrize("role", ROLES)
def test_no_group_repeats_its_name_in_its_pages(role):
    nav, _account = context_processors.menu_for(role, "/")
    labels = [str(e["label"]) for e in nav]
    assert len(labels) == len(set(labels))
    for entry in nav:
        if entry.get("group"):
            assert len(entry["items"]) >= 2
            assert all(str(i["label"]) != str(entry["label"]) for i in entry["items"])


def test_the_menus_are_grouped_by_the_job():
    def top(role):
        return [str(e["label"]) for e in context_processors.menu_for(role, "/")[0]]

    assert top("partner_admin") == [
        "Home",
        "Deals",
        "Marketing funds",
        "Training",
        "Analytics",
        "My program",
        "Company",
    ]
    assert top("channel_manager") == [
        "Home",
        "Partners",
        "Deals",
        "Marketing funds",
        "Training",
        "Analytics",
        "Workspace",
    ]
    assert top("admin")[-1] == "Workspace" and len(top("admin")) == 7
    assert top("sales_rep") == ["Home", "Partners", "Deals"]


def test_a_group_with_one_page_is_a_plain_link_named_for_the_group():
    nav, _account = context_processors.menu_for("partner_user", "/")
    training = next(e for e in nav if str(e["label"]) == "Training")
    assert training == {"label": training["label"], "url": "/learning/", "active": False}


def test_personal_pages_are_in_the_account_menu_not_the_main_menu():
    nav, account = context_processors.menu_for("admin", "/")
    assert [a["url"] for a in account] == ["/notifications/", "/api-keys/", "/privacy/"]
    main_urls = {e.get("url") for e in nav} | {
        i["url"] for e in nav if e.get("group") for i in e["items"]
    }
    assert not main_urls & {a["url"] for a in account}


def test_the_current_page_marks_its_link_and_its_group():
    nav, _account = context_processors.menu_for("admin", "/members/")
    workspace = next(e for e in nav if str(e["label"]) == "Workspace")
    assert workspace["active"]
    assert [i["url"] for i in workspace["items"] if i["active"]] == ["/members/"]
    assert sum(bool(e["active"]) for e in nav) == 1


def test_a_menu_group_key_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        context_processors.register_nav_group("deals", 1, "Deals again")


def test_the_page_carries_the_menu_button_and_the_account_links(world):
    page = html(portal_client(world.tenant, world.partner_admin).get("/"))
    nav = find(page, "nav", aria_label="Main")
    assert nav.attrs["id"] == "mainnav"
    button = find(page, "button", class_="menu-toggle")
    assert button.attrs["aria-expanded"] == "false"
    assert button.attrs["aria-controls"] == "mainnav-list"
    assert find(page, "ul", id="mainnav-list")
    in_account = [
        a.attrs["href"] for a in find_all(page, "a") if in_nav(a, "Account") and a.attrs.get("href")
    ]
    assert in_account[:4] == ["/profile/", "/notifications/", "/api-keys/", "/privacy/"]
    # The partner admin's colleagues sit under Company in the main menu.
    assert any(in_nav(a, "Main") for a in find_all(page, "a", href="/members/"))


def in_nav(element, name: str) -> bool:
    node = element.parent
    while node is not None:
        if node.tag == "nav" and node.attrs.get("aria-label") == name:
            return True
        node = node.parent
    return False


# --- Error pages and favicon ---------------------------------------------------------------


@pytest.fixture
def local_debug(monkeypatch):
    """DEBUG as prm.settings.local (the settings of `make run`) sets it."""

    def load(value: str | None) -> bool:
        if value is None:
            monkeypatch.delenv("PRM_DEBUG", raising=False)
        else:
            monkeypatch.setenv("PRM_DEBUG", value)
        module = importlib.import_module("prm.settings.local")
        return importlib.reload(module).DEBUG

    return load


def test_make_run_shows_django_debug_pages_only_on_explicit_opt_in(local_debug):
    assert local_debug(None) is False
    assert local_debug("1") is True


@pytest.mark.parametrize("path", ["/no-such-page/", "/verify/NOT-A-CODE"])
def test_make_run_answers_a_branded_404_on_a_tenant_host(world, local_debug, path):
    with override_settings(DEBUG=local_debug(None)):
        resp = portal_client(world.tenant).get(path)
    assert resp.status_code == 404
    page = resp.content.decode()
    assert "URLconf" not in page and "Traceback" not in page
    assert find(page, "h1").text() == "Page not found"
    assert world.tenant.name in find(page, "a", class_="brand-link").text()
    assert find_all(page, "a", class_="button", href="/")
    assert find_all(page, "link", rel="icon", href="/static/img/favicon.svg")


def test_a_signed_in_member_gets_the_404_page_with_the_menu(world):
    resp = portal_client(world.tenant, world.partner_user).get("/deals/999999/")
    assert resp.status_code == 404
    page = resp.content.decode()
    assert find(page, "nav", aria_label="Main")
    assert find(page, "h1").text() == "Page not found"


def test_the_bare_domain_answers_a_branded_404(db, settings):
    resp = Client(HTTP_HOST=settings.PRM_BASE_DOMAIN).get("/no-such-page/")
    assert resp.status_code == 404
    page = resp.content.decode()
    assert "URLconf" not in page
    assert find(page, "h1").text() == "Page not found"
    assert find(page, "a", class_="brand-link").text() == "PRM"


def test_a_forbidden_page_is_the_branded_403(world):
    resp = portal_client(world.tenant, world.partner_user).get("/audit/")
    assert resp.status_code == 403
    assert find(resp.content.decode(), "h1").text() == "You do not have access to this page"


def test_the_500_page_renders_without_a_request_context():
    page = render_to_string("500.html")
    assert find(page, "h1").text() == "Something went wrong"
    assert find_all(page, "link", rel="icon")


@pytest.mark.parametrize("tenant_host", [True, False])
def test_favicon_ico_leads_to_our_svg_icon(world, settings, tenant_host):
    client = (
        portal_client(world.tenant) if tenant_host else Client(HTTP_HOST=settings.PRM_BASE_DOMAIN)
    )
    resp = client.get("/favicon.ico")
    assert resp.status_code == 301
    assert resp["Location"] == "/static/img/favicon.svg"


# --- Breadcrumbs -----------------------------------------------------------------------------


def trail(page) -> list[tuple[str, str | None]]:
    assert len(find_all(page, "nav", aria_label="Breadcrumb")) == 1
    items = [e for e in find_all(page, "li") if in_nav(e, "Breadcrumb")]
    out = []
    for li in items:
        link = next((p for p in li.parts if not isinstance(p, str) and p.tag == "a"), None)
        out.append((li.text(), link.attrs["href"] if link else li.attrs.get("aria-current")))
    return out


def test_detail_pages_show_a_breadcrumb_trail_ending_at_the_page(world):
    with tenant_context(world.tenant):
        deal = DealFactory(tenant=world.tenant, partner=world.partner)
        program = MdfProgramFactory(tenant=world.tenant, name="FY26 funds")
        hook = WebhookEndpointFactory(tenant=world.tenant, url="https://hooks.example/x")
    admin = portal_client(world.tenant, world.admin)
    cases = [
        (
            f"/partners/{world.partner.pk}/",
            [("Partners", "/partners/"), (world.partner.name, "page")],
        ),
        (
            f"/members/{world.partner_user.pk}/",
            [("Members", "/members/"), (world.partner_user.user.display_name, "page")],
        ),
        (f"/deals/{deal.pk}/", [("Deal registrations", "/deals/"), (deal.number, "page")]),
        (
            f"/mdf/programs/{program.pk}/",
            [("MDF programs", "/mdf/programs/"), ("FY26 funds", "page")],
        ),
        (
            f"/integrations/webhooks/{hook.pk}/",
            [("Webhooks", "/integrations/webhooks/"), ("https://hooks.example/x", "page")],
        ),
    ]
    for url, expected in cases:
        assert trail(html(admin.get(url))) == expected, url


def test_list_pages_have_no_breadcrumbs(world):
    page = html(portal_client(world.tenant, world.admin).get("/partners/"))
    assert not find_all(page, "nav", aria_label="Breadcrumb")
