"""The MDF ledger: every movement, the derived balances, the budget, allocations by tier and
accruals (set-based and idempotent), and the append-only guarantee."""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg
import pytest
from django.utils import timezone

from mdf import selectors, services
from mdf.models import LedgerEntry
from partners.models import PartnerStatus
from prm.errors import DomainError
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import _test_db_url
from tests.factories import PartnerFactory, TierFactory
from tests.mdf.test_mdf_support import (
    claim_fields,
    make_deal,
    make_program,
    pdf_upload,
    request_fields,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def balance(program, partner) -> dict:
    b = selectors.balance_for(program=program, partner=partner)
    keys = ("allocated", "committed", "claimed", "paid", "expired", "available")
    return {k: b[k] for k in keys}


def kinds(program) -> list[tuple[str, Decimal]]:
    return list(program.entries.order_by("id").values_list("kind", "amount"))


def test_allocation_is_an_allocate_entry_and_makes_funds_available(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        assert kinds(program) == [("allocate", D("5000.00"))]
        assert balance(program, world.partner) == {
            "allocated": D("5000"),
            "committed": D("0"),
            "claimed": D("0"),
            "paid": D("0"),
            "expired": D("0"),
            "available": D("5000"),
        }


def test_negative_allocation_is_an_adjustment_limited_to_what_is_available(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        services.allocation_add(program=program, partner=world.partner, amount="-1500", by=None)
        assert kinds(program)[-1] == ("adjustment", D("-1500.00"))
        assert balance(program, world.partner)["available"] == D("3500")
        with pytest.raises(DomainError) as exc:
            services.allocation_add(
                program=program, partner=world.partner, amount="-3500.01", by=None
            )
        assert exc.value.field == "amount"
        assert balance(program, world.partner)["available"] == D("3500")


def test_allocations_cannot_exceed_the_program_budget(world):
    with tenant_context(world.tenant):
        program = make_program(world, budget="10000")
        services.allocation_add(program=program, partner=world.partner, amount="8000", by=None)
        with pytest.raises(DomainError, match="budget"):
            services.allocation_add(
                program=program, partner=world.other_partner, amount="2000.01", by=None
            )
        services.allocation_add(
            program=program, partner=world.other_partner, amount="2000", by=None
        )
        assert selectors.program_totals([program.pk])[program.pk]["allocated"] == D("10000")


def test_budget_cannot_be_lowered_below_what_is_allocated(world):
    with tenant_context(world.tenant):
        program = make_program(world, budget="10000")
        services.allocation_add(program=program, partner=world.partner, amount="6000", by=None)
        with pytest.raises(DomainError) as exc:
            services.program_update(program=program, by=world.admin, budget=D("5999.99"))
        assert exc.value.field == "budget"
        services.program_update(program=program, by=world.admin, budget=D("6000"))


def test_amounts_with_more_than_two_decimals_are_refused(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        with pytest.raises(DomainError, match="two decimal"):
            services.allocation_add(
                program=program, partner=world.partner, amount="10.005", by=None
            )


def _tiers(world):
    gold = TierFactory(
        tenant=world.tenant, name="Gold", rank=2, mdf_allocation=D("7000"), mdf_accrual_pct=D("2")
    )
    silver = TierFactory(
        tenant=world.tenant,
        name="Silver",
        rank=1,
        mdf_allocation=D("3000"),
        mdf_accrual_pct=D("1.5"),
    )
    return gold, silver


def test_allocation_by_tier_gives_every_active_partner_its_tier_amount_once(world):
    with tenant_context(world.tenant):
        gold, silver = _tiers(world)
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])
        world.other_partner.tier = silver
        world.other_partner.save(update_fields=["tier"])
        suspended = PartnerFactory(
            tenant=world.tenant, name="Dormant", status=PartnerStatus.SUSPENDED, tier=gold
        )
        program = make_program(world)
        result = services.program_allocate_by_tier(program=program, by=world.admin)
        assert result == {"partners": 2, "total": D("10000")}
        assert balance(program, world.partner)["allocated"] == D("7000")
        assert balance(program, world.other_partner)["allocated"] == D("3000")
        assert balance(program, suspended)["allocated"] == D("0")
        # Running it again adds nothing; a partner that joins later gets its share.
        assert services.program_allocate_by_tier(program=program, by=world.admin)["partners"] == 0
        newcomer = PartnerFactory(tenant=world.tenant, name="Newcomer", tier=silver)
        assert services.program_allocate_by_tier(program=program, by=world.admin) == {
            "partners": 1,
            "total": D("3000"),
        }
        assert balance(program, newcomer)["allocated"] == D("3000")
        assert AuditEvent.objects.filter(action="mdf.allocation.by_tier").count() == 2


def test_allocation_by_tier_over_budget_is_refused_as_a_whole(world):
    with tenant_context(world.tenant):
        gold, silver = _tiers(world)
        for p, t in ((world.partner, gold), (world.other_partner, silver)):
            p.tier = t
            p.save(update_fields=["tier"])
        program = make_program(world, budget="9999.99")
        with pytest.raises(DomainError, match="budget"):
            services.program_allocate_by_tier(program=program, by=world.admin)
        assert not LedgerEntry.objects.filter(program=program).exists()


def test_accrual_is_the_tier_percentage_of_won_revenue_in_the_period(world):
    with tenant_context(world.tenant):
        gold, _silver = _tiers(world)
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])
        program = make_program(world)
        inside = program.start_date + datetime.timedelta(days=3)
        make_deal(world, status="won", won_amount="12345.67", closed_at=inside)
        make_deal(world, status="won", won_amount="10000", closed_at=program.end_date)
        # Not counted: before the period, not won, another currency without a rate.
        make_deal(
            world,
            status="won",
            won_amount="99999",
            closed_at=program.start_date - datetime.timedelta(days=1),
        )
        make_deal(world, status="approved", amount="50000")
        make_deal(world, status="won", won_amount="5000", closed_at=inside, currency="JPY")
        result = services.program_accrue(program=program)
        # 2 % of 22,345.67 = 446.9134 -> 446.91
        assert result == {"partners": 1, "total": D("446.91")}
        entry = program.entries.get(kind="accrue")
        assert entry.amount == D("446.91") and entry.partner_id == world.partner.pk
        assert "2% of 22345.67" in entry.memo


def test_accrual_rerun_is_idempotent_and_adds_only_the_difference(world):
    with tenant_context(world.tenant):
        gold, _silver = _tiers(world)
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])
        program = make_program(world)
        inside = program.start_date + datetime.timedelta(days=3)
        make_deal(world, status="won", won_amount="10000", closed_at=inside)
        services.program_accrue(program=program)
        assert services.program_accrue(program=program) == {"partners": 0, "total": D("0")}
        make_deal(world, status="won", won_amount="5000", closed_at=inside)
        assert services.program_accrue(program=program) == {"partners": 1, "total": D("100.00")}
        assert list(
            program.entries.filter(kind="accrue").order_by("id").values_list("amount", flat=True)
        ) == [D("200.00"), D("100.00")]
        assert balance(program, world.partner)["allocated"] == D("300")


def test_accrual_converts_deals_in_other_currencies_at_the_rate_of_the_close_date(world):
    with tenant_context(world.tenant):
        gold, _silver = _tiers(world)
        world.partner.tier = gold
        world.partner.save(update_fields=["tier"])
        program = make_program(world)
        day = program.start_date + datetime.timedelta(days=5)
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.10",
            valid_from=day - datetime.timedelta(days=30),
        )
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.20",
            valid_from=day + datetime.timedelta(days=1),
        )
        make_deal(world, status="won", won_amount="1000", closed_at=day, currency="EUR")
        # 1000 EUR x 1.10 = 1100 USD; 2 % = 22.00
        assert services.program_accrue(program=program)["total"] == D("22.00")


def test_commit_release_claim_and_payment_move_the_derived_balances(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="10000", by=None)
        req = services.request_submit(
            program=program,
            by=world.partner_admin,
            **request_fields(program, planned_cost=D("6000"), requested_amount=D("3000")),
        )
        assert balance(program, world.partner)["committed"] == D("0")
        req = services.request_transition(
            request=req, to="approved", by=world.channel_manager, amount="2500"
        )
        assert kinds(program)[-1] == ("commit", D("2500.00"))
        assert balance(program, world.partner) == {
            "allocated": D("10000"),
            "committed": D("2500"),
            "claimed": D("0"),
            "paid": D("0"),
            "expired": D("0"),
            "available": D("7500"),
        }
        claim = services.claim_submit(
            request=req,
            by=world.partner_user,
            documents=[("invoice", pdf_upload())],
            **claim_fields(req, actual_cost=D("5000"), amount_claimed=D("2400")),
        )
        claim = services.claim_transition(
            claim=claim, to="approved", by=world.channel_manager, amount="2000"
        )
        # Approved for less: 2,000 claimed, the other 500 of the commitment released.
        assert kinds(program)[-2:] == [("claim_approved", D("2000.00")), ("release", D("500.00"))]
        assert balance(program, world.partner) == {
            "allocated": D("10000"),
            "committed": D("0"),
            "claimed": D("2000"),
            "paid": D("0"),
            "expired": D("0"),
            "available": D("8000"),
        }
        req.refresh_from_db()
        assert req.status == "completed"
        services.claim_transition(
            claim=claim,
            to="paid",
            by=world.admin,
            payment_reference="WIRE-1",
            paid_on=timezone.localdate(),
        )
        assert kinds(program)[-1] == ("payment", D("2000.00"))
        assert balance(program, world.partner) == {
            "allocated": D("10000"),
            "committed": D("0"),
            "claimed": D("0"),
            "paid": D("2000"),
            "expired": D("0"),
            "available": D("8000"),
        }


def test_cancelling_an_approved_request_releases_its_commitment(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="4000", by=None)
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = services.request_transition(request=req, to="approved", by=world.channel_manager)
        assert balance(program, world.partner)["available"] == D("3000")
        services.request_transition(request=req, to="cancelled", by=world.partner_user)
        assert kinds(program)[-1] == ("release", D("1000.00"))
        assert balance(program, world.partner)["available"] == D("4000")
        assert balance(program, world.partner)["committed"] == D("0")


def test_rejecting_or_returning_a_request_moves_no_money(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="4000", by=None)
        a = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        b = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        services.request_transition(request=a, to="rejected", by=world.admin, reason="No.")
        services.request_transition(request=b, to="returned", by=world.admin, reason="Agenda?")
        assert kinds(program) == [("allocate", D("4000.00"))]


def test_balances_are_one_query_for_any_number_of_partners(world, django_assert_num_queries):
    with tenant_context(world.tenant):
        program = make_program(world)
        for i in range(5):
            p = PartnerFactory(tenant=world.tenant, name=f"P{i}")
            services.allocation_add(program=program, partner=p, amount="100", by=None)
        with django_assert_num_queries(1):
            rows = list(selectors.balances(program=program))
        assert len(rows) == 5 and all(r["available"] == D("100") for r in rows)


def test_ledger_entries_cannot_be_saved_twice_through_the_orm(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        entry = services.allocation_add(
            program=program, partner=world.partner, amount="100", by=None
        )
        entry.amount = D("1000000")
        with pytest.raises(RuntimeError, match="append-only"):
            entry.save()


@pytest.fixture
def committed_entry(transactional_db):
    from tests.conftest import build_world

    world = build_world("ledger")
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="100", by=None)
    return world


def test_app_role_can_insert_but_not_update_or_delete_ledger_rows(committed_entry):
    tenant_id = str(committed_entry.tenant.pk)
    url = _test_db_url("DATABASE_URL").replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [tenant_id])
        assert conn.execute("SELECT count(*) FROM mdf_ledgerentry").fetchone()[0] == 1
        for sql in (
            "UPDATE mdf_ledgerentry SET amount = 1000000",
            "DELETE FROM mdf_ledgerentry",
            "TRUNCATE mdf_ledgerentry",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
            conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [tenant_id])
