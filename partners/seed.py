"""Demo data for partners: catalogue, tiers, metrics, partners in every status."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from partners import services
from partners.models import (
    Partner,
    PartnerMetrics,
    PartnerStatus,
    PartnerType,
    Product,
    Region,
    SizeBand,
    Specialty,
    Tier,
)
from prm.models import Member
from prm.roles import Role

PRODUCTS = ["Acme Compute", "Acme Storage", "Acme Analytics", "Acme Security Suite"]
SPECIALTIES = [
    "Cloud migration",
    "Data & analytics",
    "Security",
    "Managed services",
    "DevOps",
    "Healthcare",
]
TIERS = [
    ("Registered", 0, None, None, None, None, "5", 60, "0", "0", 0),
    ("Silver", 1, "100000", 3, 1, None, "10", 90, "5000", "1", 1),
    ("Gold", 2, "500000", 10, 3, 60, "18", 120, "20000", "2", 2),
    ("Platinum", 3, "2000000", 25, 6, 75, "25", 180, "60000", "3", 3),
]
# name -> (won revenue 12m, won deals, certified people, health)
METRICS = {
    "Northwind Resellers": ("640000", 14, 4, 72),
    "BluePeak Integrators": ("180000", 5, 2, 58),
    "StackForge": ("40000", 1, 1, 44),
}
EXTRA = [
    (
        "Contoso Cloud Partners",
        PartnerType.MSP,
        "US",
        Region.NORTH_AMERICA,
        PartnerStatus.ACTIVE,
        ("2100000", 31, 7, 81),
        "contoso.example",
    ),
    (
        "Fabrikam Consulting",
        PartnerType.INFLUENCER,
        "FR",
        Region.EMEA,
        PartnerStatus.ACTIVE,
        ("95000", 2, 0, 38),
        "fabrikam.example",
    ),
    (
        "Litware Referral Group",
        PartnerType.REFERRAL,
        "BR",
        Region.LATIN_AMERICA,
        PartnerStatus.APPLICANT,
        None,
        "litware.example",
    ),
    (
        "Tailspin Systems",
        PartnerType.SYSTEM_INTEGRATOR,
        "AU",
        Region.APAC,
        PartnerStatus.SUSPENDED,
        ("20000", 1, 0, 22),
        "tailspin.example",
    ),
    (
        "Wingtip Resale",
        PartnerType.RESELLER,
        "GB",
        Region.EMEA,
        PartnerStatus.OFFBOARDED,
        None,
        "wingtip.example",
    ),
]


def seed(*, tenant, partners: dict) -> None:
    products = [Product.objects.create(tenant=tenant, name=n) for n in PRODUCTS]
    specialties = [Specialty.objects.create(tenant=tenant, name=n) for n in SPECIALTIES]
    for name, rank, rev, deals, certs, health, disc, prot, mdf, accr, prio in TIERS:
        Tier.objects.create(
            tenant=tenant,
            name=name,
            rank=rank,
            min_won_revenue_12m=Decimal(rev) if rev else None,
            min_won_deals_12m=deals,
            min_certified_people=certs,
            min_health_score=health,
            discount_pct=Decimal(disc),
            protection_days=prot,
            mdf_allocation=Decimal(mdf),
            mdf_accrual_pct=Decimal(accr),
            lead_priority=prio,
            benefits_text="Quarterly business review with the channel team" if rank >= 2 else "",
        )
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    admin = Member.objects.filter(role=Role.ADMIN).first()
    now = timezone.now()
    regions = {"US": Region.NORTH_AMERICA, "DE": Region.EMEA, "GB": Region.EMEA}
    for i, (name, partner) in enumerate(partners.items()):
        services.partner_update(
            partner=partner,
            by=manager,
            owner=manager,
            region=regions.get(partner.country, ""),
            size_band=[SizeBand.MEDIUM, SizeBand.LARGE, SizeBand.SMALL][i % 3],
            legal_name=f"{name} Ltd",
            specialties=specialties[i : i + 2],
            products=products[: 2 + i % 2],
            domains=[f"{name.split()[0].lower()}.example"],
        )
        partner.approved_at = now - datetime.timedelta(days=400 - 60 * i)
        partner.activated_at = partner.approved_at + datetime.timedelta(days=20 + 5 * i)
        partner.first_deal_at = partner.activated_at + datetime.timedelta(days=30 + 10 * i)
        partner.save(update_fields=["approved_at", "activated_at", "first_deal_at"])
        rev, deals, certs, health = METRICS[name]
        PartnerMetrics.objects.create(
            tenant=tenant,
            partner=partner,
            won_revenue_12m=Decimal(rev),
            won_deals_12m=deals,
            certified_people=certs,
            health_score=health,
        )
    for name, ptype, country, region, status, metrics, domain in EXTRA:
        partner = services.partner_create(
            tenant=tenant,
            by=manager,
            name=name,
            partner_type=ptype,
            country=country,
            region=region,
            website=f"https://www.{domain}",
            status=PartnerStatus.ACTIVE
            if status in (PartnerStatus.SUSPENDED, PartnerStatus.OFFBOARDED)
            else status,
        )
        services.partner_update(partner=partner, by=manager, owner=manager)
        if metrics:
            rev, deals, certs, health = metrics
            PartnerMetrics.objects.create(
                tenant=tenant,
                partner=partner,
                won_revenue_12m=Decimal(rev),
                won_deals_12m=deals,
                certified_people=certs,
                health_score=health,
            )
        if status == PartnerStatus.SUSPENDED:
            services.partner_transition(
                partner=partner, by=manager, to=status, reason="Unpaid invoices under review"
            )
        elif status == PartnerStatus.OFFBOARDED:
            services.partner_transition(
                partner=partner,
                by=admin,
                to=status,
                reason="Ended the partnership at their request",
            )
    services.tiers_evaluate(tenant=tenant)
    # Fabrikam held Silver last quarter and has fallen below it: it is in its grace period.
    fabrikam = partners_by_name(tenant)["Fabrikam Consulting"]
    services.partner_set_tier(
        partner=fabrikam, by=admin, tier=Tier.objects.get(name="Silver"), reason="Q2 review"
    )
    services.tiers_evaluate(tenant=tenant)


def partners_by_name(tenant) -> dict:
    return {p.name: p for p in Partner.objects.all()}
