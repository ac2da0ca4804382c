"""The demo tenant shows the sharing matrix: Northwind sees overlaps the vendor shares with
it, the vendor sees what Northwind shares, and an introduction waits for the owner rep."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accountmap.models import Account, IntroRequest, Overlap, SharingRule
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.html_helpers import find_all

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
        # Whatever the data seed wrote: a vendor customer Northwind has (shared with it), a
        # vendor open opportunity it has (hidden), a vendor prospect it lacks (greenfield).
        overlaps = Overlap.objects.filter(partner=northwind)
        shared = overlaps.filter(vendor_account__status="customer").first().vendor_account.name
        hidden = overlaps.filter(vendor_account__status="opportunity").first()
        hidden_name = hidden.vendor_account.name if hidden is not None else None
        # What Northwind shares back with the vendor: its customers and open opportunities.
        shared_back = (
            overlaps.filter(partner_account__status__in=["customer", "opportunity"])
            .first()
            .partner_account.name
        )
        kept_back = overlaps.filter(partner_account__status="prospect").first()
        kept_back_name = kept_back.partner_account.name if kept_back is not None else None
        greenfield = (
            Account.objects.filter(partner=None, status="prospect")
            .exclude(overlaps_as_vendor__partner=northwind)
            .order_by("name")
            .first()
            .name
        )
    client = portal_client(tenant, ben)

    def rows(resp) -> str:
        return " ".join(t.text() for t in find_all(resp, "tbody"))

    # a customer the vendor shares with Northwind
    assert shared in rows(client.get("/accounts/overlaps/", {"q": shared}))
    if hidden_name is not None:  # the vendor's open opportunities are hidden
        assert hidden_name not in rows(client.get("/accounts/overlaps/", {"q": hidden_name}))
    # a vendor prospect Northwind does not have
    assert greenfield in rows(client.get("/accounts/overlaps/greenfield/", {"q": greenfield}))
    # BluePeak has no override: counts only, nothing named.
    other = portal_client(tenant, carla).get("/accounts/overlaps/", {"q": shared})
    assert shared not in rows(other)
    staff = portal_client(tenant, manager)
    northwind_page = f"/accounts/overlaps/partners/{northwind.pk}/"
    assert shared_back in rows(staff.get(northwind_page, {"q": shared_back}))
    if kept_back_name is not None:  # Northwind's prospects stay counts only
        assert kept_back_name not in rows(staff.get(northwind_page, {"q": kept_back_name}))
    intros = portal_client(tenant, manager).get("/accounts/intros/").content.decode()
    assert "Northwind Resellers" in intros
