"""The demo seed: a year of history so every chart has a shape, and one partner whose health
is falling with a stated reason."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from analytics.models import FirstDealCohort, HealthSnapshot, PartnerRollup
from partners.models import Partner
from prm.models import Tenant
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    return Tenant.objects.get(slug="acme")


def test_demo_has_a_year_of_health_history_and_a_falling_partner(acme):
    with tenant_context(acme):
        stackforge = Partner.objects.get(name="StackForge")
        history = list(HealthSnapshot.objects.filter(partner=stackforge).order_by("day"))
        latest = history[-1]
        assert (latest.day - history[0].day).days >= 330
        assert latest.at_risk and latest.risk_reason
        assert any("Pipeline down" in d["text"] for d in latest.drivers)


def test_demo_rollups_show_sourced_and_influenced_revenue(acme):
    with tenant_context(acme):
        rows = PartnerRollup.objects.all()
        assert any(r.sourced_revenue > 0 for r in rows)
        assert any(r.influenced_revenue > 0 for r in rows)
        assert any(r.ropi is not None for r in rows)


def test_demo_rollups_give_every_kpi_a_shape(acme):
    with tenant_context(acme):
        rows = list(PartnerRollup.objects.all())
        assert any(r.velocity_median_days for r in rows)
        assert any(r.sla_attainment_pct is not None and r.sla_attainment_pct < 100 for r in rows)
        assert any(r.approval_rate_pct is not None and r.approval_rate_pct < 100 for r in rows)
        assert any(r.psat_average for r in rows)
        assert any(r.funnel_submitted for r in rows)
        assert FirstDealCohort.objects.exists()
