"""The sales rep role: who hands it out, what a rep sees and may not do."""

from __future__ import annotations

import pytest

from prm.models import Invitation
from prm.roles import Role, has_perm
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import DealFactory
from tests.html_helpers import find, find_all

NEW_EMAIL = "rep@own.example"


def test_admin_invites_a_sales_rep_without_a_partner(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/members/", {"email": NEW_EMAIL, "role": "sales_rep"}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        invitation = Invitation.objects.get(email=NEW_EMAIL)
    assert invitation.role == Role.SALES_REP and invitation.partner_id is None


def test_a_partner_admin_cannot_hand_out_the_sales_rep_role(world):
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/members/")
    assert not find_all(page, "option", value="sales_rep")
    resp = client.post("/members/", {"email": NEW_EMAIL, "role": "sales_rep"})
    with tenant_context(world.tenant):
        assert not Invitation.objects.filter(email=NEW_EMAIL).exists()
    assert resp.status_code in (200, 403)


def test_the_admin_invitation_form_offers_the_sales_rep_role(world):
    page = portal_client(world.tenant, world.admin).get("/members/")
    assert find(page, "option", value="sales_rep", text="Sales rep")


@pytest.mark.parametrize(
    "capability",
    [
        "deals.view",
        "partners.view",
        "rules.view",
        "accounts.mine",
        "accounts.known_by",
        "cosell.use",
        "api_keys.own",
    ],
)
def test_a_sales_rep_reads_what_co_selling_needs(capability):
    assert has_perm(Role.SALES_REP, capability)


@pytest.mark.parametrize(
    "capability",
    [
        "deals.review",
        "deals.register",
        "partners.manage",
        "mdf.view",
        "mdf.review",
        "members.view",
        "leads.manage",
        "tenant.manage",
        "territories.manage",
        "applications.review",
        "training.view",
        "cosell.manage",
        "cosell.view_all",
        "account_sharing.view",
        "account_overlaps.view_all",
        "account_intros.decide",
        "jointplans.manage",
    ],
)
def test_a_sales_rep_runs_nothing_of_the_program(capability):
    assert not has_perm(Role.SALES_REP, capability)


def test_a_sales_rep_cannot_approve_a_deal_through_the_api(world):
    with tenant_context(world.tenant):
        deal = DealFactory(tenant=world.tenant, partner=world.partner, status="submitted")
    resp = api_client(world.tenant, world.sales_rep).post(
        f"/api/v1/deals/{deal.pk}/approve/", {}, format="json"
    )
    assert resp.status_code == 403
    # ...but reads it.
    resp = api_client(world.tenant, world.sales_rep).get(f"/api/v1/deals/{deal.pk}/")
    assert resp.status_code == 200


def test_the_partner_directory_offers_a_sales_rep_no_add_form(world):
    page = portal_client(world.tenant, world.sales_rep).get("/partners/")
    assert page.status_code == 200
    assert not find_all(page, "button", text="Add partner")
    page = portal_client(world.tenant, world.sales_rep).get(f"/partners/{world.partner.pk}/")
    assert not find_all(page, "a", text="Edit profile")


def test_a_sales_rep_menu_has_my_accounts_and_no_review_queue(world):
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert find_all(page, "a", href="/my-accounts/")
    assert not find_all(page, "a", href="/deals/review/")
    assert find(page, "section", id="home-my-accounts")
