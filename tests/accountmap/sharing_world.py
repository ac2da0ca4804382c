"""A mapped world for the sharing tests: vendor and partner accounts with overlaps, each
field value a token that occurs nowhere else, so a test can assert it is absent."""

from __future__ import annotations

from dataclasses import dataclass

from prm.tenancy import tenant_context
from tests.factories import AccountFactory, OverlapFactory, SharingRuleFactory

# The vendor's account that overlaps partner A (customer), field by field.
V_NAME, V_DOMAIN = "Zephyrcustomer Ltd", "zephyr-vendor.example"
V_OWNER, V_OWNER_EMAIL, V_INDUSTRY, V_EMPLOYEES = (
    "Olga Ownerrep",
    "olga.ownerrep@vendor.example",
    "Aquaculture",
    7654321,
)
# Partner A's account of the same company.
P_NAME, P_DOMAIN = "Zephyr Customer Limited", "zephyr-partner.example"
P_OWNER, P_INDUSTRY = "Petra Partnerrep", "Shipbuilding"
# The vendor's prospect overlapping partner A (vendor prospects stay at counts).
VP_NAME, VP_DOMAIN = "Quillprospect GmbH", "quill-vendor.example"
# Greenfield: the vendor's customer partner A does not have; partner A's account the
# vendor does not have.
VG_NAME, VG_DOMAIN = "Greenacre Unmatched", "greenacre.example"
PG_NAME, PG_DOMAIN = "Parkland Unmatched", "parkland.example"
# Partner B's account overlapping the same vendor customer.
B_NAME = "Zephyr Bee Copy"

VENDOR_TOKENS = [V_NAME, V_DOMAIN, V_OWNER, V_OWNER_EMAIL, V_INDUSTRY, str(V_EMPLOYEES)]


@dataclass
class Mapped:
    vc: object
    pa1: object
    overlap: object
    overlap_prospect: object
    overlap_b: object
    vg: object
    pg: object


def build(world) -> Mapped:
    t = world.tenant
    with tenant_context(t):
        vc = AccountFactory(
            tenant=t,
            name=V_NAME,
            domain=V_DOMAIN,
            status="customer",
            owner_name=V_OWNER,
            owner_email=V_OWNER_EMAIL,
            industry=V_INDUSTRY,
            employees=V_EMPLOYEES,
            country="NO",
        )
        pa1 = AccountFactory(
            tenant=t,
            partner=world.partner,
            name=P_NAME,
            domain=P_DOMAIN,
            status="customer",
            owner_name=P_OWNER,
            industry=P_INDUSTRY,
            country="DE",
        )
        overlap = OverlapFactory(
            tenant=t, partner=world.partner, vendor_account=vc, partner_account=pa1,
            matched_on="name",
        )  # fmt: skip
        vp = AccountFactory(tenant=t, name=VP_NAME, domain=VP_DOMAIN, status="prospect")
        overlap_prospect = OverlapFactory(
            tenant=t,
            partner=world.partner,
            vendor_account=vp,
            partner_account=AccountFactory(
                tenant=t, partner=world.partner, name="Quill Prospect AG", status="prospect"
            ),
        )
        overlap_b = OverlapFactory(
            tenant=t,
            partner=world.other_partner,
            vendor_account=vc,
            partner_account=AccountFactory(
                tenant=t, partner=world.other_partner, name=B_NAME, status="customer"
            ),
        )
        vg = AccountFactory(tenant=t, name=VG_NAME, domain=VG_DOMAIN, status="customer")
        pg = AccountFactory(
            tenant=t, partner=world.partner, name=PG_NAME, domain=PG_DOMAIN, status="customer"
        )
    return Mapped(vc, pa1, overlap, overlap_prospect, overlap_b, vg, pg)


def share(world, *, side: str, level: str, fields=(), status: str = "customer", partner=None):
    """One rule: the vendor's override for `partner` (default: world.partner), or the
    partner's own."""
    with tenant_context(world.tenant):
        return SharingRuleFactory(
            tenant=world.tenant,
            side=side,
            partner=partner or world.partner,
            status=status,
            level=level,
            fields=list(fields),
        )
