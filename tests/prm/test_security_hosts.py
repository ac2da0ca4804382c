"""Issue #15, items 1 and 2: custom domains must be proven by DNS, and account e-mails must
never carry a link on a host chosen by whoever sent the request.

The DNS is the outside world: records are published in the fake resolver (tests/fake_dns.py)
that test settings name, never looked up on the network."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from prm import hosts
from prm.celery import app as celery_app
from prm.models import AuditEvent, HostStatus, TenantHost
from prm.roles import Role
from prm.tenancy import tenant_context
from tests import fake_dns
from tests.conftest import api_client, host_of, portal_client
from tests.factories import MemberFactory

BARE = settings.PRM_BASE_DOMAIN
NEW_PASSWORD = "brand-new-secret-42"


def _actions(tenant, prefix="tenant.host_"):
    with tenant_context(tenant):
        return list(
            AuditEvent.objects.filter(action__startswith=prefix)
            .order_by("id")
            .values_list("action", flat=True)
        )


def _reset_link(message) -> str:
    return next(w for w in message.body.split() if "/password/reset/key/" in w)


def _path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path


def _open_reset_form(client: Client, path: str):
    """GET the key link; allauth moves the key into the session and redirects."""
    resp = client.get(path, follow=True)
    return resp, (resp.redirect_chain[-1][0] if resp.redirect_chain else path)


def _reset_succeeds(client: Client, path: str) -> bool:
    resp, form_path = _open_reset_form(client, path)
    if resp.context and resp.context.get("token_fail"):
        return False
    resp = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return resp.status_code == 302


# --- Item 1: password-reset poisoning ---------------------------------------------------------


def test_reset_posted_with_another_tenants_unproven_host_sends_no_mail(world, stranger):
    """The attack: the admin of another tenant maps a domain of theirs (no proof needed
    before) and asks for a reset of our member's password with that Host: our member got a
    reset link on the attacker's domain."""
    resp = api_client(stranger.tenant, stranger.admin).post(
        "/api/v1/tenant/hosts/", {"host": "evil.example"}, format="json"
    )
    assert resp.status_code == 201
    resp = Client(HTTP_HOST="evil.example").post(
        "/accounts/password/reset/", {"email": world.partner_user.user.email}
    )
    assert resp.status_code == 404  # a pending host serves nothing
    assert mail.outbox == []


def test_reset_posted_with_another_tenants_verified_host_mails_only_its_members(world, stranger):
    """Even on a host the other tenant really controls, a person who is not its member
    gets no mail (and the same neutral answer as anyone)."""
    fake_dns.verified_host(stranger.tenant, stranger.admin, "evil.example")
    client = Client(HTTP_HOST="evil.example")
    ours = client.post("/accounts/password/reset/", {"email": world.partner_user.user.email})
    theirs = client.post("/accounts/password/reset/", {"email": stranger.partner_user.user.email})
    assert ours.status_code == theirs.status_code == 302
    assert ours["Location"] == theirs["Location"]
    assert [m.to for m in mail.outbox] == [[stranger.partner_user.user.email]]
    # Its own member's link names its canonical host (here <slug>.<base domain>).
    assert urlsplit(_reset_link(mail.outbox[0])).hostname == host_of(stranger.tenant)


def test_reset_link_names_the_canonical_host_not_the_request_host(world):
    th = fake_dns.verified_host(world.tenant, world.admin, "partners.own.example")
    email = world.partner_user.user.email
    # A verified but not canonical host: the link still names <slug>.<base domain>.
    Client(HTTP_HOST="partners.own.example").post("/accounts/password/reset/", {"email": email})
    assert urlsplit(_reset_link(mail.outbox[-1])).hostname == host_of(world.tenant)
    resp = portal_client(world.tenant, world.admin).post(f"/settings/domains/{th.pk}/make-main/")
    assert resp.status_code == 302
    Client(HTTP_HOST=host_of(world.tenant)).post("/accounts/password/reset/", {"email": email})
    message = mail.outbox[-1]
    assert urlsplit(_reset_link(message)).hostname == "partners.own.example"
    assert host_of(world.tenant) not in message.body  # nor the request's host anywhere


def test_reset_key_issued_on_one_tenants_host_is_refused_on_another(world, stranger):
    user = world.partner_user.user
    MemberFactory(tenant=stranger.tenant, user=user, role=Role.ADMIN)
    portal_client(world.tenant).post("/accounts/password/reset/", {"email": user.email})
    path = _path(_reset_link(mail.outbox[0]))
    assert not _reset_succeeds(Client(HTTP_HOST=host_of(stranger.tenant)), path)
    assert not _reset_succeeds(Client(HTTP_HOST=BARE), path)
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)
    assert _reset_succeeds(portal_client(world.tenant), path)  # where it was issued


def test_reset_key_issued_on_the_bare_domain_works_only_there(world):
    user = world.partner_user.user
    Client(HTTP_HOST=BARE).post("/accounts/password/reset/", {"email": user.email})
    link = _reset_link(mail.outbox[0])
    assert urlsplit(link).hostname == BARE
    assert not _reset_succeeds(portal_client(world.tenant), _path(link))
    assert _reset_succeeds(Client(HTTP_HOST=BARE), _path(link))


def test_email_verification_link_is_canonical_and_bound_to_its_tenant(world, stranger):
    user = world.partner_user.user
    MemberFactory(tenant=stranger.tenant, user=user, role=Role.ADMIN)
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/accounts/email/", {"action_add": "", "email": "second@own.example"}, follow=True
    )
    assert resp.status_code == 200
    link = next(w for m in mail.outbox for w in m.body.split() if "/accounts/confirm-email/" in w)
    assert urlsplit(link).hostname == host_of(world.tenant)
    other = Client(HTTP_HOST=host_of(stranger.tenant))
    other.force_login(user)
    assert other.post(_path(link)).status_code == 404
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.get(email="second@own.example").verified
    client.post(_path(link))
    assert EmailAddress.objects.get(email="second@own.example").verified


# --- Item 2: custom domains are proven ------------------------------------------------------


def test_a_pending_host_serves_nothing_until_its_record_is_published(world):
    api = api_client(world.tenant, world.admin)
    created = api.post("/api/v1/tenant/hosts/", {"host": "partners.own.example"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "pending" and body["verified_at"] is None
    record = body["verification_record"]
    assert record["name"] == "_prm-challenge.partners.own.example"
    assert record["type"] == "TXT" and record["value"].startswith("prm-verify=")
    assert Client(HTTP_HOST="partners.own.example").get("/accounts/login/").status_code == 404

    resp = api.post(f"/api/v1/tenant/hosts/{body['id']}/verify/")
    assert resp.status_code == 200 and resp.json()["status"] == "pending"
    assert resp.json()["last_checked_at"]

    fake_dns.publish(record["name"], record["value"])
    resp = api.post(f"/api/v1/tenant/hosts/{body['id']}/verify/")
    assert resp.json()["status"] == "verified" and resp.json()["verified_at"]
    assert Client(HTTP_HOST="partners.own.example").get("/accounts/login/").status_code == 200
    assert _actions(world.tenant) == ["tenant.host_added", "tenant.host_verified"]


def test_a_host_verified_by_one_tenant_cannot_be_claimed_by_another(world, stranger):
    fake_dns.verified_host(world.tenant, world.admin, "shared.example")
    resp = api_client(stranger.tenant, stranger.admin).post(
        "/api/v1/tenant/hosts/", {"host": "shared.example"}, format="json"
    )
    assert resp.status_code == 400
    resp = portal_client(stranger.tenant, stranger.admin).post(
        "/settings/domains/", {"host": "shared.example"}
    )
    assert resp.status_code == 200 and resp.context["host_form"].errors
    assert not TenantHost.objects.filter(tenant=stranger.tenant).exists()


def test_a_squatters_pending_claim_neither_blocks_the_owner_nor_wins_later(world, stranger):
    squatter = api_client(stranger.tenant, stranger.admin)
    claim = squatter.post("/api/v1/tenant/hosts/", {"host": "shared.example"}, format="json")
    assert claim.status_code == 201
    owner = fake_dns.verified_host(world.tenant, world.admin, "shared.example")
    assert owner.status == HostStatus.VERIFIED
    # The squatter's own token shows up too (say they once had access): still blocked.
    record = claim.json()["verification_record"]
    fake_dns.publish(record["name"], record["value"])
    resp = squatter.post(f"/api/v1/tenant/hosts/{claim.json()['id']}/verify/")
    assert resp.json()["status"] == "pending"
    assert "in use" in resp.json()["check_result"]
    resp = Client(HTTP_HOST="shared.example").get("/accounts/login/")
    assert world.tenant.name in resp.content.decode()


def test_only_a_verified_host_can_be_canonical(world):
    api = api_client(world.tenant, world.admin)
    pk = api.post("/api/v1/tenant/hosts/", {"host": "p.own.example"}, format="json").json()["id"]
    resp = api.post(f"/api/v1/tenant/hosts/{pk}/canonical/", {"is_canonical": True}, "json")
    assert resp.status_code == 400
    th = fake_dns.verified_host(world.tenant, world.admin, "q.own.example")
    resp = api.post(f"/api/v1/tenant/hosts/{th.pk}/canonical/", {"is_canonical": True}, "json")
    assert resp.status_code == 200 and resp.json()["is_canonical"] is True
    assert "tenant.host_canonical_set" in _actions(world.tenant)


def test_periodic_recheck_suspends_a_host_whose_record_vanished_and_tells_the_admins(
    world, django_capture_on_commit_callbacks
):
    th = fake_dns.verified_host(world.tenant, world.admin, "partners.own.example")
    api_client(world.tenant, world.admin).post(
        f"/api/v1/tenant/hosts/{th.pk}/canonical/", {"is_canonical": True}, format="json"
    )
    fake_dns.unpublish(th.record_name)
    mail.outbox.clear()
    assert hosts.recheck_all() == 0  # checked a moment ago: not due yet
    later = timezone.now() + datetime.timedelta(hours=settings.PRM_HOST_RECHECK_HOURS, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert hosts.recheck_all() == 1
    th.refresh_from_db()
    assert th.status == HostStatus.SUSPENDED
    assert Client(HTTP_HOST="partners.own.example").get("/accounts/login/").status_code == 404
    assert _actions(world.tenant)[-1] == "tenant.host_suspended"
    [notice] = mail.outbox
    assert notice.to == [world.admin.user.email]
    assert th.record_name in notice.body and th.record_value in notice.body
    # Links fall back to the slug host while the canonical host is suspended.
    assert f"://{host_of(world.tenant)}" in notice.body


def test_the_sweep_verifies_a_pending_host_once_its_record_appears(world):
    with tenant_context(world.tenant):
        th = hosts.tenant_host_add(tenant=world.tenant, by=world.admin, host="p.own.example")
    fake_dns.publish_for(th)
    assert hosts.recheck_all() == 1
    th.refresh_from_db()
    assert th.status == HostStatus.VERIFIED


def test_a_dns_time_out_changes_nothing(world):
    th = fake_dns.verified_host(world.tenant, world.admin, "p.own.example")
    fake_dns.FAILING.add(th.record_name)
    with tenant_context(world.tenant):
        th = hosts.tenant_host_verify(tenant=world.tenant, by=world.admin, host_id=th.pk)
    assert th.status == HostStatus.VERIFIED and "failed" in th.check_result


def test_the_recheck_is_scheduled():
    entries = list(celery_app.conf.beat_schedule.values())
    assert any(e["task"] == "prm.hosts.recheck_all" for e in entries)
    assert "prm.hosts.recheck_all" in celery_app.tasks


def test_the_hosts_page_shows_status_record_and_actions(world):
    with tenant_context(world.tenant):
        th = hosts.tenant_host_add(tenant=world.tenant, by=world.admin, host="p.own.example")
    client = portal_client(world.tenant, world.admin)
    body = client.get("/settings/").content.decode()
    assert th.record_name in body and th.record_value in body
    assert f'action="/settings/domains/{th.pk}/verify/"' in body
    assert "make-main" not in body  # only a verified domain can be the main address
    fake_dns.publish_for(th)
    resp = client.post(f"/settings/domains/{th.pk}/verify/")
    assert resp.status_code == 302
    th.refresh_from_db()
    assert th.status == HostStatus.VERIFIED


@pytest.mark.parametrize("action", ["verify", "make-main", "stop-main", "remove"])
def test_host_actions_on_another_tenants_host_are_404(world, stranger, action):
    theirs = fake_dns.verified_host(stranger.tenant, stranger.admin, "theirs.example")
    before = theirs.last_checked_at
    resp = portal_client(world.tenant, world.admin).post(f"/settings/domains/{theirs.pk}/{action}/")
    assert resp.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == HostStatus.VERIFIED and theirs.last_checked_at == before
    assert not theirs.is_canonical
