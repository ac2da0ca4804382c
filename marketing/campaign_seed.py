"""Demo data for campaigns: one published campaign kit (landing page, two e-mails, two social
posts, the overview brochure attached) and Northwind's running campaign with a few page views,
clicks and two leads from its landing page, and its e-mail sequence to four consented contacts
started with the first e-mail sent, paid for by an approved MDF request over the last week (its
claim form opens pre-filled with the campaign's figures). Runs after marketing.seed (the
library and Northwind's brand kit) and mdf.seed (the program); everything goes through the
services, as people would do it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from marketing import campaign_services, sequence_services
from marketing.models import Asset
from mdf import services as mdf_services
from mdf.models import Program
from prm.models import Member
from prm.roles import Role

LANDING = """<p>{{ partner.logo }}</p>
<p>Your hosting bill keeps growing while your team spends its days patching servers.
{{ partner.name }} moves your applications to Acme Cloud in weeks, not months, and runs them
for you.</p>
<ul><li>A fixed-price migration plan after a free assessment</li>
<li>Data kept in the region you choose</li><li>One contact for licences and support</li></ul>
<h2>Book your free assessment</h2>
{{ partner.contact }}"""

STEPS = [
    {
        "subject": "Is your hosting bill growing faster than your business?",
        "body": "<p>Dear customer,</p><p>{{ partner.name }} helps teams like yours move to "
        "Acme Cloud. Book a free assessment this month.</p>",
        "delay_days": 0,
    },
    {
        "subject": "Your free Acme Cloud assessment: two slots left",
        "body": "<p>Only two assessment slots are left this month. Reply to book yours with "
        "{{ partner.name }}.</p>",
        "delay_days": 4,
    },
]

POSTS = [
    "Still patching servers on Fridays? We move you to Acme Cloud in weeks: {link}",
    "Free Acme Cloud assessment for the first ten companies this month. Book yours: {link}",
]

LEADS = [
    ("Priya Natarajan", "priya@harbourfoods.example", "Harbour Foods"),
    ("Jonas Weber", "jonas.weber@kesselbau.example", "Kesselbau GmbH"),
]


CONTACTS = [
    {"email": "martina.keller@alpenlogistik.example", "first_name": "Martina",
     "last_name": "Keller", "company": "Alpen Logistik AG"},
    {"email": "tom.becker@harbourfoods.example", "first_name": "Tom", "last_name": "Becker",
     "company": "Harbour Foods"},
    {"email": "lena.fischer@stadtwerke-nord.example", "first_name": "Lena",
     "last_name": "Fischer", "company": "Stadtwerke Nord"},
    {"email": "samir.haddad@brightdental.example", "first_name": "Samir",
     "last_name": "Haddad", "company": "Bright Dental Clinics"},
]  # fmt: skip


def seed(*, tenant, partners: dict) -> None:
    manager = (
        Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
        or Member.objects.filter(role=Role.ADMIN).first()
    )
    brochure = Asset.objects.filter(title="Acme Cloud overview brochure").first()
    kit = campaign_services.campaign_kit_create(
        by=manager,
        name="Cloud migration: free assessment",
        description="<p>A ready-made campaign offering a free migration assessment.</p>",
        landing_headline="Move to Acme Cloud in weeks, not months",
        landing_body=LANDING,
        email_steps=STEPS,
        social_posts=POSTS,
        assets=[brochure] if brochure else [],
        mdf_activity_type="digital_campaign",
    )
    kit = campaign_services.campaign_kit_publish(kit=kit, by=manager)
    northwind = partners["Northwind Resellers"]
    admin = Member.objects.filter(partner=northwind, role=Role.PARTNER_ADMIN).first()
    if admin is None:
        return
    campaign = campaign_services.campaign_launch(kit=kit, by=admin)
    for counter, times in (("views", 42), ("clicks", 17)):
        for _i in range(times):
            campaign_services.campaign_count(campaign_id=campaign.pk, counter=counter)
    for name, email, company in LEADS:
        campaign_services.campaign_lead_submit(
            campaign=campaign,
            name=name,
            email=email,
            company=company,
            message="We would like the free assessment.",
            consent=True,
            consent_text=f"I agree that {northwind.name} may contact me about this request.",
        )
    # Its e-mail sequence: a few consented contacts, started, the first e-mail sent.
    sequence_services.contacts_add(
        campaign=campaign,
        by=admin,
        rows=CONTACTS,
        consent=True,
        consent_text=sequence_services.consent_text(northwind.name),
    )
    campaign = sequence_services.sequence_start(campaign=campaign, by=admin)
    sequence_services.sequences_send_due(tenant=tenant)
    _fund(campaign, admin, manager)


def _fund(campaign, admin, manager) -> None:
    """An approved digital-campaign request of the partner paying for its campaign, over the
    last seven days of the current program (when the MDF demo ran)."""
    today = timezone.localdate()
    program = (
        Program.objects.filter(start_date__lte=today, end_date__gte=today)
        .order_by("start_date")
        .first()
    )
    if program is None:
        return
    req = mdf_services.request_submit(
        program=program,
        by=admin,
        activity_type="digital_campaign",
        title="Cloud migration e-mail and landing page campaign",
        description="The free-assessment campaign: landing page, two e-mails, social posts.",
        start_date=max(program.start_date, today - datetime.timedelta(days=6)),
        end_date=today,
        planned_cost=Decimal("4000"),
        requested_amount=Decimal("2000"),
        expected_leads=10,
        expected_pipeline=Decimal("60000"),
        target_audience="IT leads at mid-sized companies",
        funded_campaign_code=campaign.code,
    )
    mdf_services.request_transition(request=req, to="approved", by=manager)
