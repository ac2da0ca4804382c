"""Reads of predictive models and scores. `load_estimator` is the one way to get a fitted
model back: it refuses a row of another tenant and a payload fitted for another tenant or
task, so a model trained for tenant A is never used for B."""

from __future__ import annotations

from django_scopes import get_scope

from predict import learn
from predict.models import ModelStatus, PredictionModel, PredictionScore, Task


class WrongTenant(Exception):
    pass


def load_estimator(model: PredictionModel, *, tenant) -> dict:
    current = get_scope().get("tenant")
    if model.tenant_id != tenant.pk or (current is not None and current.pk != tenant.pk):
        raise WrongTenant(f"model {model.pk} does not belong to tenant {tenant.pk}")
    if not model.estimator:
        raise WrongTenant(f"model {model.pk} has no estimator")
    payload = learn.load(bytes(model.estimator))
    if payload.get("tenant_id") != tenant.pk or payload.get("task") != model.task:
        raise WrongTenant(f"model {model.pk} was fitted for another tenant or task")
    if list(payload.get("features", [])) != list(model.features):
        raise WrongTenant(f"model {model.pk} does not match its feature list")
    return payload


def models_for(task: str):
    return PredictionModel.objects.filter(task=task).select_related("requested_by__user")


def active_model(task: str) -> PredictionModel | None:
    return PredictionModel.objects.filter(task=task, status=ModelStatus.ACTIVE).first()


def latest_run(task: str) -> PredictionModel | None:
    return PredictionModel.objects.filter(task=task).order_by("-version").first()


def model_in_use(task: str) -> PredictionModel | None:
    """The active model if its hold-out figures beat the rule; else None (the rules decide)."""
    model = active_model(task)
    return model if model is not None and model.beats_rule else None


def churn_score(partner) -> PredictionScore | None:
    return (
        PredictionScore.objects.filter(task=Task.CHURN, partner=partner)
        .select_related("model")
        .first()
    )


def churn_scores():
    return PredictionScore.objects.filter(task=Task.CHURN).select_related("partner", "model")
