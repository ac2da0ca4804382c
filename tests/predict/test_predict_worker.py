"""End to end on the real Celery worker: an admin retrains the churn model from its page, the
worker fits and scores it, the page shows the hold-out figures against the rule, a channel
manager sees a partner's churn risk with its factors, and the at-risk list follows the model."""

from __future__ import annotations

import pytest

from predict.models import ModelStatus, PredictionModel, PredictionScore
from predict.risk import threshold
from prm.audit import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import build_world, portal_client, wait_for
from tests.html_helpers import find
from tests.predict import worlds

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def _active(world):
    with tenant_context(world.tenant):
        return PredictionModel.objects.filter(status=ModelStatus.ACTIVE).first()


def test_admin_retrains_and_managers_see_risk_with_reasons(celery_worker):
    world = build_world("predictworker")
    worlds.build(world.tenant, kind="signal", partners=120)
    admin = portal_client(world.tenant, world.admin)
    page = admin.get("/predict/churn/")
    assert page.status_code == 200
    assert "Not trained yet" in find(page, "section", aria_labelledby="history-h").text()

    response = admin.post("/predict/churn/train/")
    assert response.status_code == 302
    model = wait_for(lambda: _active(world), timeout=60)
    assert model.beats_rule
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="predict.training_requested").exists()

    page = admin.get("/predict/churn/")
    verdict = find(page, "p", id="predict-verdict").text()
    assert "In use" in verdict and f"{model.metrics['auc']:.2f}" in verdict
    history = find(page, "table", id="predict-history").text()
    assert str(model.version) in history

    with tenant_context(world.tenant):
        riskiest = (
            PredictionScore.objects.select_related("partner").order_by("-probability").first()
        )
    assert riskiest.probability >= threshold(model)
    manager = portal_client(world.tenant, world.channel_manager)
    panel = find(
        manager.get(f"/analytics/partners/{riskiest.partner_id}/"),
        "section",
        aria_labelledby="churn-h",
    )
    assert "raises the risk" in panel.text()
    # The manager's at-risk list is the model's now.
    table = manager.get("/analytics/manager/?scope=all")
    assert "Churn model" in table.content.decode()
    assert riskiest.partner.name in table.content.decode()
