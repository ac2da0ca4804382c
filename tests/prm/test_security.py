"""Security tests: response headers, cross-partner and field-level access, sign-in rate
limits and their audit trail, secrets in the audit trail, uploads, `check --deploy`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dealreg import services as deal_services
from dealreg.models import Deal, DealStatus
from prm import services
from prm.audit import log_action
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from prm.uploads import validate_image_upload
from tests.conftest import ROOT, api_client, portal_client
from tests.html_helpers import find_all
from tests.mdf.test_mdf_support import make_program, request_fields

pytestmark = pytest.mark.django_db


# --- Response headers ----------------------------------------------------------------------

MAIN_PAGES = ["/", "/members/", "/deals/", "/mdf/programs/", "/settings/", "/audit/", "/api-keys/"]


@pytest.mark.parametrize("path", [*MAIN_PAGES, "/accounts/login/"])
def test_every_main_page_sends_the_security_headers(world, path):
    member = None if path.startswith("/accounts/") else world.admin
    resp = portal_client(world.tenant, member).get(path)
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["Referrer-Policy"] == "same-origin"
    assert resp["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_carry_no_inline_script(world, path):
    html = portal_client(world.tenant, world.admin).get(path).content.decode()
    # Every <script> has a src: inline code would be blocked by the CSP anyway.
    for script in find_all(html, "script"):
        assert "src" in script.attrs, f"inline <script> on {path}"


# --- Cross-partner access (same tenant) ------------------------------------------------------


def _deal_of_partner_a(world) -> Deal:
    with tenant_context(world.tenant):
        return deal_services.deal_save(
            by=world.partner_admin,
            data={"customer_name": "Globex", "customer_domain_input": "globex.example"},
        )


def _mdf_request_of_partner_a(world):
    from mdf import services as mdf_services

    with tenant_context(world.tenant):
        program = make_program(world)
        mdf_services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        return mdf_services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )


CROSS_PARTNER = [
    # (what, factory, portal path, API path)
    ("deal", _deal_of_partner_a, "/deals/{pk}/", "/api/v1/deals/{pk}/"),
    ("mdf request", _mdf_request_of_partner_a, "/mdf/requests/{pk}/", "/api/v1/mdf/requests/{pk}/"),
]


@pytest.mark.parametrize(("what", "make", "portal", "api"), CROSS_PARTNER, ids=lambda v: v)
def test_another_partners_user_cannot_read_it_in_the_portal(world, what, make, portal, api):
    obj = make(world)
    own = portal_client(world.tenant, world.partner_admin).get(portal.format(pk=obj.pk))
    assert own.status_code == 200  # the row exists and its owner sees it
    other = portal_client(world.tenant, world.other_partner_user).get(portal.format(pk=obj.pk))
    assert other.status_code == 404


@pytest.mark.parametrize(("what", "make", "portal", "api"), CROSS_PARTNER, ids=lambda v: v)
def test_another_partners_user_cannot_read_it_through_the_api(world, what, make, portal, api):
    obj = make(world)
    assert (
        api_client(world.tenant, world.partner_admin).get(api.format(pk=obj.pk)).status_code == 200
    )
    other = api_client(world.tenant, world.other_partner_user)
    assert other.get(api.format(pk=obj.pk)).status_code == 404
    listing = other.get(api.rsplit("{pk}", 1)[0]).json()
    assert obj.pk not in [row["id"] for row in listing["results"]]


# --- Field-level access through the API ----------------------------------------------------


def test_partner_cannot_set_status_or_decision_fields_when_registering(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/api/v1/deals/",
        {
            "customer_name": "Initech",
            "customer_domain_input": "initech.example",
            "status": "approved",
            "decided_by": world.admin.pk,
            "decision_reason": "I approve myself",
            "protected_until": "2099-01-01",
            "partner": world.other_partner.pk,
        },
        format="json",
    )
    assert resp.status_code in (201, 400)
    with tenant_context(world.tenant):
        deals = list(Deal.objects.all())
    for deal in deals:
        assert deal.status == DealStatus.DRAFT
        assert deal.decided_by_id is None and deal.protected_until is None
        assert deal.partner_id == world.partner.pk
        assert deal.decision_reason != "I approve myself"


def test_partner_cannot_approve_its_own_draft_by_patching_status(world):
    deal = _deal_of_partner_a(world)
    client = api_client(world.tenant, world.partner_admin)
    client.patch(f"/api/v1/deals/{deal.pk}/", {"status": "approved"}, format="json")
    with tenant_context(world.tenant):
        deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT


def test_partner_cannot_call_the_staff_decision_endpoints(world):
    deal = _deal_of_partner_a(world)
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(f"/api/v1/deals/{deal.pk}/approve/", {}, format="json")
    assert resp.status_code in (403, 404)


# --- Sign-in rate limits and their audit trail ---------------------------------------------


def _fresh_ip() -> str:
    """A client address of its own, so no other test's attempts share the limiter bucket."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"


def _bad_login(client, ip, email):
    return client.post(
        "/accounts/login/", {"login": email, "password": "wrong-password"}, REMOTE_ADDR=ip
    )


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip,3/5m/key"})
def test_repeated_failed_sign_ins_lock_the_account_out_for_a_while(world):
    client, ip = portal_client(world.tenant), _fresh_ip()
    email = f"{uuid.uuid4().hex[:10]}@example.com"  # the per-account bucket is fresh too
    for _ in range(3):
        assert b"Too many failed login attempts" not in _bad_login(client, ip, email).content
    assert b"Too many failed login attempts" in _bad_login(client, ip, email).content


@override_settings(ACCOUNT_RATE_LIMITS={"login": "3/m/ip"})
def test_sign_in_attempts_beyond_the_rate_from_one_address_get_429(world):
    client, ip = portal_client(world.tenant), _fresh_ip()
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    statuses = [_bad_login(client, ip, email).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@override_settings(ACCOUNT_RATE_LIMITS={"reset_password": "2/m/ip"})
def test_password_reset_requests_are_rate_limited(world):
    client, ip = portal_client(world.tenant), _fresh_ip()
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": "someone@example.com"}, REMOTE_ADDR=ip
        ).status_code
        for _ in range(3)
    ]
    assert statuses[-1] == 429


def test_failed_sign_in_is_audited_with_the_address_but_no_password(world):
    client = portal_client(world.tenant)
    client.post(
        "/accounts/login/",
        {"login": world.partner_user.user.email, "password": "wrong-password-123"},
        REMOTE_ADDR="192.0.2.44",
    )
    with tenant_context(world.tenant):
        events = list(AuditEvent.objects.filter(action="auth.login_failed"))
    assert len(events) == 1
    assert events[0].ip == "192.0.2.44"
    assert "wrong-password-123" not in json.dumps([events[0].before, events[0].after])


def test_successful_sign_in_is_audited(world):
    user = world.partner_user.user
    user.set_password("right-password-1")
    user.save()
    client = portal_client(world.tenant)
    resp = client.post("/accounts/login/", {"login": user.email, "password": "right-password-1"})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="auth.login", actor_id=user.pk).count() == 1


# --- Secrets never reach the audit trail ---------------------------------------------------


def test_api_key_is_never_written_to_the_audit_trail(world):
    with tenant_context(world.tenant):
        _obj, key = services.api_key_create(member=world.admin, name="ci", scopes=["read"])
        rows = list(AuditEvent.objects.values("before", "after", "object_label"))
    assert key not in json.dumps(rows, default=str)


def test_audit_masks_secret_looking_keys_at_any_depth(world):
    with tenant_context(world.tenant):
        event = log_action(
            "x.test",
            object_type="x",
            object_id="1",
            after={"api_key": "prm_live_abc", "nested": {"password": "hunter2", "token": "t"}},
        )
    text = json.dumps(event.after)
    assert "prm_live_abc" not in text and "hunter2" not in text and '"t"' not in text


# --- Uploads are typed from their bytes ----------------------------------------------------


def test_an_image_upload_is_checked_by_its_bytes_not_its_name():
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError):
        validate_image_upload(fake)


def test_a_real_png_passes_the_image_check():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, "PNG")
    validate_image_upload(SimpleUploadedFile("anything.bin", buf.getvalue()))


def test_mdf_proof_with_a_pdf_name_but_executable_bytes_is_refused():
    from mdf.files import sniff_proof

    fake = SimpleUploadedFile(
        "invoice.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        sniff_proof(fake)


# --- Deployment checks ---------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.production",
        "DJANGO_SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": "postgres://prm_app@db/prm",
        "REDIS_URL": "redis://redis:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Markdown is sanitised wherever it is rendered ----------------------------------------


def _markdown_renderers():
    from onboarding.services import render_agreement_markdown
    from training.services import render_lesson_markdown

    return [render_agreement_markdown, render_lesson_markdown]


@pytest.mark.parametrize("render", _markdown_renderers(), ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>**bold**",
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">x</p>',
        '<img src="https://evil.example/x.png" onerror="alert(1)">',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_user_markdown_loses_scripts_handlers_and_javascript_links(render, payload):
    html = render(payload).lower()
    assert "<script" not in html and "javascript:" not in html
    assert "onclick" not in html and "onmouseover" not in html and "onerror" not in html
    assert "<iframe" not in html and "<img" not in html


# --- API keys: hashed, scoped, revocable --------------------------------------------------


def test_api_keys_are_stored_only_as_a_hash(world):
    import hashlib

    from prm.models import ApiKey

    with tenant_context(world.tenant):
        obj, key = services.api_key_create(member=world.admin, name="ci", scopes=["read"])
        row = ApiKey.objects.values().get(pk=obj.pk)
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in json.dumps(row, default=str)


def test_a_read_only_key_cannot_write(world):
    client = api_client(world.tenant, world.partner_admin, scopes=("read",))
    assert client.get("/api/v1/deals/").status_code == 200
    resp = client.post(
        "/api/v1/deals/",
        {"customer_name": "Initech", "customer_domain_input": "initech.example"},
        format="json",
    )
    assert resp.status_code == 403
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_a_partner_users_key_cannot_reach_staff_endpoints(world):
    client = api_client(world.tenant, world.partner_user)
    assert client.get("/api/v1/audit-events/").status_code == 403
    assert client.get("/api/v1/members/").status_code == 403


def test_a_revoked_key_is_rejected_at_once(world):
    from rest_framework.test import APIClient

    from tests.conftest import host_of

    with tenant_context(world.tenant):
        obj, key = services.api_key_create(member=world.admin, name="ci", scopes=["read"])
    client = APIClient(HTTP_HOST=host_of(world.tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").status_code == 200
    with tenant_context(world.tenant):
        services.api_key_revoke(by=world.admin, api_key=obj)
    assert client.get("/api/v1/me/").status_code == 401


def test_api_key_secret_never_reaches_the_logs(world, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    with tenant_context(world.tenant):
        _obj, key = services.api_key_create(member=world.admin, name="ci", scopes=["read"])
    client = api_client(world.tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get("/api/v1/me/")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}x")  # a failed attempt too
    client.get("/api/v1/me/")
    assert key not in caplog.text
