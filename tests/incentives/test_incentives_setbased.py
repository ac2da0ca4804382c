"""The set-based commission computation (incentives.setbased, the staff action "recompute"
and the bench) writes exactly the lines the per-deal path writes, on a varied world: tiers,
partner and deal types, products, three currencies (one without a rate), approved and other
influencers (even and weighted), two versions (the second from midday), accelerators with
deals crossing a threshold mid-period (two on one day), won amounts that differ from the
estimate; and it writes nothing twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from incentives import services
from incentives.models import Earning, LedgerEntry
from incentives.rules import clean_rules
from prm.errors import DomainError
from prm.models import AuditEvent, OutboxEvent
from prm.tenancy import tenant_context
from tests.factories import (
    AnalyticsSettingsFactory,
    DealFactory,
    DealInfluencerFactory,
    ExchangeRateFactory,
    PartnerFactory,
    ProductFactory,
    ProgramVersionFactory,
    TierFactory,
)
from tests.incentives.test_incentives_support import program

D = Decimal
FIELDS = (
    "key", "partner_id", "deal_id", "program_id", "version_id", "kind", "role", "status",
    "share", "base_amount", "rate", "amount", "currency", "earned_on", "hold_until",
)  # fmt: skip


class Rollback(Exception):
    pass


def _deal(world, partner, amount, day, currency="USD", won=None, **fields):
    return DealFactory(
        tenant=world.tenant,
        partner=partner,
        status=fields.pop("status", "won"),
        amount=D(amount),
        won_amount=D(won)
        if won is not None
        else (None if fields.pop("no_won", False) else D(amount)),
        currency=currency,
        closed_at=day,
        customer_name_tokens=["x"],
        **fields,
    )


def _varied_world(world, model):
    t = world.tenant
    if model == "weighted":
        AnalyticsSettingsFactory(tenant=t, attribution_model="weighted")
    gold = TierFactory(tenant=t, name="Gold", rank=2)
    silver = TierFactory(tenant=t, name="Silver", rank=1)
    p1, p2 = world.partner, world.other_partner
    p1.tier, p1.partner_type = gold, "reseller"
    p1.save()
    p2.partner_type = "isv"
    p2.save()
    p3 = PartnerFactory(tenant=t, tier=silver, partner_type="si")
    product = ProductFactory(tenant=t)
    ExchangeRateFactory(tenant=t, from_currency="EUR", to_currency="USD", rate=D("1.0875"),
                        valid_from=datetime.date(2024, 1, 1))  # fmt: skip
    ExchangeRateFactory(tenant=t, from_currency="EUR", to_currency="USD", rate=D("1.1234"),
                        valid_from=datetime.date(2024, 2, 10))  # fmt: skip
    prog = program(
        world,
        name="Commission",
        clawback_days=30,
        rules={
            "sourced_rate": "10",
            "influenced_rate": "3",
            "period": "quarter",
            "overrides": [
                {"tier": gold.pk, "sourced_rate": "12"},
                {"tier": gold.pk, "deal_type": "renewal", "sourced_rate": "5"},
                {"product": product.pk, "partner_type": "reseller", "sourced_rate": "15"},
                {"partner_type": "isv", "influenced_rate": "4.5"},
                {"tier": silver.pk, "influenced_rate": "3.3333"},
            ],
            "accelerators": [
                {"threshold": "10000", "multiplier": "1.5"},
                {"threshold": "25000", "multiplier": "2"},
            ],
        },
    )
    prog.versions.update(effective_from=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    ProgramVersionFactory(
        tenant=t,
        program=prog,
        version=2,
        effective_from=datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC),
        rules=clean_rules(
            "commission",
            {
                "sourced_rate": "9",
                "influenced_rate": "2",
                "period": "month",
                "accelerators": [{"threshold": "8000", "multiplier": "1.25"}],
            },
        ),
    )
    # Another program without accelerators, and an inactive one (earns nothing).
    flat = program(world, name="Flat", clawback_days=0,
                   rules={"sourced_rate": "1.5", "influenced_rate": "0.75"})  # fmt: skip
    program(world, name="Off", is_active=False, rules={"sourced_rate": "50"})
    d = datetime.date
    deals = [
        _deal(world, p1, "6000", d(2024, 2, 1)),
        _deal(world, p1, "5000", d(2024, 2, 10), currency="EUR"),  # crosses 10,000 in USD
        _deal(world, p1, "20000", d(2024, 2, 10), won="21333.33"),  # same day: crosses 25,000
        _deal(world, p1, "3000", d(2024, 3, 1), currency="GBP"),  # no rate: no accelerator
        _deal(world, p1, "4000", d(2024, 3, 2), deal_type="renewal"),
        _deal(world, p1, "7000", d(2024, 3, 3)),  # with the product (below)
        _deal(world, p1, "9000", d(2024, 5, 15)),  # v2 (in force from midday that day)
        _deal(world, p1, "9000", d(2024, 5, 14)),  # v1
        _deal(world, p1, "5000", d(2024, 6, 1), no_won=True),  # v2, next month
        _deal(world, p2, "12345.67", d(2024, 2, 20)),
        _deal(world, p2, "30000", d(2024, 3, 30), currency="EUR"),
        _deal(world, p3, "999.99", d(2023, 12, 31)),  # before every version: nothing
        _deal(world, p3, "15000", d(2024, 4, 2)),
        _deal(world, p3, "8000", d(2024, 4, 3), status="lost"),
        _deal(world, p3, "8000", d(2024, 4, 4), status="approved"),
    ]
    deals[5].products.add(product, through_defaults={"tenant": t})
    for deal, partners in [
        (deals[0], [(p2, "1"), (p3, "2.5")]),
        (deals[2], [(p3, "1")]),
        (deals[9], [(p1, "3"), (p3, "1"), (p2, "5")]),  # its own partner is no influencer
        (deals[10], [(p1, "1"), (p3, "1"), (PartnerFactory(tenant=t), "1")]),
        (deals[12], [(p1, "0.5"), (p2, "0.25")]),
    ]:
        for partner, weight in partners:
            DealInfluencerFactory(tenant=t, deal=deal, partner=partner, weight=D(weight))
    DealInfluencerFactory(tenant=t, deal=deals[6], partner=p2, status="requested")
    return [prog, flat], deals


def _snapshot():
    lines = {e.key: tuple(getattr(e, f) for f in FIELDS) for e in Earning.objects.all()}
    entries = sorted(
        (e.earning.key, e.kind, e.bucket, e.amount, e.currency)
        for e in LedgerEntry.objects.select_related("earning")
    )
    return lines, entries


@pytest.mark.parametrize("model", ["even", "weighted"])
def test_set_based_lines_equal_the_per_deal_path_on_a_varied_world(world, model):
    with tenant_context(world.tenant):
        programs, deals = _varied_world(world, model)
        try:
            with transaction.atomic():
                for deal in sorted(deals, key=lambda x: -x.pk):  # any order: same lines
                    services.earnings_compute_for_deal(deal_id=deal.pk)
                per_deal = _snapshot()
                raise Rollback
        except Rollback:
            pass
        assert not Earning.objects.exists()
        written = sum(services.program_recompute(program=p, by=world.admin) for p in programs)
        set_based = _snapshot()
        again = sum(services.program_recompute(program=p, by=world.admin) for p in programs)
        audit = AuditEvent.objects.filter(action="earning.created").count()
        outbox = OutboxEvent.objects.filter(event_type="earning.created").count()
    assert len(per_deal[0]) > 25
    assert set_based == per_deal
    assert (written, again) == (len(per_deal[0]), 0)
    assert audit == outbox == written
    # The threshold crossings, by hand: deal 2 (EUR 5,000 at 1.1234 = USD 5,617 after
    # USD 6,000): 4,000 USD below 10,000 at 12 % and 1,617 above at 18 %, in EUR:
    # (4,000 / 1.1234 × 12 + 1,617 / 1.1234 × 18) / 100 = 427.274 + 259.089 = 686.36.
    crossing = per_deal[0][f"deal:{deals[1].pk}:p{programs[0].pk}:sourced:{world.partner.pk}"]
    assert crossing[FIELDS.index("amount")] == D("686.36")


def test_only_active_commission_programs_are_recomputed(world):
    with tenant_context(world.tenant):
        rebate = program(world, kind="rebate", rules={"tiers": [{"threshold": "0", "rate": "1"}]})
        off = program(world, is_active=False, rules={"sourced_rate": "5"})
        for p in (rebate, off):
            with pytest.raises(DomainError):
                services.program_recompute(program=p, by=world.admin)


def test_rule_values_reach_the_set_based_sql_as_data_not_as_sql(world):
    """An override's text values are query parameters: a partner type with SQL in it
    matches only a partner of exactly that type, and the statement runs as written."""
    odd = "x') OR TRUE OR ('"
    with tenant_context(world.tenant):
        world.other_partner.partner_type = odd
        world.other_partner.save()
        rules = {"sourced_rate": "1", "overrides": [{"partner_type": odd, "sourced_rate": "7"}]}
        prog = program(world, clawback_days=0, rules=rules)
        day = datetime.date(2025, 1, 2)
        mine = _deal(world, world.partner, "1000", day)
        theirs = _deal(world, world.other_partner, "1000", day)
        services.program_recompute(program=prog, by=world.admin)
        rates = dict(Earning.objects.values_list("deal_id", "rate"))
    assert rates == {mine.pk: D("1.0000"), theirs.pk: D("7.0000")}
