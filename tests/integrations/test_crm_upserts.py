"""Inbound CRM upserts by external id are idempotent: the same payload sent twice makes one
row and one audit entry, answering 201 the first time and 200 after."""

from __future__ import annotations

import pytest

from dealreg.models import Lead, LeadOffer, NamedAccount
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


LEAD = {"company": "Initech", "domain": "initech.com", "country": "DE", "external_id": "L-9"}


def lead_audits(world) -> int:
    with tenant_context(world.tenant):
        return AuditEvent.objects.filter(action__startswith="lead.").count()


def test_the_same_lead_twice_is_one_row_routed_once_and_not_audited_again(world):
    client = api_client(world.tenant, world.admin)
    first = client.post("/api/v1/leads/", LEAD, format="json")
    assert first.status_code == 201, first.json()
    audits = lead_audits(world)
    again = client.post("/api/v1/leads/", LEAD, format="json")
    assert again.status_code == 200, again.json()
    assert again.json() == first.json()
    assert lead_audits(world) == audits
    with tenant_context(world.tenant):
        assert Lead.objects.filter(external_id="L-9").count() == 1
        assert LeadOffer.objects.filter(lead__external_id="L-9").count() == 1


def test_a_changed_lead_is_updated_in_place_with_before_and_after(world):
    client = api_client(world.tenant, world.admin)
    client.post("/api/v1/leads/", LEAD, format="json")
    resp = client.post(
        "/api/v1/leads/",
        LEAD | {"contact_name": "Bill", "domain": "https://www.initech.de/x"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["contact_name"] == "Bill" and resp.json()["domain"] == "initech.de"
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="lead.updated")
        assert Lead.objects.filter(external_id="L-9").count() == 1
    assert event.before == {"contact_name": "", "domain": "initech.com"}
    assert event.after == {"contact_name": "Bill", "domain": "initech.de"}


def test_a_lead_update_with_bad_values_is_a_400_and_changes_nothing(world):
    client = api_client(world.tenant, world.admin)
    client.post("/api/v1/leads/", LEAD, format="json")
    resp = client.post("/api/v1/leads/", LEAD | {"company": "  "}, format="json")
    assert resp.status_code == 400 and "company" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert Lead.objects.get(external_id="L-9").company == "Initech"
