"""Payouts on the home page and in global search (issue #20): staff see the batches waiting
for their approval (a first approver is not asked for the second), finance what is ready to
pay; a partner's people see their next payout, last payout and last statement; batches and
statements are found by number, month or partner, each within what the member may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from incentives.models_payouts import PayeeStatus
from incentives.services import payouts
from incentives.services.statements import statements_generate
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import MemberFactory, PayoutSettingsFactory
from tests.html_helpers import find, find_all
from tests.incentives.payouts_support import approved_lines, payee, payout_objects
from tests.incentives.test_incentives_home_search import group_hits

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _card(world, member, key):
    page = portal_client(world.tenant, member).get("/")
    assert page.status_code == 200
    cards = find_all(page, "section", id=f"home-{key}")
    return page, (cards[0] if cards else None)


def _count(page, name) -> str:
    return find(page, "a", data_count=name).text()


def test_staff_see_the_batches_waiting_for_their_approval_and_not_their_own_second(world):
    with tenant_context(world.tenant):
        payee(world)
        PayoutSettingsFactory(tenant=world.tenant, second_approval_above=Decimal("50"))
        approved_lines(world)
        batch = payouts.batch_create(
            tenant=world.tenant, by=world.channel_manager, currency="EUR", period_end=TODAY
        )
    page, card = _card(world, world.channel_manager, "incentives-payouts-staff")
    assert card is not None and _count(page, "batches_awaiting") == "1"
    assert find_all(page, "li", data_batch=str(batch.pk))
    page, _card_admin = _card(world, world.admin, "incentives-payouts-staff")
    assert _count(page, "batches_awaiting") == "1"

    with tenant_context(world.tenant):
        payouts.batch_approve(batch=batch, by=world.admin)  # the first of two approvals
    # The admin who gave the first approval is not asked for the second one ...
    page, card = _card(world, world.admin, "incentives-payouts-staff")
    assert card is None or _count(page, "batches_awaiting") == "0"
    # ... another admin is; a channel manager (no second approvals) is not.
    other_admin = MemberFactory(tenant=world.tenant, role="admin")
    page, card = _card(world, other_admin, "incentives-payouts-staff")
    assert _count(page, "batches_awaiting") == "1"
    _page, card = _card(world, world.channel_manager, "incentives-payouts-staff")
    assert card is None

    with tenant_context(world.tenant):
        payouts.batch_approve_second(batch=batch, by=other_admin)
    page, card = _card(world, world.admin, "incentives-payouts-staff")
    assert _count(page, "batches_to_pay") == "1" and _count(page, "batches_awaiting") == "0"


def test_nothing_waiting_means_no_payouts_card_and_partners_never_get_the_staff_card(world):
    _page, card = _card(world, world.admin, "incentives-payouts-staff")
    assert card is None
    payout_objects(world)
    _page, card = _card(world, world.partner_admin, "incentives-payouts-staff")
    assert card is None


def test_a_partner_sees_its_next_payout_last_payout_and_last_statement(world):
    objs = payout_objects(world)  # a paid batch, a draft with 200 EUR more, a statement
    for member in (world.partner_admin, world.partner_user):
        page, card = _card(world, member, "incentives-payouts-partner")
        assert card is not None
        assert "200.00" in find(page, "dd", data_next_payout=True).text()
        last = find(page, "dd", data_last_payout=True)
        assert "100.00" in last.text()
        assert find_all(page, "a", href=f"/earnings/payouts/{objs.line.pk}/")
        assert find_all(page, "a", href=f"/earnings/statements/{objs.statement.pk}/pdf/")
    # The other partner has nothing of the kind: no card, nothing of world.partner's.
    _page, card = _card(world, world.other_partner_user, "incentives-payouts-partner")
    assert card is None


def test_a_partner_without_approved_payee_details_is_told_why_it_is_not_paid(world):
    with tenant_context(world.tenant):
        payee(world, status=PayeeStatus.PENDING)
        approved_lines(world)
    page, card = _card(world, world.partner_admin, "incentives-payouts-partner")
    assert card is not None
    note = find(page, "p", data_payee_missing=True)
    assert find_all(page, "a", href="/earnings/payee/")
    assert "payee details" in note.text()


def test_staff_find_a_batch_by_number_reference_and_partner_and_partners_find_none(world):
    objs = payout_objects(world)
    url = f"/incentives/payouts/{objs.paid.pk}/"
    assert (url, True) in group_hits(world, world.admin, f"PB-{objs.paid.pk}", "payout_batches")
    assert (url, False) in group_hits(world, world.admin, "BANK-1", "payout_batches")
    found = group_hits(world, world.channel_manager, world.partner.name, "payout_batches")
    assert (url, False) in found
    assert group_hits(world, world.partner_admin, f"PB-{objs.paid.pk}", "payout_batches") == []


def test_statements_are_found_by_month_within_what_each_member_may_see(world):
    objs = payout_objects(world)
    with tenant_context(world.tenant):
        approved_lines(world, partner=world.other_partner)
        statements_generate(tenant=world.tenant, month=TODAY)
    term = f"{TODAY:%Y-%m}"
    mine = f"/earnings/statements/{objs.statement.pk}/pdf/"
    partner_hits = group_hits(world, world.partner_admin, term, "statements")
    assert partner_hits == [(mine, True)]  # its own, not the other partner's
    staff_hits = group_hits(world, world.admin, term, "statements")
    assert (mine, True) in staff_hits and len(staff_hits) == 2
    assert group_hits(world, world.partner_admin, world.other_partner.name, "statements") == []


def test_a_batch_of_another_tenant_is_not_found(world, stranger):
    objs = payout_objects(world)
    assert group_hits(stranger, stranger.admin, f"PB-{objs.paid.pk}", "payout_batches") == []
