"""Nothing a partner did not publish appears on a public page: every private field of the
partner, its people, its tier, its certificates and its catalogue entries is set to a marker,
the profile publishes a few fields, and every public page (search, profile, thanks, embed,
the JSON-LD inside the profile page) is rendered and searched for the markers."""

from __future__ import annotations

import pytest

from locator.models import LocatorSettings
from partners.models import PartnerProduct
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import (
    CertificateFactory,
    CertificationFactory,
    MemberFactory,
    PartnerSpecialtyFactory,
    ProductFactory,
    PublicProfileFactory,
    SpecialtyFactory,
    TierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "zqsecret"


def _mark(name: str) -> str:
    return f"{SECRET}{name}"


def test_no_unpublished_field_reaches_a_public_page(world):
    w = world
    tenant, partner = w.tenant, w.partner
    with tenant_context(tenant):
        LocatorSettings.objects.create(tenant=tenant, allow_tier=True)  # allowed, not chosen
        partner.legal_name = _mark("legalname")
        partner.status_reason = _mark("statusreason")
        partner.website = f"https://{_mark('partnerwebsite')}.example"
        partner.tier = TierFactory(tenant=tenant, name=_mark("tier"))
        partner.save()
        PartnerSpecialtyFactory(
            tenant=tenant,
            partner=partner,
            specialty=SpecialtyFactory(tenant=tenant, name=_mark("partnerspecialty")),
        )
        PartnerProduct.objects.create(
            tenant=tenant,
            partner=partner,
            product=ProductFactory(tenant=tenant, name=_mark("partnerproduct")),
        )
    person = MemberFactory(
        tenant=tenant,
        role="partner_user",
        partner=partner,
        user=UserFactory(email=f"{_mark('email')}@p.example", full_name=_mark("person")),
    )
    CertificateFactory(
        tenant=tenant,
        member=person,
        holder_name=_mark("holder"),
        certification=CertificationFactory(tenant=tenant, name=_mark("certification")),
    )
    shown_spec = SpecialtyFactory(tenant=tenant, name="Published Specialty")
    profile = PublicProfileFactory(
        tenant=tenant,
        partner=partner,
        headline="Published headline",
        specialties=[shown_spec.pk],
        regions=["emea"],
        languages=["de"],
        hidden_reason=_mark("hiddenreason"),
    )
    # Another partner's unpublished draft, full of markers: never listed.
    PublicProfileFactory(
        tenant=tenant,
        partner=w.other_partner,
        status="draft",
        headline=_mark("draftheadline"),
        description=_mark("draftdescription"),
        services=[_mark("draftservice")],
    )

    client = portal_client(tenant)
    pages = [
        "/find/",
        "/find/?q=published",
        f"/find/?specialty={shown_spec.pk}&region=emea&language=de",
        f"/find/{profile.slug}/",
        f"/find/{profile.slug}/thanks/",
        "/find/embed/",
        "/find/embed/?q=published",
        # The public search as JSON (no API key), from the same public card.
        "/api/v1/locator/search/",
        "/api/v1/locator/search/?q=published",
        f"/api/v1/locator/search/?specialty={shown_spec.pk}&region=emea&language=de",
    ]
    for path in pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        body = resp.content.decode()
        assert SECRET not in body.lower(), path
    # The published fields are there (the test can fail for the right reason).
    body = client.get(f"/find/{profile.slug}/").content.decode()
    assert "Published headline" in body and "Published Specialty" in body
    assert partner.name in client.get("/find/?q=published").content.decode()
    [card] = client.get("/api/v1/locator/search/?q=published").json()
    assert card["name"] == partner.name and card["specialties"] == ["Published Specialty"]
