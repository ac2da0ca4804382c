"""The demo tenant's locator: Northwind and BluePeak published, StackForge not."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from locator.models import ProfileStatus, PublicProfile
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def test_demo_publishes_northwind_and_bluepeak_only(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        status = dict(PublicProfile.objects.values_list("partner__name", "status"))
        ben = Member.objects.get(user__email="ben@northwind.example")
    assert status == {
        "Northwind Resellers": ProfileStatus.PUBLISHED,
        "BluePeak Integrators": ProfileStatus.PUBLISHED,
        "StackForge": ProfileStatus.DRAFT,
    }
    page = portal_client(tenant, ben).get("/locator/referrals/").content.decode()
    assert "Contoso Consulting" in page
    page = portal_client(tenant).get("/find/").content.decode()
    assert "Northwind Resellers" in page and "BluePeak Integrators" in page
    assert "StackForge" not in page
