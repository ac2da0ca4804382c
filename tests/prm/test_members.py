"""Members: invitations (portal and API), accepting them, roles, deactivation, visibility."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from prm import services
from prm.models import ApiKey, AuditEvent, Invitation, Member, User
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, host_of, portal_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_EMAIL = "newcomer@example.com"
GOOD_PASSWORD = "violet-lantern-orbit-42"


def audit_events(tenant, action):
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def invite(world, *, email=NEW_EMAIL, role=Role.PARTNER_USER, partner="own", by=None):
    """Create an invitation with the service; returns (invitation, token)."""
    partner = world.partner if partner == "own" else partner
    with tenant_context(world.tenant):
        invitation, url = services.member_invite(
            tenant=world.tenant, by=by or world.admin, email=email, role=role, partner=partner
        )
    return invitation, url.rsplit("/invitations/", 1)[1].strip("/")


def anonymous(tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


def accept_form(**overrides):
    return {
        "full_name": "Nina Newcomer",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **overrides,
    }


def signed_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def role_of(world, member):
    with tenant_context(world.tenant):
        return Member.objects.get(pk=member.pk).role


# --- Inviting through the portal ----------------------------------------------------------


def test_admin_invitation_from_the_portal_creates_a_pending_invitation(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/members/", {"email": NEW_EMAIL, "role": "partner_user", "partner": world.partner.pk}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        invitation = Invitation.objects.get(email=NEW_EMAIL)
    assert (invitation.role, invitation.partner_id, invitation.invited_by_id) == (
        "partner_user",
        world.partner.pk,
        world.admin.pk,
    )
    assert invitation.is_pending


def test_portal_invitation_emails_a_one_time_link_to_the_invitee(
    world, django_capture_on_commit_callbacks
):
    client = portal_client(world.tenant, world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/members/", {"email": NEW_EMAIL, "role": "partner_user", "partner": world.partner.pk}
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    match = re.search(r"https?://own\.localhost(?::\d+)?/invitations/([\w-]+)/", message.body)
    assert match, message.body
    with tenant_context(world.tenant):
        invitation = Invitation.objects.get(email=NEW_EMAIL)
    assert invitation.token_hash == Invitation.hash_token(match.group(1))


def test_portal_invitation_is_audited_as_member_invited(world):
    portal_client(world.tenant, world.admin).post(
        "/members/", {"email": NEW_EMAIL, "role": "partner_user", "partner": world.partner.pk}
    )
    [event] = audit_events(world.tenant, "member.invited")
    assert event.actor_id == world.admin.user_id
    assert event.after == {"email": NEW_EMAIL, "role": "partner_user", "partner": world.partner.pk}


def test_partner_admin_invitation_goes_to_their_own_company_whatever_partner_is_posted(world):
    resp = portal_client(world.tenant, world.partner_admin).post(
        "/members/", {"email": NEW_EMAIL, "role": "partner_user", "partner": world.other_partner.pk}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Invitation.objects.get(email=NEW_EMAIL).partner_id == world.partner.pk


@pytest.mark.parametrize("staff_role", ["admin", "channel_manager"])
def test_partner_admin_cannot_invite_a_staff_role(world, staff_role):
    resp = portal_client(world.tenant, world.partner_admin).post(
        "/members/", {"email": NEW_EMAIL, "role": staff_role}
    )
    assert resp.status_code == 200
    assert "role" in resp.context["form"].errors
    with tenant_context(world.tenant):
        assert not Invitation.objects.filter(email=NEW_EMAIL).exists()


def test_inviting_an_active_member_again_is_a_form_error(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/members/",
        {
            "email": world.partner_user.user.email,
            "role": "partner_user",
            "partner": world.partner.pk,
        },
    )
    assert resp.status_code == 200
    assert "email" in resp.context["form"].errors


# --- Accepting an invitation --------------------------------------------------------------


def test_invitation_page_offers_new_people_an_account_form(world):
    _inv, token = invite(world)
    resp = anonymous(world.tenant).get(f"/invitations/{token}/")
    assert resp.status_code == 200
    assert set(resp.context["form"].fields) == {"full_name", "password1", "password2"}


def test_accepting_as_a_new_person_creates_their_account_with_a_verified_address(world):
    _inv, token = invite(world)
    resp = anonymous(world.tenant).post(f"/invitations/{token}/", accept_form())
    assert resp.status_code == 302
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name == "Nina Newcomer" and user.check_password(GOOD_PASSWORD)
    assert EmailAddress.objects.filter(
        user=user, email=NEW_EMAIL, verified=True, primary=True
    ).exists()


def test_accepting_makes_the_person_a_member_with_the_invited_role_and_partner(world):
    _inv, token = invite(world, role=Role.PARTNER_ADMIN)
    anonymous(world.tenant).post(f"/invitations/{token}/", accept_form())
    with tenant_context(world.tenant):
        member = Member.objects.get(user__email=NEW_EMAIL)
    assert (member.role, member.partner_id, member.is_active) == (
        "partner_admin",
        world.partner.pk,
        True,
    )


def test_accepting_signs_the_new_member_in(world):
    _inv, token = invite(world)
    client = anonymous(world.tenant)
    client.post(f"/invitations/{token}/", accept_form())
    assert signed_in_user_id(client) == User.objects.get(email=NEW_EMAIL).pk
    assert client.get("/").status_code == 200


def test_an_accepted_invitation_cannot_be_used_again(world):
    _inv, token = invite(world)
    client = anonymous(world.tenant)
    client.post(f"/invitations/{token}/", accept_form())
    assert anonymous(world.tenant).get(f"/invitations/{token}/").status_code == 404
    assert client.get(f"/invitations/{token}/").status_code == 404


def test_mismatched_passwords_are_a_form_error_and_create_no_user(world):
    _inv, token = invite(world)
    resp = anonymous(world.tenant).post(
        f"/invitations/{token}/", accept_form(password2=GOOD_PASSWORD + "x")
    )
    assert resp.status_code == 200
    assert "password2" in resp.context["form"].errors
    assert not User.objects.filter(email=NEW_EMAIL).exists()


@pytest.mark.parametrize("weak", ["short1", "password123", "1234567890123"])
def test_a_weak_password_is_a_form_error_and_creates_no_user(world, weak):
    _inv, token = invite(world)
    resp = anonymous(world.tenant).post(
        f"/invitations/{token}/", accept_form(password1=weak, password2=weak)
    )
    assert resp.status_code == 200
    assert "password1" in resp.context["form"].errors
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_an_expired_invitation_shows_the_invalid_page_with_404(world):
    _inv, token = invite(world)
    later = timezone.now() + datetime.timedelta(days=settings.PRM_INVITATION_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        resp = anonymous(world.tenant).post(f"/invitations/{token}/", accept_form())
    assert resp.status_code == 404
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_an_unknown_invitation_token_is_404(world):
    assert anonymous(world.tenant).get("/invitations/not-a-real-token/").status_code == 404


def test_an_invitation_token_does_not_work_on_another_tenants_host(world, stranger):
    _inv, token = invite(world)
    assert anonymous(stranger.tenant).get(f"/invitations/{token}/").status_code == 404


def test_a_person_with_an_account_elsewhere_can_sign_in_and_accept(world, stranger):
    """Someone who already belongs to another tenant is invited here: the invitation page
    asks them to sign in, the sign-in must let them through, and accepting adds them."""
    existing = stranger.partner_user.user
    _inv, token = invite(world, email=existing.email)
    client = anonymous(world.tenant)
    page = client.get(f"/invitations/{token}/")
    assert page.context["has_account"] is True
    client.post(
        f"/accounts/login/?next=/invitations/{token}/",
        {"login": existing.email, "password": PASSWORD},
    )
    assert signed_in_user_id(client) == existing.pk
    assert client.post(f"/invitations/{token}/").status_code == 302
    with tenant_context(world.tenant):
        assert Member.objects.get(user=existing).partner_id == world.partner.pk


# --- Who sees whom ------------------------------------------------------------------------


def test_partner_admin_lists_only_their_own_companys_members(world):
    resp = portal_client(world.tenant, world.partner_admin).get("/members/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert world.partner_user.user.email in body
    assert world.other_partner_user.user.email not in body


def test_partner_user_may_not_open_the_member_list(world):
    assert portal_client(world.tenant, world.partner_user).get("/members/").status_code == 403


def test_partner_admin_cannot_open_another_companys_member(world):
    client = portal_client(world.tenant, world.partner_admin)
    assert client.get(f"/members/{world.other_partner_user.pk}/").status_code == 404


# --- Changing roles -----------------------------------------------------------------------


def test_admin_changes_a_partner_members_role_in_the_portal(world):
    resp = portal_client(world.tenant, world.admin).post(
        f"/members/{world.partner_user.pk}/role/", {"role": "partner_admin"}
    )
    assert resp.status_code == 302
    assert role_of(world, world.partner_user) == "partner_admin"


def test_role_change_is_audited_with_before_and_after(world):
    portal_client(world.tenant, world.admin).post(
        f"/members/{world.partner_user.pk}/role/", {"role": "partner_admin"}
    )
    [event] = audit_events(world.tenant, "member.role_changed")
    assert event.object_id == str(world.partner_user.pk)
    assert (event.before, event.after) == ({"role": "partner_user"}, {"role": "partner_admin"})
    assert event.actor_id == world.admin.user_id


def test_a_partner_role_cannot_be_swapped_for_a_staff_role(world):
    resp = portal_client(world.tenant, world.admin).post(
        f"/members/{world.partner_user.pk}/role/", {"role": "admin"}
    )
    assert resp.status_code == 200
    assert "role" in resp.context["form"].errors
    assert role_of(world, world.partner_user) == "partner_user"


def test_admin_cannot_change_their_own_membership_in_the_portal(world):
    resp = portal_client(world.tenant, world.admin).post(
        f"/members/{world.admin.pk}/role/", {"role": "channel_manager"}
    )
    assert resp.status_code == 403  # visible to them, but not theirs to change
    assert role_of(world, world.admin) == "admin"


def test_partner_admin_cannot_change_another_companys_member(world):
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/members/{world.other_partner_user.pk}/role/", {"role": "partner_admin"}
    )
    assert resp.status_code == 404
    assert role_of(world, world.other_partner_user) == "partner_user"


# --- Deactivation -------------------------------------------------------------------------


def deactivate(world, target):
    return portal_client(world.tenant, world.admin).post(f"/members/{target.pk}/deactivate/")


def test_deactivated_member_loses_portal_access_at_once(world):
    theirs = portal_client(world.tenant, world.partner_user)
    assert theirs.get("/").status_code == 200
    assert deactivate(world, world.partner_user).status_code == 302
    assert theirs.get("/").status_code == 403


def test_deactivation_revokes_the_members_api_keys(world):
    their_api = api_client(world.tenant, world.partner_user)
    assert their_api.get("/api/v1/me/").status_code == 200
    deactivate(world, world.partner_user)
    with tenant_context(world.tenant):
        assert not ApiKey.objects.filter(
            member=world.partner_user, revoked_at__isnull=True
        ).exists()
    assert their_api.get("/api/v1/me/").status_code == 401


def test_deactivation_is_audited(world):
    deactivate(world, world.partner_user)
    [event] = audit_events(world.tenant, "member.deactivated")
    assert event.object_id == str(world.partner_user.pk)
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


# --- API ----------------------------------------------------------------------------------


def test_api_admin_changes_a_members_role(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/members/{world.partner_user.pk}/", {"role": "partner_admin"}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["role"] == "partner_admin"
    assert role_of(world, world.partner_user) == "partner_admin"


def test_api_unknown_role_is_a_validation_error_on_role(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/members/{world.partner_user.pk}/", {"role": "overlord"}, format="json"
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["type"] == "validation_error"
    assert list(body["errors"]) == ["role"]
    assert isinstance(body["errors"]["role"], list) and body["errors"]["role"]
    assert role_of(world, world.partner_user) == "partner_user"


def test_api_staff_role_for_a_partner_member_is_400_on_role(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/members/{world.partner_user.pk}/", {"role": "channel_manager"}, format="json"
    )
    assert resp.status_code == 400
    assert "role" in resp.json()["errors"]
    assert role_of(world, world.partner_user) == "partner_user"


def test_api_admin_cannot_change_their_own_membership(world):
    resp = api_client(world.tenant, world.admin).patch(
        f"/api/v1/members/{world.admin.pk}/", {"is_active": False}, format="json"
    )
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert Member.objects.get(pk=world.admin.pk).is_active


def test_api_partner_admin_invitation_is_tied_to_their_own_partner(world):
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/invitations/",
        {"email": NEW_EMAIL, "role": "partner_user", "partner": world.other_partner.pk},
        format="json",
    )
    assert resp.status_code == 201
    assert resp.json()["partner"] == world.partner.pk
    with tenant_context(world.tenant):
        invitation = Invitation.objects.get(pk=resp.json()["id"])
    assert (invitation.partner_id, invitation.invited_by_id) == (
        world.partner.pk,
        world.partner_admin.pk,
    )


def test_api_partner_admin_cannot_invite_an_admin(world):
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/invitations/", {"email": NEW_EMAIL, "role": "admin"}, format="json"
    )
    assert resp.status_code == 400
    assert list(resp.json()["errors"]) == ["role"]
    with tenant_context(world.tenant):
        assert not Invitation.objects.filter(email=NEW_EMAIL).exists()


def test_api_invitation_cannot_name_another_tenants_partner(world, stranger):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/invitations/",
        {"email": NEW_EMAIL, "role": "partner_user", "partner": stranger.partner.pk},
        format="json",
    )
    assert resp.status_code == 400
    assert "partner" in resp.json()["errors"]
