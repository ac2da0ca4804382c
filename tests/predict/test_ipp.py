"""Learned ideal partner profile: on applications where specialties and partner type predict a
quick start, the suggested weights beat the current ones on hold-out and the admin can apply
them (confirmed, audited); on noise nothing is offered; too little history says so; a
suggestion is learned from its own tenant's applications only."""

from __future__ import annotations

import pytest

from onboarding.models import IdealPartnerProfile
from predict import ipp, services, synthetic
from predict.models import ModelStatus, Task
from prm.audit import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.html_helpers import find

pytestmark = pytest.mark.django_db


def _build(tenant, kind, **kw):
    with tenant_context(tenant):
        synthetic.build_applications(tenant, kind=kind, **kw)


def _train(tenant):
    with tenant_context(tenant):
        return services.model_train(tenant=tenant, task=Task.IPP)


def test_on_planted_signal_the_suggested_weights_beat_the_current_and_apply_on_confirm(world):
    _build(world.tenant, "signal")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE, model.message
    assert model.beats_rule, model.metrics
    weights = model.metrics["suggested_weights"]
    assert sum(weights.values()) == 100
    assert weights["specialties"] + weights["type"] > 60, weights
    assert model.metrics["auc"] > model.metrics["rule_auc"]
    client = portal_client(world.tenant, world.admin)
    page = client.get("/program/onboarding/")
    panel = find(page, "section", aria_labelledby="ipp-learned-h")
    assert "Apply the suggested weights" in panel.text()
    url = f"/predict/ipp/{model.pk}/accept/"
    assert client.get(url).status_code == 200  # the confirmation page
    with tenant_context(world.tenant):
        assert ipp.current_weights(world.tenant) == dict.fromkeys(ipp.IPP_KEYS, 20)
    assert client.post(url).status_code == 302
    with tenant_context(world.tenant):
        assert ipp.current_weights(world.tenant) == weights
        event = AuditEvent.objects.get(action="predict.ipp_weights_accepted")
        assert event.after == {"weights": weights}
        assert AuditEvent.objects.filter(action="onboarding.ideal_profile_updated").exists()
    # Applying twice is refused, and changes nothing more.
    client.post(url)
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="predict.ipp_weights_accepted").count() == 1


def test_on_noise_no_weights_are_offered(world):
    _build(world.tenant, "noise")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE, model.message
    assert not model.beats_rule, model.metrics
    client = portal_client(world.tenant, world.admin)
    assert client.post(f"/predict/ipp/{model.pk}/accept/").status_code == 302
    with tenant_context(world.tenant):
        assert ipp.current_weights(world.tenant) == dict.fromkeys(ipp.IPP_KEYS, 20)
        assert not AuditEvent.objects.filter(action="predict.ipp_weights_accepted").exists()


def test_too_few_partners_with_a_full_year_keep_the_weights(world):
    _build(world.tenant, "signal", applications=60)
    model = _train(world.tenant)
    assert model.status == ModelStatus.INSUFFICIENT
    page = portal_client(world.tenant, world.admin).get("/program/onboarding/")
    assert "Not enough history" in find(page, "section", aria_labelledby="ipp-learned-h").text()


def test_the_ipp_model_learns_from_its_own_tenant_only(world, stranger):
    _build(stranger.tenant, "signal", prefix="Other")
    model = _train(world.tenant)
    assert model.status == ModelStatus.INSUFFICIENT
    assert model.metrics["insufficient"]["rows"] == 0


def test_others_cannot_apply_weights(world, stranger):
    _build(world.tenant, "signal")
    model = _train(world.tenant)
    for role in ("channel_manager", "partner_admin", "sales_rep"):
        client = portal_client(world.tenant, world.member(role))
        assert client.post(f"/predict/ipp/{model.pk}/accept/").status_code == 403
    other = portal_client(stranger.tenant, stranger.admin)
    assert other.post(f"/predict/ipp/{model.pk}/accept/").status_code == 404
    with tenant_context(world.tenant):
        assert IdealPartnerProfile.for_tenant(world.tenant).weight_geography == 20
    listed = api_client(world.tenant, world.admin).get("/api/v1/prediction-models/?task=ipp")
    assert (
        listed.json()["results"][0]["metrics"]["suggested_weights"]
        == (model.metrics["suggested_weights"])
    )


def test_api_applies_a_suggestion_and_refuses_other_models_with_a_400(world):
    _build(world.tenant, "signal")
    model = _train(world.tenant)
    with tenant_context(world.tenant):
        churn = services.model_train(tenant=world.tenant, task=Task.CHURN)
    client = api_client(world.tenant, world.admin)
    bad = client.post(f"/api/v1/prediction-models/{churn.pk}/accept-suggestion/")
    assert bad.status_code == 400 and "model" in str(bad.json())
    ok = client.post(f"/api/v1/prediction-models/{model.pk}/accept-suggestion/")
    assert ok.status_code == 200, ok.json()
    with tenant_context(world.tenant):
        assert ipp.current_weights(world.tenant) == model.metrics["suggested_weights"]
    again = client.post(f"/api/v1/prediction-models/{model.pk}/accept-suggestion/")
    assert again.status_code == 400
    staff = api_client(world.tenant, world.channel_manager)
    assert staff.post(f"/api/v1/prediction-models/{model.pk}/accept-suggestion/").status_code == 403
