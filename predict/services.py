"""Writes of predictive models: settings, training runs (fit, measure, store, retire the
previous model), set-based scoring. Training and scoring run on the worker (predict.tasks);
pages and the API only queue them."""

from __future__ import annotations

import datetime

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from predict import features, ipp, learn, matching, win
from predict.models import ModelStatus, PredictionModel, PredictionScore, PredictSettings, Task
from prm import errors
from prm.audit import log_action
from prm.tasks import dispatch


def settings_update(*, tenant, inactivity_days: int, by) -> PredictSettings:
    if not 14 <= inactivity_days <= 365:
        raise errors.DomainError(
            _("Enter a number of days from 14 to 365."), field="inactivity_days"
        )
    obj = PredictSettings.objects.select_for_update().get(pk=PredictSettings.for_tenant(tenant).pk)
    before = {"inactivity_days": obj.inactivity_days}
    obj.inactivity_days = inactivity_days
    obj.updated_at = timezone.now()
    obj.save(update_fields=["inactivity_days", "updated_at"])
    log_action(
        "predict.settings_changed",
        obj=obj,
        object_label="churn settings",
        before=before,
        after={"inactivity_days": inactivity_days},
        actor=getattr(by, "user", None),
    )
    return obj


def training_request(*, tenant, task: str, by) -> None:
    """An admin asks for a new model now; the worker trains it."""
    if task not in Task.values:
        raise errors.DomainError(_("Choose a model to train."), field="task")
    # local: predict.tasks imports this module at load time
    from predict.tasks import train

    log_action(
        "predict.training_requested",
        tenant=tenant,
        object_type="predict.predictionmodel",
        object_label=str(Task(task).label),
        after={"task": task},
        actor=getattr(by, "user", None),
    )
    dispatch(train, tenant=tenant, kind=task, requested_by=by.pk if by else None)


def _next_version(tenant, task: str) -> int:
    top = PredictionModel.objects.filter(tenant=tenant, task=task).aggregate(v=Max("version"))
    return (top["v"] or 0) + 1


def _inputs(tenant, task: str, today: datetime.date) -> dict:
    """What one task learns from: its history, dataset, feature keys and fitting options."""
    if task == Task.IPP:
        data = ipp.dataset(tenant, today=today)
        return {
            "history": None,
            "data": data,
            "keys": ipp.IPP_KEYS,
            "params": {"quick_days": ipp.QUICK_DAYS, "grow_deals": ipp.GROW_DEALS},
            "call": lambda: ipp.evaluate(data),
        }
    if task == Task.MATCH:
        history = matching.load(tenant, today=today)
        test_start = learn.ranking_test_start([e[0] for e in history.events])
        data = matching.dataset(history, test_start=test_start)
        return {
            "history": history,
            "data": data,
            "keys": matching.MATCH_KEYS,
            "params": {"top": 3, "negatives_per_lead": matching.TRAIN_NEGATIVES},
            "call": lambda: learn.fit_ranking(
                data.X,
                data.y,
                data.rule,
                data.group,
                data.dates,
                resolved=data.resolved,
                train_keep=data.train_keep,
                negative_share=data.negative_share,
                test_start=test_start,
                weight=data.weight,
                hits=(
                    (
                        lambda pipeline, top: matching.test_hits(
                            history, data.test_events, pipeline, top
                        )
                    )
                    if data.test_events
                    else None
                ),
            ),
        }
    if task == Task.WIN:
        history = win.load(tenant, today=today)
        data = win.dataset(history)
        return {
            "history": history,
            "data": data,
            "keys": win.WIN_KEYS,
            "params": {},
            "call": lambda: learn.fit_evaluate(
                data.X,
                data.y,
                data.rule,
                data.dates,
                horizon=0,
                resolved=data.resolved,
                calibrated=True,
            ),  # fmt: skip
        }
    params = {"inactivity_days": PredictSettings.for_tenant(tenant).inactivity_days}
    history = features.load_history(tenant, today=today)
    data = features.churn_dataset(history, inactivity_days=params["inactivity_days"])
    return {
        "history": history,
        "data": data,
        "keys": features.FEATURE_KEYS,
        "params": params,
        "call": lambda: learn.fit_evaluate(
            data.X, data.y, data.rule, data.dates, horizon=features.HORIZON
        ),
    }


@transaction.atomic
def model_train(
    *, tenant, task: str, requested_by_id: int | None = None, today: datetime.date | None = None
) -> PredictionModel:
    """Fit, measure and store a new model of `task` on this tenant's rows only. Too little
    history stores an `insufficient` run with the reason and keeps the current model (if any)
    and the rules in charge."""
    today = today or timezone.localdate()
    PredictSettings.for_tenant(tenant)
    # One version sequence per tenant and task; the lock keeps two runs from taking one number.
    list(PredictSettings.objects.select_for_update().filter(tenant=tenant).values_list("pk"))
    inputs = _inputs(tenant, task, today)
    history, data = inputs["history"], inputs["data"]
    row = PredictionModel(
        tenant=tenant,
        task=task,
        version=_next_version(tenant, task),
        requested_by_id=requested_by_id,
        features=inputs["keys"],
        params=inputs["params"],
        window_start=_date(data.dates.min()) if len(data.dates) else None,
        window_end=_date(data.dates.max()) if len(data.dates) else None,
    )
    try:
        fitted = inputs["call"]()
    except learn.NotEnoughHistory as exc:
        row.status = ModelStatus.INSUFFICIENT
        row.message = str(exc)
        row.metrics = {"insufficient": {"what": exc.what, "rows": exc.rows, "need": exc.need}}
        row.train_rows = len(data.y)
        row.save()
        log_action("predict.model_insufficient", obj=row, after={"message": row.message})
        return row
    row.status = ModelStatus.ACTIVE
    row.metrics = fitted.metrics
    row.train_rows, row.test_rows = fitted.train_rows, fitted.test_rows
    row.test_start = _date(fitted.test_start)
    row.beats_rule = fitted.beats_rule
    row.estimator = learn.dump(
        {
            "tenant_id": tenant.pk,
            "task": task,
            "features": row.features,
            "pipeline": fitted.pipeline,
        }
    )
    for old in PredictionModel.objects.select_for_update().filter(
        tenant=tenant, task=task, status=ModelStatus.ACTIVE
    ):
        old.status = ModelStatus.RETIRED
        old.save(update_fields=["status"])
        log_action(
            "predict.model_retired",
            obj=old,
            before={"status": "active"},
            after={"status": "retired"},
        )
    row.save()
    log_action(
        "predict.model_trained",
        obj=row,
        after={
            "auc": fitted.metrics.get("auc"),
            "rule_auc": fitted.metrics.get("rule_auc"),
            "hit_rate": fitted.metrics.get("hit_rate"),
            "rule_hit_rate": fitted.metrics.get("rule_hit_rate"),
            "beats_rule": row.beats_rule,
        },
    )
    scores_compute(tenant=tenant, model=row, history=history)
    return row


def _date(d) -> datetime.date:
    return datetime.date.fromordinal(int(d))


def scores_compute(*, tenant, model: PredictionModel, history=None) -> int:
    """Score every active partner (churn) or open registration (win) with `model` in one
    pass and replace the stored scores of its task."""
    # local: selectors imports models only, but the loader's tenant check lives there
    from predict.selectors import load_estimator

    if model.task in (Task.MATCH, Task.IPP):
        # leads are matched when they are routed (predict.routing); the IPP suggestion is
        # the model's figures: nothing to store per subject
        return 0
    payload = load_estimator(model, tenant=tenant)
    today = timezone.localdate()
    pipeline = payload["pipeline"]
    if model.task == Task.WIN:
        history = history or win.load(tenant, today=today)
        rows, X = win.open_rows(history)
        subjects = [(r.partner_id, r.pk) for r in rows]
        reasons = [[] for _ in rows]
    else:
        history = history or features.load_history(tenant, today=today)
        inactivity_days = model.params.get(
            "inactivity_days", PredictSettings.for_tenant(tenant).inactivity_days
        )
        pids, X = features.current_rows(history, inactivity_days=inactivity_days)
        subjects = [(pid, None) for pid in pids]
        reasons = learn.explain(pipeline, X, payload["features"]) if pids else []
    PredictionScore.objects.filter(tenant=tenant, task=model.task).delete()
    if not subjects:
        return 0
    probs = pipeline.predict_proba(X)[:, 1]
    now = timezone.now()
    PredictionScore.objects.bulk_create(
        [
            PredictionScore(
                tenant=tenant,
                model=model,
                task=model.task,
                partner_id=pid,
                deal_id=deal_id,
                probability=round(float(np.clip(p, 0, 1)), 4),
                factors=why,
                scored_at=now,
            )
            for (pid, deal_id), p, why in zip(subjects, probs, reasons, strict=True)
        ],
        batch_size=1000,
    )
    return len(subjects)


def scores_refresh(*, tenant, task: str) -> int:
    """Rescore with the active model (nightly), without training."""
    model = PredictionModel.objects.filter(
        tenant=tenant, task=task, status=ModelStatus.ACTIVE
    ).first()
    if model is None:
        return 0
    return scores_compute(tenant=tenant, model=model)


@transaction.atomic
def ipp_suggestion_accept(*, tenant, model: PredictionModel, by) -> PredictionModel:
    """Apply an IPP model's suggested weights to the tenant's ideal partner profile (admins),
    only while it is the active run and beats the current weights on its hold-out."""
    # local: onboarding's services import its whole package; only this write needs them
    from onboarding.services import ideal_profile_update

    model = PredictionModel.objects.select_for_update().get(pk=model.pk, tenant=tenant)
    if model.task != Task.IPP or model.status != ModelStatus.ACTIVE or not model.beats_rule:
        raise errors.DomainError(
            _("This suggestion is no longer current; train the model again."), field="model"
        )
    if model.params.get("accepted_at"):
        raise errors.DomainError(_("These weights have already been applied."), field="model")
    weights = model.metrics["suggested_weights"]
    before = ipp.current_weights(tenant)
    ideal_profile_update(by=by, **{ipp.WEIGHT_FIELDS[c]: int(w) for c, w in weights.items()})
    model.params = {
        **model.params,
        "accepted_at": timezone.now().isoformat(),
        "accepted_by": by.pk,
    }
    model.save(update_fields=["params"])
    log_action(
        "predict.ipp_weights_accepted",
        obj=model,
        before={"weights": before},
        after={"weights": weights},
        actor=getattr(by, "user", None),
    )
    return model
