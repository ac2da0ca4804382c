"""Account mapping's data journey (issue #19): a partner admin uploads a CSV of its
accounts, checks the preview, imports it (the real Celery worker writes the rows and then
computes the overlaps with the vendor's accounts) and sees its overlap count appear on its
accounts page. Screenshots: docs/screenshots/journeys/accounts-<n>-<step>.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accountmap.models import Account, Overlap
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world, wait_for
from tests.factories import AccountFactory

pytestmark = [pytest.mark.celery_worker]

CSV = (
    "name,domain,status,industry,region,external_id\n"
    "Initech Corporation,initech.example,opportunity,Software,EMEA,NW-1\n"
    "Globex Corp,globex-europe.example,customer,Manufacturing,EMEA,NW-2\n"
    "Northwind Own Client,own-client.example,prospect,Retail,NA,NW-3\n"
    "Broken Row,not a domain,customer,,,NW-4\n"
)


def test_journey_accounts_partner_uploads_and_sees_overlaps(site, celery_worker, settings):
    # Counts under the threshold are never numbers (accountmap.visibility); this journey's
    # handful of accounts is counted with a threshold of one.
    settings.PRM_ACCOUNTMAP_MIN_COUNT = 1
    world = build_world("mapping")
    with tenant_context(world.tenant):
        AccountFactory(tenant=world.tenant, name="Initech", domain="initech.example")
        AccountFactory(tenant=world.tenant, name="Globex Corporation", domain="globex.example")
        AccountFactory(tenant=world.tenant, name="Umbrella", domain="umbrella.example")
    shot = Shots("accounts")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    menu_link(partner, "Accounts").click()
    expect(partner.get_by_role("heading", name="Your accounts", exact=True)).to_be_visible()
    expect(partner.get_by_test_id("overlap-total")).to_have_text("below the threshold")
    partner.get_by_role("link", name="Import CSV").click()
    partner.get_by_label("CSV file").set_input_files(
        {"name": "accounts.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    shot(partner, "upload")
    partner.get_by_role("button", name="Check the file").click()
    expect(partner.get_by_text("3 new, 0 to update, 0 unchanged, 1 with errors.")).to_be_visible()
    shot(partner, "preview")
    partner.get_by_role("button", name="Import 3 rows").click()
    expect(partner.get_by_role("heading", name="Import finished")).to_be_visible(timeout=60_000)

    with tenant_context(world.tenant):
        assert Account.objects.filter(partner=world.partner).count() == 3
        # The worker computes the overlaps after the import's batch commits.
        wait_for(lambda: Overlap.objects.filter(partner=world.partner).count() == 2, 60)

    menu_link(partner, "Accounts").click()
    expect(partner.get_by_test_id("overlap-total")).to_have_text("at least 2 overlaps")
    expect(partner.get_by_role("link", name="Initech Corporation")).to_be_visible()
    shot(partner, "overlap-count")

    # The other partner sees none of it; the vendor's staff see the vendor's list only.
    other = site.sign_in(world.tenant, world.other_partner_user.user.email)
    menu_link(other, "Accounts").click()
    expect(other.get_by_test_id("overlap-total")).to_have_text("below the threshold")
    expect(other.get_by_role("link", name="Initech Corporation")).to_have_count(0)
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    menu_link(manager, "Accounts").click()
    expect(manager.get_by_role("link", name=re.compile("^Umbrella"))).to_be_visible()
    expect(manager.get_by_role("link", name="Northwind Own Client")).to_have_count(0)
    shot(manager, "vendor-list")
