"""Lists and dashboards whose cost must not grow with the data (issue #9): the deal list API
reads one query for its rows (products included) and serializes them as DRF would; the program
dashboard shows a bounded number of partners while its export has them all."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import django_filters
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from analytics import services as analytics_services
from analytics.views import PARTNERS_ON_PAGE
from dealreg import serializers as ds
from dealreg import services
from dealreg.api import DealFilter, deals_listed
from dealreg.models import Deal
from prm.api import rows
from prm.api.filters import _filters_nothing
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import PartnerFactory, ProductFactory

DEALS = "/api/v1/deals/?page_size=50"


def _register(world, n: int, products: list) -> None:
    with tenant_context(world.tenant):
        for i in range(n):
            services.deal_save(
                by=world.partner_admin,
                data={"customer_name": f"Buyer {i}", "customer_domain_input": f"b{i}.example"},
                products=products,
            )


def _deal_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if 'FROM "dealreg_' in q["sql"]]


def test_deal_list_reads_deals_and_their_products_in_one_query(world):
    with tenant_context(world.tenant):
        b = ProductFactory(tenant=world.tenant, name="Backup")
        a = ProductFactory(tenant=world.tenant, name="Archive")
    _register(world, 3, [b, a])
    client = api_client(world.tenant, world.admin)
    client.get(DEALS)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(DEALS)
    assert resp.status_code == 200
    # Products in catalogue order (by name), as the detail view shows them.
    assert [d["products"] for d in resp.json()["results"]] == [[a.pk, b.pk]] * 3
    assert len(_deal_queries(ctx)) == 1, "\n".join(_deal_queries(ctx))


def test_fast_list_serializer_gives_what_drf_gives(world):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant, name="Vault")
    _register(world, 2, [product])
    _register(world, 1, [])
    with tenant_context(world.tenant):
        rows = list(deals_listed(world.admin).order_by("-id"))
        fast = ds.DealListSerializer(rows, many=True, context={"staff": True}).data
        plain_serializer = ds.DealListSerializer(context={"staff": True})
        plain = [serializers.ModelSerializer.to_representation(plain_serializer, r) for r in rows]
    assert fast == plain
    assert fast[0]["rules_version"] is None and fast[-1]["products"] == [product.pk]


def test_deal_list_rows_are_the_detail_without_its_extras(world):
    """The list's fields, built once per process (DealListSerializer.context_free, written
    from values() rows by prm.api.rows), read the same values as the detail's, built per
    request with its context."""
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant, name="Vault")
    _register(world, 2, [product])
    with tenant_context(world.tenant):
        services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Initech",
                "customer_domain_input": "initech.example",
                "amount": Decimal("1234.50"),
                "expected_close_date": datetime.date.today() + datetime.timedelta(days=30),
            },
            submit=True,
        )
    extras = {"matches", "timeline", "influencers", "pending_extension", "allowed_actions"}
    for member in (world.admin, world.partner_admin):
        client = api_client(world.tenant, member)
        listed = client.get(DEALS).json()["results"]
        assert len(listed) == 3
        for row in listed:
            detail = client.get(f"/api/v1/deals/{row['id']}/").json()
            assert {k: v for k, v in detail.items() if k not in extras} == row
    # The list's plan is the process's one (built by the first list request above, whatever
    # ran before in this process); the detail's serializer has none: it reads its context.
    assert rows.rows_plan(ds.DealListSerializer, Deal) is rows.rows_plan(
        ds.DealListSerializer, Deal
    )
    with pytest.raises(TypeError, match="context_free"):
        rows.rows_plan(ds.DealSerializer, Deal)
    assert "_class_plan" not in ds.DealSerializer.__dict__


def test_deal_list_filters_only_when_a_filter_is_named(world):
    _register(world, 2, [])
    with tenant_context(world.tenant):
        services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Initech",
                "customer_domain_input": "initech.example",
                "amount": Decimal("100"),
                "expected_close_date": datetime.date.today() + datetime.timedelta(days=30),
            },
            submit=True,
        )
    client = api_client(world.tenant, world.admin)

    def names(query: str) -> list[str]:
        resp = client.get(f"{DEALS}&{query}")
        assert resp.status_code == 200, resp.json()
        return sorted(d["customer_name"] for d in resp.json()["results"])

    assert names("ordering=id") == ["Buyer 0", "Buyer 1", "Initech"]
    assert names("status=draft") == ["Buyer 0", "Buyer 1"]
    assert names("q=initech") == ["Initech"]
    assert client.get(f"{DEALS}&status=nonsense").status_code == 400


def test_filter_backend_runs_filtersets_it_cannot_prove_idle():
    class Required(django_filters.FilterSet):
        status = django_filters.CharFilter(required=True)

    class Custom(django_filters.FilterSet):
        status = django_filters.CharFilter()

        def filter_queryset(self, queryset):
            return queryset.none()

    request = SimpleNamespace(query_params=QueryDict("page_size=5"))
    assert _filters_nothing(DealFilter, request)
    assert not _filters_nothing(DealFilter, SimpleNamespace(query_params=QueryDict("q=x")))
    assert not _filters_nothing(Required, request)
    assert not _filters_nothing(Custom, request)


def test_program_dashboard_shows_a_bounded_number_of_partners_and_exports_all(world):
    with tenant_context(world.tenant):
        for i in range(PARTNERS_ON_PAGE + 2):
            PartnerFactory(tenant=world.tenant, name=f"Zz Partner {i:03d}", status="active")
        analytics_services.rollups_compute(tenant=world.tenant)
    client = portal_client(world.tenant, world.admin)
    body = client.get("/analytics/program/").content.decode()
    assert "Zz Partner 000" in body and f"Zz Partner {PARTNERS_ON_PAGE + 1:03d}" not in body
    export = client.get("/analytics/program/export.csv?table=kpi_partner")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    names = {r["partner_name"] for r in csv.DictReader(io.StringIO(text))}
    assert {f"Zz Partner {i:03d}" for i in range(PARTNERS_ON_PAGE + 2)} <= names
