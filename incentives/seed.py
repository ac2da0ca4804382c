"""Demo data for incentives: a commission program (tier rates, an accelerator), referral fees
per accepted lead, a quarterly rebate, a first-deal SPIFF and a partner referral reward; the
earnings of the demo's won deals (held for the clawback window), an approved and a paid line,
an adjustment and an open dispute; a won direct deal's influencers' commission. Runs inside
the demo tenant's context (manage.py seed_demo), after the deals are won (dealreg.seed,
demo.campaign)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from dealreg.models import Deal, DealStatus
from dealreg.services import direct_deal_upsert
from incentives import services
from incentives.models import Earning, EarningStatus
from partners.models import Tier
from prm.models import Member
from prm.roles import Role

YEAR_START = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def _program(tenant, admin, *, kind, name, rules, clawback_days=30, notes=""):
    program = services.program_create(
        tenant=tenant,
        by=admin,
        kind=kind,
        name=name,
        currency=tenant.default_currency,
        clawback_days=clawback_days,
        dispute_sla_days=5,
    )
    version = services.version_draft_save(program=program, by=admin, rules=rules, notes=notes)
    # The system publishes the first versions from the program's start, so the demo's
    # history (deals won before today) earns under them.
    services.version_publish(version=version, by=None, effective_from=YEAR_START)
    return program


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    ada = Member.objects.filter(user__email="ada@northwind.example").first()
    gold = Tier.objects.filter(name="Gold").first()
    overrides = [{"deal_type": "renewal", "sourced_rate": "4"}]
    if gold is not None:
        overrides.append({"tier": gold.pk, "sourced_rate": "10", "influenced_rate": "3"})
    today = timezone.localdate()
    commission = _program(
        tenant,
        admin,
        kind="commission",
        name="Partner commission",
        rules={
            "sourced_rate": "8",
            "influenced_rate": "2",
            "period": "quarter",
            "overrides": overrides,
            "accelerators": [{"threshold": "150000", "multiplier": "1.25"}],
        },
        notes="8 % on deals you source, 2 % on deals you influence; Gold partners 10 % / 3 %.",
    )
    _program(
        tenant,
        admin,
        kind="referral",
        name="Lead acceptance fee",
        rules={"basis": "accepted_lead", "mode": "flat", "amount": "150"},
        clawback_days=0,
    )
    _program(
        tenant,
        admin,
        kind="rebate",
        name="Quarterly volume rebate",
        rules={
            "period": "quarter",
            "tiers": [{"threshold": "50000", "rate": "1"}, {"threshold": "250000", "rate": "2.5"}],
        },
    )
    _program(
        tenant,
        admin,
        kind="spiff",
        name="First deal bonus",
        rules={
            "trigger": "first_deal",
            "starts_on": (today - datetime.timedelta(days=90)).isoformat(),
            "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
            "amount": "500",
        },
        clawback_days=0,
    )
    _program(
        tenant,
        admin,
        kind="partner_referral",
        name="Partner referral reward",
        rules={"amount": "1000"},
    )
    for deal in Deal.objects.filter(status=DealStatus.WON).order_by("closed_at", "id"):
        services.earnings_compute_for_deal(deal_id=deal.pk)
    for deal in Deal.objects.filter(source="vendor_lead").order_by("id"):
        services.earnings_compute_for_lead(deal_id=deal.pk)
    northwind, stackforge = partners["Northwind Resellers"], partners["StackForge"]
    services.partner_referral_reward(referrer=northwind, referred=stackforge, by=None)

    # Pending lines: one approved, one approved and paid.
    pending = list(Earning.objects.filter(status=EarningStatus.PENDING).order_by("id"))
    if pending:
        paid = services.earning_approve(earning=pending[0], by=manager)
        services.earnings_mark_paid(earnings=[paid], reference="PAYOUT-DEMO-1", by=admin)
    if len(pending) > 1:
        services.earning_approve(earning=pending[1], by=manager)
    else:
        # Which lines are pending today depends on the date (referral fees, the SPIFF's
        # window): the demo always shows an approved line, so add one when none is left.
        bonus = services.earning_adjust(
            partner=northwind,
            program=commission,
            amount=Decimal("250.00"),
            reason="Joint webinar bonus agreed with the channel manager.",
            by=admin,
        )
        services.earning_approve(earning=bonus, by=manager)
    services.earning_adjust(
        partner=northwind,
        program=commission,
        amount=Decimal("120.00"),
        reason="Commission on the Q1 renewal booked late by the CRM.",
        by=admin,
    )
    held = Earning.objects.filter(status=EarningStatus.HELD, partner=northwind).first()
    if held is not None and ada is not None:
        services.dispute_open(
            earning=held,
            by=ada,
            reason="Our Gold tier should give 10 %; this line looks like the base rate.",
        )

    # --- incent2: a direct deal the vendor won with two partners' help ---
    _seed_direct_deal(tenant=tenant, admin=admin, partners=[northwind, stackforge], today=today)


def _seed_direct_deal(*, tenant, admin, partners, today) -> None:
    """One of the vendor's direct deals, won three weeks ago with two influencing partners
    (weights 2 and 1): their influenced commission, held for the clawback window."""
    direct, _created = direct_deal_upsert(
        by=admin,
        external_id="CRM-OPP-1001",
        customer_name="Globex Logistics",
        customer_domain="globex-logistics.example",
        amount=Decimal("84000"),
        currency=tenant.default_currency,
        status="won",
        closed_at=today - datetime.timedelta(days=21),
        influencers=[{"partner": partners[0].pk, "weight": 2}, {"partner": partners[1].pk}],
    )
    services.earnings_compute_for_direct_deal(direct_deal_id=direct.pk)
