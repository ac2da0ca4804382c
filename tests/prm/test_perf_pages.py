"""Portal pages whose cost must not grow with the data (issue #9, benchmark 4): list pagers
count at most a capped number of rows; the program dashboard's aggregates are cached until
the rollups change, and its per-partner tables add up only the partners shown."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import services as analytics_services
from analytics.models import PartnerRollup
from dealreg.models import Deal, DealStatus
from partners.models import Partner, Tier
from prm import pagination
from prm.pagination import CappedPaginator
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerFactory, TierFactory

pytestmark = pytest.mark.django_db


def _deals(world, n: int, status: str = DealStatus.UNDER_REVIEW) -> None:
    """Deals inserted directly (the services are not under test)."""
    now = timezone.now()
    rows = [
        Deal(
            tenant=world.tenant,
            partner=world.partner,
            status=status,
            customer_name=f"Buyer {i}",
            customer_domain=f"buyer{i}.example",
            submitted_at=now,
        )
        for i in range(n)
    ]
    with tenant_context(world.tenant):
        Deal.objects.bulk_create(rows)


def test_capped_paginator_counts_to_the_cap_and_keeps_later_pages_reachable(world, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    _deals(world, 7)
    with tenant_context(world.tenant):
        qs = Deal.objects.order_by("pk")
        first = CappedPaginator(qs, 2).get_page(1)
        third = CappedPaginator(qs, 2).get_page(3)
        last = CappedPaginator(qs, 2).get_page(4)
        assert (first.paginator.pages_label, first.has_next()) == ("2+", True)
        assert (third.paginator.pages_label, third.has_next(), len(third)) == ("3+", True, 2)
        assert (last.paginator.pages_label, last.has_next(), len(last)) == (4, False, 1)


def test_deal_list_pager_says_more_than_instead_of_counting_every_deal(world, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 50)
    _deals(world, 51)
    client = portal_client(world.tenant, world.channel_manager)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/deals/").content.decode()
    assert "Page 1 of 1+" in body
    deal_count = 'COUNT(*) FROM (SELECT "dealreg_'
    counts = [q["sql"] for q in ctx.captured_queries if deal_count in q["sql"]]
    assert counts and all("LIMIT 51" in sql for sql in counts), counts
    # The count is not sorted: its LIMIT takes any rows, so the list's order would only make
    # the database walk the sort (an index scan in order) for nothing.
    assert all("ORDER BY" not in sql for sql in counts), counts
    world.channel_manager.user.language = "de"
    world.channel_manager.user.save(update_fields=["language"])
    assert "Seite 1 von 1+" in client.get("/deals/").content.decode()


def test_review_queue_pager_shows_the_exact_count_below_the_cap(world):
    _deals(world, 51)
    body = portal_client(world.tenant, world.channel_manager).get("/deals/review/")
    assert "Page 1 of 2" in body.content.decode()


def _program(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/analytics/program/").content.decode()
    return body, len(ctx.captured_queries)


def test_program_dashboard_queries_do_not_grow_with_partners(world):
    with tenant_context(world.tenant):
        analytics_services.rollups_compute(tenant=world.tenant)
    client = portal_client(world.tenant, world.admin)
    client.get("/analytics/program/")
    _body, few = _program(client)
    with tenant_context(world.tenant):
        for i in range(30):
            PartnerFactory(tenant=world.tenant, name=f"More {i:02d}", status="active")
        analytics_services.rollups_compute(tenant=world.tenant)
    client.get("/analytics/program/")
    _body, many = _program(client)
    assert many == few


def test_program_dashboard_shows_rollup_changes_and_tier_renames(world):
    with tenant_context(world.tenant):
        tier = TierFactory(tenant=world.tenant, name="Silver", rank=1)
        Partner.objects.filter(pk=world.partner.pk).update(tier=tier)
        analytics_services.rollups_compute(tenant=world.tenant)
    client = portal_client(world.tenant, world.admin)
    body, _n = _program(client)
    assert "Silver" in body and "987,654" not in body
    with tenant_context(world.tenant):
        row = PartnerRollup.objects.filter(partner=world.partner).order_by("-period_start")[0]
        # What a rollup run does to a row whose figures changed.
        PartnerRollup.objects.filter(pk=row.pk).update(
            sourced_revenue=987654, computed_at=timezone.now()
        )
    assert "987,654" in _program(client)[0]
    with tenant_context(world.tenant):
        Tier.objects.filter(pk=tier.pk).update(name="Platinum")
    body, _n = _program(client)
    assert "Platinum" in body and "Silver" not in body
