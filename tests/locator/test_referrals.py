"""Partner-to-partner referrals: invite, apply with the link, approval, activation (credited
once, `partner.referral_activated` for the incentive programs), and what the referrer sees."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from locator.models import Referral
from onboarding import services as onboarding_services
from onboarding.models import Application
from partners import services as partner_services
from prm import events
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find_all
from tests.onboarding_helpers import public_client, submit

pytestmark = pytest.mark.django_db

ACTIVATED: list[dict] = []


def _heard(event: events.Event) -> None:
    ACTIVATED.append(event.payload)


events.subscribe("partner.referral_activated", _heard)


def _invite(w, client=None, **extra):
    client = client or portal_client(w.tenant, w.partner_user)
    data = {"company_name": "Globex Partners", "contact_email": "gill@globex.example", **extra}
    return client.post("/locator/referrals/", data)


def test_invitation_mails_a_link_the_application_form_keeps(
    world, django_capture_on_commit_callbacks
):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        assert _invite(w, note="Great team").status_code == 302
    message = next(m for m in mail.outbox if "gill@globex.example" in m.to)
    link = re.search(r"https?://\S+/apply/\?ref=(\S+)", message.body)
    assert link and "Great team" in message.body
    code = link.group(1)
    form = public_client(w.tenant).get(f"/apply/?ref={code}")
    assert any(i.attrs.get("value") == code for i in find_all(form, "input", name="referral_code"))


def test_referral_moves_from_invited_to_active_and_is_credited_once(world):
    w = world
    _invite(w)
    with tenant_context(w.tenant):
        referral = Referral.objects.get()
    client = portal_client(w.tenant, w.partner_user)
    assert "Invited" in client.get("/locator/referrals/").content.decode()

    application = submit(w, referral_code=referral.code)
    with tenant_context(w.tenant):
        referral.refresh_from_db()
    assert referral.application_id == application.pk
    assert "Applied" in client.get("/locator/referrals/").content.decode()

    with tenant_context(w.tenant):
        application = onboarding_services.application_approve(
            application=Application.objects.get(pk=application.pk), by=w.channel_manager
        )
        partner = application.partner
    assert "Approved" in client.get("/locator/referrals/").content.decode()

    ACTIVATED.clear()
    with tenant_context(w.tenant):
        partner.refresh_from_db()
        if partner.status == "applicant":
            partner = partner_services.partner_transition(
                partner=partner, by=w.channel_manager, action="approve"
            )
        partner = partner_services.partner_transition(
            partner=partner, by=w.channel_manager, action="activate"
        )
        assert AuditEvent.objects.filter(action="locator.referral_activated").count() == 1
    assert [{"referrer_partner_id": w.partner.pk, "referred_partner_id": partner.pk}] == ACTIVATED
    page = client.get("/locator/referrals/").content.decode()
    assert "Active partner" in page
    # The referrer sees the status only: nothing of the application or the new partner.
    assert "Globex Partners" in page  # what the referrer typed itself ...
    assert "+49 30 123456" not in page and "Gill Globex" not in page  # ... not the application's

    # Suspended and active again: no second credit.
    with tenant_context(w.tenant):
        partner = partner_services.partner_transition(
            partner=partner, by=w.channel_manager, action="suspend", reason="Audit"
        )
        partner_services.partner_transition(
            partner=partner, by=w.channel_manager, action="reactivate"
        )
    assert len(ACTIVATED) == 1


def test_a_rejected_application_shows_as_declined(world):
    w = world
    _invite(w)
    with tenant_context(w.tenant):
        referral = Referral.objects.get()
    application = submit(w, referral_code=referral.code)
    with tenant_context(w.tenant):
        onboarding_services.application_reject(
            application=application, by=w.channel_manager, reason="Not a fit"
        )
    page = portal_client(w.tenant, w.partner_user).get("/locator/referrals/").content.decode()
    assert "Declined" in page and "Not a fit" not in page


def test_another_partners_referrals_are_not_listed(world):
    _invite(world)
    page = portal_client(world.tenant, world.other_partner_user).get("/locator/referrals/")
    assert "Globex Partners" not in page.content.decode()


def test_bad_input_is_a_form_error_and_sends_nothing(world):
    resp = _invite(world, contact_email="not-an-email")
    assert resp.status_code == 200
    assert find_all(resp, "div", class_="error-summary")
    with tenant_context(world.tenant):
        assert not Referral.objects.exists()


def test_the_same_address_is_not_invited_twice_while_it_has_not_applied(world):
    assert _invite(world).status_code == 302
    resp = _invite(world)
    assert resp.status_code == 200 and find_all(resp, "div", class_="error-summary")


def test_staff_have_no_referrals_page(world):
    assert portal_client(world.tenant, world.admin).get("/locator/referrals/").status_code == 403
