"""Objects the sharing rows of the permission matrix point at, built once per world: an
overlap the vendor shares with world.partner at `overlaps` (customers), its vendor account
owned by world.sales_rep (whose "which partners know it" page it is), and an open
introduction request on another."""

from __future__ import annotations

from types import SimpleNamespace

from prm.tenancy import tenant_context
from tests.factories import AccountFactory, IntroRequestFactory, OverlapFactory, SharingRuleFactory


def sharing_objects(world) -> SimpleNamespace:
    existing = getattr(world, "_sharing", None)
    if existing is not None:
        return existing
    t = world.tenant
    with tenant_context(t):
        vendor = AccountFactory(tenant=t, status="customer", owner_member=world.sales_rep)
        overlap = OverlapFactory(tenant=t, partner=world.partner, vendor_account=vendor)
        SharingRuleFactory(
            tenant=t, side="vendor", partner=world.partner, level="overlaps", fields=["industry"]
        )
        SharingRuleFactory(
            tenant=t, side="partner", partner=world.partner, status="customer", level="overlaps"
        )
        asked = OverlapFactory(tenant=t, partner=world.partner)
        intro = IntroRequestFactory(tenant=t, overlap=asked, requested_by=world.partner_user)
    world._sharing = SimpleNamespace(vendor=vendor, overlap=overlap, intro=intro)
    return world._sharing
