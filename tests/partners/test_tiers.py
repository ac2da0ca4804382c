"""Tier evaluation (set-based), boundaries, grace periods, approvals and the what-if."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from partners import services, tiering
from partners.models import (
    Partner,
    PartnerMetrics,
    PartnerStatus,
    ProgramSettings,
    TierChange,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.factories import PartnerFactory, TierFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def program(world):
    t = world.tenant
    with tenant_context(t):
        tiers = {
            "Registered": TierFactory(tenant=t, name="Registered", rank=0),
            "Silver": TierFactory(
                tenant=t,
                name="Silver",
                rank=1,
                min_won_revenue_12m=Decimal("100000"),
                min_won_deals_12m=3,
                discount_pct=Decimal("10"),
                mdf_allocation=Decimal("5000"),
            ),
            "Gold": TierFactory(
                tenant=t,
                name="Gold",
                rank=2,
                min_won_revenue_12m=Decimal("500000"),
                min_won_deals_12m=10,
                min_certified_people=2,
                discount_pct=Decimal("20"),
                mdf_allocation=Decimal("20000"),
            ),
        }
    return world, tiers


def set_metrics(partner, rev, deals=0, certs=0, health=None):
    with tenant_context(partner.tenant):
        PartnerMetrics.objects.update_or_create(
            tenant=partner.tenant,
            partner=partner,
            defaults={
                "won_revenue_12m": Decimal(rev),
                "won_deals_12m": deals,
                "certified_people": certs,
                "health_score": health,
            },
        )


def tier_of(partner):
    with tenant_context(partner.tenant):
        p = Partner.objects.select_related("tier").get(pk=partner.pk)
        return p.tier.name if p.tier else None


def evaluate(world, today=TODAY):
    with tenant_context(world.tenant):
        return services.tiers_evaluate(tenant=world.tenant, today=today)


def test_new_active_partner_is_placed_in_the_entry_tier(program):
    world, _tiers = program
    first = evaluate(world)
    assert tier_of(world.partner) == "Registered"
    with tenant_context(world.tenant):
        active = Partner.objects.filter(status="active").count()
    assert first["upgraded"] >= 1
    assert first["unchanged"] == active - first["upgraded"]
    # Evaluated again, nobody moves: every active partner is counted unchanged.
    assert evaluate(world) == {
        "upgraded": 0,
        "pending_approval": 0,
        "grace_started": 0,
        "downgraded": 0,
        "unchanged": active,
    }


def test_exactly_meeting_every_requirement_qualifies(program):
    world, _ = program
    set_metrics(world.partner, "100000", deals=3)
    evaluate(world)
    assert tier_of(world.partner) == "Silver"


def test_one_cent_short_does_not_qualify(program):
    world, _ = program
    set_metrics(world.partner, "99999.99", deals=3)
    evaluate(world)
    assert tier_of(world.partner) == "Registered"


def test_every_requirement_must_be_met(program):
    world, _ = program
    set_metrics(world.partner, "900000", deals=50, certs=1)  # Gold needs 2 certified people
    evaluate(world)
    assert tier_of(world.partner) == "Silver"


def test_partners_that_are_not_active_are_not_evaluated(program):
    world, _ = program
    applicant = PartnerFactory(tenant=world.tenant, status=PartnerStatus.APPLICANT)
    set_metrics(applicant, "900000", deals=50, certs=5)
    evaluate(world)
    assert tier_of(applicant) is None


def test_upgrade_is_applied_and_audited_with_its_metrics(program):
    world, _ = program
    evaluate(world)
    set_metrics(world.partner, "150000", deals=4)
    result = evaluate(world)
    assert result["upgraded"] == 1
    with tenant_context(world.tenant):
        change = TierChange.objects.filter(partner=world.partner, to_tier__name="Silver").get()
        assert change.status == "applied" and change.direction == "up"
        assert change.metrics["won_revenue_12m"] == "150000.00"
        event = AuditEvent.objects.filter(
            action="partner.tier_changed", object_id=str(world.partner.pk)
        ).latest("id")
        assert event.after["metrics"]["won_deals_12m"] == 4


def test_upgrade_waits_for_approval_when_the_program_says_so(program):
    world, _ = program
    evaluate(world)
    with tenant_context(world.tenant):
        services.program_settings_update(by=world.admin, tier_upgrade_requires_approval=True)
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    assert tier_of(world.partner) == "Registered"
    with tenant_context(world.tenant):
        change = TierChange.objects.get(partner=world.partner, status="pending")
        services.tier_change_decide(change=change, by=world.admin, approve=True)
    assert tier_of(world.partner) == "Silver"


def test_a_second_evaluation_does_not_duplicate_a_pending_upgrade(program):
    world, _ = program
    evaluate(world)
    with tenant_context(world.tenant):
        services.program_settings_update(by=world.admin, tier_upgrade_requires_approval=True)
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    evaluate(world)
    with tenant_context(world.tenant):
        assert TierChange.objects.filter(partner=world.partner, status="pending").count() == 1


def test_falling_below_starts_a_grace_period_instead_of_a_downgrade(program):
    world, _ = program
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    set_metrics(world.partner, "1000", deals=1)
    result = evaluate(world, TODAY + datetime.timedelta(days=1))
    assert result["grace_started"] == 1
    assert tier_of(world.partner) == "Silver"
    with tenant_context(world.tenant):
        assert Partner.objects.get(
            pk=world.partner.pk
        ).below_tier_since == TODAY + datetime.timedelta(days=1)


def test_downgrade_happens_only_after_the_grace_period(program):
    world, _ = program
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    set_metrics(world.partner, "1000", deals=1)
    start = TODAY + datetime.timedelta(days=1)
    evaluate(world, start)
    evaluate(world, start + datetime.timedelta(days=89))
    assert tier_of(world.partner) == "Silver"
    evaluate(world, start + datetime.timedelta(days=90))
    assert tier_of(world.partner) == "Registered"


def test_recovering_during_grace_clears_it(program):
    world, _ = program
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    set_metrics(world.partner, "1000", deals=1)
    evaluate(world, TODAY + datetime.timedelta(days=1))
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world, TODAY + datetime.timedelta(days=2))
    with tenant_context(world.tenant):
        assert Partner.objects.get(pk=world.partner.pk).below_tier_since is None
    evaluate(world, TODAY + datetime.timedelta(days=200))
    assert tier_of(world.partner) == "Silver"


def test_grace_period_length_is_a_program_setting(program):
    world, _ = program
    with tenant_context(world.tenant):
        services.program_settings_update(by=world.admin, tier_downgrade_grace_days=10)
    set_metrics(world.partner, "150000", deals=4)
    evaluate(world)
    set_metrics(world.partner, "0")
    evaluate(world, TODAY)
    evaluate(world, TODAY + datetime.timedelta(days=10))
    assert tier_of(world.partner) == "Registered"


def test_evaluation_sends_the_partner_admins_a_notice(program, django_capture_on_commit_callbacks):
    world, _ = program
    evaluate(world)
    set_metrics(world.partner, "150000", deals=4)
    from django.core import mail

    # The notice is a Celery task queued after commit; here it runs in-process.
    from partners.tasks import notify_tier_event

    with django_capture_on_commit_callbacks() as callbacks:
        evaluate(world)
    assert callbacks, "no notification was queued"
    # The e-mail itself leaves after the task's transaction commits (prm.notifications).
    with django_capture_on_commit_callbacks(execute=True):
        notify_tier_event(tenant_id=world.tenant.pk, partner_id=world.partner.pk, kind="upgraded")
    assert mail.outbox[-1].to == [world.partner_admin.user.email]
    assert "Silver" in mail.outbox[-1].body


def test_what_if_lists_movers_and_commitment_changes_without_saving(program):
    world, tiers = program
    set_metrics(world.partner, "150000", deals=4)
    set_metrics(world.other_partner, "80000", deals=3)
    evaluate(world)
    proposed = [
        tiering.WhatIfTier(
            id=t.pk,
            rank=t.rank,
            name=t.name,
            min_rev=t.min_won_revenue_12m,
            min_deals=t.min_won_deals_12m,
            min_certs=t.min_certified_people,
            min_health=t.min_health_score,
            discount_pct=t.discount_pct,
            mdf_allocation=t.mdf_allocation,
            mdf_accrual_pct=t.mdf_accrual_pct,
        )
        for t in tiers.values()
    ]
    silver = next(t for t in proposed if t.name == "Silver")
    silver.min_rev = Decimal("75000")  # lower the bar: other_partner moves up
    with tenant_context(world.tenant):
        result = tiering.what_if(tenant=world.tenant, tiers=proposed)
    assert [m["partner_id"] for m in result["movers"]] == [world.other_partner.pk]
    assert result["up"] == 1 and result["down"] == 0
    assert result["discount_change"] == Decimal("8000")  # 10% of 80,000
    assert result["mdf_change"] == Decimal("5000")
    assert tier_of(world.other_partner) == "Registered"


def test_evaluation_touches_only_its_own_tenant(program, stranger):
    world, _ = program
    with tenant_context(stranger.tenant):
        TierFactory(tenant=stranger.tenant, name="Base", rank=0)
    evaluate(world)
    assert tier_of(stranger.partner) is None


def test_program_settings_reject_bad_values(program):
    world, _ = program
    from django.core.exceptions import ValidationError

    with tenant_context(world.tenant), pytest.raises(ValidationError):
        services.program_settings_update(by=world.admin, tier_downgrade_grace_days=-5)
    with tenant_context(world.tenant):
        assert ProgramSettings.for_tenant(world.tenant).tier_downgrade_grace_days == 90
