"""The demo tenant's learned-IPP run says honestly that its few approved applications are not
enough history, and the model page tells the admin the rules stay in charge; the
matching model, trained on the seeded lead history with its planted signal, beats the fixed
routing weights and is in use."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from predict.models import ModelStatus, PredictionModel
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
    assert run.status == ModelStatus.INSUFFICIENT
    page = portal_client(tenant, admin).get("/predict/ipp/").content.decode()
    assert "not enough history" in page
    assert "The rules stay in charge" in page
    assert matching.status == ModelStatus.ACTIVE and matching.in_use, matching.metrics
    assert matching.metrics["hit_rate"] > matching.metrics["rule_hit_rate"]
    listing = portal_client(tenant, admin).get("/predict/").content.decode()
    assert "Yes: it beats the rule" in listing
