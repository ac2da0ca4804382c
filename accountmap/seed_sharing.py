"""Demo data for the sharing matrix: the vendor's defaults and an override for Northwind,
what Northwind shares back, and an introduction waiting for the owner rep.

When no other seed has mapped accounts yet (the account import's seed runs before this one
when present), a small set of accounts on both sides and their overlaps is written here so
the pages have something to show."""

from __future__ import annotations

from accountmap import sharing
from accountmap.models import Account, Overlap, Side
from partners.domains import normalise_company_name
from prm.models import Member
from prm.roles import Role

# (name, domain, vendor status, Northwind status or None, industry, country, employees)
COMPANIES = [
    ("Initech Corporation", "initech.example", "customer", "customer", "Software", "US", 1200),
    ("Globex", "globex.example", "customer", "prospect", "Manufacturing", "US", 5400),
    ("Umbrella Health", "umbrella.example", "customer", "customer", "Healthcare", "GB", 800),
    ("Hooli", "hooli.example", "customer", "opportunity", "Internet", "US", 20000),
    ("Vehement Capital", "vehement.example", "customer", "customer", "Finance", "US", 300),
    ("Soylent Foods", "soylent.example", "customer", "prospect", "Food", "DE", 2500),
    ("Massive Dynamic", "massive.example", "opportunity", "customer", "Research", "US", 9000),
    ("Wonka Industries", "wonka.example", "prospect", "prospect", "Food", "GB", 650),
    ("Stark Logistics", "stark-logistics.example", "prospect", None, "Logistics", "US", 4000),
    ("Tyrell Robotics", "tyrell.example", "customer", None, "Robotics", "US", 700),
    ("Cyberdyne Systems", "cyberdyne.example", None, "customer", "Defence", "US", 1500),
]


def _account(tenant, partner, name, domain, status, industry, country, employees, owner=None):
    return Account.objects.create(
        tenant=tenant,
        partner=partner,
        name=name,
        name_normalised=normalise_company_name(name),
        domain=domain,
        status=status,
        industry=industry,
        country=country,
        employees=employees,
        owner_name=owner.user.full_name if owner else "",
        owner_email=owner.user.email if owner else "",
        owner_member=owner,
        source="manual",
    )


def _accounts(tenant, northwind, manager) -> None:
    for name, domain, v_status, p_status, industry, country, size in COMPANIES:
        vendor = partner = None
        if v_status:
            vendor = _account(
                tenant, None, name, domain, v_status, industry, country, size, owner=manager
            )
        if p_status:
            partner = _account(tenant, northwind, name, domain, p_status, industry, country, size)
        if vendor and partner:
            Overlap.objects.create(
                tenant=tenant,
                partner=northwind,
                vendor_account=vendor,
                partner_account=partner,
                matched_on="domain",
            )


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    northwind = partners["Northwind Resellers"]
    ada = Member.objects.filter(partner=northwind, role=Role.PARTNER_ADMIN).first()
    ben = Member.objects.filter(partner=northwind, role=Role.PARTNER_USER).first()
    if not Overlap.objects.filter(partner=northwind).exists():
        _accounts(tenant, northwind, manager)

    # The vendor: counts for everyone by default, open opportunities hidden; Northwind sees
    # the overlapping customers with their owner and industry, and every prospect.
    sharing.sharing_rule_set(by=admin, side=Side.VENDOR, status="opportunity", level="hidden")
    sharing.sharing_rule_set(
        by=admin,
        side=Side.VENDOR,
        partner=northwind,
        status="customer",
        level="overlaps",
        fields=["status", "owner", "industry"],
    )
    sharing.sharing_rule_set(
        by=admin,
        side=Side.VENDOR,
        partner=northwind,
        status="prospect",
        level="all",
        fields=["status", "industry", "country"],
    )
    # Northwind shares its customers and open opportunities with the population shown.
    for status in ("customer", "opportunity"):
        sharing.sharing_rule_set(
            by=ada,
            side=Side.PARTNER,
            partner=northwind,
            status=status,
            level="overlaps",
            fields=["status", "industry"],
        )
    overlap = (
        Overlap.objects.filter(partner=northwind, vendor_account__status="customer")
        .order_by("vendor_account__name")
        .first()
    )
    if overlap is not None and ben is not None:
        sharing.intro_request(
            by=ben,
            overlap_id=overlap.pk,
            message="We run their on-site support; a joint call on the renewal would help.",
        )
