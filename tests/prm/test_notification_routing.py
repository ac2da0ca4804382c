"""E-mails about events go through each member's preferences (prm.notifications.notify):
immediate, daily digest or off; mandatory mails bypass them; optional mails carry a working
one-click unsubscribe link and both text and HTML bodies with the tenant's branding."""

from __future__ import annotations

import secrets

import pytest
from django.core import mail, signing

from dealreg.services import leads
from integrations.relay import fan_out
from mdf import services as mdf_services
from mdf import tasks as mdf_tasks
from prm import events, notifications
from prm.models import AuditEvent, Notification, NotificationPreference
from prm.tenancy import tenant_context
from tenantdata import privacy
from tests.conftest import portal_client
from tests.dealreg.test_dealreg import register_and_tell as register
from tests.mdf.test_mdf_support import claim_fields, make_program, pdf_upload, request_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def prefer(member, **modes):
    with tenant_context(member.tenant):
        notifications.notification_preferences_set(member=member, modes=modes)


def mails_to(member, subject_part: str = ""):
    return [m for m in mail.outbox if member.user.email in m.to and subject_part in m.subject]


def notes(member, **filters):
    with tenant_context(member.tenant):
        return list(Notification.objects.filter(member=member, **filters))


def relay(world):
    with tenant_context(world.tenant):
        fan_out(tenant=world.tenant)


def approve_claim(world):
    """A partner claim approved by the channel manager; returns the claim."""
    with tenant_context(world.tenant):
        program = make_program(world)
        mdf_services.allocation_add(program=program, partner=world.partner, amount="20000", by=None)
        req = mdf_services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = mdf_services.request_transition(request=req, to="approved", by=world.channel_manager)
        claim = mdf_services.claim_submit(
            request=req,
            by=world.partner_admin,
            documents=[("invoice", pdf_upload())],
            **claim_fields(req),
        )
        return mdf_services.claim_transition(claim=claim, to="approved", by=world.channel_manager)


def route_lead(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Initech GmbH")
        return leads.lead_route(lead=lead)


# --- Deal decided ---------------------------------------------------------------------------


def test_deal_decision_is_mailed_at_once_by_default(world, django_capture_on_commit_callbacks):
    deal = register(world)
    [message] = mails_to(world.partner_admin, "Deal registration approved")
    assert message.subject.startswith(f"[{world.tenant.name}]")
    assert f"/deals/{deal.pk}/" in message.body
    [note] = notes(world.partner_admin, event_type="deal.approved")
    assert note.mode == "immediate"


def test_mail_and_relay_share_one_notification(world, django_capture_on_commit_callbacks):
    register(world)
    relay(world)
    assert len(notes(world.partner_admin, event_type="deal.approved")) == 1


def test_deal_decision_in_digest_mode_waits_for_the_digest(
    world, django_capture_on_commit_callbacks
):
    prefer(world.partner_admin, deals="digest")
    register(world)
    assert mails_to(world.partner_admin) == []
    [note] = notes(world.partner_admin, event_type="deal.approved")
    assert note.mode == "digest"
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.digest_send(tenant=world.tenant, member=world.partner_admin)
    [digest] = mails_to(world.partner_admin, "daily summary")
    assert note.title in digest.body


def test_deal_decision_off_sends_and_lists_nothing(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, deals="off")
    register(world)
    relay(world)
    assert mails_to(world.partner_admin) == []
    assert notes(world.partner_admin) == []


# --- MDF claim decided ------------------------------------------------------------------------


def test_claim_decision_is_mailed_to_the_partner_admin(world, django_capture_on_commit_callbacks):
    claim = approve_claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        mdf_tasks.notify(tenant_id=world.tenant.pk, kind="claim.approved", object_id=claim.pk)
    [message] = mails_to(world.partner_admin, "claim was approved")
    assert f"/mdf/claims/{claim.pk}/" in message.body
    [note] = notes(world.partner_admin, event_type="mdf.claim.approved")
    assert note.event_id is not None  # the relay's own row, not a second one


def test_claim_decision_in_digest_mode_is_not_mailed_at_once(
    world, django_capture_on_commit_callbacks
):
    prefer(world.partner_admin, mdf="digest")
    claim = approve_claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        mdf_tasks.notify(tenant_id=world.tenant.pk, kind="claim.approved", object_id=claim.pk)
    assert mails_to(world.partner_admin) == []
    [note] = notes(world.partner_admin, event_type="mdf.claim.approved")
    assert note.mode == "digest" and note.digested_at is None


def test_claim_decision_off_is_not_mailed(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, mdf="off")
    claim = approve_claim(world)
    with django_capture_on_commit_callbacks(execute=True):
        mdf_tasks.notify(tenant_id=world.tenant.pk, kind="claim.approved", object_id=claim.pk)
    assert mails_to(world.partner_admin) == []


# --- Lead assigned ----------------------------------------------------------------------------


def test_lead_offer_is_mailed_to_the_partner_admin(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offer = route_lead(world)
    partner_admin = world.partner_admin if offer.partner_id == world.partner.pk else None
    assert partner_admin is not None
    [message] = mails_to(partner_admin, "A lead was offered to you")
    assert "Initech GmbH" in message.body and "/leads/inbox/" in message.body


def test_lead_offer_in_digest_mode_is_queued(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, leads="digest")
    with django_capture_on_commit_callbacks(execute=True):
        route_lead(world)
    assert mails_to(world.partner_admin) == []
    [note] = notes(world.partner_admin, event_type="lead.assigned")
    assert note.mode == "digest"


def test_lead_offer_off_is_not_mailed(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, leads="off")
    with django_capture_on_commit_callbacks(execute=True):
        route_lead(world)
    assert mails_to(world.partner_admin) == []
    assert notes(world.partner_admin, event_type="lead.assigned") == []


# --- Message shape ----------------------------------------------------------------------------


def test_optional_mail_has_text_and_html_with_branding_and_unsubscribe_header(
    world, django_capture_on_commit_callbacks
):
    with tenant_context(world.tenant):
        world.tenant.primary_colour = "#aa3300"
        world.tenant.save(update_fields=["primary_colour"])
    register(world)
    [message] = mails_to(world.partner_admin, "Deal registration approved")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert world.tenant.name in html and "#aa3300" in html
    assert world.tenant.name in message.body
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/notifications/unsubscribe/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in message.body and header.strip("<>") in html


def test_mandatory_mail_bypasses_preferences(world, django_capture_on_commit_callbacks):
    prefer(world.partner_admin, **dict.fromkeys(events.GROUPS, "off"))
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        privacy.export_build(member_id=world.partner_admin.pk, token=secrets.token_urlsafe(8))
    [message] = mails_to(world.partner_admin, "personal data export")
    assert "List-Unsubscribe" not in message.extra_headers


# --- Unsubscribe ------------------------------------------------------------------------------


def unsubscribe_path(member, group="deals"):
    with tenant_context(member.tenant):
        url = notifications.unsubscribe_url(member, group)
    return url[url.index("/notifications/") :]


def test_unsubscribe_link_asks_first_without_sign_in(world):
    resp = portal_client(world.tenant).get(unsubscribe_path(world.partner_admin))
    assert resp.status_code == 200 and b"<form" in resp.content
    with tenant_context(world.tenant):
        assert notifications.preferences_for(world.partner_admin)["deals"] == "immediate"


def test_unsubscribe_post_turns_the_group_off_and_is_audited(world):
    resp = portal_client(world.tenant).post(unsubscribe_path(world.partner_admin))
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        assert notifications.preferences_for(world.partner_admin)["deals"] == "off"
        event = AuditEvent.objects.get(action="notifications.unsubscribed")
    assert event.object_id == str(world.partner_admin.pk)
    assert event.actor_id == world.partner_admin.user_id
    assert event.after["deals"] == "off"


def test_tampered_unsubscribe_token_is_refused(world):
    path = unsubscribe_path(world.partner_admin)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    forged = signing.dumps(
        {"t": world.tenant.pk, "m": world.admin.pk, "g": "deals"}, salt="another salt"
    )
    client = portal_client(world.tenant)
    assert client.post(path.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.post(path.replace(token, forged)).status_code == 404
    with tenant_context(world.tenant):
        assert not NotificationPreference.objects.filter(mode="off").exists()


def test_unsubscribe_token_of_another_tenant_is_refused(world, stranger):
    path = unsubscribe_path(stranger.partner_admin)
    assert portal_client(world.tenant).post(path).status_code == 404


# --- Digest opt-out ---------------------------------------------------------------------------


def test_digest_off_means_no_digest(world, django_capture_on_commit_callbacks):
    from decimal import Decimal

    register(world, amount=Decimal("50000.01"))  # waits for review: the manager's worklist
    prefer(world.channel_manager, digest="off")
    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.digest_send(tenant=world.tenant, member=world.channel_manager)
    assert not sent and mails_to(world.channel_manager, "daily summary") == []
    assert world.channel_manager not in notifications.digest_recipients(tenant=world.tenant)


def test_digest_has_its_own_unsubscribe_link(world, django_capture_on_commit_callbacks):
    from decimal import Decimal

    register(world, amount=Decimal("50000.01"))
    with django_capture_on_commit_callbacks(execute=True):
        notifications.digest_send(tenant=world.tenant, member=world.channel_manager)
    [digest] = mails_to(world.channel_manager, "daily summary")
    link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    portal_client(world.tenant).post(link[link.index("/notifications/") :])
    with tenant_context(world.tenant):
        assert notifications.preferences_for(world.channel_manager)["digest"] == "off"
