"""`?format=csv` on the list pages: the page's filters, only what the member may see, and
cells a spreadsheet would run as formulas defused."""

from __future__ import annotations

import csv
import io

import pytest

from dealreg import services as deal_services
from dealreg.services import leads
from imports import services as imports
from integrations import relay, services
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.dealreg.test_dealreg import register, register_and_tell
from tests.factories import OutboxEventFactory, WebhookDeliveryFactory
from tests.mdf.test_mdf_support import mdf_objects
from tests.onboarding_helpers import submit as submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export(world, member, path: str) -> list[dict]:
    resp = portal_client(world.tenant, member).get(path)
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"].startswith("text/csv")
    assert "attachment" in resp["Content-Disposition"]
    text = b"".join(resp.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_list_pages_link_to_their_export(world):
    client = portal_client(world.tenant, world.admin)
    for path in ("/members/", "/leads/", "/named-accounts/", "/applications/", "/imports/"):
        assert b"format=csv" in client.get(path).content, path


# --- Members ----------------------------------------------------------------------------------


def test_members_export_follows_the_search(world):
    rows = export(world, world.admin, f"/members/?format=csv&q={world.partner_user.user.email}")
    assert [r["email"] for r in rows] == [world.partner_user.user.email]
    assert rows[0]["role"] == "partner_user"


def test_partner_admin_exports_only_their_companys_members(world):
    emails = {r["email"] for r in export(world, world.partner_admin, "/members/?format=csv")}
    assert emails == {world.partner_admin.user.email, world.partner_user.user.email}


# --- Leads and named accounts -----------------------------------------------------------------


def test_leads_export_follows_the_search_and_defuses_formulas(world):
    with tenant_context(world.tenant):
        leads.lead_create(by=world.channel_manager, company="=HYPERLINK(1)")
        leads.lead_create(by=world.channel_manager, company="Initech")
    rows = export(world, world.channel_manager, "/leads/?format=csv&q=HYPERLINK")
    assert [r["company"] for r in rows] == ["'=HYPERLINK(1)"]


def test_lead_inbox_export_holds_only_the_partners_own_offers(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.channel_manager, company="Initech")
        offer = leads.lead_route(lead=lead)
    mine = world.partner_admin if offer.partner_id == world.partner.pk else None
    theirs = world.other_partner_user if mine else world.partner_user
    owner = mine or world.other_partner_user
    assert [r["company"] for r in export(world, owner, "/leads/inbox/?format=csv")] == ["Initech"]
    assert export(world, theirs, "/leads/inbox/?format=csv") == []


def test_named_accounts_export(world):
    with tenant_context(world.tenant):
        deal_services.named_account_upsert(
            by=world.admin, name="Megacorp", domain="megacorp.example"
        )
    rows = export(world, world.admin, "/named-accounts/?format=csv")
    assert [(r["name"], r["domain"]) for r in rows] == [("Megacorp", "megacorp.example")]


# --- Applications -----------------------------------------------------------------------------


def test_applications_export_follows_the_status_filter(world):
    submit_application(world)
    rows = export(world, world.channel_manager, "/applications/?format=csv")
    assert [r["company"] for r in rows] == ["Globex Partners"]
    assert export(world, world.channel_manager, "/applications/?status=rejected&format=csv") == []


# --- MDF --------------------------------------------------------------------------------------


def test_mdf_request_export_partner_sees_only_their_own(world):
    objs = mdf_objects(world)
    rows = export(world, world.partner_admin, "/mdf/requests/?format=csv")
    assert objs.submitted.number in {r["number"] for r in rows}
    assert {r["partner"] for r in rows} == {world.partner.name}
    assert export(world, world.other_partner_user, "/mdf/requests/?format=csv") == []


def test_mdf_claim_export_follows_the_search(world):
    objs = mdf_objects(world)
    rows = export(world, world.partner_admin, "/mdf/claims/?format=csv&q=Lunch")
    assert [(r["number"], r["status"]) for r in rows] == [(objs.claim_approved.number, "approved")]
    assert export(world, world.other_partner_user, "/mdf/claims/?format=csv") == []


def test_mdf_allocation_export(world):
    objs = mdf_objects(world)
    rows = export(world, world.admin, f"/mdf/programs/{objs.program.pk}/allocations/?format=csv")
    assert [(r["partner"], r["amount"]) for r in rows] == [(world.partner.name, "20000.00")]


# --- Notifications, webhook deliveries, imports ------------------------------------------------


def test_notification_export_holds_only_the_members_own(world):
    register_and_tell(world, world.partner_user)  # their own deal: told of its decision
    with tenant_context(world.tenant):
        relay.fan_out(tenant=world.tenant)
    rows = export(world, world.partner_user, "/notifications/?format=csv")
    assert [r["event_type"] for r in rows] == ["deal.approved"]
    assert export(world, world.other_partner_user, "/notifications/?format=csv") == []


def test_webhook_delivery_export(world):
    with tenant_context(world.tenant):
        endpoint = services.webhook_endpoint_create(
            by=world.admin, url="https://hooks.example.com/x", event_types=["deal.won"]
        )
        event = OutboxEventFactory(
            tenant=world.tenant, event_type="deal.won", payload={"deal_id": 1}
        )
        WebhookDeliveryFactory(tenant=world.tenant, endpoint=endpoint, event=event)
    rows = export(world, world.admin, f"/integrations/webhooks/{endpoint.pk}/?format=csv")
    assert [(r["event_type"], r["status"]) for r in rows] == [("deal.won", "pending")]


def test_import_export_lists_the_jobs(world):
    with tenant_context(world.tenant):
        imports.import_job_create(
            by=world.channel_manager, kind="leads", filename="l.csv", data=b"company\nAcme\n"
        )
    rows = export(world, world.channel_manager, "/imports/?format=csv")
    assert [(r["kind"], r["filename"]) for r in rows] == [("leads", "l.csv")]


# --- The directory, deals, audit and readiness exports share prm/csv_export.py ----------------


def test_partner_directory_export_keeps_its_columns_and_defuses_every_text_cell(world):
    from partners.models import Partner

    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(region="+cmd", legal_name="-2")
    rows = export(world, world.admin, "/partners/export.csv?q=Partner+A")
    assert list(rows[0]) == [
        "id", "name", "legal_name", "type", "status", "tier", "country", "region",
        "website", "channel_manager", "won_revenue_12m", "won_deals_12m", "approved_at",
        "activated_at",
    ]  # fmt: skip
    assert [(r["name"], r["region"], r["legal_name"]) for r in rows] == [
        (world.partner.name, "'+cmd", "-2")  # a plain number stays a number
    ]


def test_deal_export_keeps_its_columns_and_counts_rows_in_the_audit(world):
    from prm.models import AuditEvent

    deal = register(world)
    rows = export(world, world.channel_manager, "/deals/?format=csv")
    assert list(rows[0]) == [
        "number", "partner", "customer", "domain", "country", "status", "amount", "currency",
        "expected_close", "protected_until", "submitted_at", "won_amount", "closed_at", "source",
    ]  # fmt: skip
    assert [(r["number"], r["amount"], r["protected_until"]) for r in rows] == [
        (deal.number, "20000.00", deal.protected_until.isoformat())
    ]
    with tenant_context(world.tenant):
        assert AuditEvent.objects.get(action="deals.exported").after == {"rows": 1}


def test_audit_export_keeps_its_columns_and_is_itself_audited(world):
    from prm.models import AuditEvent

    register(world)
    rows = export(world, world.admin, "/audit/export.csv?action=deal.approved")
    assert list(rows[0]) == [
        "time_utc", "actor", "action", "object_type", "object_id", "object", "before",
        "after", "ip", "user_agent",
    ]  # fmt: skip
    assert [r["action"] for r in rows] == ["deal.approved"]
    with tenant_context(world.tenant):
        assert AuditEvent.objects.get(action="audit.exported").after["rows"] == 1
