"""The demo tenant shows a shared opportunity: two partners, the vendor's channel manager and
its sales rep on Northwind's Globex registration, a thread with mentions, tasks open and
done."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cosell.models import SharedOpportunity
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def test_demo_seed_shows_a_shared_opportunity_with_two_partners(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        opp = SharedOpportunity.objects.get()
        assert sorted(opp.participants.values_list("partner__name", flat=True)) == [
            "BluePeak Integrators",
            "Northwind Resellers",
        ]
        assert opp.comments.count() == 3 and opp.comments.filter(mentions__isnull=False).exists()
        assert opp.tasks.filter(done_at__isnull=False).count() == 1
        assert opp.tasks.filter(done_at__isnull=True).count() == 2
        carla = Member.objects.get(user__email="carla@bluepeak.example")
        sam = Member.objects.get(user__email="sam@acme.example")
        assert opp.team.filter(member=sam).exists()
    page = portal_client(tenant, carla).get(f"/shared/{opp.pk}/")
    assert page.status_code == 200
    # The vendor's sales rep is on it and works there.
    assert portal_client(tenant, sam).get(f"/shared/{opp.pk}/").status_code == 200
