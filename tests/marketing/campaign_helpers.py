"""Campaign kits and campaigns the campaign tests share, built through the services."""

from __future__ import annotations

import time

from marketing import campaign_services
from marketing.campaign_public import form_started
from prm.tenancy import tenant_context

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
