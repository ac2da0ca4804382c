"""The model pages, the churn definition and the API, through HTTP: who may do what, bad
input as a form error or a 400 with field errors, nothing written on a refusal."""

from __future__ import annotations

import pytest

from predict.models import PredictSettings
from prm.audit import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PredictionModelFactory
from tests.html_helpers import find

pytestmark = pytest.mark.django_db


def test_only_admins_open_the_model_pages(world):
    assert portal_client(world.tenant, world.admin).get("/predict/").status_code == 200
    assert portal_client(world.tenant, world.admin).get("/predict/churn/").status_code == 200
    assert portal_client(world.tenant, world.admin).get("/predict/nope/").status_code == 404
    for role in ("channel_manager", "partner_admin", "partner_user", "sales_rep"):
        client = portal_client(world.tenant, world.member(role))
        assert client.get("/predict/churn/").status_code == 403


def test_a_model_without_history_says_the_rules_stay_in_charge(world):
    client = portal_client(world.tenant, world.admin)
    page = client.get("/predict/")
    assert "not trained yet" in page.content.decode()


def test_the_churn_definition_refuses_out_of_range_days_and_audits_a_change(world):
    client = portal_client(world.tenant, world.admin)
    page = client.post("/predict/settings/", {"inactivity_days": "5"})
    assert page.status_code == 200
    assert find(page, "div", data_error_summary="")
    with tenant_context(world.tenant):
        assert PredictSettings.for_tenant(world.tenant).inactivity_days == 90
    response = client.post("/predict/settings/", {"inactivity_days": "120"})
    assert response.status_code == 302
    with tenant_context(world.tenant):
        assert PredictSettings.for_tenant(world.tenant).inactivity_days == 120
        event = AuditEvent.objects.get(action="predict.settings_changed")
        assert event.after == {"inactivity_days": 120}


def test_api_train_validates_the_task_and_queues_a_run(world):
    client = api_client(world.tenant, world.admin)
    bad = client.post("/api/v1/prediction-models/train/", {"task": "astrology"}, format="json")
    assert bad.status_code == 400
    assert "task" in str(bad.json())
    ok = client.post("/api/v1/prediction-models/train/", {"task": "churn"}, format="json")
    assert ok.status_code == 202 and ok.json() == {"task": "churn", "queued": True}
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="predict.training_requested").count() == 1


def test_api_settings_answer_400_with_field_errors(world):
    client = api_client(world.tenant, world.admin)
    bad = client.patch("/api/v1/prediction-settings/", {"inactivity_days": 1000}, format="json")
    assert bad.status_code == 400 and "inactivity_days" in str(bad.json())
    ok = client.patch("/api/v1/prediction-settings/", {"inactivity_days": 60}, format="json")
    assert ok.status_code == 200 and ok.json() == {"inactivity_days": 60}


def test_api_models_and_scores_are_staff_only_and_tenant_scoped(world, stranger):
    PredictionModelFactory(tenant=stranger.tenant)
    admin = api_client(world.tenant, world.admin)
    assert admin.get("/api/v1/prediction-models/").json()["results"] == []
    assert (
        api_client(world.tenant, world.channel_manager)
        .get("/api/v1/prediction-scores/")
        .status_code
        == 200
    )
    for role in ("partner_admin", "partner_user", "sales_rep"):
        client = api_client(world.tenant, world.member(role))
        assert client.get("/api/v1/prediction-scores/").status_code == 403
    assert (
        api_client(world.tenant, world.channel_manager)
        .get("/api/v1/prediction-models/")
        .status_code
        == 403
    )
