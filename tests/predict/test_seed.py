"""The demo tenant's learned-IPP run says honestly that its few approved applications are not
enough history, and the model page tells the admin the rules stay in charge; the
matching, win and churn models, trained on the seeded histories with their planted signals,
beat their rules and are in use; the channel manager sees the partners whose sign-ins fade,
with the factor that raises their risk."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from predict import risk
from predict.models import ModelStatus, PredictionModel, Task
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def test_demo_shows_the_not_enough_history_status(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        run = PredictionModel.objects.get(task="ipp")
        matching = PredictionModel.objects.get(task="match")
        admin = Member.objects.get(user__email="admin@acme.example")
        manager = Member.objects.get(user__email="manager@acme.example")
        models = {task: PredictionModel.objects.get(task=task) for task in (Task.CHURN, Task.WIN)}
        at_risk = risk.at_risk(manager=manager)
    for task, model in models.items():
        assert model.status == ModelStatus.ACTIVE and model.in_use, (task, model.metrics)
        assert model.metrics["auc"] > model.metrics["rule_auc"] + 0.03, (task, model.metrics)
    # The health rule is informative on the demo (it was constant, AUC 0.5, before the
    # engagement history), and the model still beats it.
    assert models[Task.CHURN].metrics["rule_auc"] > 0.6
    # A handful of the manager's partners are at risk, not most of them: the ones already
    # quiet for longer than the inactivity days have gone and are not scored.
    assert 3 <= len(at_risk) <= 30
    reasons = [row.reason_text for row in at_risk]
    assert sum("sign-in" in r or "registration" in r for r in reasons) >= len(reasons) / 2
    page = portal_client(tenant, manager).get("/analytics/manager/").content.decode()
    assert at_risk[0].partner.name in page
    assert run.status == ModelStatus.INSUFFICIENT
    page = portal_client(tenant, admin).get("/predict/ipp/").content.decode()
    assert "not enough history" in page
    assert "The rules stay in charge" in page
    assert matching.status == ModelStatus.ACTIVE and matching.in_use, matching.metrics
    assert matching.metrics["hit_rate"] > matching.metrics["rule_hit_rate"]
    listing = portal_client(tenant, admin).get("/predict/").content.decode()
    assert "Yes: it beats the rule" in listing
