"""The accounts API (accountmap/api.py): upsert by external id (201 then 200), 400s naming
the fields at fault in the one error format, all-or-nothing bulk upserts naming the item,
each side sees only its own accounts, the overlap list is for staff only."""

from __future__ import annotations

import pytest

from accountmap.models import Account
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_put_creates_then_updates_the_account_with_this_external_id(world):
    client = api_client(world.tenant, world.admin)
    body = {"name": "Initech", "domain": "initech.example", "status": "customer"}
    first = client.put("/api/v1/accounts/SF-1/", body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["external_id"] == "SF-1" and first.json()["source"] == "crm"
    again = client.put("/api/v1/accounts/SF-1/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert client.get("/api/v1/accounts/SF-1/").json()["domain"] == "initech.example"


def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.put(
        "/api/v1/accounts/P-1/",
        {"name": "X", "domain": "not a domain", "country": "Narnia", "status": "maybe"},
        format="json",
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["type"] == "validation_error" and "status" in body["errors"]
    resp = client.put(
        "/api/v1/accounts/P-1/", {"name": "X", "domain": "not a domain"}, format="json"
    )
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"domain"}
    with tenant_context(world.tenant):
        assert not Account.objects.exists()


def test_bulk_names_each_item_at_fault_and_writes_none(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/api/v1/accounts/bulk/",
        {
            "accounts": [
                {"external_id": "A", "name": "Good", "domain": "good.example"},
                {"external_id": "B", "name": "Bad", "domain": "not a domain"},
            ]
        },
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"accounts[1].domain"}
    with tenant_context(world.tenant):
        assert not Account.objects.exists()
    ok = client.post(
        "/api/v1/accounts/bulk/",
        {"accounts": [{"external_id": f"A{i}", "name": f"Co {i}"} for i in range(3)]},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["created"] == 3


def test_each_side_lists_only_its_own_accounts(world):
    AccountFactory(tenant=world.tenant, name="Vendor's")
    AccountFactory(tenant=world.tenant, partner=world.partner, name="Ours", external_id="O-1")
    AccountFactory(
        tenant=world.tenant, partner=world.other_partner, name="Theirs", external_id="T-1"
    )

    def names(member):
        resp = api_client(world.tenant, member).get("/api/v1/accounts/")
        return {a["name"] for a in resp.json()["results"]}

    assert names(world.channel_manager) == {"Vendor's"}
    assert names(world.partner_user) == {"Ours"}
    assert names(world.other_partner_user) == {"Theirs"}
    client = api_client(world.tenant, world.other_partner_user)
    assert client.get("/api/v1/accounts/O-1/").status_code == 404


def test_populations_by_api_with_their_counts(world):
    AccountFactory(tenant=world.tenant, partner=world.partner, status="customer", region="EMEA")
    client = api_client(world.tenant, world.partner_user)
    resp = client.post(
        "/api/v1/account-populations/",
        {"name": "EMEA customers", "statuses": ["customer"], "regions": ["EMEA"]},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    listed = client.get("/api/v1/account-populations/").json()["results"]
    assert [(p["name"], p["accounts"]) for p in listed] == [("EMEA customers", 1)]
    bad = client.post(
        "/api/v1/account-populations/",
        {"name": "Wrong", "min_employees": 10, "max_employees": 5},
        format="json",
    )
    assert bad.status_code == 400 and "max_employees" in bad.json()["errors"]
    # the vendor's populations are not the partner's
    staff = api_client(world.tenant, world.admin).get("/api/v1/account-populations/")
    assert staff.json()["results"] == []
