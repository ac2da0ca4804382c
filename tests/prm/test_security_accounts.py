"""Account security (issue #15): the per-account sign-in lockout whatever the host spelling,
the same answer for a non-member's correct password as for a wrong one, company domains that
partner admins only propose, invitations a partner admin cannot replace or revoke."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings

from partners import services as partner_services
from partners.models import DomainProposal, PartnerDomain
from prm import services
from prm.models import AuditEvent, Invitation
from prm.tenancy import tenant_context
from tests.conftest import api_client, host_of, portal_client
from tests.factories import PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db

# Per IP generous, per account strict: only the per-account counter can trip.
LOCKOUT = {"login": "100/m/ip", "login_failed": "100/m/ip,3/5m/key"}


def _fresh_ip() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"


def _sign_in(host: str, email: str, password: str):
    client = Client(HTTP_HOST=host)
    resp = client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=_fresh_ip()
    )
    return client, resp


def _fresh_email(member) -> str:
    """A new address for the member's account: the lockout counters live in Redis for minutes
    and outlast the test database, so a reused factory address could start half-locked."""
    from allauth.account.models import EmailAddress

    user = member.user
    user.email = f"{uuid.uuid4().hex[:12]}@example.com"
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).update(email=user.email)
    return user.email


def _signed_in(client) -> bool:
    return client.session.get("_auth_user_id") is not None


def _form_errors(resp) -> list[str]:
    form = resp.context["form"] if resp.context else None
    return [str(e) for e in form.non_field_errors()] if form is not None else []


# --- 3. The per-account lockout counts the normalised e-mail across every host spelling ---


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_failed_sign_ins_lock_the_account_whatever_the_host_spelling(world):
    email = _fresh_email(world.partner_user)
    host = host_of(world.tenant)
    spellings = [
        (host.upper() + ":8000", email.upper()),
        (host, f"  {email}  "),
        (host.capitalize() + ":80", email.title()),
    ]
    for spelling, login in spellings:
        client, resp = _sign_in(spelling, login, "wrong-password-1")
        assert resp.status_code == 200 and not _signed_in(client)
    # The right password on yet another spelling and IP: the account is locked.
    client, resp = _sign_in(host + ".", email, PASSWORD)
    assert not _signed_in(client)
    assert "Too many failed login attempts" in resp.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_the_lockout_is_shared_between_the_tenant_host_and_the_bare_domain(world):
    email = _fresh_email(world.partner_user)
    for host in ["localhost", "LOCALHOST:8000", host_of(world.tenant)]:
        _sign_in(host, email, "wrong-password-1")
    client, _resp = _sign_in(host_of(world.tenant), email, PASSWORD)
    assert not _signed_in(client)


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_fewer_failures_than_the_limit_still_let_the_owner_in(world):
    email = _fresh_email(world.partner_user)
    for host in ["localhost", host_of(world.tenant).upper()]:
        _sign_in(host, email, "wrong-password-1")
    client, _resp = _sign_in(host_of(world.tenant), email, PASSWORD)
    assert _signed_in(client)


# --- 10d. A non-member's correct password: the same answer as a wrong password -------------


def test_a_non_members_correct_password_gets_the_wrong_password_answer(world, stranger):
    email = _fresh_email(stranger.admin)
    host = host_of(world.tenant)
    right_client, right = _sign_in(host, email, PASSWORD)
    _wrong_client, wrong = _sign_in(host, email, "wrong-password-1")
    assert not _signed_in(right_client)
    assert right.status_code == wrong.status_code == 200
    assert _form_errors(right) == _form_errors(wrong) and _form_errors(wrong)
    body = right.content.decode()
    assert "no access" not in body and world.tenant.name + "." not in body
    assert "administrator" not in body.lower()


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_a_non_members_correct_password_counts_against_the_lockout(world, stranger):
    email = _fresh_email(stranger.admin)
    for _ in range(3):
        _sign_in(host_of(world.tenant), email, PASSWORD)
    # Three "failures" elsewhere: at their own tenant the account is now locked as well.
    client, resp = _sign_in(host_of(stranger.tenant), email, PASSWORD)
    assert not _signed_in(client)
    assert "Too many failed login attempts" in resp.content.decode()


# --- 4. Partner admins propose company domains; staff decide; invitations stay put ---------


def _domains(world) -> list[str]:
    with tenant_context(world.tenant):
        return sorted(
            PartnerDomain.objects.filter(partner=world.partner).values_list("domain", flat=True)
        )


@pytest.fixture
def company_domain(world):
    with tenant_context(world.tenant):
        partner_services.partner_set_domains(
            partner=world.partner, by=world.channel_manager, domains=["apartner.example"]
        )
    return "apartner.example"


def test_a_partner_admin_cannot_widen_the_invitation_domains_in_the_portal(world, company_domain):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/company/edit/",
        {"name": world.partner.name, "domains": "apartner.example\ngmail.example"},
    )
    assert resp.status_code == 302
    assert _domains(world) == ["apartner.example"]
    resp = client.post("/members/", {"email": "friend@gmail.example", "role": "partner_user"})
    assert resp.status_code == 200 and "apartner.example" in resp.content.decode()
    with tenant_context(world.tenant):
        assert not Invitation.objects.filter(email="friend@gmail.example").exists()


def test_a_new_website_does_not_widen_the_invitation_domains(world, company_domain):
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"website": "https://gmail.example"},
        format="json",
    )
    assert resp.status_code == 200
    assert resp.json()["domains"] == ["apartner.example"] == _domains(world)


def test_staff_see_and_approve_a_proposed_domain_change_in_the_portal(world, company_domain):
    portal_client(world.tenant, world.partner_admin).post(
        "/company/edit/",
        {"name": world.partner.name, "domains": "apartner.example\napartner-mail.example"},
    )
    staff = portal_client(world.tenant, world.channel_manager)
    assert "1 proposed change" in staff.get("/partners/").content.decode()
    detail = staff.get(f"/partners/{world.partner.pk}/").content.decode()
    assert "proposed these company domains" in detail
    page = staff.get("/partners/domain-proposals/").content.decode()
    assert "apartner-mail.example" in page
    with tenant_context(world.tenant):
        proposal = DomainProposal.objects.get(partner=world.partner, status="pending")
    assert f'action="/partners/domain-proposals/{proposal.pk}/approve/"' in page
    resp = staff.post(f"/partners/domain-proposals/{proposal.pk}/approve/")
    assert resp.status_code == 302
    assert _domains(world) == ["apartner-mail.example", "apartner.example"]
    with tenant_context(world.tenant):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"partner.domains_proposed", "partner.domains_proposal_approved"} <= actions


def test_staff_reject_a_proposed_domain_change_through_the_api(world, company_domain):
    resp = api_client(world.tenant, world.partner_admin).patch(
        f"/api/v1/partners/{world.partner.pk}/", {"domains": ["gmail.example"]}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["domains"] == ["apartner.example"]
    staff = api_client(world.tenant, world.channel_manager)
    [pending] = staff.get("/api/v1/domain-proposals/?status=pending").json()["results"]
    assert pending["domains"] == ["gmail.example"]
    resp = staff.post(
        f"/api/v1/domain-proposals/{pending['id']}/reject/", {"reason": "free mail"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    assert _domains(world) == ["apartner.example"]
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="partner.domains_proposal_rejected").exists()


def test_a_partner_admin_cannot_decide_their_own_proposal(world, company_domain):
    client = api_client(world.tenant, world.partner_admin)
    client.patch(
        f"/api/v1/partners/{world.partner.pk}/", {"domains": ["gmail.example"]}, format="json"
    )
    with tenant_context(world.tenant):
        proposal = DomainProposal.objects.get(partner=world.partner)
    resp = client.post(f"/api/v1/domain-proposals/{proposal.pk}/approve/", {}, format="json")
    assert resp.status_code == 403
    assert _domains(world) == ["apartner.example"]


@pytest.fixture
def staff_invitation(world):
    with tenant_context(world.tenant):
        invitation, _url = services.member_invite(
            tenant=world.tenant,
            by=world.admin,
            email="boss@apartner.example",
            role="partner_admin",
            partner=world.partner,
        )
    return invitation


def _pending(invitation) -> bool:
    with tenant_context(invitation.tenant):
        invitation.refresh_from_db()
    return invitation.revoked_at is None


def test_a_partner_admins_invitation_never_replaces_a_staff_invitation(
    world, company_domain, staff_invitation
):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/members/", {"email": "Boss@apartner.example", "role": "partner_user"})
    assert resp.status_code == 200 and "already pending" in resp.content.decode()
    assert _pending(staff_invitation)
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/invitations/",
        {"email": "boss@apartner.example", "role": "partner_user"},
        format="json",
    )
    assert resp.status_code == 400 and "email" in resp.json()["errors"]
    assert _pending(staff_invitation)


def test_a_partner_admin_cannot_revoke_a_staff_invitation(world, staff_invitation):
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/invitations/{staff_invitation.pk}/revoke/", {}, format="json"
    )
    assert resp.status_code == 403
    portal_client(world.tenant, world.partner_admin).post(
        f"/invitations/{staff_invitation.pk}/revoke/"
    )
    assert _pending(staff_invitation)


def test_a_partner_admin_still_revokes_their_own_companys_invitation(world, company_domain):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/api/v1/invitations/",
        {"email": "mate@apartner.example", "role": "partner_user"},
        format="json",
    )
    assert resp.status_code == 201
    resp = client.post(f"/api/v1/invitations/{resp.json()['id']}/revoke/", {}, format="json")
    assert resp.status_code == 204


# --- 10c. The tenant hand-over signs in only by a confirmed POST on the destination host ---


@pytest.fixture
def hand_over_link(world, stranger):
    """A hand-over link to the stranger tenant issued to world.admin's person (a member of
    both), as an attacker who is a member there could get one for their own account."""
    from tests.factories import MemberFactory

    MemberFactory(tenant=stranger.tenant, user=world.admin.user, role="channel_manager")
    resp = portal_client(world.tenant, world.admin).get(f"/switch/{stranger.tenant.slug}/")
    assert resp.status_code == 302
    return urlsplit(resp["Location"])


def test_a_hand_over_link_alone_signs_no_browser_in(world, stranger, hand_over_link):
    victim = Client(HTTP_HOST=host_of(stranger.tenant), enforce_csrf_checks=True)
    page = victim.get(f"{hand_over_link.path}?{hand_over_link.query}")
    body = page.content.decode()
    # The page says whose account the link signs in, and waits for a click.
    assert page.status_code == 200 and "Continue" in body and world.admin.user.email in body
    assert page["X-Frame-Options"] == "DENY"
    assert not _signed_in(victim)


def test_a_hand_over_post_without_the_destinations_csrf_token_is_refused(stranger, hand_over_link):
    token = parse_qs(hand_over_link.query)["token"][0]
    victim = Client(HTTP_HOST=host_of(stranger.tenant), enforce_csrf_checks=True)
    resp = victim.post(hand_over_link.path, {"token": token})
    assert resp.status_code == 403 and not _signed_in(victim)


def test_the_confirmed_hand_over_signs_the_person_in(world, stranger, hand_over_link):
    client = Client(HTTP_HOST=host_of(stranger.tenant), enforce_csrf_checks=True)
    page = client.get(f"{hand_over_link.path}?{hand_over_link.query}")
    csrf = page.context["csrf_token"]
    token = parse_qs(hand_over_link.query)["token"][0]
    resp = client.post(hand_over_link.path, {"token": token, "csrfmiddlewaretoken": str(csrf)})
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(world.admin.user.pk)


# --- 10a. The deal pre-check: no product oracle, rate-limited per member -------------------


@pytest.fixture
def registered_with_vault(world):
    """world.partner's approved-or-pending registration of Globex covering product Vault."""
    import datetime

    from dealreg import services as deal_services

    with tenant_context(world.tenant):
        vault = ProductFactory(tenant=world.tenant, name="Vault")
        other = ProductFactory(tenant=world.tenant, name="Other")
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Globex Corporation",
                "customer_domain_input": "globex.com",
                "amount": 20000,
                "expected_close_date": datetime.date.today() + datetime.timedelta(days=14),
            },
            products=[vault],
            submit=True,
        )
        deal_services.deal_evaluate(deal_id=deal.pk)
    return vault, other


def test_the_pre_check_answer_does_not_depend_on_another_registrations_products(
    world, registered_with_vault
):
    vault, other = registered_with_vault
    client = api_client(world.tenant, world.other_partner_user)

    def check(product):
        resp = client.post(
            "/api/v1/deals/pre-check/",
            {"customer_name": "Globex Corp", "products": [product.pk]},
            format="json",
        )
        assert resp.status_code == 200
        return resp.json()

    with_vault, with_other = check(vault), check(other)
    assert with_vault == with_other and with_vault["result"] == "possible_conflict"
    assert not any("product" in r.lower() for r in with_vault["reasons"])


def test_the_portal_pre_check_names_no_product_of_another_registration(
    world, registered_with_vault
):
    vault, _other = registered_with_vault
    client = portal_client(world.tenant, world.other_partner_user)
    body = client.post(
        "/deals/new/precheck/",
        {
            "customer_name": "Globex Corp",
            "customer_domain_input": "",
            "country": "US",
            "amount": "1000",
            "currency": "USD",
            "expected_close_date": "2099-01-01",
            "deal_type": "new",
            "partner_role": "resell",
            "products": [vault.pk],
        },
    ).content.decode()
    assert "Possible conflict" in body
    assert "same products" not in body and world.partner.name not in body


@override_settings(PRM_DEAL_PRECHECK_LIMIT=2)
def test_the_api_pre_check_is_rate_limited_per_member(world):
    client = api_client(world.tenant, world.partner_user)

    def check():
        return client.post("/api/v1/deals/pre-check/", {"customer_name": "Initech"}, format="json")

    assert [check().status_code for _ in range(2)] == [200, 200]
    resp = check()
    assert resp.status_code == 429 and resp.json()["type"] == "throttled"
    assert int(resp["Retry-After"]) > 0
    # Another member of the same company has a quota of their own.
    other = api_client(world.tenant, world.partner_admin)
    assert (
        other.post(
            "/api/v1/deals/pre-check/", {"customer_name": "Initech"}, format="json"
        ).status_code
        == 200
    )


@override_settings(PRM_DEAL_PRECHECK_LIMIT=1)
def test_the_portal_pre_check_is_rate_limited_with_a_form_message(world):
    client = portal_client(world.tenant, world.partner_user)
    data = {
        "customer_name": "Initech",
        "customer_domain_input": "initech.example",
        "country": "US",
        "amount": "1000",
        "currency": "USD",
        "expected_close_date": "2099-01-01",
        "deal_type": "new",
        "partner_role": "resell",
    }
    assert client.post("/deals/new/precheck/", data).status_code == 200
    resp = client.post("/deals/new/precheck/", data)
    assert resp.status_code == 429
    assert "many availability checks" in resp.content.decode()
