"""Builders shared by the incentives tests and the incentives permission rows (no tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from incentives import services
from incentives.rules import clean_rules
from prm.tenancy import tenant_context
from tests.factories import DealFactory, IncentiveProgramFactory, ProgramVersionFactory


def program(world, kind="commission", rules=None, **fields):
    """A program of `kind` with one published version of `rules` in force since 2020."""
    p = IncentiveProgramFactory(tenant=world.tenant, kind=kind, **fields)
    ProgramVersionFactory(
        tenant=world.tenant, program=p, version=1, rules=clean_rules(kind, rules or {})
    )
    return p


def won_deal(world, partner=None, amount="10000", closed_at=None, **fields):
    """A won deal as stored (no services: the tests call the computation themselves)."""
    fields.setdefault("currency", "USD")
    return DealFactory(
        tenant=world.tenant,
        partner=partner or world.partner,
        status="won",
        amount=Decimal(amount),
        won_amount=Decimal(amount),
        closed_at=closed_at or datetime.date.today(),
        customer_name_tokens=["x"],
        **fields,
    )


def compute(deal):
    return services.earnings_compute_for_deal(deal_id=deal.pk)


def incentive_objects(world):
    """Objects the permission rows point at, made once per world: a commission program with
    a draft, a won deal's pending line (for approve), another (for dispute), an open dispute
    and an open registration."""
    if hasattr(world, "_incentives"):
        return world._incentives
    with tenant_context(world.tenant):
        prog = program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        draft = services.version_draft_save(
            program=prog, by=world.admin, rules={"sourced_rate": "12"}
        )
        lines = compute(won_deal(world)) + compute(won_deal(world))
        disputed = compute(won_deal(world))[0]
        dispute = services.dispute_open(earning=disputed, by=world.partner_admin, reason="Why?")
        open_deal = DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=Decimal("5000"),
            customer_name_tokens=["y"],
        )
    world._incentives = SimpleNamespace(
        program=prog,
        draft=draft,
        pending=lines[0],
        pending2=lines[1],
        disputed=disputed,
        dispute=dispute,
        open_deal=open_deal,
    )
    return world._incentives
