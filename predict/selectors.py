"""Reads of predictive models and scores. `load_estimator` is the one way to get a fitted
model back: it refuses a row of another tenant and a payload fitted for another tenant or
task, so a model trained for tenant A is never used for B."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django_scopes import get_scope

from dealreg.models import ACTIVE_STATUSES, Deal, DealStatus
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


_CACHE: dict[tuple[int, int], dict] = {}


def load_estimator_cached(model: PredictionModel, *, tenant) -> dict:
    """`load_estimator` with the unpickled payload kept per process (a model row never
    changes its estimator); the tenant checks run on every call."""
    current = get_scope().get("tenant")
    if model.tenant_id != tenant.pk or (current is not None and current.pk != tenant.pk):
        raise WrongTenant(f"model {model.pk} does not belong to tenant {tenant.pk}")
    key = (model.pk, tenant.pk)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = load_estimator(model, tenant=tenant)
    return _CACHE[key]


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


def win_score(deal) -> PredictionScore | None:
    return PredictionScore.objects.filter(task=Task.WIN, deal=deal).select_related("model").first()


def churn_scores():
    return PredictionScore.objects.filter(task=Task.CHURN).select_related("partner", "model")


def _quarter(d) -> str:
    return f"{d.year} Q{(d.month - 1) // 3 + 1}" if d else ""


def forecast(*, manager=None) -> dict:
    """Partner-sourced revenue expected from open registrations, per quarter of their
    expected close date and currency: the sum of amount x win probability. The probability
    is the win model's while it beats the rule on its hold-out; otherwise the rule's, each
    partner's smoothed past win rate ((won + 1) / (won + lost + 2)). A few queries."""
    model = model_in_use(Task.WIN)
    deals = Deal.objects.filter(status__in=ACTIVE_STATUSES)
    if manager is not None:
        deals = deals.filter(partner__owner=manager)
    deals = list(deals.values_list("pk", "partner_id", "amount", "currency", "expected_close_date"))
    if model is not None:
        probs = dict(
            PredictionScore.objects.filter(model=model, task=Task.WIN).values_list(
                "deal_id", "probability"
            )
        )
    else:
        counts = (
            Deal.objects.filter(status__in=(DealStatus.WON, DealStatus.LOST))
            .values("partner_id")
            .annotate(
                won=Count("id", filter=Q(status=DealStatus.WON)),
                lost=Count("id", filter=Q(status=DealStatus.LOST)),
            )
        )
        rate = {c["partner_id"]: (c["won"] + 1) / (c["won"] + c["lost"] + 2) for c in counts}
        probs = {pk: rate.get(pid, 0.5) for pk, pid, *_ in deals}
    rows: dict[tuple[str, str], dict] = {}
    for pk, _pid, amount, currency, expected in deals:
        if pk not in probs:
            continue
        key = (_quarter(expected), currency)
        row = rows.setdefault(
            key,
            {
                "quarter": key[0],
                "currency": currency,
                "deals": 0,
                "pipeline": Decimal(0),
                "expected": Decimal(0),
            },
        )
        row["deals"] += 1
        row["pipeline"] += amount or Decimal(0)
        row["expected"] += (amount or Decimal(0)) * Decimal(str(probs[pk]))
    ordered = sorted(rows.values(), key=lambda r: (r["quarter"] == "", r["quarter"], r["currency"]))
    for r in ordered:
        r["expected"] = r["expected"].quantize(Decimal("0.01"))
    return {"rows": ordered, "model": model, "by_model": model is not None}
