"""Incentives on the home page (a partner admin's earnings by state, staff's lines to approve
and disputes open and overdue) and in the global search (earnings by number and by deal,
programs by name), each within what the member may see."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from incentives.models import Dispute
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory
from tests.html_helpers import find, find_all
from tests.incentives.test_incentives_support import compute, incentive_objects, program, won_deal

pytestmark = pytest.mark.django_db


def _home(world, member):
    resp = portal_client(world.tenant, member).get("/")
    assert resp.status_code == 200
    return resp


def group_hits(world, member, q, kind):
    """(url, exact) of one kind's hits in the API's search answer (the portal's is the same)."""
    resp = api_client(world.tenant, member).get("/api/v1/search/", {"q": q})
    assert resp.status_code == 200
    groups = [g for g in resp.json()["groups"] if g["kind"] == kind]
    return [(h["url"], h["exact"]) for h in groups[0]["hits"]] if groups else []


def test_a_partner_admin_sees_earnings_held_pending_approved_and_paid_on_the_home_page(world):
    with tenant_context(world.tenant):
        program(world, name="Held", rules={"sourced_rate": "10"}, clawback_days=90)
        compute(won_deal(world, amount="1000"))  # 100 held for 90 days
        program(world, name="Quick", rules={"sourced_rate": "5"}, clawback_days=0)
        compute(won_deal(world, amount="2000", closed_at=datetime.date(2024, 1, 5)))
    resp = _home(world, world.partner_admin)
    card = find(resp, "section", id="home-incentives-partner")
    cells = {
        a.attrs["data-bucket"]: a.text() for a in find_all(resp, "a") if "data-bucket" in a.attrs
    }
    assert card is not None
    # Held: 1,000 × 10 % (new deal, 90 days' window); pending: the 2024 deal earns under the
    # "Quick" program only (5 % of 2,000) and the "Held" program's old window has passed
    # (10 % of 2,000): 100 + 200 = 300.
    assert "100.00" in cells["held"]
    assert "300.00" in cells["pending"]
    assert "0.00" in cells["approved"] and "0.00" in cells["paid"]


def test_partner_users_and_partners_without_earnings_get_no_earnings_card(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        compute(won_deal(world))
    assert not find_all(_home(world, world.partner_user), "section", id="home-incentives-partner")
    other_admin = MemberFactory(
        tenant=world.tenant, role=Role.PARTNER_ADMIN, partner=world.other_partner
    )
    assert not find_all(_home(world, other_admin), "section", id="home-incentives-partner")


def test_staff_see_lines_to_approve_and_disputes_open_and_past_their_answer_target(world):
    objs = incentive_objects(world)  # two pending lines, a disputed one (pending too)
    with tenant_context(world.tenant):
        Dispute.objects.filter(pk=objs.dispute.pk).update(
            due_at=timezone.now() - datetime.timedelta(days=1)
        )
    resp = _home(world, world.admin)
    counts = {
        a.attrs["data-count"]: a.text() for a in find_all(resp, "a") if "data-count" in a.attrs
    }
    assert (counts["pending"], counts["disputes"], counts["overdue"]) == ("3", "1", "1")
    assert not find_all(_home(world, world.partner_admin), "section", id="home-incentives-review")


def test_a_partner_finds_its_own_earning_by_number_and_by_deal_but_not_anothers(world):
    with tenant_context(world.tenant):
        program(world, name="Partner Commission", rules={"sourced_rate": "10"})
        deal = won_deal(world, customer_name="Zephyr Works")
        (mine,) = compute(deal)
        (theirs,) = compute(won_deal(world, partner=world.other_partner))
    hits = group_hits(world, world.partner_admin, f"E-{mine.pk}", "earnings")
    assert hits == [(f"/incentives/earnings/{mine.pk}/", True)]
    assert group_hits(world, world.partner_admin, f"DR-{deal.pk}", "earnings") == [
        (f"/incentives/earnings/{mine.pk}/", False)
    ]
    assert group_hits(world, world.partner_admin, "zephyr", "earnings") == [
        (f"/incentives/earnings/{mine.pk}/", False)
    ]
    assert group_hits(world, world.partner_admin, f"E-{theirs.pk}", "earnings") == []
    # Staff find any line; programs are the admins' to find.
    assert group_hits(world, world.admin, f"E-{theirs.pk}", "earnings") == [
        (f"/incentives/earnings/{theirs.pk}/", True)
    ]
    assert group_hits(world, world.partner_admin, "partner comm", "incentive_programs") == []
    (prog,) = group_hits(world, world.admin, "partner comm", "incentive_programs")
    assert prog[0].startswith("/incentives/programs/")


def test_an_earning_of_another_tenant_is_not_found(world, stranger):
    with tenant_context(stranger.tenant):
        program(stranger, rules={"sourced_rate": "10"})
        (line,) = compute(won_deal(stranger))
    assert group_hits(world, world.admin, f"E-{line.pk}", "earnings") == []
