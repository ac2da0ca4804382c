"""Demo data for predictive models: the churn and win models trained on the demo tenant's own
history, as the weekly training would. The demo tenant has three partners and a few months
of history, far too little to learn from: the run is stored with its honest "not enough
history (N rows, need M)" status and the model page says the rules stay in charge. Runs
inside the demo tenant's context after the other apps' seeds (manage.py seed_demo)."""

from __future__ import annotations

from predict import services
from predict.models import Task


def seed(*, tenant, partners: dict) -> None:
    for task in Task.values:
        services.model_train(tenant=tenant, task=task)
