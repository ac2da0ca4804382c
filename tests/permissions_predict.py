"""Permission rows for predictive models (portal and API): admins run the models; staff read
churn scores; partner people and sales reps see neither."""

from __future__ import annotations

from predict.models import ModelStatus, PredictionModel, PredictionScore
from prm.tenancy import tenant_context
from tests.factories import PredictionModelFactory
from tests.permissions import Endpoint

ADMIN = {"admin"}
STAFF = {"admin", "channel_manager"}


def _model(w):
    with tenant_context(w.tenant):
        model = PredictionModel.objects.filter(task="churn").first()
    return model or PredictionModelFactory(
        tenant=w.tenant, status=ModelStatus.ACTIVE, metrics={"auc": 0.8, "rule_auc": 0.6}
    )


def _score(w):
    model = _model(w)
    with tenant_context(w.tenant):
        return PredictionScore.objects.filter(partner=w.partner).first() or (
            PredictionScore.objects.create(
                tenant=w.tenant, task="churn", partner=w.partner, model=model, probability=0.4
            )
        )


def _ipp(w):
    """An IPP run whose suggestion beats the current weights (so applying it is open)."""
    with tenant_context(w.tenant):
        model = PredictionModel.objects.filter(task="ipp", status=ModelStatus.ACTIVE).first()
    return model or PredictionModelFactory(
        tenant=w.tenant,
        task="ipp",
        status=ModelStatus.ACTIVE,
        beats_rule=True,
        metrics={
            "auc": 0.8,
            "rule_auc": 0.6,
            "suggested_weights": {
                "geography": 10,
                "type": 30,
                "specialties": 40,
                "size": 10,
                "revenue": 10,
            },
        },
    )


ENDPOINTS = [
    Endpoint("predict-model", lambda w: "/predict/match/", ADMIN),
    Endpoint("predict-model", lambda w: "/predict/ipp/", ADMIN),
    Endpoint(
        "predict-ipp-accept",
        lambda w: f"/predict/ipp/{_ipp(w).pk}/accept/",
        ADMIN,
        stranger_url=lambda w, s: f"/predict/ipp/{_ipp(s).pk}/accept/",
    ),
    Endpoint(
        "predict-ipp-accept",
        lambda w: f"/predict/ipp/{_ipp(w).pk}/accept/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/predict/ipp/{_ipp(s).pk}/accept/",
    ),
    Endpoint(
        "api-prediction-model-accept-suggestion",
        lambda w: f"/api/v1/prediction-models/{_ipp(w).pk}/accept-suggestion/",
        ADMIN,
        api=True,
        method="post",
        stranger_url=lambda w, s: f"/api/v1/prediction-models/{_ipp(s).pk}/accept-suggestion/",
        # applied once: the next allowed role's call finds it applied (a 400, not a 5xx)
        expect={200, 400},
    ),
    Endpoint("predict-models", lambda w: "/predict/", ADMIN),
    Endpoint("predict-model", lambda w: "/predict/churn/", ADMIN),
    Endpoint("predict-train", lambda w: "/predict/churn/train/", ADMIN, method="post"),
    Endpoint("predict-settings", lambda w: "/predict/settings/", ADMIN),
    Endpoint(
        "predict-settings",
        lambda w: "/predict/settings/",
        ADMIN,
        method="post",
        data=lambda w: {"inactivity_days": "60"},
    ),
    Endpoint("api-prediction-model-list", lambda w: "/api/v1/prediction-models/", ADMIN, api=True),
    Endpoint(
        "api-prediction-model-detail",
        lambda w: f"/api/v1/prediction-models/{_model(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/prediction-models/{_model(s).pk}/",
    ),
    Endpoint(
        "api-prediction-model-train",
        lambda w: "/api/v1/prediction-models/train/",
        ADMIN,
        api=True,
        method="post",
        data=lambda w: {"task": "churn"},
        expect={202},
    ),
    Endpoint("api-prediction-score-list", lambda w: "/api/v1/prediction-scores/", STAFF, api=True),
    Endpoint(
        "api-prediction-score-detail",
        lambda w: f"/api/v1/prediction-scores/{_score(w).pk}/",
        STAFF,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/prediction-scores/{_score(s).pk}/",
    ),
    Endpoint("api-prediction-settings", lambda w: "/api/v1/prediction-settings/", ADMIN, api=True),
    Endpoint(
        "api-prediction-settings",
        lambda w: "/api/v1/prediction-settings/",
        ADMIN,
        api=True,
        method="patch",
        data=lambda w: {"inactivity_days": 60},
    ),
]
