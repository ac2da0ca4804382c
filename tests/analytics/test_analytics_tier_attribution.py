"""The per-partner and by-tier tables of the channel manager's and the program dashboards,
checked against a hand computation over the rollups the test writes.

The rule (stated under the tables): each quarter counts under the tier the partner held at
the end of it ("No tier" before its first placement); the per-partner tables have one row
per partner, with its quarters added up whatever its tier in each, and show its tier today.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerFactory, PartnerRollupFactory, TierFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
Q1, Q2, Q3, Q4 = (datetime.date(YEAR, m, 1) for m in (1, 4, 7, 10))

# (partner, quarter, tier held at its end, won deals, sourced, influenced, decided, approved)
ROWS = [
    # "a" was placed in its first tier during Q2 and moved up to Gold in Q4.
    ("a", Q1, None, 2, "1000.00", "0.00", 4, 3),
    ("a", Q2, "Silver", 3, "2500.00", "100.00", 5, 5),
    ("a", Q3, "Silver", 1, "700.00", "0.00", 2, 1),
    ("a", Q4, "Gold", 4, "9000.00", "300.00", 6, 4),
    # "b" has been Silver all along.
    ("b", Q2, "Silver", 1, "400.00", "50.00", 1, 1),
    ("b", Q3, "Silver", 0, "0.00", "20.00", 3, 0),
    # "c" has no tier yet.
    ("c", Q3, None, 1, "150.00", "0.00", 2, 2),
    # A quarter of another year: outside the filter.
    ("a", datetime.date(YEAR - 1, 10, 1), None, 9, "99999.00", "0.00", 9, 9),
]
TIER_TODAY = {"a": "Gold", "b": "Silver", "c": None}


@pytest.fixture
def program(world):
    with tenant_context(world.tenant):
        tiers = {
            "Silver": TierFactory(tenant=world.tenant, name="Silver", rank=1),
            "Gold": TierFactory(tenant=world.tenant, name="Gold", rank=2),
        }
        partners = {
            "a": world.partner,
            "b": world.other_partner,
            "c": PartnerFactory(tenant=world.tenant, name="Zeta Unplaced"),
        }
        for key, partner in partners.items():
            partner.tier = tiers.get(TIER_TODAY[key])
            partner.save(update_fields=["tier"])
        for key, quarter, tier, won, sourced, influenced, decided, approved in ROWS:
            PartnerRollupFactory(
                tenant=world.tenant,
                partner=partners[key],
                period_start=quarter,
                currency="USD",
                tier=tiers.get(tier),
                partner_type="reseller",
                won_deals=won,
                sourced_revenue=Decimal(sourced),
                influenced_revenue=Decimal(influenced),
                gross_margin_pct=Decimal("50"),
                return_amount=(Decimal(sourced) + Decimal(influenced)) / 2,
                deals_decided=decided,
                deals_approved=approved,
            )
    return partners


def _in_year():
    return [r for r in ROWS if r[1].year == YEAR]


def _expected_per_partner(partners) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for key, _q, _tier, won, sourced, _inf, decided, approved in _in_year():
        row = out.setdefault(
            partners[key].name,
            {"tier": TIER_TODAY[key], "won": 0, "sourced": Decimal(0), "dec": 0, "app": 0},
        )
        row["won"] += won
        row["sourced"] += Decimal(sourced)
        row["dec"] += decided
        row["app"] += approved
    return out


def test_manager_kpi_table_has_one_row_per_partner_with_its_tier_today(world, program):
    resp = portal_client(world.tenant, world.admin).get(f"/analytics/manager/?year={YEAR}")
    table = resp.context["tables"]["kpis"]
    expected = _expected_per_partner(program)
    got = {
        r["partner_name"]: (r["tier_now"], r["won_deals"], r["approval_rate_pct"])
        for r in table.rows
    }
    assert len(table.rows) == len(expected) == 3
    for name, e in expected.items():
        rate = (Decimal(100) * e["app"] / e["dec"]).quantize(Decimal("0.1"))
        assert got[name] == (e["tier"], e["won"], rate)
    body = resp.content.decode()
    assert "One row per partner" in body and "Tier today" in body


def test_program_per_partner_tables_have_one_row_per_partner(world, program):
    resp = portal_client(world.tenant, world.admin).get(f"/analytics/program/?year={YEAR}")
    expected = _expected_per_partner(program)
    ropi = {r["partner_name"]: r for r in resp.context["tables"]["partner"].rows}
    kpi = {r["partner_name"]: r for r in resp.context["tables"]["kpi_partner"].rows}
    assert len(resp.context["tables"]["partner"].rows) == len(expected)
    assert len(resp.context["tables"]["kpi_partner"].rows) == len(expected)
    for name, e in expected.items():
        assert (ropi[name]["tier_now"], ropi[name]["sourced"]) == (e["tier"], e["sourced"])
        assert (kpi[name]["tier_now"], kpi[name]["won_deals"]) == (e["tier"], e["won"])


def test_program_by_tier_table_counts_each_quarter_under_the_tier_held_at_its_end(world, program):
    resp = portal_client(world.tenant, world.admin).get(f"/analytics/program/?year={YEAR}")
    expected: dict = defaultdict(
        lambda: {"partners": set(), "sourced": Decimal(0), "influenced": Decimal(0)}
    )
    for key, _q, tier, _won, sourced, influenced, _dec, _app in _in_year():
        row = expected[tier or "No tier"]
        row["partners"].add(key)
        row["sourced"] += Decimal(sourced)
        row["influenced"] += Decimal(influenced)
    got = {
        r["tier_name"]: {
            "partners": r["partners"],
            "sourced": r["sourced"],
            "influenced": r["influenced"],
        }
        for r in resp.context["tables"]["tier"].rows
    }
    assert got == {name: {**e, "partners": len(e["partners"])} for name, e in expected.items()}
    # Every sourced dollar of the year is in exactly one tier row.
    assert sum(r["sourced"] for r in got.values()) == sum(Decimal(r[4]) for r in _in_year())
    body = resp.content.decode()
    assert "the tier the partner held at the end of it" in body
