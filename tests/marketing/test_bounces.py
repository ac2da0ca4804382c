"""Bounces of the campaign e-mail sequence. An address the receiving server refuses for good
(an SMTP 5xx for the recipient) is marked bounced and suppressed for every partner holding it;
a temporary refusal (4xx) only fails that one send. The tenant's mail provider reports later
bounces through the API. Each is audited and a webhook event, and no step goes to a bounced
address again. The SMTP server is a real one on loopback (the outside world), not a mock."""

from __future__ import annotations

import datetime
import socketserver
import threading

import pytest
from django.test import override_settings
from django.utils import timezone

from marketing import sequence_services
from marketing.sequence_models import CampaignContact, ContactSuppression, SequenceSend
from prm.models import AuditEvent
from prm.outbox_models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import MemberFactory
from tests.marketing.campaign_helpers import launched
from tests.marketing.sequence_helpers import CONTACTS, add_contacts, started

pytestmark = pytest.mark.django_db

GONE = CONTACTS[0]["email"]
FULL = CONTACTS[1]["email"]


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: refuses the recipients in server.refuse with their
    reply, accepts the rest, and keeps the recipients of every accepted message."""

    def handle(self):
        def say(line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        say("220 loopback ESMTP")
        recipients: list[str] = []
        in_data = False
        for raw in self.rfile:
            if in_data:
                if raw.rstrip(b"\r\n") == b".":
                    self.server.delivered.extend(recipients)
                    recipients, in_data = [], False
                    say("250 queued")
                continue
            line = raw.decode().strip()
            verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
            if verb == "RCPT":
                address = line.split(":", 1)[1].strip().strip("<>").lower()
                reply = self.server.refuse.get(address)
                if reply:
                    say(reply)
                else:
                    recipients.append(address)
                    say("250 ok")
            elif verb == "DATA":
                in_data = True
                say("354 end with .")
            elif verb == "RSET":
                recipients = []
                say("250 ok")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:  # EHLO, HELO, MAIL, NOOP
                say("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.refuse = {}
    server.delivered = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.server_address[1],
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=10,
    ):
        yield server
    server.shutdown()
    server.server_close()


def _run(world, capture, now=None):
    with capture(execute=True), tenant_context(world.tenant):
        return sequence_services.sequences_send_due(tenant=world.tenant, now=now)


def _status(world) -> dict[str, str]:
    with tenant_context(world.tenant):
        return dict(CampaignContact.objects.values_list("email", "status"))


def test_a_permanent_refusal_bounces_the_address_and_no_step_goes_to_it_again(
    world, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = {GONE: "550 5.1.1 no such mailbox", FULL: "452 4.2.2 mailbox full"}
    campaign = started(world)
    now = timezone.now()
    assert _run(world, django_capture_on_commit_callbacks, now) == len(CONTACTS)
    assert smtp_server.delivered == [CONTACTS[2]["email"]]
    status = _status(world)
    assert status[GONE] == "bounced"
    assert status[FULL] == "subscribed"  # a full mailbox is temporary
    with tenant_context(world.tenant):
        failed = set(
            SequenceSend.objects.filter(status="failed").values_list("contact__email", flat=True)
        )
        assert failed == {GONE, FULL}
        suppressed = ContactSuppression.objects.get(email=GONE)
        assert suppressed.reason == "bounced" and suppressed.partner_id == campaign.partner_id
        audit = AuditEvent.objects.get(action="marketing.campaign.contact_bounced")
        assert audit.after["detail"].startswith("550 5.1.1")
        assert OutboxEvent.objects.filter(event_type="campaign_contact.bounced").count() == 1
    # Step 2, three days on: the bounced address gets nothing; the two others get it.
    smtp_server.refuse = {}
    _run(world, django_capture_on_commit_callbacks, now + datetime.timedelta(days=4))
    assert GONE not in smtp_server.delivered
    assert smtp_server.delivered.count(CONTACTS[2]["email"]) == 2


def test_the_mail_provider_reports_bounces_through_the_api_for_every_partner(
    world, django_capture_on_commit_callbacks
):
    ours = launched(world)
    add_contacts(world, ours)
    other_admin = MemberFactory(
        tenant=world.tenant, role="partner_admin", partner=world.other_partner
    )
    theirs = launched(world, by=other_admin, name="Their kit")
    add_contacts(world, theirs, by=other_admin, rows=[{"email": GONE}])
    staff = api_client(world.tenant, world.admin)
    resp = staff.post(
        "/api/v1/marketing/bounces/",
        {"emails": [GONE.upper(), "stranger@nowhere.example", GONE], "detail": "hard bounce"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json() == {"reported": 2, "contacts": 1}
    with tenant_context(world.tenant):
        assert set(CampaignContact.objects.filter(email=GONE).values_list("status", flat=True)) == {
            "bounced"
        }
        assert set(
            ContactSuppression.objects.filter(email=GONE).values_list("partner_id", flat=True)
        ) == {
            world.partner.pk,
            world.other_partner.pk,
        }
        assert AuditEvent.objects.filter(action="marketing.campaign.contact_bounced").count() == 1
    # Reported again: nothing changes, nothing is logged twice.
    again = staff.post("/api/v1/marketing/bounces/", {"emails": [GONE]}, format="json")
    assert again.status_code == 200
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="marketing.campaign.contact_bounced").count() == 1
    # A bounced address uploaded again is kept out.
    result = add_contacts(world, ours, rows=[{"email": GONE}])
    assert [e.reason for e in result.errors] == [
        "Mail to this address bounced: it cannot be delivered."
    ]
    with tenant_context(world.tenant):
        assert CampaignContact.objects.filter(campaign=ours, email=GONE).get().status == "bounced"


@pytest.mark.parametrize(
    "body",
    [{}, {"emails": []}, {"emails": ["not an address"]}, {"emails": "x@y.example"}],
)
def test_bad_bounce_reports_are_a_400_with_the_field(world, body):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/marketing/bounces/", body, format="json"
    )
    assert resp.status_code == 400
    assert "emails" in resp.json()["errors"]


def test_partner_people_cannot_report_bounces(world):
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/marketing/bounces/", {"emails": [GONE]}, format="json"
    )
    assert resp.status_code == 403
