"""The what-if preview on the tier edit page: shows who would move, saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners import services
from partners.models import Partner, PartnerMetrics, Tier
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerFactory, PartnerMetricsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(world):
    with tenant_context(world.tenant):
        services.tier_save(by=world.admin, name="Registered", rank=0)
        gold = services.tier_save(
            by=world.admin, name="Gold", rank=1, min_won_revenue_12m=Decimal("100000")
        )
        PartnerMetricsFactory(
            tenant=world.tenant, partner=world.partner, won_revenue_12m=Decimal("60000")
        )
        services.tiers_evaluate(tenant=world.tenant)
    return gold


def edit_data(**changes) -> dict:
    data = {
        "name": "Gold",
        "rank": "1",
        "min_won_revenue_12m": "100000",
        "discount_pct": "0",
        "protection_days": "90",
        "mdf_allocation": "0",
        "mdf_accrual_pct": "0",
        "lead_priority": "0",
    }
    return data | changes


def test_preview_lists_the_partners_a_lower_threshold_would_move_up(world, gold):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/tiers/{gold.pk}/preview/", edit_data(min_won_revenue_12m="50000"))
    assert resp.status_code == 200
    preview = resp.context["preview"]
    assert [(m.name, m.now, m.without, m.with_edit, m.why) for m in preview.because] == [
        (
            world.partner.name,
            "Registered",
            "Registered",
            "Gold",
            ["Won revenue (12 months) 60,000 ≥ 50,000 required for Gold"],
        )
    ]
    assert preview.anyway == []
    assert "Preview: who would move" in resp.content.decode()


def test_preview_saves_and_audits_nothing(world, gold):
    client = portal_client(world.tenant, world.admin)
    with tenant_context(world.tenant):
        audits = AuditEvent.objects.count()
    client.post(f"/program/tiers/{gold.pk}/preview/", edit_data(min_won_revenue_12m="1"))
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("100000")
        assert AuditEvent.objects.count() == audits


def test_preview_with_bad_input_shows_field_errors(world, gold):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/tiers/{gold.pk}/preview/", edit_data(min_won_revenue_12m="lots"))
    assert resp.status_code == 200
    assert resp.context["preview"] is None
    assert "min_won_revenue_12m" in resp.context["form"].errors


def test_saving_still_saves(world, gold):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/tiers/{gold.pk}/", edit_data(min_won_revenue_12m="50000"))
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("50000")


def set_revenue(partner, revenue: str) -> None:
    PartnerMetrics.objects.update_or_create(
        tenant=partner.tenant, partner=partner, defaults={"won_revenue_12m": Decimal(revenue)}
    )


def preview_of(world, gold, **changes):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/program/tiers/{gold.pk}/preview/", edit_data(**changes))
    assert resp.status_code == 200
    return resp.context["preview"], resp.content.decode()


def test_preview_without_any_change_blames_nobody_and_lists_the_moves_due_anyway(world, gold):
    with tenant_context(world.tenant):
        # Since the last evaluation, one partner's figures rose above Gold's bar and
        # another's (placed in Gold then) fell below it: both are due to move anyway.
        set_revenue(world.other_partner, "150000")
        services.tiers_evaluate(tenant=world.tenant)
        set_revenue(world.partner, "120000")
        set_revenue(world.other_partner, "10000")
    preview, body = preview_of(world, gold)  # the tier exactly as stored
    assert preview.because == []
    anyway = {m.name: (m.now, m.without, m.direction, m.why) for m in preview.anyway}
    assert anyway == {
        world.partner.name: (
            "Registered",
            "Gold",
            "up",
            ["Won revenue (12 months) 120,000 ≥ 100,000 required for Gold"],
        ),
        world.other_partner.name: (
            "Gold",
            "Registered",
            "down",
            ["Won revenue (12 months) 10,000 < 100,000 required for Gold"],
        ),
    }
    assert "No partner moves because of this change." in body
    assert "Would move anyway at the next evaluation" in body
    assert "10,000 &lt; 100,000 required for Gold" in body


def test_raising_a_threshold_blames_exactly_the_partners_between_old_and_new(world, gold):
    with tenant_context(world.tenant):
        figures = {
            "Below both": "90000",
            "Just over the old bar": "100000",
            "Between the bars": "130000",
            "Over both": "160000",
        }
        partners = {n: PartnerFactory(tenant=world.tenant, name=n) for n in figures}
        for name, revenue in figures.items():
            set_revenue(partners[name], revenue)
        rising = PartnerFactory(tenant=world.tenant, name="Rising between the bars")
        set_revenue(rising, "10000")
        services.tiers_evaluate(tenant=world.tenant)
        assert Partner.objects.get(pk=world.partner.pk).tier.name == "Registered"
        assert {
            p.name: p.tier.name
            for p in Partner.objects.filter(pk__in=[p.pk for p in partners.values()])
        } == {
            "Below both": "Registered",
            "Just over the old bar": "Gold",
            "Between the bars": "Gold",
            "Over both": "Gold",
        }
        # Due anyway: world.partner's figures rose over both bars since the last evaluation;
        # and a Registered one rose between the bars: the old bar would move it up.
        set_revenue(world.partner, "200000")
        set_revenue(rising, "140000")
    preview, _body = preview_of(world, gold, min_won_revenue_12m="150000")
    because = {m.name: (m.now, m.without, m.with_edit, m.direction, m.why) for m in preview.because}
    assert because == {
        "Just over the old bar": (
            "Gold",
            "Gold",
            "Registered",
            "down",
            ["Won revenue (12 months) 100,000 < 150,000 required for Gold"],
        ),
        "Between the bars": (
            "Gold",
            "Gold",
            "Registered",
            "down",
            ["Won revenue (12 months) 130,000 < 150,000 required for Gold"],
        ),
        "Rising between the bars": (
            "Registered",
            "Gold",
            "Registered",
            "stays",
            ["Won revenue (12 months) 140,000 < 150,000 required for Gold"],
        ),
    }
    assert [(m.name, m.without, m.why) for m in preview.anyway] == [
        (
            world.partner.name,
            "Gold",
            ["Won revenue (12 months) 200,000 ≥ 100,000 required for Gold"],
        )
    ]
