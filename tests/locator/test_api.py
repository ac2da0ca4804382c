"""The locator and referrals through the API: a partner admin reads and replaces its public
profile and publishes it; a partner's people invite companies and see their referrals'
status; the public search answers without a key; bad input is a 400 with field errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from locator import selectors as locator_selectors
from locator.models import PublicProfile, Referral
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory, ProductFactory, PublicProfileFactory

pytestmark = pytest.mark.django_db


def test_partner_admin_replaces_and_publishes_its_profile(world):
    client = api_client(world.tenant, world.partner_admin)
    assert client.get("/api/v1/locator/profile/").json()["slug"] is None
    resp = client.put(
        "/api/v1/locator/profile/",
        {"headline": "Cloud moves", "services": ["Migration"], "regions": ["emea"]},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["status"] == "draft" and body["headline"] == "Cloud moves"
    assert "publish" in body["allowed_actions"]
    resp = client.post("/api/v1/locator/profile/publish/")
    assert resp.status_code == 200 and resp.json()["status"] == "published"
    found = api_client(world.tenant).get("/api/v1/locator/search/?q=cloud").json()
    assert [c["name"] for c in found] == [world.partner.name]
    assert client.post("/api/v1/locator/profile/unpublish/").json()["status"] == "draft"
    assert api_client(world.tenant).get("/api/v1/locator/search/?q=cloud").json() == []
    with tenant_context(world.tenant):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"locator.profile_publish", "locator.profile_unpublish"} <= actions


def test_a_bad_profile_is_a_400_with_the_field_and_nothing_changes(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.put("/api/v1/locator/profile/", {"regions": ["mars"]}, format="json")
    assert resp.status_code == 400
    assert "regions" in str(resp.json())
    with tenant_context(world.tenant):
        assert not PublicProfile.objects.filter(regions__contains=["mars"]).exists()


def test_publishing_a_missing_profile_is_404(world):
    resp = api_client(world.tenant, world.partner_admin).post("/api/v1/locator/profile/publish/")
    assert resp.status_code == 404


def test_partner_invites_a_company_and_sees_the_status_only(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.post(
        "/api/v1/locator/referrals/",
        {"company_name": "Globex", "contact_email": "gill@globex.example"},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["status"] == "invited"
    listed = client.get("/api/v1/locator/referrals/").json()["results"]
    assert [(r["company_name"], r["status"]) for r in listed] == [("Globex", "invited")]
    # Another partner's people see none of them.
    other = api_client(world.tenant, world.other_partner_user).get("/api/v1/locator/referrals/")
    assert other.json()["results"] == []


def test_a_bad_invitation_is_a_400_and_nothing_is_sent(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.post(
        "/api/v1/locator/referrals/", {"company_name": "Globex", "contact_email": "nope"}
    )
    assert resp.status_code == 400 and "contact_email" in str(resp.json())
    with tenant_context(world.tenant):
        assert not Referral.objects.exists()


def test_public_search_needs_no_key_and_refuses_bad_criteria(world, stranger):
    PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    PublicProfileFactory(tenant=stranger.tenant, partner=stranger.partner)
    anonymous = api_client(world.tenant)
    names = [c["name"] for c in anonymous.get("/api/v1/locator/search/").json()]
    assert names == [world.partner.name]
    resp = anonymous.get("/api/v1/locator/search/?region=mars")
    assert resp.status_code == 400 and "region" in str(resp.json())


def test_the_search_costs_the_same_queries_for_few_and_many_results(world):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant)

    def add(n):
        for _ in range(n):
            partner = PartnerFactory(tenant=world.tenant)
            PublicProfileFactory(tenant=world.tenant, partner=partner, products=[product.pk])

    def count(path):
        api = path.startswith("/api/")
        client = api_client(world.tenant) if api else portal_client(world.tenant)
        # Each request reads the filter choices afresh (they are cached between changes).
        locator_selectors.choices_changed(world.tenant.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = {p: count(p) for p in ("/find/", "/api/v1/locator/search/")}
    add(10)
    many = {p: count(p) for p in ("/find/", "/api/v1/locator/search/")}
    assert few == many


def test_staff_take_a_profile_down_and_allow_it_again_through_the_api(world):
    with tenant_context(world.tenant):
        profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    client = api_client(world.tenant, world.channel_manager)
    listed = client.get("/api/v1/locator/profiles/?status=published").json()["results"]
    assert [(p["id"], p["status"]) for p in listed] == [(profile.pk, "published")]
    assert listed[0]["public_url"].endswith(f"/find/{profile.slug}/")
    assert "hide" in listed[0]["allowed_actions"]

    resp = client.post(
        f"/api/v1/locator/profiles/{profile.pk}/hide/", {"reason": "Claims a false certificate"}
    )
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert (body["status"], body["hidden_reason"], body["public_url"]) == (
        "hidden",
        "Claims a false certificate",
        None,
    )
    assert api_client(world.tenant).get(f"/find/{profile.slug}/").status_code == 404
    resp = client.post(f"/api/v1/locator/profiles/{profile.pk}/restore/")
    assert resp.status_code == 200 and resp.json()["status"] == "draft"
    with tenant_context(world.tenant):
        actions = list(
            AuditEvent.objects.filter(action__startswith="locator.profile_")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions[-2:] == ["locator.profile_hide", "locator.profile_restore"]


def test_taking_a_profile_down_needs_a_reason_and_a_published_profile(world):
    with tenant_context(world.tenant):
        profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post(f"/api/v1/locator/profiles/{profile.pk}/hide/", {"reason": ""})
    assert resp.status_code == 400 and "reason" in resp.json()["errors"]
    resp = client.post(f"/api/v1/locator/profiles/{profile.pk}/restore/")
    assert resp.status_code in (400, 409)
    with tenant_context(world.tenant):
        profile.refresh_from_db()
    assert profile.status == "published"
    bad = client.get("/api/v1/locator/profiles/?status=gone")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
