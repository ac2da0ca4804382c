"""Win probability: on deals whose outcome depends on the partner's record and the deal's
size, the calibrated model beats the partner's past win rate and feeds the forecast; on
coin tosses it does not, and the forecast keeps the rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealreg.models import ACTIVE_STATUSES, Deal
from predict import selectors, services
from predict.models import ModelStatus, PredictionScore, Task
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.html_helpers import find
from tests.predict import worlds

pytestmark = pytest.mark.django_db


def _train(tenant):
    with tenant_context(tenant):
        return services.model_train(tenant=tenant, task=Task.WIN)


def test_on_a_planted_signal_the_win_model_beats_the_rule_and_is_calibrated(world):
    worlds.build_deals(world.tenant, kind="signal")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE
    assert model.beats_rule, model.metrics
    assert model.metrics["auc"] > model.metrics["rule_auc"]
    # Reliability: within each well-filled bucket the observed share is near the predicted.
    for bucket in model.metrics["calibration"]:
        if bucket["count"] >= 40:
            assert abs(bucket["observed"] - bucket["predicted"]) < 0.2, bucket
    with tenant_context(world.tenant):
        open_deals = Deal.objects.filter(status__in=ACTIVE_STATUSES)
        scores = PredictionScore.objects.filter(task=Task.WIN)
        assert scores.count() == open_deals.count() > 0
        assert set(scores.values_list("deal_id", flat=True)) == set(
            open_deals.values_list("pk", flat=True)
        )
        result = selectors.forecast()
        assert result["by_model"]
        expected = sum(
            (d.amount * Decimal(str(scores.get(deal=d).probability)) for d in open_deals),
            Decimal(0),
        )
        total = sum((r["expected"] for r in result["rows"]), Decimal(0))
        assert abs(total - expected) <= Decimal("0.01") * len(result["rows"])
        deal = open_deals.first()
        probability = scores.get(deal=deal).probability
    # Staff see the deal's probability on its page (a panel through prm.panels).
    page = portal_client(world.tenant, world.admin).get(f"/deals/{deal.pk}/")
    panel = find(page, "section", aria_labelledby="win-h")
    assert f"{round(probability * 100)}" in panel.text()
    listed = api_client(world.tenant, world.channel_manager).get(
        f"/api/v1/prediction-scores/?task=win&deal={deal.pk}"
    )
    assert [r["probability"] for r in listed.json()["results"]] == [probability]


def test_on_coin_tosses_the_win_model_does_not_beat_the_rule_and_the_forecast_keeps_it(world):
    worlds.build_deals(world.tenant, kind="noise")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE
    assert not model.beats_rule
    with tenant_context(world.tenant):
        assert selectors.forecast()["by_model"] is False
    home = portal_client(world.tenant, world.admin).get("/")
    card = find(home, "section", id="home-predict-forecast")
    assert "past win rate" in card.text()
    page = portal_client(world.tenant, world.admin).get("/predict/win/")
    assert "Not in use" in find(page, "p", id="predict-verdict").text()
