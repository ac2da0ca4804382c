"""MFA enforced per tenant: for staff roles, and for partner admins when the tenant says so.
A member who must have it and has not set it up reaches only the MFA setup pages, cannot use
the API with their session, and cannot create API keys."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from prm import services
from prm.errors import DomainError
from prm.models import ApiKey, Tenant
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import AuthenticatorFactory

pytestmark = pytest.mark.django_db


def _require(world, *, staff=False, partner_admins=False):
    Tenant.objects.filter(pk=world.tenant.pk).update(
        require_mfa_for_staff=staff, require_mfa_for_partner_admins=partner_admins
    )
    world.tenant.refresh_from_db()


def _give_totp(member):
    AuthenticatorFactory(
        user=member.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


def _is_sent_to_setup(resp) -> bool:
    return resp.status_code == 302 and "/accounts/2fa/" in resp["Location"]


@pytest.mark.parametrize(
    ("staff", "partner_admins", "sent"),
    [
        (False, False, set()),
        (True, False, {"admin", "channel_manager"}),
        (False, True, {"partner_admin"}),
        (True, True, {"admin", "channel_manager", "partner_admin"}),
    ],
)
def test_members_required_to_have_mfa_are_sent_to_setup(world, staff, partner_admins, sent):
    _require(world, staff=staff, partner_admins=partner_admins)
    for role in ("admin", "channel_manager", "partner_admin", "partner_user"):
        resp = portal_client(world.tenant, world.member(role)).get("/")
        assert _is_sent_to_setup(resp) is (role in sent), role


def test_the_setup_page_itself_is_reachable(world):
    _require(world, partner_admins=True)
    resp = portal_client(world.tenant, world.partner_admin).get("/accounts/2fa/totp/activate")
    assert resp.status_code in (200, 301)


def test_a_member_with_totp_uses_the_portal(world):
    _require(world, staff=True, partner_admins=True)
    _give_totp(world.partner_admin)
    assert portal_client(world.tenant, world.partner_admin).get("/").status_code == 200


def test_without_mfa_no_api_key_can_be_created(world):
    _require(world, partner_admins=True)
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.api_key_create(member=world.partner_admin, name="ci", scopes=["read"])
    resp = portal_client(world.tenant, world.partner_admin).post(
        "/api-keys/", {"name": "ci", "scopes": ["read"]}
    )
    assert _is_sent_to_setup(resp)
    with tenant_context(world.tenant):
        assert not ApiKey.objects.filter(member=world.partner_admin).exists()


def test_without_mfa_the_api_refuses_new_keys_even_from_an_existing_key(world):
    client = api_client(world.tenant, world.admin)  # made before the rule
    _require(world, staff=True)
    resp = client.post("/api/v1/api-keys/", {"name": "more", "scopes": ["read"]}, format="json")
    assert resp.status_code == 403 and resp.json()["type"] == "mfa_required"
    with tenant_context(world.tenant):
        assert ApiKey.objects.filter(member=world.admin).count() == 1


def test_without_mfa_the_session_cannot_use_the_api(world):
    _require(world, staff=True)
    resp = portal_client(world.tenant, world.channel_manager).get("/api/v1/me/")
    assert resp.status_code == 403
    assert resp.json()["type"] == "mfa_required"


def test_the_partner_admin_rule_is_a_tenant_setting(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/settings/",
        {
            "name": world.tenant.name,
            "default_currency": "USD",
            "timezone": "UTC",
            "primary_colour": "#1f5fbf",
            "require_mfa_for_partner_admins": "on",
        },
    )
    assert resp.status_code == 302
    world.tenant.refresh_from_db()
    assert world.tenant.require_mfa_for_partner_admins is True
    assert _is_sent_to_setup(portal_client(world.tenant, world.partner_admin).get("/"))


# --- Existing API keys stop working while their owner lacks required MFA (#15 item 10b) ----


@pytest.mark.parametrize(
    ("role", "rule"),
    [("admin", "staff"), ("channel_manager", "staff"), ("partner_admin", "partner_admins")],
)
def test_an_existing_key_stops_working_when_the_tenant_requires_mfa_of_its_owner(world, role, rule):
    client = api_client(world.tenant, world.member(role))  # made before the rule
    assert client.get("/api/v1/me/").status_code == 200
    _require(world, **{rule: True})
    resp = client.get("/api/v1/me/")
    assert resp.status_code == 403
    body = resp.json()
    assert body["type"] == "mfa_required" and "two-factor" in body["detail"]


def test_the_key_works_again_once_its_owner_enrols(world):
    client = api_client(world.tenant, world.channel_manager)
    _require(world, staff=True)
    assert client.get("/api/v1/me/").status_code == 403
    _give_totp(world.channel_manager)
    assert client.get("/api/v1/me/").status_code == 200


def test_keys_of_members_the_rule_does_not_cover_keep_working(world):
    _require(world, staff=True)
    assert api_client(world.tenant, world.partner_admin).get("/api/v1/me/").status_code == 200
    assert api_client(world.tenant, world.partner_user).get("/api/v1/me/").status_code == 200
