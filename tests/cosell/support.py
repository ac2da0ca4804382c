"""Shared pieces of the shared-opportunity tests: a world's deal and its workspace."""

from __future__ import annotations

from decimal import Decimal

from cosell import services
from prm.tenancy import tenant_context
from tests.factories import DealFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def deal_of(world, **kwargs):
    """An approved registration of world.partner, with world.channel_manager as the partner's
    channel manager."""
    with tenant_context(world.tenant):
        if world.partner.owner_id is None:
            world.partner.owner = world.channel_manager
            world.partner.save(update_fields=["owner"])
    return DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        created_by=world.partner_user,
        status=kwargs.pop("status", "approved"),
        amount=Decimal("25000"),
        **kwargs,
    )


def workspace(world, by=None):
    """The shared opportunity of a new deal of world.partner, opened by its partner admin."""
    deal = deal_of(world)
    with tenant_context(world.tenant):
        opp, _created = services.opportunity_open(by=by or world.partner_admin, deal=deal)
    return opp


def with_other_partner(world, opp, role="si"):
    with tenant_context(world.tenant):
        return services.participant_add(
            opportunity=opp, by=world.partner_admin, partner_id=world.other_partner.pk, role=role
        )
