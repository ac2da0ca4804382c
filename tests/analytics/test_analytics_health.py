"""Health scores: each component, the explanation, daily snapshots, at-risk episodes and the
single notification per episode."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from analytics import rules, services
from analytics.models import AnalyticsSettings, HealthSnapshot, MemberActivity, RiskEpisode
from dealreg.models import Deal, DealStatus
from partners.models import PartnerMetrics
from prm.audit import audit_context, log_action
from prm.tenancy import tenant_context
from tests.factories import DealFactory, PartnerMetricsFactory

TODAY = datetime.date(2026, 6, 15)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def make_deal(
    partner,
    *,
    submitted: datetime.date,
    status=DealStatus.APPROVED,
    amount=1000,
    closed: datetime.date | None = None,
    won_amount=None,
    **extra,
) -> Deal:
    return DealFactory(
        tenant=partner.tenant,
        partner=partner,
        customer_name=f"Customer {Deal.objects.count()}",
        customer_name_normalised="customer",
        status=status,
        amount=Decimal(amount),
        submitted_at=at(submitted),
        closed_at=closed,
        won_amount=None if won_amount is None else Decimal(won_amount),
        **extra,
    )


def only_weight(tenant, key: str) -> None:
    config = AnalyticsSettings.for_tenant(tenant)
    for k in rules.COMPONENTS:
        setattr(config, f"weight_{k}", 1 if k == key else 0)
    config.save()


def snapshot(partner, day=TODAY) -> HealthSnapshot:
    return HealthSnapshot.objects.get(partner=partner, day=day)


def component(snap: HealthSnapshot, key: str) -> dict:
    return next(c for c in snap.components if c["key"] == key)


# --- Pure scoring -------------------------------------------------------------------------


def test_pipeline_at_peer_median_scores_full_marks():
    frac, _detail = rules.component_fractions(
        rules.Figures(pipeline_90=Decimal("500"), median_pipeline_90=Decimal("500"))
    )["pipeline"]
    assert frac == 1.0


def test_pipeline_half_the_median_scores_half():
    frac, _ = rules.component_fractions(
        rules.Figures(pipeline_90=Decimal("250"), median_pipeline_90=Decimal("500"))
    )["pipeline"]
    assert frac == 0.5


def test_won_revenue_is_relative_to_peer_median():
    frac, _ = rules.component_fractions(
        rules.Figures(won_12m=Decimal("100"), median_won_12m=Decimal("400"))
    )["won_revenue"]
    assert frac == 0.25


def test_win_rate_is_won_over_closed():
    frac, detail = rules.component_fractions(rules.Figures(won_deals=3, lost_deals=1))["win_rate"]
    assert (frac, detail) == (0.75, "3 won of 4 closed")


def test_recency_decays_linearly_after_thirty_days():
    frac, _ = rules.component_fractions(rules.Figures(days_since_last=105))["recency"]
    assert frac == 0.5


def test_recency_without_any_registration_is_zero():
    frac, _ = rules.component_fractions(rules.Figures(days_since_last=None))["recency"]
    assert frac == 0.0


def test_training_combines_certified_people_and_completions():
    frac, _ = rules.component_fractions(rules.Figures(certified_people=1, completions_12m=3))[
        "training"
    ]
    assert frac == pytest.approx(0.35 + 0.3)


def test_activity_counts_active_member_days():
    frac, _ = rules.component_fractions(rules.Figures(active_days_30=4))["activity"]
    assert frac == 0.5


def test_mdf_utilisation_is_paid_over_allocated():
    frac, _ = rules.component_fractions(
        rules.Figures(mdf_allocated=Decimal("1000"), mdf_paid=Decimal("250"))
    )["mdf"]
    assert frac == 0.25


def test_onboarding_progress_is_steps_done_over_total():
    frac, _ = rules.component_fractions(rules.Figures(onboarding_done=1, onboarding_total=4))[
        "onboarding"
    ]
    assert frac == 0.25


def test_component_without_data_is_left_out_and_others_count_more():
    weights = dict.fromkeys(rules.COMPONENTS, 0) | {"mdf": 50, "recency": 50}
    value, components, _ = rules.score(rules.Figures(days_since_last=10), weights)
    mdf = next(c for c in components if c["key"] == "mdf")
    assert (value, mdf["counted"]) == (100, False)


def test_pipeline_drop_is_explained_against_previous_90_days():
    drivers = rules.drivers(
        rules.Figures(pipeline_90=Decimal("600"), pipeline_prev_90=Decimal("1000")), []
    )
    assert rules.english(drivers[0]) == "Pipeline down 40% vs the previous 90 days"


def test_risk_when_score_below_threshold():
    assert rules.risk(score_today=30, score_30_days_ago=None, below=40, drop=15)


def test_risk_when_score_drops_more_than_allowed_in_30_days():
    reason = rules.risk(score_today=60, score_30_days_ago=80, below=40, drop=15)
    assert reason == "Health score fell 20 points in 30 days"


def test_no_risk_for_a_drop_within_the_allowance():
    assert rules.risk(score_today=70, score_30_days_ago=80, below=40, drop=15) == ""


# --- Computation against the database -----------------------------------------------------


def test_pipeline_component_reads_deals_of_the_last_90_days(world):
    with tenant_context(world.tenant):
        only_weight(world.tenant, "pipeline")
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=10), amount=500)
        make_deal(world.other_partner, submitted=TODAY - datetime.timedelta(days=10), amount=1000)
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=200), amount=9999)
        services.health_compute(tenant=world.tenant, today=TODAY)
        snap = snapshot(world.partner)
    # Peer median of non-zero pipelines is 750; 500 / 750 of the only counted component.
    assert snap.score == 67


def test_won_revenue_component_counts_won_amount_of_trailing_year(world):
    with tenant_context(world.tenant):
        only_weight(world.tenant, "won_revenue")
        make_deal(
            world.partner,
            submitted=TODAY - datetime.timedelta(days=100),
            status=DealStatus.WON,
            closed=TODAY - datetime.timedelta(days=50),
            won_amount=2000,
        )
        services.health_compute(tenant=world.tenant, today=TODAY)
        snap = snapshot(world.partner)
    assert rules.english(component(snap, "won_revenue")["detail_msg"]).startswith("2,000 won")


def test_win_rate_component_from_won_and_lost_deals(world):
    with tenant_context(world.tenant):
        only_weight(world.tenant, "win_rate")
        for status in (DealStatus.WON, DealStatus.LOST, DealStatus.LOST, DealStatus.LOST):
            make_deal(
                world.partner,
                submitted=TODAY - datetime.timedelta(days=60),
                status=status,
                closed=TODAY - datetime.timedelta(days=5),
            )
        services.health_compute(tenant=world.tenant, today=TODAY)
        assert snapshot(world.partner).score == 25


def test_recency_component_uses_the_last_submission(world):
    with tenant_context(world.tenant):
        only_weight(world.tenant, "recency")
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=105))
        services.health_compute(tenant=world.tenant, today=TODAY)
        assert snapshot(world.partner).score == 50


def test_training_component_reads_certified_people_from_metrics(world):
    with tenant_context(world.tenant):
        only_weight(world.tenant, "training")
        PartnerMetricsFactory(tenant=world.tenant, partner=world.partner, certified_people=2)
        services.health_compute(tenant=world.tenant, today=TODAY)
        assert snapshot(world.partner).score == 70


def test_activity_component_counts_days_with_audited_actions(world):
    today = timezone.localdate()
    with tenant_context(world.tenant):
        only_weight(world.tenant, "activity")
        with audit_context(user_id=world.partner_admin.user_id):
            log_action("deal.saved", object_type="x", object_id="1")
            log_action("deal.submitted", object_type="x", object_id="1")
        services.health_compute(tenant=world.tenant, today=today)
        activity = MemberActivity.objects.get(member=world.partner_admin)
        snap = snapshot(world.partner, today)
    assert (activity.actions, rules.english(component(snap, "activity")["detail_msg"])) == (
        2,
        "1 active member-day",
    )


def test_score_is_written_to_partner_metrics_for_tier_evaluation(world):
    with tenant_context(world.tenant):
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=5))
        services.health_compute(tenant=world.tenant, today=TODAY)
        metrics = PartnerMetrics.objects.get(partner=world.partner)
        assert metrics.health_score == snapshot(world.partner).score


def test_snapshot_stores_components_and_drivers(world):
    with tenant_context(world.tenant):
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=120), amount=1000)
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=20), amount=400)
        services.health_compute(tenant=world.tenant, today=TODAY)
        snap = snapshot(world.partner)
    assert len(snap.components) == len(rules.COMPONENTS)
    assert "Pipeline down 60% vs the previous 90 days" in [rules.english(d) for d in snap.drivers]


def test_rerun_of_the_same_day_replaces_the_snapshot(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant, today=TODAY)
        services.health_compute(tenant=world.tenant, today=TODAY)
        assert HealthSnapshot.objects.filter(partner=world.partner).count() == 1


def test_applicants_are_not_scored(world):
    with tenant_context(world.tenant):
        world.other_partner.status = "applicant"
        world.other_partner.save()
        services.health_compute(tenant=world.tenant, today=TODAY)
        assert not HealthSnapshot.objects.filter(partner=world.other_partner).exists()


# --- At risk ------------------------------------------------------------------------------


def test_partner_is_flagged_when_score_drops_too_far(world):
    with tenant_context(world.tenant):
        config = AnalyticsSettings.for_tenant(world.tenant)
        config.at_risk_below = 10
        config.save()
        only_weight(world.tenant, "recency")
        make_deal(world.partner, submitted=TODAY - datetime.timedelta(days=30))
        services.health_compute(tenant=world.tenant, today=TODAY)  # 30 days: 100
        later = TODAY + datetime.timedelta(days=29)  # 59 days: 81
        services.health_compute(tenant=world.tenant, today=later)
        snap = snapshot(world.partner, later)
    assert (snap.at_risk, snap.risk_reason) == (True, "Health score fell 19 points in 30 days")


def test_partner_below_threshold_opens_one_episode(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant, today=TODAY)
        services.health_compute(tenant=world.tenant, today=TODAY + datetime.timedelta(days=1))
        assert RiskEpisode.objects.filter(partner=world.partner).count() == 1


def test_recovered_partner_closes_its_episode(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant, today=TODAY)
        only_weight(world.tenant, "recency")
        make_deal(world.partner, submitted=TODAY)
        services.health_compute(tenant=world.tenant, today=TODAY + datetime.timedelta(days=1))
        episode = RiskEpisode.objects.get(partner=world.partner)
    assert episode.ended_on == TODAY + datetime.timedelta(days=1)


def test_channel_manager_is_notified_once_per_episode(world):
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save()
        services.health_compute(tenant=world.tenant, today=TODAY)
        episode = RiskEpisode.objects.get(partner=world.partner)
        mail.outbox.clear()
        first = services.at_risk_notify(tenant=world.tenant, episode_id=episode.pk)
        second = services.at_risk_notify(tenant=world.tenant, episode_id=episode.pk)
    assert (first, second) == (True, False)


def test_at_risk_notice_goes_through_the_outbox_to_the_channel_manager_only(world):
    from integrations.relay import fan_out
    from prm.models import Notification

    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save()
        services.health_compute(tenant=world.tenant, today=TODAY, notify=False)
        episode = RiskEpisode.objects.get(partner=world.partner)
        services.at_risk_notify(tenant=world.tenant, episode_id=episode.pk)
        fan_out(tenant=world.tenant)
        members = list(
            Notification.objects.filter(event_type="partner.health_at_risk").values_list(
                "member_id", flat=True
            )
        )
    assert members == [world.channel_manager.pk]


def test_at_risk_event_is_single_per_episode_under_task_redelivery(world):
    from prm.models import OutboxEvent

    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant, today=TODAY, notify=False)
        episode = RiskEpisode.objects.get(partner=world.partner)
        for _ in range(3):  # the same task delivered three times
            services.at_risk_notify(tenant=world.tenant, episode_id=episode.pk)
        payloads = list(
            OutboxEvent.objects.filter(event_type="partner.health_at_risk").values_list(
                "payload", flat=True
            )
        )
    assert [(p["episode_id"], p["partner_id"]) for p in payloads] == [
        (episode.pk, world.partner.pk)
    ]


def test_health_compute_queues_one_notification_per_new_episode(
    world, django_capture_on_commit_callbacks
):
    with tenant_context(world.tenant):
        with django_capture_on_commit_callbacks() as first:
            services.health_compute(tenant=world.tenant, today=TODAY)
        with django_capture_on_commit_callbacks() as second:
            services.health_compute(tenant=world.tenant, today=TODAY + datetime.timedelta(days=1))
    # Two partners at risk on day one (no data at all); nothing new on day two.
    assert (len(first), len(second)) == (2, 0)
