"""A campaign's e-mail sequence to the partner's own contacts: the upload needs the consent
confirmation (CSV bad rows reported, good rows kept, duplicates merged); the sender sends
each due step once, co-branded with the tracked link and a one-click unsubscribe link, within
the tenant's rate limit; an unsubscribe stops every later step in all of that partner's
campaigns; one partner never sees another's contacts."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from marketing import sequence_services
from marketing.sequence_models import CampaignContact, ContactSuppression, SequenceSend
from marketing.tasks import send_sequences
from prm.models import AuditEvent
from prm.outbox_models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import host_of, portal_client
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all
from tests.marketing.campaign_helpers import launched
from tests.marketing.sequence_helpers import CONTACTS, add_contacts, started

pytestmark = pytest.mark.django_db


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")


def _contacts(world, campaign=None):
    with tenant_context(world.tenant):
        qs = CampaignContact.objects.order_by("email")
        if campaign is not None:
            qs = qs.filter(campaign=campaign)
        return list(qs)


def _run(world, now=None, *, capture):
    with capture(execute=True), tenant_context(world.tenant):
        return sequence_services.sequences_send_due(tenant=world.tenant, now=now)


# --- Upload and consent ----------------------------------------------------------------


def test_upload_without_the_consent_confirmation_is_refused_and_keeps_nothing(world):
    campaign = launched(world)
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        f"/marketing/campaigns/{campaign.pk}/contacts/upload/",
        {"file": _csv("email\nann@example.com\n")},
    )
    assert resp.status_code == 400
    assert find(resp, "div", class_="error-summary") is not None
    assert _contacts(world) == []


def test_csv_upload_keeps_good_rows_reports_bad_ones_and_merges_duplicates(world):
    campaign = launched(world)
    client = portal_client(world.tenant, world.partner_admin)
    text = (
        "E-mail;First name;Last name;Company\n"
        "ann@example.com;Ann;;\n"
        "not-an-address;Bob;Brown;Brown Ltd\n"
        ";No;Mail;Nowhere\n"
        "ANN@example.com;;Archer;Archer GmbH\n"
        "\n"
        "cy@example.com;Cy;Young;Young AG\n"
    )
    resp = client.post(
        f"/marketing/campaigns/{campaign.pk}/contacts/upload/",
        {"file": _csv(text), "consent": "on"},
    )
    assert resp.status_code == 200
    errors = {int(tr.attrs["data-row-error"]) for tr in find_all(resp, "tr", data_row_error=True)}
    assert errors == {3, 4}
    ann, cy = _contacts(world)
    assert (ann.email, ann.first_name, ann.last_name, ann.company) == (
        "ann@example.com",
        "Ann",
        "Archer",
        "Archer GmbH",
    )
    assert cy.email == "cy@example.com"
    assert ann.consented_by_id == world.partner_admin.pk and "agreed" in ann.consent_text
    # A second upload of the same address merges, never duplicates.
    client.post(
        f"/marketing/campaigns/{campaign.pk}/contacts/upload/",
        {"file": _csv("email\ncy@example.com\n"), "consent": "on"},
    )
    assert len(_contacts(world)) == 2
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="marketing.campaign.contacts_added").count() == 2


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00bad", b"name,company\nAnn,Ann Ltd\n"],
    ids=["not-utf8", "no-email-column"],
)
def test_unreadable_csv_is_a_form_error_not_a_500(world, content):
    campaign = launched(world)
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/marketing/campaigns/{campaign.pk}/contacts/upload/",
        {"file": SimpleUploadedFile("c.csv", content), "consent": "on"},
    )
    assert resp.status_code == 400
    assert find(resp, "div", class_="error-summary") is not None
    assert _contacts(world) == []


@override_settings(PRM_CAMPAIGN_CONTACTS_MAX_ROWS=2)
def test_an_upload_over_the_row_cap_is_refused_whole(world):
    campaign = launched(world)
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/marketing/campaigns/{campaign.pk}/contacts/upload/",
        {"file": _csv("email\na@x.example\nb@x.example\nc@x.example\n"), "consent": "on"},
    )
    assert resp.status_code == 400
    assert _contacts(world) == []


def test_partner_admin_removes_a_contact(world):
    campaign = launched(world)
    add_contacts(world, campaign)
    contact = _contacts(world)[0]
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(f"/marketing/campaigns/{campaign.pk}/contacts/{contact.pk}/remove/")
    assert resp.status_code == 302
    assert contact.pk not in {c.pk for c in _contacts(world)}


# --- Sending ------------------------------------------------------------------------------


def test_start_asks_first_and_sends_nothing_until_confirmed(world):
    campaign = launched(world)
    add_contacts(world, campaign)
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get(f"/marketing/campaigns/{campaign.pk}/sequence/start/")
    assert page.status_code == 200
    assert find(page, "form", action=f"/marketing/campaigns/{campaign.pk}/sequence/start/")
    with tenant_context(world.tenant):
        campaign.refresh_from_db()
    assert campaign.sequence_status == "not_started"
    assert client.post(f"/marketing/campaigns/{campaign.pk}/sequence/start/").status_code == 302
    with tenant_context(world.tenant):
        campaign.refresh_from_db()
        assert AuditEvent.objects.filter(action="marketing.campaign.sequence_started").exists()
        assert OutboxEvent.objects.filter(event_type="campaign.sequence_started").exists()
    assert campaign.sequence_status == "sending"


def test_first_step_goes_to_each_contact_co_branded_with_tracked_and_unsubscribe_links(
    world, django_capture_on_commit_callbacks
):
    campaign = started(world)
    assert _run(world, capture=django_capture_on_commit_callbacks) == len(CONTACTS)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c["email"] for c in CONTACTS)
    message = mail.outbox[0]
    assert message.subject == "Hello"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert world.partner.name in html and world.partner.name in message.body
    assert f"/t/{campaign.code}/page/" in html and f"/t/{campaign.code}/page/" in message.body
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<http://{host_of(world.tenant)}") and "/u/" in header
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header.strip("<>") in html and header.strip("<>") in message.body
    assert "<script" not in html


def test_the_sender_task_run_twice_sends_each_step_once(world, django_capture_on_commit_callbacks):
    started(world)
    with django_capture_on_commit_callbacks(execute=True):
        send_sequences.apply(kwargs={"tenant_id": world.tenant.pk})
    with django_capture_on_commit_callbacks(execute=True):
        send_sequences.apply(kwargs={"tenant_id": world.tenant.pk})
    assert len(mail.outbox) == len(CONTACTS)
    with tenant_context(world.tenant):
        assert SequenceSend.objects.count() == len(CONTACTS)
        assert set(SequenceSend.objects.values_list("step", flat=True)) == {1}


def test_the_next_step_waits_for_its_delay_then_the_sequence_finishes(
    world, django_capture_on_commit_callbacks
):
    campaign = started(world)
    now = timezone.now()
    _run(world, now, capture=django_capture_on_commit_callbacks)
    # Step 2 waits three days after step 1.
    assert (
        _run(world, now + datetime.timedelta(days=2), capture=django_capture_on_commit_callbacks)
        == 0
    )
    later = now + datetime.timedelta(days=3, minutes=1)
    assert _run(world, later, capture=django_capture_on_commit_callbacks) == len(CONTACTS)
    assert {m.subject for m in mail.outbox} == {"Hello", "Reminder"}
    with tenant_context(world.tenant):
        campaign.refresh_from_db()
        assert OutboxEvent.objects.filter(event_type="campaign.sequence_finished").count() == 1
    assert campaign.sequence_status == "finished"
    page = portal_client(world.tenant, world.partner_admin).get(campaign.get_absolute_url())
    assert [td.text() for td in find_all(page, "td", data_sent=True)] == ["3", "3"]


def test_a_paused_sequence_sends_nothing_until_resumed(world, django_capture_on_commit_callbacks):
    campaign = started(world)
    client = portal_client(world.tenant, world.partner_admin)
    assert client.post(f"/marketing/campaigns/{campaign.pk}/sequence/pause/").status_code == 302
    assert _run(world, capture=django_capture_on_commit_callbacks) == 0
    assert client.post(f"/marketing/campaigns/{campaign.pk}/sequence/resume/").status_code == 302
    assert _run(world, capture=django_capture_on_commit_callbacks) == len(CONTACTS)


@override_settings(PRM_CAMPAIGN_MAIL_PER_MINUTE=2, PRM_CAMPAIGN_MAIL_PER_HOUR=100)
def test_sends_over_the_rate_limit_wait_for_the_next_run(world, django_capture_on_commit_callbacks):
    started(world)
    now = timezone.now()
    assert _run(world, now, capture=django_capture_on_commit_callbacks) == 2
    assert (
        _run(
            world, now + datetime.timedelta(seconds=10), capture=django_capture_on_commit_callbacks
        )
        == 0
    )
    assert (
        _run(
            world, now + datetime.timedelta(seconds=61), capture=django_capture_on_commit_callbacks
        )
        == 1
    )
    assert len(mail.outbox) == 3


# --- Unsubscribe ------------------------------------------------------------------------


def _unsubscribe_path(world, email):
    with tenant_context(world.tenant):
        contact = CampaignContact.objects.filter(email=email).first()
        return "/" + sequence_services.unsubscribe_url(contact, world.tenant).split("/", 3)[3]


def test_unsubscribe_asks_first_then_stops_every_further_step(
    world, django_capture_on_commit_callbacks
):
    started(world)
    now = timezone.now()
    _run(world, now, capture=django_capture_on_commit_callbacks)
    path = _unsubscribe_path(world, CONTACTS[0]["email"])
    anonymous = portal_client(world.tenant)
    page = anonymous.get(path)
    assert page.status_code == 200 and find(page, "form", method="post")
    assert {c.status for c in _contacts(world)} == {"subscribed"}
    assert anonymous.post(path).status_code == 200
    mail.outbox.clear()
    _run(world, now + datetime.timedelta(days=4), capture=django_capture_on_commit_callbacks)
    assert CONTACTS[0]["email"] not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == len(CONTACTS) - 1
    with tenant_context(world.tenant):
        assert OutboxEvent.objects.filter(event_type="campaign_contact.unsubscribed").count() == 1
        assert AuditEvent.objects.filter(action="marketing.campaign.contact_unsubscribed").exists()


def test_one_click_unsubscribe_post_needs_no_csrf_token(world):
    started(world)
    path = _unsubscribe_path(world, CONTACTS[0]["email"])
    client = Client(HTTP_HOST=host_of(world.tenant), enforce_csrf_checks=True)
    resp = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200
    assert _contacts(world)[0].status == "unsubscribed"


def test_an_unsubscribe_holds_for_every_campaign_of_that_partner_only(
    world, django_capture_on_commit_callbacks
):
    started(world)
    email = CONTACTS[0]["email"]
    portal_client(world.tenant).post(_unsubscribe_path(world, email))
    # The same partner's next campaign: the address is refused at upload.
    second = launched(world, name="Autumn campaign")
    result = add_contacts(world, second)
    assert email in {e.email for e in result.errors}
    # Another partner may still e-mail the same address (its own list).
    other_admin = _other_partner_admin(world)
    other = launched(world, by=other_admin, name="Other partner's campaign")
    add_contacts(world, other, by=other_admin)
    with tenant_context(world.tenant):
        sequence_services.sequence_start(campaign=other, by=other_admin)
        assert ContactSuppression.objects.filter(email=email).count() == 1
    mail.outbox.clear()
    _run(world, capture=django_capture_on_commit_callbacks)
    sent_to = [m.to[0] for m in mail.outbox]
    assert sent_to.count(email) == 1  # the other partner's, once


@pytest.mark.parametrize("token", ["garbage", "eyJ0IjoxfQ:abc:def"])
def test_a_forged_unsubscribe_token_is_a_404_page(world, token):
    resp = portal_client(world.tenant).post(f"/u/{token}/")
    assert resp.status_code == 404


def test_another_tenants_unsubscribe_token_is_refused(world, stranger):
    started(stranger)
    path = _unsubscribe_path(stranger, CONTACTS[0]["email"])
    assert portal_client(world.tenant).post(path).status_code == 404
    assert {c.status for c in _contacts(stranger)} == {"subscribed"}


# --- Isolation ---------------------------------------------------------------------------


def _other_partner_admin(world):
    with tenant_context(world.tenant):
        return MemberFactory(tenant=world.tenant, role="partner_admin", partner=world.other_partner)


def test_another_partner_never_sees_the_contacts(world):
    campaign = started(world)
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.get(f"/marketing/campaigns/{campaign.pk}/contacts/").status_code == 404
    page = portal_client(world.tenant, world.partner_user).get(
        f"/marketing/campaigns/{campaign.pk}/contacts/"
    )
    assert page.status_code == 200
    assert len(find_all(page, "tr", data_contact=True)) == len(CONTACTS)
    # Staff see the figures on the campaign page, never the list.
    staff = portal_client(world.tenant, world.channel_manager)
    assert staff.get(f"/marketing/campaigns/{campaign.pk}/contacts/").status_code == 403
    assert staff.get(campaign.get_absolute_url()).status_code == 200
