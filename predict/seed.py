"""Demo data for predictive models. The demo tenant's own partners have a few months of
history, far too little to learn from; so the seed adds two years of lead history generated
by the documented process of predict.synthetic (40 partners with made-up names, 1,200 leads:
partners win more often in their region and specialty, and good partners win more). Then it
trains every model as the weekly training would: the matching model learns that history and
beats the fixed routing weights, so demo leads are routed by it with its reasons. The other
models are trained on what the demo has: the learned IPP finds too few approved applications
and says so ("not enough history"), the IPP weights staying as set; churn and win
probability learn from the seeded partners' registrations and are used only if their
hold-out beats the rule. Runs inside the demo tenant's context after the other apps'
seeds (manage.py seed_demo)."""

from __future__ import annotations

from predict import services, synthetic
from predict.models import Task


def seed(*, tenant, partners: dict) -> None:
    synthetic.build_leads(tenant, kind="signal", partners=40, leads=1200, prefix=None)
    for task in Task.values:
        services.model_train(tenant=tenant, task=task)
