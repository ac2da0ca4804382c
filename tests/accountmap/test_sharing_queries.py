"""Constant query counts where a page or list used to ask once per row: the introductions API
for a partner's people (the vendor's account names as shared) and the staff's overlap
overview (each partner's counts as that partner shares them, the same figures as the
partner's own page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountmap import visibility
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import (
    AccountFactory,
    IntroRequestFactory,
    OverlapFactory,
    PartnerFactory,
    PopulationFactory,
    SharingRuleFactory,
)

pytestmark = pytest.mark.django_db


def _intros(world, n):
    with tenant_context(world.tenant):
        for _i in range(n):
            overlap = OverlapFactory(tenant=world.tenant, partner=world.partner)
            IntroRequestFactory(
                tenant=world.tenant, overlap=overlap, requested_by=world.partner_user
            )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp


def test_the_introductions_api_asks_as_often_for_ten_rows_as_for_two(world):
    with tenant_context(world.tenant):
        SharingRuleFactory(
            tenant=world.tenant, side="vendor", partner=world.partner, level="overlaps"
        )
    client = api_client(world.tenant, world.partner_user)
    _intros(world, 2)
    client.get("/api/v1/account-intros/")
    two, resp = _count(client, "/api/v1/account-intros/")
    assert all(r["account_name"] for r in resp.json()["results"])
    _intros(world, 8)
    ten, resp = _count(client, "/api/v1/account-intros/")
    assert len(resp.json()["results"]) == 10
    assert ten == two


def test_an_intro_on_an_account_no_longer_shared_names_no_account(world):
    _intros(world, 1)  # the vendor shares counts only (the default)
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/account-intros/")
    [row] = resp.json()["results"]
    assert row["account_name"] is None
    detail = api_client(world.tenant, world.partner_user).get(
        f"/api/v1/account-intros/{row['id']}/"
    )
    assert detail.json()["account_name"] is None


def _partner_with_overlaps(world, i):
    """A partner with overlaps in several populations, sharing them at different levels."""
    t = world.tenant
    partner = PartnerFactory(tenant=t, name=f"Partner {i:02d}")
    for status in ("customer", "prospect", "opportunity"):
        for _k in range(i % 3 + 5):
            OverlapFactory(
                tenant=t,
                partner=partner,
                vendor_account=AccountFactory(tenant=t, status="customer"),
                partner_account=AccountFactory(tenant=t, partner=partner, status=status),
            )
    levels = ["hidden", "counts", "overlaps", "all"]
    SharingRuleFactory(
        tenant=t, side="partner", partner=partner, status="prospect", level=levels[i % 4]
    )
    if i % 2:
        pop = PopulationFactory(tenant=t, partner=partner, statuses=["customer"])
        SharingRuleFactory(
            tenant=t, side="partner", partner=partner, status="", population=pop, level="hidden"
        )
    return partner


def test_the_staff_overview_counts_as_each_partners_own_view_would(world):
    with tenant_context(world.tenant):
        partners = [_partner_with_overlaps(world, i) for i in range(6)]
        together = visibility.overlap_counts_for_partners(partners)
        for p in partners:
            alone = visibility.overlap_counts(visibility.view_for(world.admin, p))
            assert together[p.pk]["matrix"] == alone["matrix"], p.name
            assert together[p.pk]["total"] == alone["total"]
            assert together[p.pk]["total_exact"] == alone["total_exact"]


def test_the_staff_overview_asks_as_often_for_ten_partners_as_for_two(world):
    client = portal_client(world.tenant, world.channel_manager)
    with tenant_context(world.tenant):
        for i in range(2):
            _partner_with_overlaps(world, i)
    client.get("/accounts/overlaps/")
    two, _resp = _count(client, "/accounts/overlaps/")
    with tenant_context(world.tenant):
        for i in range(2, 10):
            _partner_with_overlaps(world, i)
    ten, resp = _count(client, "/accounts/overlaps/")
    assert b"Partner 09" in resp.content
    assert ten == two
