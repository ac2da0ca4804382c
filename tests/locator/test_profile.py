"""A partner's public profile: edited and published by its admin, taken down by staff."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from locator.models import ProfileStatus, PublicProfile
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import (
    CertificateFactory,
    MemberFactory,
    ProductFactory,
    PublicProfileFactory,
    SpecialtyFactory,
)
from tests.html_helpers import find_all

pytestmark = pytest.mark.django_db


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = "logo.png"
    return buf


def _profile(w):
    with tenant_context(w.tenant):
        return PublicProfile.objects.get(partner=w.partner)


def test_partner_admin_saves_and_publishes_a_profile(world):
    w = world
    spec = SpecialtyFactory(tenant=w.tenant, name="Kubernetes")
    client = portal_client(w.tenant, w.partner_admin)
    resp = client.post(
        "/locator/profile/",
        {
            "headline": "Cloud experts",
            "description": "<p>We <strong>migrate</strong></p><script>alert(1)</script>"
            '<a href="javascript:alert(1)">x</a>',
            "services": "Implementation\nTraining\nimplementation",
            "specialties": [str(spec.pk)],
            "regions": ["emea"],
            "languages": ["de", "en"],
            "website": "https://cloud.example",
            "logo": _png(),
        },
    )
    assert resp.status_code == 302
    profile = _profile(w)
    assert profile.status == ProfileStatus.DRAFT
    assert "<script" not in profile.description and "alert" not in profile.description
    assert "javascript:" not in profile.description
    assert "<strong>migrate</strong>" in profile.description
    assert profile.services == ["Implementation", "Training"]
    assert profile.specialties == [spec.pk]
    assert profile.logo

    assert client.post("/locator/profile/publish/").status_code == 302
    profile = _profile(w)
    assert profile.status == ProfileStatus.PUBLISHED
    with tenant_context(w.tenant):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"locator.profile_updated", "locator.profile_publish"} <= actions
    assert portal_client(w.tenant).get(f"/find/{profile.slug}/").status_code == 200


def test_a_logo_that_is_not_an_image_is_a_form_error(world):
    fake = io.BytesIO(b"<svg onload=alert(1)></svg>")
    fake.name = "logo.png"
    resp = portal_client(world.tenant, world.partner_admin).post(
        "/locator/profile/", {"headline": "X", "logo": fake}
    )
    assert resp.status_code == 200
    assert find_all(resp, "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not PublicProfile.objects.filter(partner=world.partner, logo__gt="").exists()


def test_another_partners_certificate_cannot_be_shown(world):
    w = world
    theirs = CertificateFactory(tenant=w.tenant, member=w.other_partner_user)
    ours = CertificateFactory(
        tenant=w.tenant,
        member=MemberFactory(tenant=w.tenant, role="partner_user", partner=w.partner),
    )
    client = portal_client(w.tenant, w.partner_admin)
    resp = client.post("/locator/profile/", {"headline": "X", "certificates": [str(theirs.pk)]})
    assert resp.status_code == 200  # not a choice of the form
    with tenant_context(w.tenant):
        assert not PublicProfile.objects.filter(certificates__contains=[theirs.pk]).exists()
    assert (
        client.post(
            "/locator/profile/", {"headline": "X", "certificates": [str(ours.pk)]}
        ).status_code
        == 302
    )
    assert _profile(w).certificates == [ours.pk]


def test_tier_can_be_shown_only_when_the_program_allows(world):
    w = world
    client = portal_client(w.tenant, w.partner_admin)
    client.post("/locator/profile/", {"headline": "X", "show_tier": "on"})
    assert _profile(w).show_tier is False  # the field is not offered
    admin = portal_client(w.tenant, w.admin)
    assert admin.post("/locator/settings/", {"allow_tier": "on"}).status_code == 302
    client.post("/locator/profile/", {"headline": "X", "show_tier": "on"})
    assert _profile(w).show_tier is True
    # Withdrawing the permission takes the tier off every profile.
    admin.post("/locator/settings/", {"embed_origin": ""})
    assert _profile(w).show_tier is False


def test_staff_take_a_profile_down_with_a_reason_and_the_partner_cannot_republish(world):
    w = world
    profile = PublicProfileFactory(tenant=w.tenant, partner=w.partner)
    staff = portal_client(w.tenant, w.channel_manager)
    resp = staff.post(f"/locator/profiles/{profile.pk}/hide/", {"reason": ""})
    assert resp.status_code == 200 and _profile(w).status == ProfileStatus.PUBLISHED
    resp = staff.post(f"/locator/profiles/{profile.pk}/hide/", {"reason": "Misleading claims"})
    assert resp.status_code == 302
    profile = _profile(w)
    assert profile.status == ProfileStatus.HIDDEN and profile.hidden_reason == "Misleading claims"
    assert portal_client(w.tenant).get(f"/find/{profile.slug}/").status_code == 404
    partner = portal_client(w.tenant, w.partner_admin)
    partner.post("/locator/profile/publish/")
    assert _profile(w).status == ProfileStatus.HIDDEN
    assert "Misleading claims" in partner.get("/locator/profile/").content.decode()
    with tenant_context(w.tenant):
        event = AuditEvent.objects.get(action="locator.profile_hide")
    assert event.after["hidden_reason"] == "Misleading claims"


def test_a_partner_user_cannot_edit_the_profile(world):
    assert (
        portal_client(world.tenant, world.partner_user).get("/locator/profile/").status_code == 403
    )


def test_products_of_the_catalogue_only(world):
    w = world
    product = ProductFactory(tenant=w.tenant, name="Vault")
    client = portal_client(w.tenant, w.partner_admin)
    assert (
        client.post(
            "/locator/profile/", {"headline": "X", "products": [str(product.pk)]}
        ).status_code
        == 302
    )
    assert _profile(w).products == [product.pk]
