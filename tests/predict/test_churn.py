"""The churn model: it recovers a planted signal and beats the rule; on noise it does not
and the rules stay in charge; no feature reads data after its as-of date; a model never
crosses tenants; too little history is a status, not a crash."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from predict import features, selectors, services
from predict.models import ModelStatus, PredictionModel, PredictionScore, Task
from prm.audit import AuditEvent
from prm.tenancy import tenant_context
from tests.factories import (
    DealFactory,
    HealthSnapshotFactory,
    MemberActivityFactory,
    MemberFactory,
    PredictionModelFactory,
    TierChangeFactory,
)
from tests.predict import worlds

pytestmark = pytest.mark.django_db


def _train(tenant):
    with tenant_context(tenant):
        return services.model_train(tenant=tenant, task=Task.CHURN)


def test_on_a_planted_signal_the_model_beats_the_rule_and_explains_itself(world):
    worlds.build(world.tenant, kind="signal")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE
    assert model.metrics["auc"] > 0.75
    assert model.metrics["auc"] > model.metrics["rule_auc"] + 0.05
    assert model.beats_rule and model.in_use
    assert model.test_start > model.window_start
    with tenant_context(world.tenant):
        assert selectors.model_in_use(Task.CHURN) == model
        scores = list(PredictionScore.objects.filter(task=Task.CHURN))
        # Every partner that can still become inactive is scored; none that already has
        # (quiet for longer than the inactivity days), whose score would be a guess.
        history = features.load_history(world.tenant, today=timezone.localdate())
        can_churn = {
            pid
            for pid in history.start
            if features.active_at(history, pid, history.today, 90)
            and history.current_status.get(pid) == "active"
        }
        gone = set(history.start) - can_churn
        assert len(gone) > 20 and len(can_churn) > 20  # the fading half has partly gone quiet
        assert {s.partner_id for s in scores} == can_churn
        top = max(scores, key=lambda s: s.probability)
        assert top.factors and top.factors[0]["feature"] in features.FEATURES
        # The strongest reason for the riskiest partner is about its engagement going quiet.
        assert any(
            f["feature"] in {"login_days_30d", "login_trend", "days_since_activity"}
            for f in top.factors
        )
        assert AuditEvent.objects.filter(
            action="predict.model_trained", object_id=str(model.pk)
        ).exists()


def test_on_noise_the_model_does_not_beat_the_rule_and_the_rules_stay(world):
    worlds.build(world.tenant, kind="noise")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE
    assert model.metrics["auc"] < 0.65
    assert not model.beats_rule
    with tenant_context(world.tenant):
        assert selectors.model_in_use(Task.CHURN) is None


def test_too_little_history_is_a_status_with_the_reason_not_a_crash(world):
    model = _train(world.tenant)
    assert model.status == ModelStatus.INSUFFICIENT
    assert "not enough history" in model.message
    assert model.metrics["insufficient"]["need"] > model.metrics["insufficient"]["rows"]
    assert not model.estimator
    with tenant_context(world.tenant):
        assert selectors.model_in_use(Task.CHURN) is None
        assert not PredictionScore.objects.exists()


def test_a_new_model_retires_the_previous_one(world):
    worlds.build(world.tenant, kind="signal", partners=120)
    first = _train(world.tenant)
    second = _train(world.tenant)
    with tenant_context(world.tenant):
        first.refresh_from_db()
    assert (first.status, second.status) == (ModelStatus.RETIRED, ModelStatus.ACTIVE)
    assert second.version == first.version + 1
    with tenant_context(world.tenant):
        assert {s.model_id for s in PredictionScore.objects.all()} == {second.pk}


def test_no_feature_reads_data_after_its_as_of_date(world):
    tenant, partner = world.tenant, world.partner
    today = timezone.localdate()
    as_of = today - datetime.timedelta(days=100)
    member = MemberFactory(tenant=tenant, role="partner_user", partner=partner)
    with tenant_context(tenant):
        from partners.models import Partner

        Partner.objects.filter(pk=partner.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=400),
            activated_at=timezone.now() - datetime.timedelta(days=400),
        )

    def at(days_ago: int):
        return timezone.now() - datetime.timedelta(days=days_ago)

    def history_rows(days_ago_list):
        for n in days_ago_list:
            MemberActivityFactory(tenant=tenant, member=member, day=at(n).date())
            HealthSnapshotFactory(
                tenant=tenant, partner=partner, day=at(n).date(), score=30 + n % 50
            )
        for n in days_ago_list:
            DealFactory(tenant=tenant, partner=partner, submitted_at=at(n))

    def features_as_of():
        with tenant_context(tenant):
            h = features.load_history(tenant, today=today)
        return features.features_at(h, partner.pk, features.day(as_of))

    history_rows([300, 200, 150, 120, 110, 101])
    before = features_as_of()
    # Everything after the as-of date: sign-ins, health, registrations, a tier change.
    history_rows([99, 90, 60, 30, 5])
    TierChangeFactory(
        tenant=tenant, partner=partner, status="applied", direction="down", decided_at=at(50)
    )
    assert features_as_of() == before
    # The same history does change what is seen as of a later day (the test can fail).
    with tenant_context(tenant):
        h = features.load_history(tenant, today=today)
    assert features.features_at(h, partner.pk, features.day(today)) != before


def test_churn_label_follows_the_inactivity_definition(world):
    h = features.History(today=1000)
    h.start = {1: 0}
    h.created = {1: 0}
    import numpy as np

    h.activity = {1: np.asarray([100, 150, 260], dtype=np.int64)}
    # Active on 200 (50 days since 150); quiet until 260, a gap of 110 >= 90: inactive at 240.
    assert features.active_at(h, 1, 200, 90)
    assert features.churn_label(h, 1, 200, 90) == 1
    # With 120 days allowed, 150 -> 260 is no lapse; after 260 the next lapse is day 380.
    assert features.churn_label(h, 1, 200, 120) == 0
    # Offboarded within the horizon counts as inactive.
    h.offboarded = {1: 250}
    assert features.churn_label(h, 1, 200, 120) == 1


def test_a_model_trained_for_one_tenant_is_never_used_for_another(world, stranger):
    worlds.build(world.tenant, kind="signal", partners=120)
    mine = _train(world.tenant)
    with tenant_context(stranger.tenant):
        # The stranger's scoped rows do not include it ...
        assert not PredictionModel.objects.filter(pk=mine.pk).exists()
        assert selectors.active_model(Task.CHURN) is None
        # ... and the loader refuses it even when handed the row.
        with pytest.raises(selectors.WrongTenant):
            selectors.load_estimator(mine, tenant=stranger.tenant)
        # A payload fitted for another tenant, copied into the stranger's row, is refused too.
        copied = PredictionModelFactory(
            tenant=stranger.tenant,
            task=Task.CHURN,
            version=1,
            status=ModelStatus.ACTIVE,
            features=mine.features,
            estimator=mine.estimator,
            beats_rule=True,
        )
        with pytest.raises(selectors.WrongTenant):
            services.scores_compute(tenant=stranger.tenant, model=copied)
    # Training the stranger reads only its own rows: too little history there.
    other = _train(stranger.tenant)
    assert other.status == ModelStatus.INSUFFICIENT
    assert other.train_rows < 10
