"""The demo tenant shows a signed, running plan for Northwind with progress on its home
pages, and a plan proposed to BluePeak that waits for its signature."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jointplans import selectors
from jointplans.models import JointPlan, PlanStatus
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def test_demo_has_a_signed_northwind_plan_with_progress(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        plan = JointPlan.objects.get(partner__name="Northwind Resellers")
        rows = selectors.progress(plan)
        ada = Member.objects.get(user__email="ada@northwind.example")
        manager = Member.objects.get(user__email="manager@acme.example")
        proposed = JointPlan.objects.get(partner__name="BluePeak Integrators")
    assert (plan.status, plan.signatures) == (PlanStatus.ACTIVE, 2)
    assert len(rows) == 4 and all(r.actual is not None for r in rows)
    assert any(r.actual > 0 for r in rows)
    assert {r.on_track for r in rows} == {True, False}  # on track and behind, both shown
    assert proposed.status == PlanStatus.PROPOSED
    for member in (ada, manager):
        page = portal_client(tenant, member).get("/")
        assert find(page, "article", data_plan=str(plan.pk))
        assert len(find_all(page, "li", data_metric=True)) >= 4
