"""Deal registration in the portal, and the approval path through a real Celery worker."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, LeadOffer, NamedAccount
from dealreg.services import leads
from prm.tenancy import tenant_context
from tests.conftest import build_world, portal_client, wait_for
from tests.html_helpers import find, find_all
from tests.import_helpers import import_csv, start_and_run, upload


def form(**over):
    data = {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "US",
        "amount": "20000",
        "currency": "USD",
        "expected_close_date": (timezone.now().date() + datetime.timedelta(days=20)).isoformat(),
        "deal_type": "new",
        "partner_role": "resell",
    }
    data.update(over)
    return data


def only_deal(world, **filters):
    with tenant_context(world.tenant):
        return Deal.objects.get(**filters)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_clean_deal_is_approved_by_the_worker_within_seconds(celery_worker):
    world = build_world("live")
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/deals/new/submit/", form())
    assert resp.status_code == 302
    deal = only_deal(world)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "deal-status.js" in page  # the page polls while the rules run

    def decided():
        status = client.get(f"/deals/{deal.pk}/status.json").json()["status"]
        return status if status != "submitted" else None

    assert wait_for(decided, timeout=10) == "approved"
    assert "Protected until" in client.get(f"/deals/{deal.pk}/").content.decode()


@pytest.mark.django_db
def test_conflicting_registration_is_explained_to_the_manager_not_the_partner(world):
    first = portal_client(world.tenant, world.partner_admin)
    first.post("/deals/new/submit/", form())
    with tenant_context(world.tenant):
        services.deal_evaluate(deal_id=Deal.objects.get().pk)
    second = portal_client(world.tenant, world.other_partner_user)
    second.post(
        "/deals/new/submit/",
        form(customer_name="GLOBEX Corp.", customer_domain_input="buyer@sales.globex.com"),
    )
    deal = only_deal(world, partner=world.other_partner)
    with tenant_context(world.tenant):
        services.deal_evaluate(deal_id=deal.pk)
    partner_view = second.get(f"/deals/{deal.pk}/").content.decode()
    assert world.partner.name not in partner_view
    assert "Another registration exists" in partner_view
    manager = portal_client(world.tenant, world.channel_manager)
    manager_view = manager.get(f"/deals/{deal.pk}/").content.decode()
    assert "same domain globex.com as DR-" in manager_view and world.partner.name in manager_view
    assert "Side by side" in manager_view
    resp = manager.post(f"/deals/{deal.pk}/reject/", {"reason": "Northwind registered first"})
    assert resp.status_code == 302
    assert only_deal(world, pk=deal.pk).status == "rejected"
    assert "Northwind registered first" in second.get(f"/deals/{deal.pk}/").content.decode()


@pytest.mark.django_db
def test_pre_check_says_possible_conflict_without_naming_anyone(world):
    portal_client(world.tenant, world.partner_admin).post("/deals/new/submit/", form())
    client = portal_client(world.tenant, world.other_partner_user)
    body = client.post("/deals/new/precheck/", form(customer_name="Globex")).content.decode()
    assert "Possible conflict" in body and world.partner.name not in body
    with tenant_context(world.tenant):
        assert Deal.objects.count() == 1  # the pre-check saved nothing
    body = client.post(
        "/deals/new/precheck/",
        form(customer_name="Brand New Co", customer_domain_input="brandnew.io"),
    ).content.decode()
    assert "Likely available" in body


@pytest.mark.django_db
def test_bad_input_is_shown_as_field_errors(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/deals/new/submit/",
        form(customer_domain_input="", amount="-5", expected_close_date="2001-01-01"),
    )
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in body
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


@pytest.mark.django_db
def test_missing_domain_on_submit_is_a_field_error_and_saves_nothing(world):
    client = portal_client(world.tenant, world.partner_user)
    body = client.post("/deals/new/submit/", form(customer_domain_input="")).content.decode()
    assert "Enter the customer&#x27;s website" in body
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


@pytest.mark.django_db
def test_draft_then_submit(world):
    client = portal_client(world.tenant, world.partner_user)
    client.post("/deals/new/", form(customer_domain_input=""))
    deal = only_deal(world)
    assert deal.status == "draft"
    client.post(f"/deals/{deal.pk}/edit/", form())
    client.post(f"/deals/{deal.pk}/submit/")
    assert only_deal(world).status == "submitted"


@pytest.mark.django_db
def test_review_queue_bulk_reject_needs_a_reason(world):
    client = portal_client(world.tenant, world.partner_admin)
    for i in range(2):
        client.post(
            "/deals/new/submit/",
            form(customer_name=f"Big {i}", amount="90000", customer_domain_input=f"big{i}.com"),
        )
    with tenant_context(world.tenant):
        ids = list(Deal.objects.values_list("pk", flat=True))
        for pk in ids:
            services.deal_evaluate(deal_id=pk)
    manager = portal_client(world.tenant, world.channel_manager)
    assert "Big 0" in manager.get("/deals/review/").content.decode()
    # From the queue: a confirmation page naming each ticked deal, the reason carried over;
    # nothing is rejected yet.
    page = manager.post("/deals/review/reject/", {"deal": ids, "reason": "Out of scope"})
    assert page.status_code == 200
    assert {el.attrs["value"] for el in find_all(page, "input", name="deal")} == {
        str(pk) for pk in ids
    }
    assert find(page, "textarea", name="reason").text() == "Out of scope"
    with tenant_context(world.tenant):
        assert set(Deal.objects.values_list("status", flat=True)) == {"under_review"}
    # Confirmed without a reason: the page again, with the error at the field.
    page = manager.post("/deals/review/reject/", {"deal": ids, "reason": "", "confirmed": "1"})
    assert page.status_code == 200
    assert "Give the partners a reason." in find(page, "form", class_="confirm-form").text()
    with tenant_context(world.tenant):
        assert set(Deal.objects.values_list("status", flat=True)) == {"under_review"}
    done = manager.post(
        "/deals/review/reject/", {"deal": ids, "reason": "Out of scope", "confirmed": "1"}
    )
    assert done.status_code == 302
    with tenant_context(world.tenant):
        assert set(Deal.objects.values_list("status", flat=True)) == {"rejected"}
        assert set(Deal.objects.values_list("decision_reason", flat=True)) == {"Out of scope"}


@pytest.mark.django_db
def test_bulk_reject_with_nothing_ticked_goes_back_to_the_queue(world):
    manager = portal_client(world.tenant, world.channel_manager)
    resp = manager.post("/deals/review/reject/", {"reason": "x"})
    assert resp.status_code == 302 and resp["Location"].startswith("/deals/review/")


@pytest.mark.django_db
def test_deal_list_and_review_queue_query_counts_do_not_grow(world):
    partner = portal_client(world.tenant, world.partner_admin)
    manager = portal_client(world.tenant, world.channel_manager)
    partner.post("/deals/new/submit/", form(amount="90000"))
    with tenant_context(world.tenant):
        services.deal_evaluate(deal_id=Deal.objects.get().pk)
    counts = {}
    for name, client, url in (("list", partner, "/deals/"), ("queue", manager, "/deals/review/")):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts[name] = len(ctx.captured_queries)
    for i in range(15):
        partner.post(
            "/deals/new/submit/",
            form(customer_name=f"Co {i}", amount="90000", customer_domain_input=f"co{i}.com"),
        )
    with tenant_context(world.tenant):
        for pk in Deal.objects.filter(status="submitted").values_list("pk", flat=True):
            services.deal_evaluate(deal_id=pk)
    for name, client, url in (("list", partner, "/deals/"), ("queue", manager, "/deals/review/")):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx.captured_queries) <= counts[name], name


@pytest.mark.django_db
def test_partner_sees_published_rules_and_admin_publishes_a_version(world):
    body = portal_client(world.tenant, world.partner_user).get("/rules/").content.decode()
    assert "First in wins" in body and "Version history" not in body
    admin = portal_client(world.tenant, world.admin)
    admin.get("/rules/")
    resp = admin.post(
        "/rules/",
        {
            "default_protection_days": "60",
            "use_tier_protection_days": "on",
            "max_extensions": "2",
            "extension_days": "15",
            "auto_approve": "on",
            "auto_approve_max_amount": "10000",
            "name_similarity_threshold": "0.9",
            "review_sla_hours": "24",
            "lead_response_hours": "24",
            "influence_review_hours": "48",
        },
    )
    assert resp.status_code == 302
    body = portal_client(world.tenant, world.partner_user).get("/rules/").content.decode()
    assert "protected for 60 days" in body and "Version 2" in body


@pytest.mark.django_db
def test_named_accounts_csv_preview_then_import(world):
    csv_text = "name,domain,kind,owner,external_id\nInitech,initech.com,named,Dana,SF-1\n"
    resp, job = upload(
        world, world.admin, "named-accounts", csv_text + ",nodomain.com,named,,SF-2\n"
    )
    body = portal_client(world.tenant, world.admin).get(resp["Location"]).content.decode()
    assert "line 3" in body
    with tenant_context(world.tenant):
        assert not NamedAccount.objects.exists()
    import_csv(world, world.admin, "named-accounts", csv_text)
    with tenant_context(world.tenant):
        assert NamedAccount.objects.get().domain == "initech.com"


@pytest.mark.django_db
def test_partner_accepts_a_lead_from_the_inbox(world):
    with tenant_context(world.tenant):
        world.partner.country = "DE"
        world.partner.save(update_fields=["country"])
        lead = leads.lead_create(
            by=world.channel_manager, company="Kruger AG", country="DE", amount=Decimal("1000")
        )
        offer = leads.lead_route(lead=lead)
    client = portal_client(world.tenant, world.partner_user)
    assert "Kruger AG" in client.get("/leads/inbox/").content.decode()
    resp = client.post(f"/leads/offers/{offer.pk}/accept/")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert LeadOffer.objects.get(pk=offer.pk).status == "accepted"
        assert Deal.objects.get(source="vendor_lead").status == "approved"


@pytest.mark.django_db
def test_deal_csv_export_lists_only_own_deals_for_partners(world):
    portal_client(world.tenant, world.partner_admin).post("/deals/new/submit/", form())
    portal_client(world.tenant, world.other_partner_user).post(
        "/deals/new/submit/", form(customer_name="Other Co", customer_domain_input="other.com")
    )
    resp = portal_client(world.tenant, world.partner_user).get("/deals/?format=csv")
    body = resp.getvalue().decode()
    assert "Globex" in body and "Other Co" not in body


@pytest.mark.django_db
def test_leads_csv_import_routes_each_lead(world):
    rows = "company,domain,country,amount\n" + "".join(
        f"Lead {i} Ltd,lead{i}.example,US,{1000 + i}\n" for i in range(5)
    )
    job = import_csv(world, world.channel_manager, "leads", rows)
    assert job.created == 5
    with tenant_context(world.tenant):
        from dealreg.models import Lead

        assert Lead.objects.filter(status="offered").count() == 5


@pytest.mark.django_db
def test_leads_csv_with_a_bad_row_imports_only_the_good_rows(world):
    resp, job = upload(
        world, world.channel_manager, "leads", "company,amount\nGood Co,100\nBad Co,lots\n"
    )
    body = portal_client(world.tenant, world.channel_manager).get(resp["Location"]).content.decode()
    assert "line 3" in body and "amount: The amount is not a number." in body
    with tenant_context(world.tenant):
        from dealreg.models import Lead

        assert not Lead.objects.exists()
    job = start_and_run(world, world.channel_manager, job)
    assert (job.created, job.failed) == (1, 1)
    with tenant_context(world.tenant):
        assert list(Lead.objects.values_list("company", flat=True)) == ["Good Co"]
