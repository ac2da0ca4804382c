"""Lists written from values() rows (prm/api/rows.py) give the bytes the regular serializer
gives for the same rows: money, dates, nulls, the nested partner, computed properties, the
products, every page of the cursor."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import renderers, serializers

from dealreg import serializers as ds
from dealreg import services
from dealreg.api import deals_listed
from dealreg.models import Deal, DealStatus, NamedAccount
from partners.serializers import PartnerRefSerializer
from prm.api import rows
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import DealFactory, ProductFactory, RulesVersionFactory

DRF = renderers.JSONRenderer()


def _regular(serializer_class, instances, context=None) -> list[dict]:
    """DRF's own Serializer.to_representation over model instances."""
    serializer = serializer_class(context=context or {})
    return [serializers.Serializer.to_representation(serializer, obj) for obj in instances]


def _deals(world) -> None:
    """Deals with every kind of value a list row shows."""
    today = timezone.now().date()
    with tenant_context(world.tenant):
        vault = ProductFactory(tenant=world.tenant, name="Vault")
        archive = ProductFactory(tenant=world.tenant, name="Archive")
        rules = RulesVersionFactory(tenant=world.tenant, version=7)
        for i in range(4):
            services.deal_save(
                by=world.partner_admin,
                data={
                    "customer_name": f'Bücher & Söhne {i} \u2028 "quoted"',
                    "customer_domain_input": f"https://www.buecher{i}.example/path",
                    "amount": None if i == 0 else Decimal("1234.5"),
                    "expected_close_date": today + datetime.timedelta(days=30 + i),
                    "notes": "line one\nline two\ttab" if i == 1 else "",
                },
                products=[vault, archive] if i != 2 else [],
                submit=i >= 2,
            )
        first, second = Deal.objects.order_by("id")[:2]
        # Approved with protection over: shown as expired; won with money and a close date.
        Deal.objects.filter(pk=first.pk).update(
            status=DealStatus.APPROVED,
            protected_until=today - datetime.timedelta(days=1),
            decided_at=timezone.now() - datetime.timedelta(days=40, microseconds=7),
            rules_version=rules,
            decision_reason="Approved by rule 3",
        )
        Deal.objects.filter(pk=second.pk).update(
            status=DealStatus.WON,
            won_amount=Decimal("99999999.99"),
            closed_at=timezone.now().replace(microsecond=0),
            rules_version=rules,
        )
        DealFactory(tenant=world.tenant, partner=world.partner, amount=Decimal("0.01"))
        DealFactory(tenant=world.tenant, partner=world.other_partner, customer_name="Theirs")


@pytest.mark.parametrize("who", ["admin", "partner_admin"])
def test_deal_list_from_values_gives_the_regular_serializers_bytes(world, stranger, who):
    _deals(world)
    _deals(stranger)
    member = getattr(world, who)
    client = api_client(world.tenant, member)
    url = "/api/v1/deals/?page_size=2"
    pages, seen = 0, []
    while url:
        resp = client.get(url)
        assert resp.status_code == 200, resp.json()
        body = resp.json()
        ids = [row["id"] for row in body["results"]]
        with tenant_context(world.tenant):
            instances = sorted(deals_listed(member).filter(pk__in=ids), key=lambda d: -d.pk)
            expected = _regular(ds.DealListSerializer, instances)
        page = {"next": body["next"], "previous": body["previous"], "results": expected}
        assert resp.content == DRF.render(page)
        url = body["next"]
        pages += 1
        seen += [row["customer_name"] for row in body["results"]]
    # 6 deals (5 of the partner's), 2 a page: the cursor reads its position from the rows.
    assert pages == 3 and len(seen) == (6 if who == "admin" else 5)
    assert ("Theirs" in seen) == (who == "admin")
    statuses = {r["status"] for r in client.get("/api/v1/deals/").json()["results"]}
    assert {"expired", "won", "draft", "submitted"} & statuses


def test_deal_list_from_values_keeps_filters_and_sorting(world):
    _deals(world)
    client = api_client(world.tenant, world.admin)

    def listed(query: str) -> list:
        resp = client.get(f"/api/v1/deals/?{query}")
        assert resp.status_code == 200, resp.json()
        return [(r["customer_name"][:15], r["amount"]) for r in resp.json()["results"]]

    assert listed("status=expired") == [("Bücher & Söhne ", None)]
    assert [a for _, a in listed("ordering=amount")][:2] == ["0.01", "1234.50"]
    sorted_by_close = client.get("/api/v1/deals/?ordering=expected_close_date&page_size=1")
    nxt = client.get(sorted_by_close.json()["next"])
    assert nxt.status_code == 200
    assert nxt.json()["results"][0]["id"] != sorted_by_close.json()["results"][0]["id"]
    error = client.get("/api/v1/deals/?ordering=amount&cursor=bm9uc2Vuc2U=")
    assert error.status_code == 400 and "cursor" in error.json()["errors"]


def test_named_account_list_from_values_gives_the_regular_serializers_bytes(world, stranger):
    for w in (world, stranger):
        with tenant_context(w.tenant):
            for i, name in enumerate(["Zeta AG", "Äpfel GmbH", "alpha inc", "Ümlaut", "Beta"]):
                NamedAccount.objects.create(
                    tenant=w.tenant,
                    name=name,
                    name_normalised=name.lower(),
                    domain=f"n{i}.example" if i % 2 else "",
                    owner="Ann \u2029 Owner" if i == 1 else "",
                    kind=NamedAccount.Kind.OPPORTUNITY if i == 2 else NamedAccount.Kind.NAMED,
                    is_active=i != 3,
                )
    client = api_client(world.tenant, world.admin)
    for order in ("", "&ordering=-created_at", "&ordering=id"):
        url, names = f"/api/v1/named-accounts/?page_size=2{order}", []
        while url:
            resp = client.get(url)
            assert resp.status_code == 200, resp.json()
            body = resp.json()
            ids = [row["id"] for row in body["results"]]
            with tenant_context(world.tenant):
                by_id = {a.pk: a for a in NamedAccount.objects.filter(pk__in=ids)}
            expected = _regular(ds.NamedAccountSerializer, [by_id[i] for i in ids])
            page = {"next": body["next"], "previous": body["previous"], "results": expected}
            assert resp.content == DRF.render(page)
            names += [row["name"] for row in body["results"]]
            url = body["next"]
        assert sorted(names) == sorted(["Zeta AG", "Äpfel GmbH", "alpha inc", "Ümlaut", "Beta"])
    assert client.get("/api/v1/named-accounts/?is_active=false").json()["results"][0]["name"] == (
        "Ümlaut"
    )


def test_rows_plan_reads_the_columns_the_serializer_shows():
    plan = rows.rows_plan(ds.DealListSerializer, Deal)
    assert "partner__name" in plan.columns and "rules_version__version" in plan.columns
    assert "product_ids" in plan.columns and "customer_name_tokens" not in plan.columns
    assert [s[0] for s in plan.steps] == list(ds.DealListSerializer.Meta.fields)


def test_rows_plan_refuses_what_it_cannot_write_alike():
    class WithMethod(serializers.Serializer):
        context_free = True
        id = serializers.IntegerField()
        extra = serializers.SerializerMethodField()

        def get_extra(self, obj):
            return 1

    class Everything(serializers.Serializer):
        context_free = True
        whole = PartnerRefSerializer(source="*")

    class NotPromised(serializers.Serializer):
        id = serializers.IntegerField()

    class ReverseRelation(serializers.Serializer):
        context_free = True
        events = serializers.IntegerField(source="events.count")

    for serializer_class in (WithMethod, Everything, ReverseRelation, NotPromised):
        with pytest.raises(TypeError):
            rows.rows_plan(serializer_class, Deal)


def test_an_api_key_call_reads_the_tenant_once(world):
    """The key's member reuses the request's tenant (the MFA rule reads it): one tenant
    query per call, the host's."""
    client = api_client(world.tenant, world.admin)
    client.get("/api/v1/deals/")
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/api/v1/deals/")
    assert resp.status_code == 200
    tenant_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "prm_tenant"' in q["sql"]]
    assert len(tenant_reads) == 1, tenant_reads
