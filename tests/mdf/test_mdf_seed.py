"""The demo seed: a current-quarter program with requests and claims in every state, a paid
claim with its remittance advice, and ROI from a deal carrying the paid activity's code."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from mdf import selectors
from mdf.models import Claim, ClaimStatus, FundRequest, Program, RequestStatus
from prm.models import Tenant
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_demo_seed_covers_every_state_and_shows_roi(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        program = Program.objects.get()
        assert program.start_date.day == 1 and program.start_date.month in (1, 4, 7, 10)
        assert set(FundRequest.objects.values_list("status", flat=True)) == set(
            RequestStatus.values
        )
        assert set(Claim.objects.values_list("status", flat=True)) == set(ClaimStatus.values)
        paid = Claim.objects.get(status="paid")
        with paid.remittance_pdf.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        assert program.entries.filter(kind="allocate", key="tier").exists()
        rows = selectors.roi(tenant=tenant, program=program)
        (roadshow,) = [r for r in rows if r.level == "request" and r.request_id == paid.request_id]
        assert roadshow.paid > 0 and roadshow.won > 0 and roadshow.roi is not None
        for b in selectors.balances(program=program):
            assert b["available"] >= 0 and b["committed"] >= 0
