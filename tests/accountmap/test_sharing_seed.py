"""The demo tenant shows the sharing matrix: Northwind sees overlaps the vendor shares with
it, the vendor sees what Northwind shares, and an introduction waits for the owner rep."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accountmap.models import IntroRequest, SharingRule
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def test_the_demo_shows_shared_overlaps_on_both_sides(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        ben = Member.objects.get(user__email="ben@northwind.example")
        carla = Member.objects.get(user__email="carla@bluepeak.example")
        manager = Member.objects.get(user__email="manager@acme.example")
        northwind = ben.partner
        assert SharingRule.objects.filter(partner=northwind).count() >= 4
        assert IntroRequest.objects.filter(status="requested").count() == 1
    page = portal_client(tenant, ben).get("/accounts/overlaps/").content.decode()
    assert "Initech Corporation" in page  # a customer the vendor shares with Northwind
    assert "Massive Dynamic" not in page  # the vendor's open opportunities are hidden
    green = portal_client(tenant, ben).get("/accounts/overlaps/greenfield/").content.decode()
    assert "Stark Logistics" in green  # a vendor prospect Northwind does not have
    # BluePeak has no override: counts only, nothing named.
    other = portal_client(tenant, carla).get("/accounts/overlaps/").content.decode()
    assert "Initech Corporation" not in other
    staff = (
        portal_client(tenant, manager)
        .get(f"/accounts/overlaps/partners/{northwind.pk}/")
        .content.decode()
    )
    assert "Initech Corporation" in staff
    intros = portal_client(tenant, manager).get("/accounts/intros/").content.decode()
    assert "Northwind Resellers" in intros
