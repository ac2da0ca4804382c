"""The demo tenant's churn model run says honestly that three partners and a few months of
history are not enough, and the model page tells the admin the rules stay in charge."""

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
        run = PredictionModel.objects.get(task="churn")
        admin = Member.objects.get(user__email="admin@acme.example")
    assert run.status == ModelStatus.INSUFFICIENT
    page = portal_client(tenant, admin).get("/predict/churn/").content.decode()
    assert "not enough history" in page
    assert "The rules stay in charge" in page
