"""The demo tenant shows content syndication: Northwind's embed is on and shows the content
Northwind may see, co-branded, and the staff's report lists Northwind's views."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from marketing.models import SyndicationFeed
from prm.models import Member, Tenant
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def test_demo_northwind_shows_the_content_on_its_website(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    tenant = Tenant.objects.get(slug="acme")
    with tenant_context(tenant):
        feed = SyndicationFeed.objects.select_related("partner").get(
            partner__name="Northwind Resellers"
        )
        manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    assert feed.enabled and feed.allowed_origins == ["https://northwind.example"]
    embed = portal_client(tenant).get(f"/syndication/{feed.token}/")
    assert embed.status_code == 200
    assert find_all(embed, "li", class_="synd-item")
    assert find(embed, "img", class_="synd-logo")
    report = portal_client(tenant, manager).get("/marketing/syndication/report/")
    assert find(report, "tr", data_partner=str(feed.partner_id))
