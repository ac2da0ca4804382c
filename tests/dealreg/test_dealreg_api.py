"""The deal registration API: deals, pre-check, CRM sync, named accounts, rules, leads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, DealEvent, Lead, LeadOffer, LeadStatus, NamedAccount
from dealreg.services import leads
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client
from tests.factories import LeadOfferFactory, ProductFactory, TierFactory

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


# --- Helpers ------------------------------------------------------------------------------


def in_two_weeks() -> datetime.date:
    return timezone.now().date() + datetime.timedelta(days=14)


def body(**over) -> dict:
    """A complete registration, as JSON."""
    base = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "US",
        "amount": "20000.00",
        "currency": "USD",
        "expected_close_date": in_two_weeks().isoformat(),
        "contact_name": "Hank Scorpio",
        "contact_email": "hank@globex.com",
    }
    return base | over


def register(world, member=None, **over) -> Deal:
    """A deal submitted and evaluated by the rules, as the Celery task would."""
    member = member or world.partner_admin
    data = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "amount": Decimal("20000"),
        "expected_close_date": in_two_weeks(),
    } | over
    with tenant_context(world.tenant):
        deal = services.deal_save(by=member, data=data, submit=True)
        services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.get(pk=deal.pk)


def reload(deal) -> Deal:
    with tenant_context(deal.tenant):
        return Deal.objects.get(pk=deal.pk)


def deal_url(deal, suffix="") -> str:
    return f"{DEALS}{deal.pk}/{suffix}"


def ids(resp) -> list[int]:
    return [row["id"] for row in resp.json()["results"]]


# --- Registering --------------------------------------------------------------------------


def test_partner_registers_a_draft_with_products(world):
    with tenant_context(world.tenant):
        vault = ProductFactory(tenant=world.tenant, name="Vault")
    resp = api_client(world.tenant, world.partner_user).post(
        DEALS, body(products=[vault.pk], country="us"), format="json"
    )
    assert resp.status_code == 201, resp.json()
    deal = resp.json()
    assert deal["status"] == "draft" and deal["number"] == f"DR-{deal['id']}"
    assert deal["partner"] == {"id": world.partner.pk, "name": world.partner.name}
    assert deal["products"] == [vault.pk]
    assert deal["amount"] == "20000.00" and deal["currency"] == "USD"
    assert deal["country"] == "US" and deal["customer_domain"] == "globex.com"
    assert deal["created_at"].endswith("Z")
    assert [e["kind"] for e in deal["timeline"]] == ["created"]


def test_currency_defaults_to_the_tenants(world):
    world.tenant.default_currency = "EUR"
    world.tenant.save(update_fields=["default_currency"])
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS, {"customer_name": "Hooli"}, format="json"
    )
    assert resp.status_code == 201
    assert resp.json()["currency"] == "EUR"


def test_registering_with_submit_submits_and_the_rules_decide(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(DEALS, body(submit=True), format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["status"] == "submitted"
    with tenant_context(world.tenant):
        services.deal_evaluate(deal_id=resp.json()["id"])
    deal = client.get(f"{DEALS}{resp.json()['id']}/").json()
    assert deal["status"] == "approved" and deal["rules_version"] == 1
    assert deal["protected_until"] and deal["decided_at"].endswith("Z")
    assert deal["matches"] == []


def test_create_rejects_bad_input_naming_every_field(world):
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS,
        {
            "country": "Atlantis",
            "amount": "-5",
            "contact_email": "not-an-address",
            "deal_type": "barter",
            "currency": "euro",
            "products": [999999],
        },
        format="json",
    )
    assert resp.status_code == 400
    assert resp.json()["type"] == "validation_error"
    assert set(resp.json()["errors"]) == {
        "customer_name",
        "country",
        "amount",
        "contact_email",
        "deal_type",
        "currency",
        "products",
    }


def test_an_incomplete_submission_names_every_missing_field_and_saves_nothing(world):
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS, {"customer_name": "Hooli", "submit": True}, format="json"
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"customer_domain_input", "amount", "expected_close_date"}
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_a_past_close_date_is_400_on_that_field(world):
    past = (timezone.now().date() - datetime.timedelta(days=1)).isoformat()
    resp = api_client(world.tenant, world.partner_admin).post(
        DEALS, body(submit=True, expected_close_date=past), format="json"
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"expected_close_date"}


def test_create_honours_the_idempotency_key(world):
    client = api_client(world.tenant, world.partner_admin)
    first = client.post(DEALS, body(), format="json", HTTP_IDEMPOTENCY_KEY="deal-1")
    again = client.post(DEALS, body(), format="json", HTTP_IDEMPOTENCY_KEY="deal-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with tenant_context(world.tenant):
        assert Deal.objects.count() == 1


def test_partner_edits_a_draft_then_submits_it(world):
    client = api_client(world.tenant, world.partner_user)
    draft = client.post(DEALS, {"customer_name": "Hooli"}, format="json").json()
    resp = client.patch(
        f"{DEALS}{draft['id']}/",
        {"customer_domain_input": "https://hooli.xyz/", "amount": "1000", "notes": "Warm"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["customer_domain"] == "hooli.xyz" and resp.json()["notes"] == "Warm"
    assert resp.json()["customer_name"] == "Hooli"  # fields left out are kept
    resp = client.patch(
        f"{DEALS}{draft['id']}/",
        {"expected_close_date": in_two_weeks().isoformat(), "submit": True},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "submitted"
    resp = client.patch(f"{DEALS}{draft['id']}/", {"notes": "Later"}, format="json")
    assert resp.status_code == 400
    assert "non_field_errors" in resp.json()["errors"]


def test_submit_action_names_what_the_draft_lacks(world):
    client = api_client(world.tenant, world.partner_admin)
    draft = client.post(DEALS, {"customer_name": "Hooli"}, format="json").json()
    resp = client.post(f"{DEALS}{draft['id']}/submit/")
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"customer_domain_input", "amount", "expected_close_date"}
    client.patch(f"{DEALS}{draft['id']}/", body(customer_name="Hooli"), format="json")
    resp = client.post(f"{DEALS}{draft['id']}/submit/")
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"


def test_staff_cannot_register_deals(world):
    resp = api_client(world.tenant, world.channel_manager).post(DEALS, body(), format="json")
    assert resp.status_code == 403


# --- Reading ------------------------------------------------------------------------------


def test_partner_people_see_only_their_own_companys_deals(world):
    ours = register(world)
    theirs = register(world, member=world.other_partner_user, customer_domain_input="acme.com")
    assert ids(api_client(world.tenant, world.partner_user).get(DEALS)) == [ours.pk]
    assert ids(api_client(world.tenant, world.admin).get(DEALS)) == [theirs.pk, ours.pk]


def test_another_partners_deal_is_404_for_every_partner_action(world):
    deal = register(world, amount=Decimal("90000"))
    client = api_client(world.tenant, world.other_partner_user)
    assert client.get(deal_url(deal)).status_code == 404
    assert client.get(deal_url(deal, "timeline/")).status_code == 404
    assert client.patch(deal_url(deal), {"notes": "x"}, format="json").status_code == 404
    assert client.post(deal_url(deal, "withdraw/")).status_code == 404
    assert client.post(deal_url(deal, "extend/"), {"reason": "x"}).status_code == 404
    assert reload(deal).status == "under_review"


def test_another_tenants_deal_is_404(world, stranger):
    deal = register(stranger)
    assert api_client(world.tenant, world.admin).get(deal_url(deal)).status_code == 404


def test_a_non_numeric_id_is_404(world):
    assert api_client(world.tenant, world.admin).get(f"{DEALS}abc/").status_code == 404


def test_deal_list_filters_and_pages_by_cursor(world):
    approved = register(world, customer_name="Initech", customer_domain_input="initech.com")
    review = register(world, amount=Decimal("90000"))
    conflicting = register(world, member=world.other_partner_user, amount=Decimal("1000"))
    client = api_client(world.tenant, world.channel_manager)
    assert ids(client.get(DEALS, {"status": "approved"})) == [approved.pk]
    assert ids(client.get(DEALS, {"q": "initech"})) == [approved.pk]
    assert ids(client.get(DEALS, {"has_conflicts": "true"})) == [conflicting.pk]
    assert ids(client.get(DEALS, {"partner": world.other_partner.pk})) == [conflicting.pk]
    assert ids(client.get(DEALS, {"source": "vendor_lead"})) == []
    assert ids(client.get(DEALS, {"ordering": "amount"})) == [
        conflicting.pk,
        approved.pk,
        review.pk,
    ]
    first = client.get(DEALS, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    rest = client.get(first["next"]).json()
    assert [d["id"] for d in first["results"] + rest["results"]] == [
        conflicting.pk,
        review.pk,
        approved.pk,
    ]
    bad = client.get(DEALS, {"status": "sideways", "partner": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "partner"}


def _furnish_deals(world, n: int, product) -> None:
    with tenant_context(world.tenant):
        for i in range(n):
            services.deal_save(
                by=world.partner_admin,
                data={"customer_name": f"Customer {i}", "customer_domain_input": f"c{i}.example"},
                products=[product],
            )


@pytest.mark.parametrize("role", ["admin", "partner_user"])
def test_deal_list_query_count_does_not_grow_with_rows(world, role, django_assert_max_num_queries):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant, name="Vault")
    client = api_client(world.tenant, world.member(role))
    _furnish_deals(world, 1, product)
    client.get(DEALS)  # warm up
    with django_assert_max_num_queries(12) as one:
        resp = client.get(DEALS)
    assert len(resp.json()["results"]) == 1
    _furnish_deals(world, 25, product)
    with django_assert_max_num_queries(len(one.captured_queries)):
        resp = client.get(DEALS)
    assert len(resp.json()["results"]) == 26
    assert all(d["products"] == [product.pk] for d in resp.json()["results"])


# --- Conflicts: partners never see another partner's identity -----------------------------


def test_partner_sees_why_a_deal_conflicts_without_the_other_partners_identity(world):
    first = register(world)
    second = register(
        world,
        member=world.other_partner_user,
        customer_name="GLOBEX Corp.",
        customer_domain_input="sales.globex.com",
    )
    assert second.status == "under_review"
    resp = api_client(world.tenant, world.other_partner_user).get(deal_url(second))
    assert resp.status_code == 200
    matches = resp.json()["matches"]
    assert matches and all(set(m) == {"partner_reason"} for m in matches)
    text = resp.content.decode()
    assert world.partner.name not in text and first.number not in text

    staff = api_client(world.tenant, world.channel_manager).get(deal_url(second)).json()
    domain = next(m for m in staff["matches"] if m["kind"] == "domain")
    assert domain["matched_deal"] == first.pk and domain["score"] == "1.000"
    assert world.partner.name in domain["reason"]


def test_pre_check_reports_a_conflict_without_naming_anyone(world):
    first = register(world)
    client = api_client(world.tenant, world.other_partner_user)
    resp = client.post(
        f"{DEALS}pre-check/",
        {"customer_name": "Globex Corp", "customer_domain_input": "hank@globex.com"},
        format="json",
    )
    assert resp.status_code == 200
    assert resp.json()["result"] == "possible_conflict"
    assert resp.json()["reasons"]
    text = resp.content.decode()
    assert world.partner.name not in text and first.number not in text
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="deal.prechecked").count() == 1
        assert Deal.objects.count() == 1  # nothing saved


def test_pre_check_of_a_free_customer_is_likely_available(world):
    register(world)
    resp = api_client(world.tenant, world.other_partner_user).post(
        f"{DEALS}pre-check/", {"customer_name": "Umbrella", "products": []}, format="json"
    )
    assert resp.json() == {"result": "likely_available", "reasons": []}


def test_pre_check_rejects_bad_input(world):
    resp = api_client(world.tenant, world.partner_user).post(
        f"{DEALS}pre-check/", {"products": ["x"]}, format="json"
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"customer_name", "products"}


def test_staff_only_notes_and_influencers_are_hidden_from_partners(world):
    deal = register(world)
    staff = api_client(world.tenant, world.channel_manager)
    resp = staff.post(
        deal_url(deal, "influencers/"), {"partner": world.other_partner.pk}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["partner"]["id"] == world.other_partner.pk
    assert resp.json()["status"] == "approved"

    partner = api_client(world.tenant, world.partner_user)
    kinds = [e["kind"] for e in partner.get(deal_url(deal, "timeline/")).json()]
    assert "influencer_added" not in kinds and "approved" in kinds
    detail = partner.get(deal_url(deal)).json()
    assert detail["influencers"] == []
    assert world.other_partner.name not in partner.get(deal_url(deal)).content.decode()
    assert "influencer_added" not in [e["kind"] for e in detail["timeline"]]

    assert "influencer_added" in [e["kind"] for e in staff.get(deal_url(deal, "timeline/")).json()]
    assert [i["partner"]["id"] for i in staff.get(deal_url(deal)).json()["influencers"]] == [
        world.other_partner.pk
    ]


def test_influencer_must_be_another_active_partner(world):
    deal = register(world)
    client = api_client(world.tenant, world.admin)
    own = client.post(deal_url(deal, "influencers/"), {"partner": world.partner.pk})
    unknown = client.post(deal_url(deal, "influencers/"), {"partner": 999999})
    assert own.status_code == unknown.status_code == 400
    assert set(own.json()["errors"]) == set(unknown.json()["errors"]) == {"partner"}


# --- Deciding -----------------------------------------------------------------------------


@pytest.mark.parametrize("move", ["approve", "reject"])
def test_partner_cannot_decide_its_own_deal(world, move):
    deal = register(world, amount=Decimal("90000"))
    resp = api_client(world.tenant, world.partner_admin).post(
        deal_url(deal, f"{move}/"), {"reason": "mine"}, format="json"
    )
    assert resp.status_code == 403
    assert reload(deal).status == "under_review"


def test_manager_approves_a_deal_under_review(world):
    deal = register(world, amount=Decimal("90000"))
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post(deal_url(deal, "approve/"), {"reason": "Checked"}, format="json")
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "approved" and resp.json()["protected_until"]
    again = client.post(deal_url(deal, "approve/"))
    assert again.status_code == 400 and "non_field_errors" in again.json()["errors"]


def test_reject_needs_a_reason_shown_to_the_partner(world):
    deal = register(world, amount=Decimal("90000"))
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post(deal_url(deal, "reject/"), {"reason": ""}, format="json")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"reason"}
    resp = client.post(deal_url(deal, "reject/"), {"reason": "Vendor engaged"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    timeline = api_client(world.tenant, world.partner_user).get(deal_url(deal, "timeline/"))
    assert any("Vendor engaged" in e["message"] for e in timeline.json())


def test_approving_a_second_deal_for_the_same_customer_is_409(world):
    first = register(world, amount=Decimal("90000"))
    second = register(world, member=world.other_partner_user, amount=Decimal("90000"))
    client = api_client(world.tenant, world.channel_manager)
    assert client.post(deal_url(first, "approve/")).status_code == 200
    resp = client.post(deal_url(second, "approve/"))
    assert resp.status_code == 409 and resp.json()["type"] == "conflict"
    assert reload(second).status == "under_review"


def test_partner_withdraws_a_pending_deal(world):
    deal = register(world, amount=Decimal("90000"))
    client = api_client(world.tenant, world.partner_user)
    resp = client.post(deal_url(deal, "withdraw/"), {"reason": "Lost interest"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert client.post(deal_url(deal, "withdraw/")).status_code == 400


def test_extension_is_requested_by_the_partner_and_decided_by_staff(world):
    deal = register(world)
    partner = api_client(world.tenant, world.partner_user)
    staff = api_client(world.tenant, world.channel_manager)
    early = partner.post(deal_url(deal, "extend/"), {"reason": "Legal review"}, format="json")
    assert early.status_code == 400  # protection ends in 90 days: too early to ask
    deal.protected_until = timezone.now().date() + datetime.timedelta(days=10)
    with tenant_context(world.tenant):
        Deal.objects.filter(pk=deal.pk).update(protected_until=deal.protected_until)
    assert partner.post(deal_url(deal, "extend/"), {"reason": ""}).status_code == 400
    resp = partner.post(deal_url(deal, "extend/"), {"reason": "Legal review"}, format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "pending"
    assert partner.get(deal_url(deal)).json()["pending_extension"]["id"] == resp.json()["id"]
    assert staff.post(deal_url(deal, "extension-decision/"), {}).status_code == 400
    resp = staff.post(deal_url(deal, "extension-decision/"), {"approve": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    after = reload(deal)
    assert after.protected_until == deal.protected_until + datetime.timedelta(days=30)
    again = staff.post(deal_url(deal, "extension-decision/"), {"approve": True}, format="json")
    assert again.status_code == 400 and "non_field_errors" in again.json()["errors"]


def test_staff_close_a_deal_won_with_its_amount(world):
    deal = register(world)
    client = api_client(world.tenant, world.channel_manager)
    assert set(client.post(deal_url(deal, "close/"), {"outcome": "won"}).json()["errors"]) == {
        "amount"
    }
    assert set(client.post(deal_url(deal, "close/"), {"outcome": "lost"}).json()["errors"]) == {
        "reason"
    }
    assert set(client.post(deal_url(deal, "close/"), {"outcome": "maybe"}).json()["errors"]) == {
        "outcome"
    }
    resp = client.post(
        deal_url(deal, "close/"),
        {"outcome": "won", "amount": "25000", "closed_at": "2025-01-31"},
        format="json",
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "won" and resp.json()["won_amount"] == "25000.00"
    assert resp.json()["closed_at"] == "2025-01-31"


# --- CRM sync -----------------------------------------------------------------------------


def test_crm_sync_links_closes_and_repeats_change_nothing(world):
    deal = register(world)
    client = api_client(world.tenant, world.admin)
    payload = {
        "external_id": "SF-9",
        "deal": deal.pk,
        "outcome": "won",
        "amount": "30000.00",
        "closed_at": "2025-03-01",
    }
    first = client.post(f"{DEALS}sync/", payload, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "won" and first.json()["external_id"] == "SF-9"
    with tenant_context(world.tenant):
        events = DealEvent.objects.filter(deal=deal).count()
        audits = AuditEvent.objects.filter(object_id=str(deal.pk)).count()
    again = client.post(f"{DEALS}sync/", payload, format="json")
    later = client.post(
        f"{DEALS}sync/", {k: v for k, v in payload.items() if k != "deal"}, format="json"
    )
    assert again.status_code == later.status_code == 200
    assert again.json() == later.json() == first.json()
    with tenant_context(world.tenant):
        assert DealEvent.objects.filter(deal=deal).count() == events
        assert AuditEvent.objects.filter(object_id=str(deal.pk)).count() == audits
    changed = client.post(f"{DEALS}sync/", payload | {"amount": "1.00"}, format="json")
    assert changed.status_code == 400
    assert reload(deal).won_amount == Decimal("30000.00")


def test_crm_sync_bad_ids_are_field_errors(world, stranger):
    deal = register(world)
    other = register(stranger)
    client = api_client(world.tenant, world.admin)
    sync = f"{DEALS}sync/"
    lost = {"outcome": "lost", "reason": "Budget"}
    for bad in (999999, "abc", other.pk):
        resp = client.post(sync, {"external_id": "SF-1", "deal": bad} | lost, format="json")
        assert resp.status_code == 400 and set(resp.json()["errors"]) == {"deal"}, bad
    resp = client.post(sync, {"external_id": "SF-1"} | lost, format="json")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"deal"}
    resp = client.post(sync, {"deal": deal.pk}, format="json")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"external_id", "outcome"}
    assert reload(deal).status == "approved"


def test_crm_id_belongs_to_one_deal(world):
    first = register(world)
    second = register(world, member=world.other_partner_user, customer_domain_input="acme.com")
    client = api_client(world.tenant, world.admin)
    lost = {"outcome": "lost", "reason": "Budget"}
    ok = client.post(f"{DEALS}sync/", {"external_id": "SF-1", "deal": first.pk} | lost)
    assert ok.status_code == 200
    resp = client.post(f"{DEALS}sync/", {"external_id": "SF-1", "deal": second.pk} | lost)
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"deal"}
    resp = client.post(f"{DEALS}sync/", {"external_id": "SF-2", "deal": first.pk} | lost)
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"deal"}


def test_a_refused_sync_leaves_no_link_behind(world):
    deal = register(world, amount=Decimal("90000"))  # under review: cannot be won yet
    resp = api_client(world.tenant, world.admin).post(
        f"{DEALS}sync/",
        {"external_id": "SF-3", "deal": deal.pk, "outcome": "won", "amount": "5"},
        format="json",
    )
    assert resp.status_code == 400
    assert reload(deal).external_id == ""


def test_partners_cannot_sync(world):
    deal = register(world)
    resp = api_client(world.tenant, world.partner_admin).post(
        f"{DEALS}sync/", {"external_id": "SF-1", "deal": deal.pk, "outcome": "lost"}
    )
    assert resp.status_code == 403


def test_sync_needs_a_key_with_the_write_scope(world):
    deal = register(world)
    client = api_client(world.tenant, world.admin, scopes=("read",))
    resp = client.post(
        f"{DEALS}sync/", {"external_id": "SF-1", "deal": deal.pk, "outcome": "lost", "reason": "x"}
    )
    assert resp.status_code == 403


# --- Named accounts -----------------------------------------------------------------------


def test_named_accounts_are_upserted_by_crm_id(world):
    client = api_client(world.tenant, world.admin)
    first = client.post(
        "/api/v1/named-accounts/", {"name": "Globex", "external_id": "SF-1"}, format="json"
    )
    assert first.status_code == 201, first.json()
    second = client.post(
        "/api/v1/named-accounts/",
        {"name": "Globex Corp", "domain": "https://globex.com", "external_id": "SF-1"},
        format="json",
    )
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"] and second.json()["domain"] == "globex.com"
    listed = client.get("/api/v1/named-accounts/").json()["results"]
    assert [a["name"] for a in listed] == ["Globex Corp"]


def test_named_account_input_is_validated(world):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/named-accounts/", {"name": "", "kind": "partner", "owner": "x" * 201}
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"name", "kind", "owner"}
    with tenant_context(world.tenant):
        assert not NamedAccount.objects.exists()


def test_channel_managers_do_not_manage_named_accounts(world):
    client = api_client(world.tenant, world.channel_manager)
    assert client.post("/api/v1/named-accounts/", {"name": "Globex"}).status_code == 403


# --- Rules --------------------------------------------------------------------------------


def test_admin_publishes_rules_keeping_values_left_out(world):
    with tenant_context(world.tenant):
        gold = TierFactory(tenant=world.tenant, name="Gold", rank=2)
    client = api_client(world.tenant, world.admin)
    assert client.get("/api/v1/rules/").json()["version"] == 1
    resp = client.post(
        "/api/v1/rules/",
        {"auto_approve_max_amount": "1000", "auto_approve_tier_ids": [gold.pk]},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    rules = resp.json()
    assert rules["version"] == 2 and rules["auto_approve_max_amount"] == "1000.00"
    assert rules["auto_approve_tier_ids"] == [gold.pk]
    assert rules["default_protection_days"] == 90 and rules["effective_from"].endswith("Z")
    partner = api_client(world.tenant, world.partner_user)
    assert partner.get("/api/v1/rules/").json()["version"] == 2
    versions = api_client(world.tenant, world.channel_manager).get("/api/v1/rules/versions/")
    assert [v["version"] for v in versions.json()["results"]] == [2, 1]
    assert register(world, amount=Decimal("5000")).status == "under_review"


@pytest.mark.parametrize("role", ["channel_manager", "partner_admin"])
def test_only_admins_publish_rules(world, role):
    resp = api_client(world.tenant, world.member(role)).post(
        "/api/v1/rules/", {"auto_approve": False}, format="json"
    )
    assert resp.status_code == 403


def test_rules_reject_bad_values_naming_the_fields(world):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/rules/",
        {
            "name_similarity_threshold": "0.2",
            "default_protection_days": 0,
            "auto_approve_tier_ids": [999999],
        },
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {
        "name_similarity_threshold",
        "default_protection_days",
        "auto_approve_tier_ids",
    }


def test_partners_do_not_see_the_rules_history(world):
    assert (
        api_client(world.tenant, world.partner_admin).get("/api/v1/rules/versions/").status_code
        == 403
    )


# --- Leads --------------------------------------------------------------------------------


def _in_germany(partner):
    with tenant_context(partner.tenant):
        partner.country = "DE"
        partner.save(update_fields=["country"])


def test_staff_add_a_lead_and_it_is_routed_at_once(world):
    _in_germany(world.partner)
    resp = api_client(world.tenant, world.channel_manager).post(
        "/api/v1/leads/",
        {"company": "Initech GmbH", "domain": "initech.de", "country": "de", "amount": "5000"},
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    lead = resp.json()
    assert lead["status"] == "offered" and lead["country"] == "DE"
    assert lead["amount"] == "5000.00" and lead["currency"] == "USD"
    (offer,) = lead["offers"]
    assert offer["partner"]["id"] == world.partner.pk and offer["status"] == "open"
    assert "Country match +40" in offer["explanation"]


def test_lead_input_is_validated(world):
    with tenant_context(world.tenant):
        leads.lead_create(by=world.admin, company="Taken", external_id="L-1")
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/leads/",
        {"country": "Atlantis", "contact_email": "nope", "external_id": "L-1", "specialties": [0]},
        format="json",
    )
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {
        "company",
        "country",
        "contact_email",
        "specialties",
    }


def test_routing_again_offers_the_lead_to_the_next_partner(world):
    with tenant_context(world.tenant):
        lead = leads.lead_create(by=world.admin, company="Initrode")
    client = api_client(world.tenant, world.admin)
    resp = client.post(f"/api/v1/leads/{lead.pk}/route/")
    assert resp.status_code == 200 and resp.json()["status"] == "offered"
    again = client.post(f"/api/v1/leads/{lead.pk}/route/")  # an offer is still open
    assert again.status_code == 400
    listed = client.get("/api/v1/leads/", {"status": "offered"}).json()["results"]
    assert [x["id"] for x in listed] == [lead.pk]


def _offer_to(world, partner, company="Initech GmbH") -> LeadOffer:
    with tenant_context(world.tenant):
        lead = leads.lead_create(
            by=world.admin, company=company, domain="initech.de", amount=Decimal("5000")
        )
        lead.status = LeadStatus.OFFERED
        lead.save(update_fields=["status"])
        return LeadOfferFactory(
            tenant=world.tenant,
            lead=lead,
            partner=partner,
            score=Decimal("40"),
            explanation=["Country match +40"],
            respond_by=timezone.now() + datetime.timedelta(hours=48),
        )


def test_partner_accepts_an_offer_and_gets_a_protected_deal(world):
    offer = _offer_to(world, world.partner)
    client = api_client(world.tenant, world.partner_user)
    listed = client.get("/api/v1/lead-offers/").json()["results"]
    assert [o["id"] for o in listed] == [offer.pk]
    assert listed[0]["lead"]["company"] == "Initech GmbH" and listed[0]["deal"] is None
    resp = client.post(f"/api/v1/lead-offers/{offer.pk}/accept/")
    assert resp.status_code == 201, resp.json()
    deal = resp.json()
    assert deal["status"] == "approved" and deal["source"] == "vendor_lead"
    assert deal["partner"]["id"] == world.partner.pk and deal["protected_until"]
    listed = client.get("/api/v1/lead-offers/").json()["results"]
    assert listed[0]["status"] == "accepted" and listed[0]["deal"] == deal["id"]
    again = client.post(f"/api/v1/lead-offers/{offer.pk}/accept/")
    assert again.status_code == 400


def test_partner_declines_with_a_reason_without_learning_who_gets_it_next(world):
    offer = _offer_to(world, world.partner)
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(f"/api/v1/lead-offers/{offer.pk}/decline/", {"reason": ""})
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"reason"}
    resp = client.post(
        f"/api/v1/lead-offers/{offer.pk}/decline/", {"reason": "No capacity"}, format="json"
    )
    assert resp.status_code == 200, resp.json()
    assert resp.json()["status"] == "declined" and resp.json()["decline_reason"] == "No capacity"
    assert world.other_partner.name not in resp.content.decode()
    with tenant_context(world.tenant):
        nxt = LeadOffer.objects.get(lead_id=offer.lead_id, status="open")
        assert nxt.partner_id == world.other_partner.pk
        assert Lead.objects.get(pk=offer.lead_id).status == "offered"


def test_a_decline_reason_too_long_is_refused_in_the_portal_not_cut_short(world):
    """The inbox's reason box has no maxlength that would cut it; the service refuses."""
    from tests.conftest import portal_client

    offer = _offer_to(world, world.partner)
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/leads/offers/{offer.pk}/decline/", {"reason": "y" * 501}, follow=True
    )
    assert "At most 500 characters (this has 501)." in resp.content.decode()
    with tenant_context(world.tenant):
        offer.refresh_from_db()
    assert offer.status == "open" and offer.decline_reason == ""


def test_an_offer_to_another_partner_is_404(world):
    offer = _offer_to(world, world.other_partner)
    client = api_client(world.tenant, world.partner_user)
    assert client.get("/api/v1/lead-offers/").json()["results"] == []
    assert client.post(f"/api/v1/lead-offers/{offer.pk}/accept/").status_code == 404
    resp = client.post(f"/api/v1/lead-offers/{offer.pk}/decline/", {"reason": "x"})
    assert resp.status_code == 404
