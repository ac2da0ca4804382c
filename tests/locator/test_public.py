"""The public locator on the tenant's host: search, profile pages, the embed, the contact
form (a lead offered to the partner), and its spam protection."""

from __future__ import annotations

import json
import time

import pytest
from django.core import mail
from django.test import override_settings

from dealreg.models import Lead, LeadOffer
from locator.models import ContactRequest
from locator.public_views import form_started
from partners.models import PartnerStatus
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerFactory, PublicProfileFactory, SpecialtyFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def _contact(profile, **extra):
    return {
        "name": "Dana Buyer",
        "email": "dana@initech.example",
        "company": "Initech",
        "message": "We need help moving to the cloud.",
        "started": form_started(profile, at=time.time() - 30),
        **extra,
    }


def _names(resp) -> list[str]:
    """The partners listed as results (links to their profiles)."""
    return [
        a.text() for a in find_all(resp, "a") if (a.attrs.get("href") or "").startswith("/find/")
    ]


def test_search_finds_live_profiles_by_keyword_and_specialty(world):
    w = world
    spec = SpecialtyFactory(tenant=w.tenant, name="Security")
    match = PublicProfileFactory(
        tenant=w.tenant, partner=w.partner, specialties=[spec.pk], regions=["emea"]
    )
    PublicProfileFactory(tenant=w.tenant, partner=w.other_partner, headline="Data analytics")
    draft = PublicProfileFactory(tenant=w.tenant, status="draft", headline="Cloud hidden draft")
    inactive = PublicProfileFactory(
        tenant=w.tenant,
        partner=PartnerFactory(tenant=w.tenant, status=PartnerStatus.SUSPENDED),
        headline="Cloud suspended",
    )
    client = portal_client(w.tenant)
    resp = client.get("/find/", {"q": "cloud"})
    names = _names(resp)
    assert w.partner.name in names
    assert w.other_partner.name not in names
    assert draft.partner.name not in names and inactive.partner.name not in names
    resp = client.get("/find/", {"specialty": spec.pk, "region": "emea"})
    assert match.partner.name in resp.content.decode()
    resp = client.get("/find/", {"region": "apac"})
    assert match.partner.name not in resp.content.decode()


def test_another_tenants_profile_is_not_found(world, stranger):
    theirs = PublicProfileFactory(tenant=stranger.tenant, partner=stranger.partner)
    assert portal_client(world.tenant).get(f"/find/{theirs.slug}/").status_code == 404
    resp = portal_client(world.tenant).get("/find/", {"q": stranger.partner.name})
    assert stranger.partner.name not in _names(resp)


def test_profile_page_has_seo_metadata_and_json_ld(world):
    profile = PublicProfileFactory(
        tenant=world.tenant, partner=world.partner, headline="Cloud </script><b>experts"
    )
    resp = portal_client(world.tenant).get(f"/find/{profile.slug}/")
    assert resp.status_code == 200
    canonical = find(resp, "link", rel="canonical")
    assert canonical.attrs["href"].endswith(f"/find/{profile.slug}/")
    assert find(resp, "meta", property="og:title").attrs["content"] == world.partner.name
    script = find(resp, "script", type="application/ld+json")
    data = json.loads(script.text())
    assert data["@type"] == "Organization" and data["name"] == world.partner.name
    assert data["description"] == "Cloud </script><b>experts"
    assert "</script><b>" not in resp.content.decode()


def test_contact_form_becomes_a_lead_offered_to_the_partner(
    world, django_capture_on_commit_callbacks
):
    w = world
    profile = PublicProfileFactory(tenant=w.tenant, partner=w.partner)
    with django_capture_on_commit_callbacks(execute=True):
        resp = portal_client(w.tenant).post(f"/find/{profile.slug}/contact/", _contact(profile))
    assert resp.status_code == 302
    with tenant_context(w.tenant):
        lead = Lead.objects.get(company="Initech")
        offer = LeadOffer.objects.get(lead=lead)
        assert ContactRequest.objects.filter(profile=profile, lead=lead).exists()
    assert offer.partner_id == w.partner.pk and offer.status == "open"
    assert lead.contact_email == "dana@initech.example"
    assert any(w.partner_admin.user.email in m.to for m in mail.outbox)
    inbox = portal_client(w.tenant, w.partner_admin).get("/leads/inbox/")
    assert "Initech" in inbox.content.decode()


def test_honeypot_looks_like_success_and_keeps_nothing(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    resp = portal_client(world.tenant).post(
        f"/find/{profile.slug}/contact/", _contact(profile, homepage="http://spam.example")
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert not Lead.objects.exists()


def test_a_form_sent_back_too_fast_is_refused(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    resp = portal_client(world.tenant).post(
        f"/find/{profile.slug}/contact/", _contact(profile, started=form_started(profile))
    )
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not Lead.objects.exists()


def test_a_forged_start_time_is_refused(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    resp = portal_client(world.tenant).post(
        f"/find/{profile.slug}/contact/", _contact(profile, started="0")
    )
    assert resp.status_code == 400


@override_settings(PRM_LOCATOR_RATE_PER_IP=2)
def test_contact_requests_are_rate_limited_per_address(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    client = portal_client(world.tenant)
    codes = [
        client.post(f"/find/{profile.slug}/contact/", _contact(profile)).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    with tenant_context(world.tenant):
        assert Lead.objects.count() == 2


@override_settings(PRM_LOCATOR_RATE_PER_PROFILE=1)
def test_contact_requests_are_rate_limited_per_profile(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    a = portal_client(world.tenant)
    assert a.post(f"/find/{profile.slug}/contact/", _contact(profile)).status_code == 302
    b = portal_client(world.tenant)
    resp = b.post(f"/find/{profile.slug}/contact/", _contact(profile), REMOTE_ADDR="198.51.100.7")
    assert resp.status_code == 429


def test_bad_contact_input_is_a_form_error(world):
    profile = PublicProfileFactory(tenant=world.tenant, partner=world.partner)
    resp = portal_client(world.tenant).post(
        f"/find/{profile.slug}/contact/", _contact(profile, email="not-an-email", company="")
    )
    assert resp.status_code == 400
    assert find_all(resp, "div", class_="error-summary")


def test_embed_may_be_framed_only_by_the_configured_origin(world):
    client = portal_client(world.tenant)
    resp = client.get("/find/embed/")
    assert "frame-ancestors 'none'" in resp["Content-Security-Policy"]
    portal_client(world.tenant, world.admin).post(
        "/locator/settings/", {"embed_origin": "https://www.vendor.example/partners?x=1"}
    )
    resp = client.get("/find/embed/")
    assert "frame-ancestors https://www.vendor.example;" in resp["Content-Security-Policy"]
    assert "X-Frame-Options" not in resp
    # Every other page still refuses framing.
    assert "frame-ancestors 'none'" in client.get("/find/")["Content-Security-Policy"]


def test_an_embed_origin_that_is_not_a_website_is_a_form_error(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/locator/settings/", {"embed_origin": "javascript:alert(1)"}
    )
    assert resp.status_code == 200
    assert find_all(resp, "div", class_="error-summary")


def test_the_specialty_filter_follows_publishing_at_once_though_it_is_cached(world):
    """The filter's choices are cached per tenant; publishing, unpublishing or editing a
    profile through the services drops them, so the next visitor sees the change."""
    from locator import services

    w = world
    spec = SpecialtyFactory(tenant=w.tenant, name="Quantum networking")
    profile = PublicProfileFactory(tenant=w.tenant, partner=w.partner, status="draft")
    client = portal_client(w.tenant)

    def offered() -> bool:
        options = find_all(client.get("/find/"), "option")
        return "Quantum networking" in [o.text() for o in options]

    assert not offered()  # and now cached
    with tenant_context(w.tenant):
        services.profile_update(
            partner=w.partner, by=w.partner_admin, headline="Q experts", specialties=[spec.pk]
        )
        services.profile_publish(profile=profile, by=w.partner_admin)
    assert offered()
    with tenant_context(w.tenant):
        profile.refresh_from_db()
        services.profile_unpublish(profile=profile, by=w.partner_admin)
    assert not offered()
