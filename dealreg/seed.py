"""Demo data for deal registration: deals in every state, a live conflict, leads waiting,
named accounts, two rules versions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from dealreg import services
from dealreg.models import Deal
from dealreg.services import leads
from partners.models import Product, Specialty
from prm.models import Member
from prm.roles import Role


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    services.current_rules(tenant)
    services.rules_publish(
        by=admin,
        default_protection_days=90,
        auto_approve_max_amount=Decimal("75000"),
        notes="Questions about a decision? Reply to the e-mail you received.",
    )
    services.named_account_upsert(
        by=admin,
        name="Initech Corporation",
        domain="initech.example",
        owner="Dana (Enterprise East)",
        external_id="SF-ACC-1001",
    )
    services.named_account_upsert(
        by=admin,
        name="Massive Dynamic",
        domain="massive.example",
        kind="opportunity",
        owner="Direct team",
        external_id="SF-OPP-2044",
    )
    northwind, bluepeak, stackforge = (
        partners["Northwind Resellers"],
        partners["BluePeak Integrators"],
        partners["StackForge"],
    )
    ada = Member.objects.get(user__email="ada@northwind.example")
    ben = Member.objects.get(user__email="ben@northwind.example")
    carla = Member.objects.get(user__email="carla@bluepeak.example")
    dev = Member.objects.get(user__email="dev@stackforge.example")
    compute, storage = list(Product.objects.order_by("name")[:2])
    soon = timezone.now().date() + datetime.timedelta(days=45)

    def register(member, name, domain, amount, products=(), submit=True, **extra):
        deal = services.deal_save(
            by=member,
            products=list(products),
            submit=submit,
            data={
                "customer_name": name,
                "customer_domain_input": domain,
                "amount": Decimal(amount),
                "currency": tenant.default_currency,
                "expected_close_date": soon,
                "country": member.partner.country,
                "contact_name": "Pat Buyer",
                "contact_email": f"pat@{domain.split('@')[-1].split('/')[-1]}",
                **extra,
            },
        )
        if submit:
            services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.get(pk=deal.pk)

    # Approved and protected (auto-approved), then a live conflict against it.
    globex = register(ada, "Globex Corporation", "https://www.globex.example", "42000", [compute])
    register(carla, "GLOBEX Corp.", "buyer@sales.globex.example", "38000", [compute])
    # Won, lost, rejected (by a manager), under review (large amount), draft, withdrawn.
    won = register(ada, "Umbrella Health", "umbrella.example", "64000", [storage])
    services.deal_close(deal=won, by=manager, won=True, amount=Decimal("61250"))
    lost = register(carla, "Hooli", "hooli.example", "22000")
    services.deal_close(deal=lost, by=manager, won=False, reason="Customer chose a competitor")
    big = register(dev, "Stark Industries", "stark.example", "180000", [compute, storage])
    services.deal_reject(
        deal=big, by=manager, reason="Stark is handled by the strategic accounts team this year."
    )
    register(ben, "Wayne Enterprises", "wayne.example", "95000", [storage])
    register(ben, "Cyberdyne Systems", "cyberdyne.example", "15000", submit=False)
    gone = register(carla, "Soylent", "soylent.example", "12000")
    services.deal_withdraw(deal=gone, by=carla, reason="Project cancelled by the customer")
    # Named-account conflict, and one that expires soon.
    register(dev, "Initech", "initech.example", "30000")
    expiring = register(ada, "Vandelay Industries", "vandelay.example", "27000")
    Deal.objects.filter(pk=expiring.pk).update(
        protected_until=timezone.now().date() + datetime.timedelta(days=5)
    )
    services.influencer_add(deal=globex, by=manager, partner=stackforge)
    # Leads waiting for partners.
    cloud = Specialty.objects.filter(name="Cloud migration").first()
    for company, country in (("Acme Bakeries", "US"), ("Kruger Logistik", "DE")):
        lead = leads.lead_create(
            by=manager,
            company=company,
            country=country,
            amount=Decimal("20000"),
            specialties=[cloud] if cloud else [],
            notes="Wants to move its ERP to the cloud this year.",
        )
        leads.lead_route(lead=lead, by=manager)
    del northwind, bluepeak
