"""The what-if preview on the tier edit page: shows who would move, saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partners import services
from partners.models import PartnerMetrics, Tier
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(world):
    with tenant_context(world.tenant):
        services.tier_save(by=world.admin, name="Registered", rank=0)
        gold = services.tier_save(
            by=world.admin, name="Gold", rank=1, min_won_revenue_12m=Decimal("100000")
        )
        PartnerMetrics.objects.create(
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
    resp = client.post(
        f"/program/tiers/{gold.pk}/", edit_data(op="preview", min_won_revenue_12m="50000")
    )
    assert resp.status_code == 200
    movers = resp.context["preview"]["movers"]
    assert [(m["name"], m["from_name"], m["to_name"]) for m in movers] == [
        (world.partner.name, "Registered", "Gold")
    ]
    assert "Preview: who would move" in resp.content.decode()


def test_preview_saves_and_audits_nothing(world, gold):
    client = portal_client(world.tenant, world.admin)
    with tenant_context(world.tenant):
        audits = AuditEvent.objects.count()
    client.post(f"/program/tiers/{gold.pk}/", edit_data(op="preview", min_won_revenue_12m="1"))
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("100000")
        assert AuditEvent.objects.count() == audits


def test_preview_with_bad_input_shows_field_errors(world, gold):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        f"/program/tiers/{gold.pk}/", edit_data(op="preview", min_won_revenue_12m="lots")
    )
    assert resp.status_code == 200
    assert resp.context["preview"] is None
    assert "min_won_revenue_12m" in resp.context["form"].errors


def test_saving_still_saves(world, gold):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        f"/program/tiers/{gold.pk}/", edit_data(op="save", min_won_revenue_12m="50000")
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("50000")
