"""Campaign kits and campaigns the campaign tests share, built through the services."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.utils import timezone

from marketing import campaign_services
from marketing.campaign_public import form_started
from mdf import services as mdf_services
from prm.tenancy import tenant_context
from tests.mdf.test_mdf_support import make_program, request_fields

KIT = {
    "name": "Spring cloud campaign",
    "landing_headline": "Move to the cloud this spring",
    "landing_body": "<p>{{ partner.name }} helps you move.</p>{{ partner.contact }}",
    "social_posts": ["Spring offer from us: {link}"],
    "email_steps": [
        {"subject": "Hello", "body": "<p>From {{ partner.name }}</p>", "delay_days": 0},
        {"subject": "Reminder", "body": "<p>Still there?</p>", "delay_days": 3},
    ],
    "mdf_activity_type": "digital_campaign",
}


def kit(world, *, publish: bool = True, **fields):
    with tenant_context(world.tenant):
        k = campaign_services.campaign_kit_create(by=world.channel_manager, **{**KIT, **fields})
        if publish:
            k = campaign_services.campaign_kit_publish(kit=k, by=world.channel_manager)
        return k


def launched(world, *, by=None, **fields):
    k = kit(world, **fields)
    with tenant_context(world.tenant):
        return campaign_services.campaign_launch(kit=k, by=by or world.partner_admin)


def lead_form(campaign, **over):
    return {
        "name": "Vera Visitor",
        "email": "vera@customer.example",
        "company": "Customer GmbH",
        "message": "Call me",
        "consent": "on",
        "started": form_started(campaign, at=time.time() - 30),
        **over,
    }


def funded_request(world, campaign, *, code: str | None = None, title: str = "Spring campaign"):
    """An approved digital-campaign request of world.partner funding `campaign` (or naming
    `code`), in a program whose digital campaigns need a results report as proof, for an
    activity over the last seven days up to today. Call it inside the world's tenant
    context."""
    program = make_program(world)
    today = timezone.localdate()
    mdf_services.rule_set(
        program=program,
        by=None,
        activity_type="digital_campaign",
        max_reimbursable_pct=Decimal("50"),
        required_proofs=["results_report"],
        claim_deadline_days=60,
    )
    mdf_services.allocation_add(
        program=program, partner=world.partner, amount=Decimal("20000"), by=None
    )
    req = mdf_services.request_submit(
        program=program,
        by=world.partner_admin,
        **request_fields(
            program,
            activity_type="digital_campaign",
            title=title,
            funded_campaign_code=code if code is not None else campaign.code,
            start_date=today - datetime.timedelta(days=7),
            end_date=today,
        ),
    )
    return mdf_services.request_transition(request=req, to="approved", by=world.admin)
