"""Inbound CRM upserts by external id are idempotent: the same payload sent twice makes one
row and one audit entry, answering 201 the first time and 200 after."""

from __future__ import annotations

import pytest

from dealreg.models import NamedAccount
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client

pytestmark = pytest.mark.django_db

ACCOUNT = {"name": "Globex", "domain": "globex.com", "kind": "named", "external_id": "SF-7"}


def audit_count(world) -> int:
    with tenant_context(world.tenant):
        return AuditEvent.objects.filter(action__startswith="named_account.").count()


def test_the_same_named_account_twice_is_one_row_and_one_audit_entry(world):
    client = api_client(world.tenant, world.admin)
    first = client.post("/api/v1/named-accounts/", ACCOUNT, format="json")
    assert first.status_code == 201, first.json()
    audits = audit_count(world)
    again = client.post("/api/v1/named-accounts/", ACCOUNT, format="json")
    assert again.status_code == 200 and again.json() == first.json()
    assert audit_count(world) == audits == 1
    with tenant_context(world.tenant):
        assert NamedAccount.objects.filter(external_id="SF-7").count() == 1


def test_a_changed_named_account_is_updated_and_audited_with_before_and_after(world):
    client = api_client(world.tenant, world.admin)
    client.post("/api/v1/named-accounts/", ACCOUNT, format="json")
    resp = client.post("/api/v1/named-accounts/", ACCOUNT | {"owner": "Dana"}, format="json")
    assert resp.status_code == 200 and resp.json()["owner"] == "Dana"
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="named_account.updated")
    assert event.before["owner"] == "" and event.after["name"] == "Globex"
