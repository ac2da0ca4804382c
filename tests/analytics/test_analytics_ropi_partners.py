"""The ROPI-by-partner table (issue #18): every partner, sorted in the database by any
column, paged, with the CSV export kept; its query count does not grow with the partners."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import services
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerFactory, PartnerRollupFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db

URL = "/analytics/program/partners/"


def _rollup(world, name: str, *, returned: str, invested: str, sourced: str = "1000"):
    partner = PartnerFactory(tenant=world.tenant, name=name)
    PartnerRollupFactory(
        tenant=world.tenant,
        partner=partner,
        period_start=services.quarter_start(timezone.localdate()),
        sourced_revenue=Decimal(sourced),
        return_amount=Decimal(returned),
        investment=Decimal(invested),
    )
    return partner


def _names(html: str) -> list[str]:
    return [row.text() for row in find_all(html, "th", scope="row")]


def test_admin_sorts_ropi_by_partner_by_any_column_across_all_partners(world):
    with tenant_context(world.tenant):
        _rollup(world, "Alpha", returned="300", invested="100")  # ROPI 2.00
        _rollup(world, "beta", returned="100", invested="100")  # ROPI 0.00
        _rollup(world, "Gamma", returned="900", invested="100")  # ROPI 8.00
        _rollup(world, "Delta", returned="50", invested="0")  # no investment: no ROPI
    client = portal_client(world.tenant, world.admin)

    by_name = client.get(URL)
    assert by_name.status_code == 200
    assert _names(by_name.content.decode()) == ["Alpha", "beta", "Delta", "Gamma"]

    by_ropi = client.get(URL, {"sort": "-ropi"}).content.decode()
    assert _names(by_ropi) == ["Gamma", "Alpha", "beta", "Delta"]
    header = find(by_ropi, "th", **{"aria-sort": "descending"})
    assert header is not None and "ROPI" in header.text()
    ropi = [c.attrs["data-ropi"] for c in find_all(by_ropi, "td", **{"data-ropi": True})]
    assert ropi == ["8.00", "2.00", "0.00", ""]

    ascending = _names(client.get(URL, {"sort": "ropi"}).content.decode())
    assert ascending == ["beta", "Alpha", "Gamma", "Delta"]  # no ROPI stays last

    # An unknown column is the default order, not an error.
    assert client.get(URL, {"sort": "nonsense"}).status_code == 200
    # The CSV export is linked with the page's filters.
    export = find(by_ropi, "a", text="Export CSV")
    assert export is not None and "/analytics/program/export.csv" in export.attrs["href"]
    assert export.attrs["href"].endswith("table=partner")


def test_ropi_by_partner_pages_with_constant_queries(world):
    with tenant_context(world.tenant):
        for i in range(3):
            _rollup(world, f"P{i:03}", returned="200", invested="100")
    client = portal_client(world.tenant, world.admin)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    with tenant_context(world.tenant):
        for i in range(3, 60):
            _rollup(world, f"P{i:03}", returned="200", invested="100")
    with CaptureQueriesContext(connection) as many:
        first = client.get(URL).content.decode()
    assert len(many) == len(few)
    assert len(_names(first)) == 50
    second = client.get(URL, {"page": 2}).content.decode()
    assert _names(second)[0] == "P050"
    assert find(first, "a", rel="next") is not None


def test_a_partner_or_channel_manager_cannot_open_the_program_ropi_table(world):
    assert portal_client(world.tenant, world.partner_admin).get(URL).status_code == 403
    assert portal_client(world.tenant, world.channel_manager).get(URL).status_code == 403
