"""The accounts pages: each side's own list with filters and counts, the partner's overlap
count, forms that show errors at their fields, removal behind a confirmation."""

from __future__ import annotations

import pytest

from accountmap import overlaps
from accountmap.models import Account
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import AccountFactory
from tests.html_helpers import find_all

pytestmark = pytest.mark.django_db


def _rows(resp) -> list[str]:
    return [td.text() for td in find_all(resp.content.decode(), "td", class_="truncate")]


def test_staff_see_the_vendors_accounts_and_partners_their_own(world):
    AccountFactory(tenant=world.tenant, name="Vendor Co")
    AccountFactory(tenant=world.tenant, partner=world.partner, name="Partner Co")
    AccountFactory(tenant=world.tenant, partner=world.other_partner, name="Other Co")
    assert _rows(portal_client(world.tenant, world.channel_manager).get("/accounts/")) == [
        "Vendor Co"
    ]
    assert _rows(portal_client(world.tenant, world.partner_user).get("/accounts/")) == [
        "Partner Co"
    ]


def test_filters_narrow_the_list(world):
    AccountFactory(tenant=world.tenant, name="Alpha", industry="Retail", status="customer")
    AccountFactory(tenant=world.tenant, name="Beta", industry="Banking", status="prospect")
    client = portal_client(world.tenant, world.admin)
    assert _rows(client.get("/accounts/?industry=retail")) == ["Alpha"]
    assert _rows(client.get("/accounts/?status=prospect")) == ["Beta"]
    assert _rows(client.get("/accounts/?q=alp")) == ["Alpha"]
    assert _rows(client.get("/accounts/?sort=-name")) == ["Beta", "Alpha"]


def test_the_partners_list_shows_its_overlap_count_as_the_vendor_shares_it(world, settings):
    AccountFactory(tenant=world.tenant, name="Same", domain="same.example")
    AccountFactory(tenant=world.tenant, partner=world.partner, name="Same", domain="same.example")
    with tenant_context(world.tenant):
        overlaps.overlaps_compute_full(world.tenant)
    client = portal_client(world.tenant, world.partner_user)
    # One overlap is under the threshold (5): not a number, so it cannot single out a record.
    total = find_all(client.get("/accounts/"), "strong", data_testid="overlap-total")
    assert [t.text() for t in total] == ["below the threshold"]
    settings.PRM_ACCOUNTMAP_MIN_COUNT = 1
    total = find_all(client.get("/accounts/"), "strong", data_testid="overlap-total")
    # The other cells (zero) are under the threshold too: the total is a floor.
    assert [t.text() for t in total] == ["at least 1 overlaps"]


def test_the_list_takes_the_same_queries_for_one_row_and_many(world):
    AccountFactory(tenant=world.tenant, partner=world.partner)
    client = portal_client(world.tenant, world.partner_user)
    client.get("/accounts/")
    from django.db import connection  # noqa: PLC0415 (counts only this request)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as one:
        client.get("/accounts/")
    for _ in range(20):
        AccountFactory(tenant=world.tenant, partner=world.partner)
    with CaptureQueriesContext(connection) as many:
        client.get("/accounts/")
    assert len(many) == len(one)


def test_a_bad_form_shows_errors_and_writes_nothing(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/accounts/new/", {"name": "X", "domain": "not a domain", "status": "customer"}
    )
    assert resp.status_code == 200
    assert find_all(resp.content.decode(), "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not Account.objects.exists()


def test_removing_an_account_asks_first(world):
    account = AccountFactory(tenant=world.tenant, partner=world.partner)
    client = portal_client(world.tenant, world.partner_user)
    assert client.get(f"/accounts/{account.pk}/delete/").status_code == 200
    with tenant_context(world.tenant):
        assert Account.objects.filter(pk=account.pk).exists()
    assert client.post(f"/accounts/{account.pk}/delete/").status_code == 302
    with tenant_context(world.tenant):
        assert not Account.objects.filter(pk=account.pk).exists()


@pytest.mark.parametrize("path", ["/accounts/", "/accounts/populations/", "/accounts/new/"])
def test_the_accounts_pages_require_the_mfa_setup(world, path):
    """/accounts/ is also allauth's prefix, which the MFA gate lets through: only allauth's
    own pages there may be reached before two-factor authentication is set up."""
    from django.urls import reverse  # noqa: PLC0415 (the allauth route, by name)

    from prm.models import Tenant  # noqa: PLC0415

    Tenant.objects.filter(pk=world.tenant.pk).update(require_mfa_for_staff=True)
    world.tenant.refresh_from_db()
    client = portal_client(world.tenant, world.admin)
    resp = client.get(path)
    assert resp.status_code == 302 and resp["Location"] == reverse("mfa_activate_totp")
    # allauth's own pages under /accounts/ stay reachable
    assert client.get(reverse("mfa_activate_totp")).get("Location") != reverse("mfa_activate_totp")
    assert client.get(reverse("account_logout")).status_code in (200, 302)
    assert client.get(reverse("account_logout")).get("Location") != reverse("mfa_activate_totp")


def test_global_search_finds_only_the_members_own_sides_accounts(world):
    AccountFactory(tenant=world.tenant, name="Zephyr Vendor", domain="zephyr.example")
    AccountFactory(tenant=world.tenant, partner=world.partner, name="Zephyr Ours")
    AccountFactory(tenant=world.tenant, partner=world.other_partner, name="Zephyr Theirs")

    def found(member):
        page = portal_client(world.tenant, member).get("/search/?q=zephyr").content.decode()
        return {a.text() for a in find_all(page, "a") if a.text().startswith("Zephyr")}

    assert found(world.channel_manager) == {"Zephyr Vendor"}
    assert found(world.partner_user) == {"Zephyr Ours"}
