"""Account security (issue #15): the per-account sign-in lockout whatever the host spelling,
the same answer for a non-member's correct password as for a wrong one."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, override_settings

from tests.conftest import host_of
from tests.factories import PASSWORD

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


def _signed_in(client) -> bool:
    return client.session.get("_auth_user_id") is not None


def _form_errors(resp) -> list[str]:
    form = resp.context["form"] if resp.context else None
    return [str(e) for e in form.non_field_errors()] if form is not None else []


# --- 3. The per-account lockout counts the normalised e-mail across every host spelling ---


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_failed_sign_ins_lock_the_account_whatever_the_host_spelling(world):
    email = world.partner_user.user.email
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
    email = world.partner_user.user.email
    for host in ["localhost", "LOCALHOST:8000", host_of(world.tenant)]:
        _sign_in(host, email, "wrong-password-1")
    client, _resp = _sign_in(host_of(world.tenant), email, PASSWORD)
    assert not _signed_in(client)


@override_settings(ACCOUNT_RATE_LIMITS=LOCKOUT)
def test_fewer_failures_than_the_limit_still_let_the_owner_in(world):
    email = world.partner_user.user.email
    for host in ["localhost", host_of(world.tenant).upper()]:
        _sign_in(host, email, "wrong-password-1")
    client, _resp = _sign_in(host_of(world.tenant), email, PASSWORD)
    assert _signed_in(client)


# --- 10d. A non-member's correct password: the same answer as a wrong password -------------


def test_a_non_members_correct_password_gets_the_wrong_password_answer(world, stranger):
    email = stranger.admin.user.email
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
    email = stranger.admin.user.email
    for _ in range(3):
        _sign_in(host_of(world.tenant), email, PASSWORD)
    # Three "failures" elsewhere: at their own tenant the account is now locked as well.
    client, resp = _sign_in(host_of(stranger.tenant), email, PASSWORD)
    assert not _signed_in(client)
    assert "Too many failed login attempts" in resp.content.decode()
