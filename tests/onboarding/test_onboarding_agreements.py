"""Agreements: versioned texts, click-wrap acceptance with its evidence and PDF, downloads,
re-acceptance on a new version and the deal-registration selector."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail

from onboarding import selectors, services
from onboarding.models import AgreementAcceptance, OnboardingSettings
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory
from tests.onboarding_helpers import accept, make_template, publish, reload, set_rules, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def accept_form(a, **overrides):
    data = {
        "agreement": a.pk,
        "text_sha256": a.text_sha256,
        "signer_name": "Ada Admin",
        "signer_title": "Managing director",
        "confirm": "on",
    }
    data.update(overrides)
    return data


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_numbers_versions_per_type_and_hashes_the_exact_text(world):
    v1 = publish(world, body="Hello\r\nWorld")
    v2 = publish(world, body="# Version two\n")
    isv = publish(world, partner_type="isv")
    assert (v1.version, v2.version, isv.version) == (1, 2, 1)
    assert v1.body == "Hello\nWorld\n"
    assert v1.text_sha256 == hashlib.sha256(b"Hello\nWorld\n").hexdigest()
    with tenant_context(world.tenant):
        assert selectors.current_agreement("reseller").pk == v2.pk
        assert AuditEvent.objects.filter(action="agreement.published").count() == 3


def test_agreement_markdown_is_rendered_and_sanitised(world):
    a = publish(
        world,
        body=(
            "# Terms\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
            '<img src="http://internal/x.png" onerror="alert(1)"> <a href="https://ok.example">ok</a>'
        ),
    )
    assert "<h1>Terms</h1>" in a.body_html and "<strong>bold</strong>" in a.body_html
    for bad in ("<script", "javascript:", "<img", "onerror"):
        assert bad not in a.body_html
    assert 'href="https://ok.example"' in a.body_html


def test_only_admins_publish_and_bad_input_is_refused(world):
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.agreement_publish(
                by=world.channel_manager, partner_type="reseller", title="T", body="B"
            )
        with pytest.raises(DomainError) as exc:
            services.agreement_publish(by=world.admin, partner_type="reseller", title="", body="B")
        assert exc.value.field == "title"
        with pytest.raises(DomainError):
            services.agreement_publish(by=world.admin, partner_type="nope", title="T", body="B")


def test_admins_publish_in_the_portal_and_channel_managers_only_read(world):
    admin = portal_client(world.tenant, world.admin)
    bad = admin.post("/agreements/", {"partner_type": "reseller", "title": "", "body": ""})
    assert bad.status_code == 200 and {"title", "body"} <= set(bad.context["form"].errors)
    ok = admin.post(
        "/agreements/", {"partner_type": "reseller", "title": "Reseller terms", "body": "Hi"}
    )
    assert ok.status_code == 302
    manager = portal_client(world.tenant, world.channel_manager)
    page = manager.get("/agreements/")
    assert page.status_code == 200 and "Reseller terms" in page.content.decode()
    assert page.context["form"] is None
    refused = manager.post("/agreements/", {"partner_type": "reseller", "title": "X", "body": "Y"})
    assert refused.status_code == 403


def test_a_new_version_is_announced_to_partner_admins_of_that_type(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(world)
    recipients = sorted(addr for m in mail.outbox for addr in m.to)
    assert recipients == [world.partner_admin.user.email]
    assert "/agreement/" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, partner_type="isv")
    assert mail.outbox == []


# --- Accepting ----------------------------------------------------------------------------


def test_click_wrap_acceptance_records_its_evidence_and_a_pdf(world):
    agreement = publish(world, body="# Terms\n\nThe exact text.\n")
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/agreement/")
    assert page.status_code == 200 and "The exact text." in page.content.decode()
    assert agreement.text_sha256 in page.content.decode()
    resp = client.post(
        "/agreement/accept/",
        accept_form(agreement),
        HTTP_USER_AGENT="Mozilla/5.0 Test",
        REMOTE_ADDR="203.0.113.9",
    )
    assert resp.status_code == 302 and resp["Location"] == "/agreement/"
    with tenant_context(world.tenant):
        acc = AgreementAcceptance.objects.get()
        assert acc.partner_id == world.partner.pk and acc.member_id == world.partner_admin.pk
        assert (acc.signer_name, acc.signer_title) == ("Ada Admin", "Managing director")
        assert acc.signer_email == world.partner_admin.user.email
        assert acc.ip == "203.0.113.9" and acc.user_agent == "Mozilla/5.0 Test"
        assert acc.text_sha256 == hashlib.sha256(b"# Terms\n\nThe exact text.\n").hexdigest()
        assert acc.pdf.name.startswith(f"onboarding/{world.tenant.pk}/agreements/")
        with acc.pdf.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        event = AuditEvent.objects.get(action="agreement.accepted")
        assert event.after["text_sha256"] == acc.text_sha256 and event.ip == "203.0.113.9"
        assert selectors.has_current_agreement(world.partner)
    after = client.get("/agreement/")
    assert "Accepted by Ada Admin" in after.content.decode() and after.context["form"] is None


def test_acceptance_with_a_stale_hash_or_missing_fields_is_a_form_error(world):
    agreement = publish(world)
    client = portal_client(world.tenant, world.partner_admin)
    stale = client.post("/agreement/accept/", accept_form(agreement, text_sha256="0" * 64))
    assert stale.status_code == 200
    assert "The agreement changed after you opened it" in stale.content.decode()
    missing = client.post("/agreement/accept/", accept_form(agreement, signer_title="", confirm=""))
    assert {"signer_title", "confirm"} <= set(missing.context["form"].errors)
    garbage = client.post("/agreement/accept/", {"agreement": "x"})
    assert garbage.status_code == 200 and "This page is out of date" in garbage.content.decode()
    gone = client.post("/agreement/accept/", accept_form(agreement, agreement=999999))
    assert "no longer exists" in gone.content.decode()
    with tenant_context(world.tenant):
        assert not AgreementAcceptance.objects.exists()


def test_an_outdated_version_cannot_be_accepted(world):
    old = publish(world)
    publish(world, body="Version 2")
    with tenant_context(world.tenant):
        with pytest.raises(DomainError, match="not the current version"):
            services.agreement_accept(
                agreement=old,
                by=world.partner_admin,
                signer_name="A",
                signer_title="B",
                text_sha256=old.text_sha256,
            )


def test_accepting_twice_is_refused(world):
    agreement = publish(world)
    accept(world, agreement)
    with pytest.raises(DomainError, match="already accepted"):
        accept(world, agreement)


def test_only_partner_admins_accept(world):
    agreement = publish(world)
    user = portal_client(world.tenant, world.partner_user)
    page = user.get("/agreement/")
    assert page.context["form"] is None and "Only a partner admin" in page.content.decode()
    assert user.post("/agreement/accept/", accept_form(agreement)).status_code == 403
    assert portal_client(world.tenant, world.admin).get("/agreement/accept/").status_code == 405
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.agreement_accept(
                agreement=agreement,
                by=world.channel_manager,
                signer_name="A",
                signer_title="B",
                text_sha256=agreement.text_sha256,
            )


def test_a_partner_without_an_agreement_sees_what_happens_next(world):
    resp = portal_client(world.tenant, world.partner_admin).get("/agreement/")
    assert "There is no agreement to accept" in resp.content.decode()


# --- Downloads ----------------------------------------------------------------------------


def test_both_sides_download_the_signed_pdf_and_nobody_else(world):
    acc = accept(world, publish(world))
    url = f"/agreements/signed/{acc.pk}.pdf"
    for member in (world.partner_admin, world.partner_user, world.channel_manager, world.admin):
        resp = portal_client(world.tenant, member).get(url)
        assert resp.status_code == 200, member.role
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("attachment;")
        assert b"".join(resp.streaming_content).startswith(b"%PDF-")
    assert portal_client(world.tenant, world.other_partner_user).get(url).status_code == 404
    assert portal_client(world.tenant).get(url).status_code == 302  # sign in first


def test_the_acceptance_api_is_scoped_to_the_partner(world):
    acc = accept(world, publish(world))
    other = PartnerFactory(tenant=world.tenant, name="Other reseller")
    from tests.factories import MemberFactory

    other_admin = MemberFactory(tenant=world.tenant, role="partner_admin", partner=other)
    accept(world, reload(acc.agreement), member=other_admin)
    mine = api_client(world.tenant, world.partner_user).get("/api/v1/agreement-acceptances/")
    assert [r["id"] for r in mine.json()["results"]] == [acc.pk]
    assert mine.json()["results"][0]["pdf_url"] == f"/agreements/signed/{acc.pk}.pdf"
    staff = api_client(world.tenant, world.channel_manager).get("/api/v1/agreement-acceptances/")
    assert len(staff.json()["results"]) == 2
    assert (
        api_client(world.tenant, world.other_partner_user)
        .get(f"/api/v1/agreement-acceptances/{acc.pk}/")
        .status_code
        == 404
    )


# --- Re-acceptance and deal registration --------------------------------------------------


def test_a_new_version_requires_acceptance_again(world):
    with tenant_context(world.tenant):
        assert selectors.has_current_agreement(world.partner)  # nothing published yet
    v1 = publish(world)
    with tenant_context(world.tenant):
        assert not selectors.has_current_agreement(world.partner)
    accept(world, v1)
    with tenant_context(world.tenant):
        assert selectors.has_current_agreement(world.partner)
    v2 = publish(world, body="New terms")
    with tenant_context(world.tenant):
        assert not selectors.has_current_agreement(world.partner)
    page = portal_client(world.tenant, world.partner_admin).get("/agreement/")
    assert page.context["agreement"].pk == v2.pk and page.context["form"] is not None
    accept(world, v2)
    with tenant_context(world.tenant):
        assert selectors.has_current_agreement(world.partner)
        assert AgreementAcceptance.objects.filter(partner=world.partner).count() == 2


def test_deal_registration_is_blocked_only_when_the_setting_says_so(world):
    publish(world)
    with tenant_context(world.tenant):
        assert selectors.deal_registration_allowed(world.partner)
    set_rules(world, block_deals_without_current_agreement=True)
    with tenant_context(world.tenant):
        assert not selectors.deal_registration_allowed(world.partner)
        assert OnboardingSettings.for_tenant(world.tenant).block_deals_without_current_agreement


def test_accepting_completes_the_onboarding_step(world):
    make_template(world, [{"kind": "accept_agreement"}, {"kind": "manual"}])
    workflow = start(world)
    accept(world, publish(world))
    with tenant_context(world.tenant):
        s = workflow.steps.get(kind="accept_agreement")
        assert s.completed_at is not None and s.completed_via == "event"


# --- API ----------------------------------------------------------------------------------


def test_api_publish_list_and_accept(world):
    admin = api_client(world.tenant, world.admin)
    resp = admin.post(
        "/api/v1/agreements/",
        {"partner_type": "reseller", "title": "Reseller terms", "body": "Be **fair**."},
        format="json",
    )
    assert resp.status_code == 201 and resp.json()["version"] == 1
    assert "<strong>fair</strong>" in resp.json()["body_html"]
    bad = admin.post("/api/v1/agreements/", {"partner_type": "x"}, format="json")
    assert bad.status_code == 400
    assert {"partner_type", "title", "body"} <= set(bad.json()["errors"])
    admin.post(
        "/api/v1/agreements/",
        {"partner_type": "isv", "title": "ISV terms", "body": "x"},
        format="json",
    )
    partner = api_client(world.tenant, world.partner_admin)
    listed = partner.get("/api/v1/agreements/").json()["results"]
    assert [a["partner_type"] for a in listed] == ["reseller"]
    agreement = listed[0]
    wrong = partner.post(
        f"/api/v1/agreements/{agreement['id']}/accept/",
        {"signer_name": "Ada", "signer_title": "CEO", "text_sha256": "f" * 64},
        format="json",
    )
    assert wrong.status_code == 400 and "text_sha256" in wrong.json()["errors"]
    ok = partner.post(
        f"/api/v1/agreements/{agreement['id']}/accept/",
        {"signer_name": "Ada", "signer_title": "CEO", "text_sha256": agreement["text_sha256"]},
        format="json",
        HTTP_USER_AGENT="integration/1.0",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["user_agent"] == "integration/1.0" and ok.json()["version"] == 1
    user = api_client(world.tenant, world.partner_user)
    assert (
        user.post(f"/api/v1/agreements/{agreement['id']}/accept/", {}, format="json").status_code
        == 403
    )
