"""The campaign e-mail journey (issue #21, item 3): a partner's admin opens its campaign,
uploads its contacts as CSV (the consent box is required; a bad row is reported), starts
sending after the confirmation; the sender sends the first step; a contact opens the
unsubscribe link from the e-mail and unsubscribes. Pages checked with axe. Screenshots go to
docs/screenshots/journeys/campaign-emails-<n>-<step>.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from marketing import sequence_services
from marketing.sequence_models import CampaignContact
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots
from tests.browser.test_axe import violations
from tests.conftest import build_world
from tests.marketing.campaign_helpers import launched

pytestmark = [pytest.mark.celery_worker]

CSV = (
    "email,first name,last name,company\nann@customer.example,Ann,Archer,Archer Ltd\nbroken,Bob,,\n"
)


def test_journey_partner_uploads_contacts_starts_sending_and_a_contact_unsubscribes(
    site, celery_worker, tmp_path
):
    world = build_world("campaignmail")
    campaign = launched(world)
    shot = Shots("campaign-emails")
    problems: list[str] = []
    csv = tmp_path / "contacts.csv"
    csv.write_text(CSV)

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    partner.goto(site.url(world.tenant, campaign.get_absolute_url()))
    expect(partner.locator("[data-sequence-status]")).to_have_text("Not started")
    partner.get_by_role("link", name="Contacts", exact=True).click()
    partner.get_by_label("Contacts (CSV file)").set_input_files(str(csv))
    partner.get_by_role("button", name="Upload").click()
    expect(partner.locator("[data-error-summary]")).to_be_visible()  # consent is required
    partner.get_by_label("Contacts (CSV file)").set_input_files(str(csv))
    partner.get_by_label("I confirm that every contact in this list agreed").check()
    partner.get_by_role("button", name="Upload").click()
    expect(partner.locator("tr[data-row-error='3']")).to_be_visible()
    expect(partner.locator("tr[data-contact]")).to_have_count(1)
    problems += violations(partner, Axe())
    shot(partner, "contacts")

    partner.goto(site.url(world.tenant, campaign.get_absolute_url()))
    partner.get_by_role("link", name="Start sending").click()
    dialog = partner.get_by_role("dialog")
    expect(dialog).to_be_visible()
    shot(partner, "confirm-start")
    dialog.get_by_role("button", name="Start sending").click()
    expect(partner.locator("[data-sequence-status]")).to_have_text("Sending")

    with tenant_context(world.tenant):
        sequence_services.sequences_send_due(tenant=world.tenant)
    partner.reload()
    expect(partner.locator("tr[data-step='1'] [data-sent]")).to_have_text("1")
    problems += violations(partner, Axe())
    shot(partner, "sent")

    with tenant_context(world.tenant):
        contact = CampaignContact.objects.get()
        link = sequence_services.unsubscribe_url(contact, world.tenant)
    assert not mail.outbox or any(m.to == [contact.email] for m in mail.outbox)
    person = site.new_page()
    person.goto(site.url(world.tenant, "/" + link.split("/", 3)[3]))
    problems += violations(person, Axe())
    person.get_by_role("button", name="Unsubscribe").click()
    expect(person.get_by_role("status")).to_contain_text("no more marketing e-mails")
    shot(person, "unsubscribed")
    with tenant_context(world.tenant):
        assert CampaignContact.objects.get().status == "unsubscribed"
    assert not problems, "\n".join(problems)
