"""The demo tenant shows payouts: Northwind's approved payee details, BluePeak's waiting for
review, a paid batch paying Northwind, and Northwind's statement of this month."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from incentives import selectors
from incentives.models_payouts import PayeeDetails, PayoutBatch, Statement
from prm.models import Tenant
from prm.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_demo_seed_shows_approved_payee_details_a_paid_batch_and_a_statement(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        statuses = dict(PayeeDetails.objects.values_list("partner__name", "status"))
        paid = PayoutBatch.objects.get(status="paid")
        paid_to = set(paid.lines.values_list("partner__name", flat=True))
        statement = Statement.objects.filter(partner__name="Northwind Resellers").first()
        totals = selectors.balances()[tenant.default_currency]
    assert statuses == {"Northwind Resellers": "approved", "BluePeak Integrators": "pending"}
    assert paid_to == {"Northwind Resellers"} and paid.total > 0
    assert statement is not None and statement.paid > 0
    assert totals["approved"] > 0  # something waits for the next batch
