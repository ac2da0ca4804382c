"""Campaign contacts and a started e-mail sequence, built through the services."""

from __future__ import annotations

from marketing import sequence_services
from prm.tenancy import tenant_context
from tests.marketing.campaign_helpers import launched

CONTACTS = [
    {"email": "ann@customer.example", "first_name": "Ann", "last_name": "Archer"},
    {"email": "bob@customer.example", "first_name": "Bob", "company": "Bob's Bakery"},
    {"email": "cy@customer.example"},
]


def add_contacts(world, campaign, *, by=None, rows=CONTACTS):
    by = by or world.partner_admin
    with tenant_context(world.tenant):
        return sequence_services.contacts_add(
            campaign=campaign,
            by=by,
            rows=rows,
            consent=True,
            consent_text=sequence_services.consent_text(campaign.partner.name),
        )


def started(world, **fields):
    """A launched campaign of the world's partner with three contacts, sequence started."""
    campaign = launched(world, **fields)
    add_contacts(world, campaign)
    with tenant_context(world.tenant):
        return sequence_services.sequence_start(campaign=campaign, by=world.partner_admin)
