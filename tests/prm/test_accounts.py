"""Accounts: sign-in per tenant host and its audit trail, closed sign-up, MFA for staff,
the tenant switcher, the base-domain landing page, password reset, the profile."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from prm.models import AuditEvent, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import host_of, portal_client
from tests.factories import PASSWORD, MemberFactory, TenantFactory

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.7"
LANGUAGE = settings.LANGUAGES[-1][0]  # any offered language other than "browser default"


def audit_events(tenant, action):
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def anonymous(tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


def signed_in_user_id(client):
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def sign_in(client, email, password=PASSWORD):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=CLIENT_IP
    )


# --- Sign-in ------------------------------------------------------------------------------


def test_member_signs_in_at_their_tenant_host(world):
    client = anonymous(world.tenant)
    resp = sign_in(client, world.partner_user.user.email)
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert signed_in_user_id(client) == world.partner_user.user_id


def test_sign_in_is_audited_with_the_client_ip(world):
    sign_in(anonymous(world.tenant), world.partner_user.user.email)
    [event] = audit_events(world.tenant, "auth.login")
    assert event.actor_id == world.partner_user.user_id
    assert event.ip == CLIENT_IP


def test_wrong_password_does_not_sign_in(world):
    client = anonymous(world.tenant)
    resp = sign_in(client, world.partner_user.user.email, "wrong-password-123")
    assert resp.status_code == 200
    assert signed_in_user_id(client) is None


def test_failed_sign_in_is_audited_in_the_tenant_with_the_email_tried(world):
    email = world.partner_user.user.email
    sign_in(anonymous(world.tenant), email, "wrong-password-123")
    [event] = audit_events(world.tenant, "auth.login_failed")
    assert event.after == {"email": email}
    assert event.ip == CLIENT_IP


def test_failed_sign_in_never_writes_the_password_to_the_audit_trail(world):
    tried = "Tr0ub4dor-secret-guess"
    sign_in(anonymous(world.tenant), world.partner_user.user.email, tried)
    with tenant_context(world.tenant):
        rows = list(AuditEvent.objects.values())
    assert rows  # the failure was recorded at all
    assert all(tried not in str(row) for row in rows)


def test_user_without_membership_here_is_refused_sign_in(world, stranger):
    client = anonymous(world.tenant)
    sign_in(client, stranger.admin.user.email)
    assert signed_in_user_id(client) is None


def test_refused_sign_in_is_audited(world, stranger):
    sign_in(anonymous(world.tenant), stranger.admin.user.email)
    [event] = audit_events(world.tenant, "auth.login_refused")
    assert event.actor_id == stranger.admin.user_id
    assert not audit_events(world.tenant, "auth.login")


def test_deactivated_member_is_refused_sign_in(world):
    from prm import services

    with tenant_context(world.tenant):
        services.member_set_active(by=world.admin, member=world.partner_user, active=False)
    client = anonymous(world.tenant)
    sign_in(client, world.partner_user.user.email)
    assert signed_in_user_id(client) is None


# --- Sign-up is closed --------------------------------------------------------------------


def test_signup_page_offers_no_account_form(world):
    resp = anonymous(world.tenant).get("/accounts/signup/")
    assert "account/signup_closed.html" in [t.name for t in resp.templates]
    assert 'name="password1"' not in resp.content.decode()


def test_posting_to_signup_creates_no_user(world):
    anonymous(world.tenant).post(
        "/accounts/signup/",
        {
            "email": "walk-in@example.com",
            "password1": "violet-lantern-orbit-42",
            "password2": "violet-lantern-orbit-42",
        },
    )
    assert not User.objects.filter(email="walk-in@example.com").exists()


# --- MFA required for staff ---------------------------------------------------------------


@pytest.fixture
def mfa_tenant(world):
    Tenant.objects.filter(pk=world.tenant.pk).update(require_mfa_for_staff=True)
    world.tenant.refresh_from_db()
    return world


@pytest.mark.parametrize("path", ["/", "/members/", "/profile/"])
def test_staff_without_totp_are_sent_to_mfa_setup(mfa_tenant, path):
    resp = portal_client(mfa_tenant.tenant, mfa_tenant.admin).get(path)
    assert resp.status_code == 302
    assert resp["Location"] == reverse("mfa_activate_totp")


def test_mfa_setup_page_itself_is_not_redirected(mfa_tenant):
    resp = portal_client(mfa_tenant.tenant, mfa_tenant.admin).get(reverse("mfa_activate_totp"))
    assert resp.get("Location") != reverse("mfa_activate_totp")


def test_partner_users_are_not_sent_to_mfa_setup(mfa_tenant):
    resp = portal_client(mfa_tenant.tenant, mfa_tenant.partner_user).get("/")
    assert resp.status_code == 200


def test_staff_are_not_sent_to_mfa_setup_when_the_tenant_does_not_require_it(world):
    assert portal_client(world.tenant, world.admin).get("/").status_code == 200


# --- Tenant switcher ----------------------------------------------------------------------


@pytest.fixture
def two_tenant_admin(world, stranger):
    """world.admin's person is also a channel manager of the stranger tenant."""
    MemberFactory(tenant=stranger.tenant, user=world.admin.user, role=Role.CHANNEL_MANAGER)
    return world.admin.user


def switch_token(client, slug):
    resp = client.get(f"/switch/{slug}/")
    assert resp.status_code == 302, resp.status_code
    return resp


def test_menu_offers_the_other_tenant_of_a_two_tenant_member(world, stranger, two_tenant_admin):
    body = portal_client(world.tenant, world.admin).get("/").content.decode()
    assert f'href="/switch/{stranger.tenant.slug}/"' in body


def test_menu_offers_no_tenant_the_person_does_not_belong_to(world, stranger):
    body = portal_client(world.tenant, world.admin).get("/").content.decode()
    assert f"/switch/{stranger.tenant.slug}/" not in body


def test_switch_redirects_to_the_other_hosts_enter_page_with_a_token(
    world, stranger, two_tenant_admin
):
    resp = switch_token(portal_client(world.tenant, world.admin), stranger.tenant.slug)
    target = urlsplit(resp["Location"])
    assert target.hostname == host_of(stranger.tenant)
    assert target.path == "/switch/enter/"
    assert parse_qs(target.query)["token"][0]


def enter(client, location):
    """Follow a hand-over link as a browser does: the page, then its Continue button."""
    target = urlsplit(location)
    page = client.get(f"{target.path}?{target.query}")
    if page.status_code != 200:
        return page
    token = parse_qs(target.query)["token"][0]
    return client.post(target.path, {"token": token})


def test_switch_token_signs_the_person_in_on_the_target_host(world, stranger, two_tenant_admin):
    location = switch_token(portal_client(world.tenant, world.admin), stranger.tenant.slug)
    there = anonymous(stranger.tenant)
    resp = enter(there, location["Location"])
    assert resp.status_code == 302
    assert signed_in_user_id(there) == two_tenant_admin.pk
    assert there.get("/").status_code == 200


def test_switch_token_works_only_once(world, stranger, two_tenant_admin):
    location = switch_token(portal_client(world.tenant, world.admin), stranger.tenant.slug)
    assert enter(anonymous(stranger.tenant), location["Location"]).status_code == 302
    second = anonymous(stranger.tenant)
    assert enter(second, location["Location"]).status_code == 400
    assert signed_in_user_id(second) is None


def test_switch_token_is_refused_on_a_host_it_was_not_issued_for(world, stranger, two_tenant_admin):
    third = TenantFactory(slug="third")
    MemberFactory(tenant=third, user=two_tenant_admin, role=Role.ADMIN)
    location = switch_token(portal_client(world.tenant, world.admin), stranger.tenant.slug)
    client = anonymous(third)
    assert enter(client, location["Location"]).status_code == 400
    target = urlsplit(location["Location"])
    token = parse_qs(target.query)["token"][0]
    assert client.post(target.path, {"token": token}).status_code == 400
    assert signed_in_user_id(client) is None


def test_no_switch_token_for_a_tenant_the_person_does_not_belong_to(world, stranger):
    resp = portal_client(world.tenant, world.admin).get(f"/switch/{stranger.tenant.slug}/")
    assert resp.status_code == 404


def test_a_tampered_switch_token_is_refused(world, stranger, two_tenant_admin):
    location = switch_token(portal_client(world.tenant, world.admin), stranger.tenant.slug)
    token = parse_qs(urlsplit(location["Location"]).query)["token"][0]
    client = anonymous(stranger.tenant)
    assert client.get("/switch/enter/", {"token": token[:-2] + "xx"}).status_code == 400
    assert client.post("/switch/enter/", {"token": token[:-2] + "xx"}).status_code == 400
    assert signed_in_user_id(client) is None


# --- Base domain landing ------------------------------------------------------------------


def test_landing_lists_only_the_signed_in_persons_own_tenants(world, stranger):
    third = TenantFactory(slug="third", name="Third Cloud")
    MemberFactory(tenant=third, user=world.admin.user, role=Role.ADMIN)
    client = Client(HTTP_HOST="localhost")
    client.force_login(world.admin.user)
    body = client.get("/").content.decode()
    assert world.tenant.name in body and third.name in body
    assert stranger.tenant.name not in body


def test_base_domain_switch_link_hands_over_to_the_tenant_host(world):
    client = Client(HTTP_HOST="localhost")
    client.force_login(world.admin.user)
    resp = client.get(f"/switch/{world.tenant.slug}/")
    assert resp.status_code == 302
    assert urlsplit(resp["Location"]).hostname == host_of(world.tenant)


# --- Password reset -----------------------------------------------------------------------


def test_password_reset_request_sends_an_email_with_a_link_on_the_tenant_host(
    world, django_capture_on_commit_callbacks
):
    email = world.partner_user.user.email
    with django_capture_on_commit_callbacks(execute=True):
        resp = anonymous(world.tenant).post("/accounts/password/reset/", {"email": email})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert f"://{host_of(world.tenant)}" in message.body
    assert "/accounts/password/reset/key/" in message.body


def test_password_reset_email_subject_names_the_tenant(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous(world.tenant).post(
            "/accounts/password/reset/", {"email": world.partner_user.user.email}
        )
    assert mail.outbox[0].subject.startswith(f"[{world.tenant.name}] ")


# --- Profile ------------------------------------------------------------------------------


def test_profile_saves_full_name_and_language(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post("/profile/", {"full_name": "  Renamed Person ", "language": LANGUAGE})
    assert resp.status_code == 302
    user = User.objects.get(pk=world.partner_user.user_id)
    assert (user.full_name, user.language) == ("Renamed Person", LANGUAGE)


def test_profile_update_is_audited(world):
    old_name = world.partner_user.user.full_name
    portal_client(world.tenant, world.partner_user).post(
        "/profile/", {"full_name": "Renamed Person", "language": LANGUAGE}
    )
    [event] = audit_events(world.tenant, "user.profile_updated")
    assert event.actor_id == world.partner_user.user_id
    assert event.before == {"full_name": old_name, "language": ""}
    assert event.after == {"full_name": "Renamed Person", "language": LANGUAGE}


def test_profile_rejects_an_unknown_language(world):
    resp = portal_client(world.tenant, world.partner_user).post(
        "/profile/", {"full_name": "X", "language": "xx"}
    )
    assert resp.status_code == 200
    assert "language" in resp.context["form"].errors
    assert User.objects.get(pk=world.partner_user.user_id).language == ""


def test_profile_requires_sign_in(world):
    resp = anonymous(world.tenant).get("/profile/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
