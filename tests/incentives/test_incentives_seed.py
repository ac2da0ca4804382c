"""The demo tenant shows incentives: a program of every kind with a published version,
earnings held, pending, approved and paid, an adjustment and an open dispute."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from incentives import selectors
from incentives.models import Dispute, Earning, IncentiveProgram, ProgramKind
from prm.models import Tenant
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_demo_seed_shows_programs_earnings_in_every_state_and_a_dispute(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        assert set(IncentiveProgram.objects.values_list("kind", flat=True)) == set(
            ProgramKind.values
        )
        assert all(
            p.versions.filter(status="published").exists() for p in IncentiveProgram.objects.all()
        )
        statuses = set(Earning.objects.values_list("status", flat=True))
        assert {"held", "pending", "approved", "paid"} <= statuses
        assert Earning.objects.filter(kind="adjustment").exists()
        assert Dispute.objects.filter(status="open").exists()
        totals = selectors.balances()[tenant.default_currency]
        assert totals["paid"] > 0 and totals["approved"] > 0 and totals["held"] > 0
