"""The ledger: balances derived from entries only, the clawback window, release, reversal
and clawback when a won deal is lost, currency locked at approval, adjustments."""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg
import pytest

from dealreg import services as deal_services
from incentives import selectors, services
from incentives.models import Earning, EarningStatus, LedgerEntry
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import _test_db_url
from tests.factories import ExchangeRateFactory
from tests.incentives.test_incentives_support import compute, program, won_deal

D = Decimal
TODAY = datetime.date.today()


def test_a_deal_line_is_held_for_the_clawback_window_then_released(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=30)
        line = compute(
            won_deal(world, amount="5000", closed_at=TODAY - datetime.timedelta(days=10))
        )[0]
        assert (line.status, line.hold_until) == ("held", TODAY + datetime.timedelta(days=20))
        assert selectors.balances(partner_id=world.partner.pk)["USD"]["held"] == D("500.00")
        assert services.earnings_release(today=TODAY) == 0
        assert services.earnings_release(today=TODAY + datetime.timedelta(days=20)) == 1
        line.refresh_from_db()
        b = selectors.balances(partner_id=world.partner.pk)["USD"]
    assert line.status == "pending"
    assert (b["held"], b["pending"], b["earned"]) == (D("0"), D("500.00"), D("500.00"))


def test_a_line_whose_window_already_passed_is_pending_at_once(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=30)
        line = compute(won_deal(world, closed_at=TODAY - datetime.timedelta(days=31)))[0]
    assert line.status == "pending"


def test_losing_a_won_deal_reverses_its_held_lines_and_settles_the_rebate_again(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        program(world, kind="rebate", rules={"tiers": [{"threshold": "0", "rate": "2"}]})
        deal = won_deal(world, amount="10000")
        assert sorted(e.amount for e in compute(deal)) == [D("200.00"), D("1000.00")]
        deal.status = "lost"
        deal.save()
        services.earnings_reverse_for_deal(deal_id=deal.pk, reason="Refunded")
        commission = Earning.objects.get(deal=deal, kind="commission")
        rebates = sorted(Earning.objects.filter(kind="rebate").values_list("amount", flat=True))
        b = selectors.balances(partner_id=world.partner.pk)["USD"]
    assert (commission.status, commission.reversal_reason) == ("reversed", "Refunded")
    assert rebates == [D("-200.00"), D("200.00")]
    assert b["reversed"] == D("1000.00")
    assert b["held"] == D("0.00")  # 1,000 reversed; +200 and -200 rebate lines


def test_losing_a_won_deal_after_approval_claws_the_payout_back(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        deal = won_deal(world, amount="10000")
        line = compute(deal)[0]
        services.earning_approve(earning=line, by=world.channel_manager)
        deal.status = "lost"
        deal.save()
        services.earnings_reverse_for_deal(deal_id=deal.pk)
        services.earnings_reverse_for_deal(deal_id=deal.pk)  # twice: one clawback
        clawbacks = list(Earning.objects.filter(kind="clawback"))
        b = selectors.balances(partner_id=world.partner.pk)["USD"]
    assert [(c.amount, c.status, c.reverses_id) for c in clawbacks] == [
        (D("-1000.00"), "approved", line.pk)
    ]
    assert b["approved"] == D("0.00")


def test_closing_a_won_deal_lost_through_dealreg_reverses_its_lines_on_the_worker_path(world):
    """The reversal is queued by the deal.lost subscriber; here the queued service runs
    directly (the worker test covers the queue)."""
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        deal = won_deal(world, amount="1000")
        deal.status = "approved"
        deal.save()
        deal_services.deal_close(deal=deal, by=world.channel_manager, won=True, amount=D("1000"))
        compute(deal)
        deal_services.deal_close(deal=deal, by=world.channel_manager, won=False, reason="Cancelled")
        services.earnings_reverse_for_deal(deal_id=deal.pk)
        line = Earning.objects.get(deal=deal)
    assert (line.status, line.reversal_reason) == ("reversed", "Cancelled")


def test_approval_locks_the_exchange_rate_of_the_day(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0, currency="USD")
        line = compute(won_deal(world, amount="10000", currency="EUR"))[0]
        with pytest.raises(DomainError):  # no EUR -> USD rate yet
            services.earning_approve(earning=line, by=world.admin)
        ExchangeRateFactory(
            tenant=world.tenant,
            from_currency="EUR",
            to_currency="USD",
            rate=D("1.08"),
            valid_from=TODAY - datetime.timedelta(days=3),
        )
        services.earning_approve(earning=line, by=world.admin)
        # a later rate changes nothing already approved
        ExchangeRateFactory(
            tenant=world.tenant,
            from_currency="EUR",
            to_currency="USD",
            rate=D("1.50"),
            valid_from=TODAY,
        )
        line.refresh_from_db()
        b = selectors.balances(partner_id=world.partner.pk)
        entry = LedgerEntry.objects.get(earning=line, kind="approve", bucket="approved")
    assert (line.fx_rate, line.payout_amount, line.payout_currency) == (
        D("1.08"),
        D("1080.00"),
        "USD",
    )
    assert (entry.amount, entry.currency, entry.fx_rate) == (D("1080.00"), "USD", D("1.08"))
    assert b["EUR"]["pending"] == D("0.00") and b["USD"]["approved"] == D("1080.00")


def test_a_line_cannot_be_approved_twice_and_the_ledger_refuses_a_second_move(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        line = compute(won_deal(world))[0]
        services.earning_approve(earning=line, by=world.admin)
        with pytest.raises(DomainError):
            services.earning_approve(earning=line, by=world.admin)
        assert LedgerEntry.objects.filter(earning=line, kind="approve").count() == 2
        entry = LedgerEntry.objects.filter(earning=line).first()
        with pytest.raises(RuntimeError):
            entry.save()


@pytest.fixture
def committed_line(transactional_db):
    from tests.conftest import build_world

    world = build_world("ledger")
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"})
        compute(won_deal(world))
    return world


def test_the_app_role_may_insert_but_not_update_or_delete_ledger_entries(committed_line):
    tenant_id = str(committed_line.tenant.pk)
    url = _test_db_url("DATABASE_URL").replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [tenant_id])
        assert conn.execute("SELECT count(*) FROM incentives_ledgerentry").fetchone()[0] == 1
        for sql in (
            "UPDATE incentives_ledgerentry SET amount = 1000000",
            "DELETE FROM incentives_ledgerentry",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
            conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [tenant_id])


def test_bulk_approval_approves_pending_lines_and_skips_the_rest(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        a, b = compute(won_deal(world))[0], compute(won_deal(world))[0]
        services.earning_approve(earning=a, by=world.admin)
        result = services.earnings_approve(ids=[a.pk, b.pk, 999999], by=world.channel_manager)
    assert result == {"approved": [b.pk], "skipped": [a.pk, 999999]}


def test_staff_adjustment_needs_a_reason_and_waits_for_approval(world):
    with tenant_context(world.tenant):
        p = program(world, rules={"sourced_rate": "10"})
        with pytest.raises(DomainError) as exc:
            services.earning_adjust(
                partner=world.partner, program=p, amount="50", reason=" ", by=world.admin
            )
        assert exc.value.field == "reason"
        with pytest.raises(DomainError) as exc:
            services.earning_adjust(
                partner=world.partner, program=p, amount="1.234", reason="x", by=world.admin
            )
        assert exc.value.field == "amount"
        line = services.earning_adjust(
            partner=world.partner,
            program=p,
            amount="-75.50",
            reason="Duplicate payment",
            by=world.admin,
        )
    assert (line.amount, line.status, line.kind) == (
        D("-75.50"),
        EarningStatus.PENDING,
        "adjustment",
    )


def test_paid_lines_move_to_paid_with_their_reference(world):
    with tenant_context(world.tenant):
        program(world, rules={"sourced_rate": "10"}, clawback_days=0)
        line = compute(won_deal(world, amount="3000"))[0]
        services.earning_approve(earning=line, by=world.admin)
        assert (
            services.earnings_mark_paid(earnings=[line], reference="BATCH-1", by=world.admin) == 1
        )
        assert (
            services.earnings_mark_paid(earnings=[line], reference="BATCH-1", by=world.admin) == 0
        )
        b = selectors.balances(partner_id=world.partner.pk)["USD"]
    assert (b["approved"], b["paid"]) == (D("0.00"), D("300.00"))
