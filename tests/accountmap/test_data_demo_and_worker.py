"""The demo tenant shows account overlaps; and with the real worker, a write's overlap
refresh runs after its commit (incremental, either side)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accountmap import overlaps, services
from accountmap.models import Account, Overlap, Population
from partners.models import Partner
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.conftest import build_world, wait_for
from tests.factories import AccountFactory


@pytest.mark.django_db
def test_the_demo_tenant_has_accounts_on_both_sides_and_overlaps():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        northwind = Partner.objects.get(name="Northwind Resellers")
        assert Account.objects.filter(partner__isnull=True).count() >= 300
        assert Account.objects.filter(partner=northwind).count() >= 60
        assert overlaps.overlap_totals(overlaps.overlap_counts(northwind)) >= 22
        assert Population.objects.filter(partner__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_worker_refreshes_overlaps_after_either_side_changes(celery_worker):
    world = build_world("amworker")
    with tenant_context(world.tenant):
        AccountFactory(tenant=world.tenant, name="Vandelay", domain="vandelay.example")
        services.account_create(
            by=world.partner_admin, name="Vandelay Industries", domain="vandelay.example"
        )
    with tenant_context(world.tenant):
        wait_for(lambda: Overlap.objects.count() == 1, 30)
    with tenant_context(world.tenant):
        vendor = services.account_create(
            by=world.admin, name="Kramerica", domain="kramerica.example"
        )
        AccountFactory(
            tenant=world.tenant, partner=world.other_partner, name="Kramerica", domain="k.example"
        )
        services.account_update(by=world.admin, account=vendor, name="Kramerica LLC")
    with tenant_context(world.tenant):
        wait_for(lambda: Overlap.objects.filter(partner=world.other_partner).count() == 1, 30)
        services.account_update(by=world.admin, account=vendor, name="Pendant Publishing")
    with tenant_context(world.tenant):
        wait_for(lambda: not Overlap.objects.filter(partner=world.other_partner).exists(), 30)
