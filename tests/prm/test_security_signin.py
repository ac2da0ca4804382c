"""Sign-in security: audit entries for sign-in, failures, password reset and MFA on a tenant
host and on the bare base domain (events without a tenant), rate limits on the real Redis
cache, and closed sign-up.

Events without a tenant are written by the app but readable only by operators (the row
policy has no SELECT rule for them), so these tests read them with the embedded server's
superuser, over a connection of their own: the rows must therefore be committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings

from prm.audit import log_action
from prm.backup import backup_url
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import ROOT, _test_db_url, portal_client
from tests.factories import PASSWORD

BARE = settings.PRM_BASE_DOMAIN


def _superuser():
    return psycopg.connect(backup_url(settings.DATABASES["default"]["NAME"]), autocommit=True)


def _global_events(action: str, marker: str) -> list[tuple]:
    """Audit rows without a tenant for `action` whose label or `after` mentions marker."""
    with _superuser() as conn:
        return conn.execute(
            "SELECT actor_id, actor_label, object_label, after::text, ip FROM prm_auditevent"
            " WHERE tenant_id IS NULL AND action = %s"
            " AND (object_label LIKE %s OR after::text LIKE %s)",
            [action, f"%{marker}%", f"%{marker}%"],
        ).fetchall()


def _fresh_ip() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"


# --- Events without a tenant (bare domain) -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_log_action_without_a_tenant_writes_the_event_under_forced_rls():
    marker = uuid.uuid4().hex
    log_action("test.global", object_type="x", object_id="1", object_label=marker)
    assert len(_global_events("test.global", marker)) == 1


def test_the_app_role_may_insert_events_without_a_tenant_but_never_read_them(transactional_db):
    url = _test_db_url("DATABASE_URL").replace("postgres://", "postgresql://")
    marker = uuid.uuid4().hex
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO prm_auditevent (tenant_id, actor_label, action, object_type, object_id,"
            " object_label, user_agent, created_at) VALUES (NULL, '', 'test.app_role', '', '',"
            " %s, '', now())",
            [marker],
        )
        assert conn.execute(
            "SELECT count(*) FROM prm_auditevent WHERE object_label = %s", [marker]
        ).fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE prm_auditevent SET action = 'y' WHERE tenant_id IS NULL")
    assert len(_global_events("test.app_role", marker)) == 1


def test_a_failed_sign_in_on_the_bare_domain_is_audited_by_the_app_role(transactional_db):
    """Runs the sign-in in a separate process connected as the app role, as production does."""
    marker = f"{uuid.uuid4().hex[:12]}@example.com"
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"r = Client(HTTP_HOST={BARE!r}).post('/accounts/login/',"
        f" {{'login': {marker!r}, 'password': 'wrong-password-77'}}, REMOTE_ADDR='192.0.2.9')\n"
        "print(r.status_code)\n"
    )
    env = {
        **os.environ,
        "PRM_TEST_WORKER": "1",
        "DATABASE_URL": _test_db_url("DATABASE_URL"),
        "DJANGO_SETTINGS_MODULE": "prm.settings.test",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "200"
    rows = _global_events("auth.login_failed", marker)
    assert len(rows) == 1
    assert str(rows[0][4]) == "192.0.2.9" and "wrong-password-77" not in rows[0][3]


@pytest.mark.django_db(transaction=True)
def test_sign_in_success_and_failure_on_the_bare_domain_are_audited(world):
    user = world.partner_user.user
    client = Client(HTTP_HOST=BARE)
    client.post("/accounts/login/", {"login": user.email, "password": "nope-nope-1"})
    resp = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert resp.status_code == 302
    assert len(_global_events("auth.login_failed", user.email)) == 1
    rows = _global_events("auth.login", user.email)
    assert len(rows) == 1 and rows[0][0] == user.pk
    with tenant_context(world.tenant):  # nothing leaked into the tenant's own trail
        assert not AuditEvent.objects.filter(action__startswith="auth.login").exists()


@pytest.mark.django_db(transaction=True)
def test_password_reset_on_the_bare_domain_is_audited(world):
    user = world.partner_user.user
    client = Client(HTTP_HOST=BARE)
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/key/" in w)
    path = link.split(BARE, 1)[-1].split(":8000", 1)[-1]
    form = client.get(path, follow=True)
    resp = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "brand-new-secret-42", "password2": "brand-new-secret-42"},
    )
    assert resp.status_code == 302
    assert len(_global_events("auth.password_reset", user.email)) == 1


# --- Events on a tenant host ----------------------------------------------------------------


def test_password_reset_on_a_tenant_host_is_audited_in_that_tenant(world):
    user = world.partner_user.user
    client = portal_client(world.tenant)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/key/" in w)
    path = "/accounts/" + link.split("/accounts/", 1)[1]
    form = client.get(path, follow=True)
    resp = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": "brand-new-secret-42", "password2": "brand-new-secret-42"},
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        events = AuditEvent.objects.filter(action="auth.password_reset", actor_id=user.pk)
        assert events.count() == 1


def _current_totp(secret: str) -> str:
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def test_mfa_failure_and_success_at_sign_in_are_audited_on_a_tenant_host(world):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world.partner_user.user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = portal_client(world.tenant)
    resp = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert resp.status_code == 302 and "/2fa/" in resp["Location"]
    code = _current_totp(secret)
    wrong = "000000" if code != "000000" else "111111"
    client.post(resp["Location"], {"code": wrong})
    done = client.post(resp["Location"], {"code": code})
    assert done.status_code == 302
    with tenant_context(world.tenant):
        actions = list(AuditEvent.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert "mfa.authentication_failed" in actions
    assert actions.count("auth.login") == 1


# --- Rate limits (the real Redis cache) and closed sign-up ----------------------------------


def test_the_rate_limiter_uses_redis():
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    key = f"probe-{uuid.uuid4().hex}"
    cache.set(key, 1, 10)
    assert cache.get(key) == 1


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip,3/5m/key"})
def test_failed_sign_ins_on_the_bare_domain_are_rate_limited(db):
    client, ip = Client(HTTP_HOST=BARE), _fresh_ip()
    email = f"{uuid.uuid4().hex[:10]}@example.com"

    def attempt():
        return client.post(
            "/accounts/login/", {"login": email, "password": "bad-password"}, REMOTE_ADDR=ip
        )

    for _ in range(3):
        assert b"Too many failed login attempts" not in attempt().content
    assert b"Too many failed login attempts" in attempt().content


@override_settings(ACCOUNT_RATE_LIMITS={"reset_password": "2/m/ip"})
def test_password_reset_on_the_bare_domain_is_rate_limited(db):
    client, ip = Client(HTTP_HOST=BARE), _fresh_ip()
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": "x@example.com"}, REMOTE_ADDR=ip
        ).status_code
        for _ in range(3)
    ]
    assert statuses[:2] == [302, 302] and statuses[2] == 429


@pytest.mark.parametrize("on_tenant_host", [True, False], ids=["tenant", "bare"])
def test_sign_up_is_closed(world, on_tenant_host):
    client = portal_client(world.tenant) if on_tenant_host else Client(HTTP_HOST=BARE)
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and b"Accounts are by invitation" in page.content
    client.post(
        "/accounts/signup/",
        {"email": email, "password1": "a-strong-pass-91", "password2": "a-strong-pass-91"},
    )
    from prm.models import User

    assert not User.objects.filter(email=email).exists()


def test_the_tests_database_role_is_subject_to_row_security(db):
    """These tests' own connection obeys forced RLS too: it is no superuser."""
    with connection.cursor() as cur:
        cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False, False)
