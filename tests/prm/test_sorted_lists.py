"""Sortable columns on the long lists (prm/sorting.py): direct deals, leads, the audit trail,
imports, webhook endpoints and their delivery log, the training admin's courses. Each sorts by
a column both ways, text without regard to case; a hand-typed unknown sort is the list's own
order, never an error; an export follows the page's sort; a page of "the latest N" sorts those
N rows and does not pick others."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.test import RequestFactory
from django.utils import timezone

from imports.models import ImportJob
from prm.models import AuditEvent
from prm.sorting import Sorting
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import (
    CourseFactory,
    DirectDealFactory,
    DirectDealInfluencerFactory,
    LeadFactory,
    LeadOfferFactory,
    PartnerFactory,
    PartnerRollupFactory,
    RiskEpisodeFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.html_helpers import find, find_all


def _within(element, tag: str) -> list:
    """The descendants of `element` named `tag`, in document order."""
    found = []
    for part in element.parts:
        if not isinstance(part, str):
            if part.tag == tag:
                found.append(part)
            found += _within(part, tag)
    return found


def _column(resp, index: int) -> list[str]:
    assert resp.status_code == 200
    return [_within(r, "td")[index].text() for r in _within(find(resp, "tbody"), "tr")]


def _csv_column(resp, name: str) -> list[str]:
    assert resp.status_code == 200
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    return [row[name] for row in csv.DictReader(io.StringIO(text))]


def _sorted_header(resp) -> str:
    return find(resp, "th", aria_sort="ascending").text()


def test_rows_in_memory_sort_without_case_with_empty_values_last_either_way():
    rows = [
        {"name": "beta", "n": 2},
        {"name": None, "n": 1},
        {"name": "Alpha", "n": 3},
        {"name": "alpha", "n": 4},
    ]
    columns = {"name": "name", "n": "n"}

    def order(query):
        request = RequestFactory().get("/x/" + query)
        return [
            r["n"] for r in Sorting.from_request(request, columns, default="n").order_rows(rows)
        ]

    assert order("?sort=name") == [3, 4, 2, 1]  # equal names keep their order
    assert order("?sort=-name") == [2, 3, 4, 1]
    assert order("?sort=nothing") == [1, 2, 3, 4]


# --- Direct deals ---------------------------------------------------------------------------


def _direct_deals(world) -> None:
    with tenant_context(world.tenant):
        for n, (customer, amount) in enumerate(
            (("globex", 900), ("Acme", 40000), ("Initech", 5000)), start=1
        ):
            deal = DirectDealFactory(
                tenant=world.tenant,
                external_id=f"OPP-{n}",
                customer_name=customer,
                amount=Decimal(amount),
            )
            DirectDealInfluencerFactory(
                tenant=world.tenant, direct_deal=deal, partner=world.partner
            )


def _customers(resp) -> list[str]:
    return [c.split()[0] for c in _column(resp, 1)]


def test_direct_deals_sort_by_customer_and_amount_both_ways(world):
    _direct_deals(world)
    staff = portal_client(world.tenant, world.admin)
    assert _customers(staff.get("/direct-deals/?sort=customer")) == ["Acme", "globex", "Initech"]
    assert _customers(staff.get("/direct-deals/?sort=-customer")) == ["Initech", "globex", "Acme"]
    assert _customers(staff.get("/direct-deals/?sort=amount")) == ["globex", "Initech", "Acme"]
    assert _customers(staff.get("/direct-deals/?sort=-amount")) == ["Acme", "Initech", "globex"]
    # A partner's list is the deals it is credited on (a distinct query): it sorts the same.
    partner = portal_client(world.tenant, world.partner_user)
    assert _customers(partner.get("/direct-deals/?sort=-customer")) == [
        "Initech",
        "globex",
        "Acme",
    ]


def test_direct_deals_keep_newest_first_without_or_with_an_unknown_sort(world):
    _direct_deals(world)
    staff = portal_client(world.tenant, world.admin)
    for query in ("", "?sort=influencers", "?sort=-"):
        assert _customers(staff.get("/direct-deals/" + query)) == ["Initech", "Acme", "globex"]


# --- Leads ----------------------------------------------------------------------------------


def _leads(world) -> None:
    now = timezone.now()
    for age, company in enumerate(("bravo", "Charlie", "Alpha")):
        LeadFactory(
            tenant=world.tenant,
            company=company,
            created_at=now - datetime.timedelta(days=age),
        )


def _companies(resp) -> list[str]:
    return [c.split()[0] for c in _column(resp, 0)]


def test_the_lead_list_sorts_by_company_both_ways_and_its_export_follows(world):
    _leads(world)
    client = portal_client(world.tenant, world.admin)
    assert _companies(client.get("/leads/?sort=company")) == ["Alpha", "bravo", "Charlie"]
    assert _companies(client.get("/leads/?sort=-company")) == ["Charlie", "bravo", "Alpha"]
    exported = client.get("/leads/?sort=-company&format=csv")
    assert _csv_column(exported, "company") == ["Charlie", "bravo", "Alpha"]


def test_the_lead_list_keeps_newest_first_for_an_unknown_sort(world):
    _leads(world)
    client = portal_client(world.tenant, world.admin)
    assert _companies(client.get("/leads/?sort=offered_to")) == ["bravo", "Charlie", "Alpha"]
    assert _csv_column(client.get("/leads/?sort=x&format=csv"), "company") == [
        "bravo",
        "Charlie",
        "Alpha",
    ]


# --- Audit trail ----------------------------------------------------------------------------


def _audit(world) -> None:
    now = timezone.now()
    with tenant_context(world.tenant):
        for minutes, (actor, action) in enumerate(
            (("zoe@example.com", "deal.approved"), ("Bob", "member.invited"), ("al", "api.x"))
        ):
            AuditEvent.objects.create(
                tenant=world.tenant,
                actor_label=actor,
                action=action,
                created_at=now - datetime.timedelta(minutes=minutes),
            )


def _ours(values: list[str], wanted=("zoe@example.com", "Bob", "al")) -> list[str]:
    return [v for v in values if v in wanted]


def test_the_audit_trail_sorts_by_actor_and_action_and_its_export_follows(world):
    _audit(world)
    client = portal_client(world.tenant, world.admin)
    assert _ours(_column(client.get("/audit/?sort=actor"), 1)) == ["al", "Bob", "zoe@example.com"]
    assert _ours(_column(client.get("/audit/?sort=-actor"), 1)) == [
        "zoe@example.com",
        "Bob",
        "al",
    ]
    actions = _csv_column(client.get("/audit/export.csv?sort=action"), "action")
    assert actions == sorted(actions)
    actions = _csv_column(client.get("/audit/export.csv?sort=-action"), "action")
    assert actions == sorted(actions, reverse=True)
    assert _ours(_csv_column(client.get("/audit/export.csv?sort=-time"), "actor")) == [
        "zoe@example.com",
        "Bob",
        "al",
    ]


def test_the_audit_trail_keeps_newest_first_for_an_unknown_sort(world):
    _audit(world)
    client = portal_client(world.tenant, world.admin)
    for path in ("/audit/", "/audit/?sort=ip", "/audit/?sort=-before"):
        assert _ours(_column(client.get(path), 1)) == ["zoe@example.com", "Bob", "al"]


# --- Imports --------------------------------------------------------------------------------


def _jobs(world, names=("b.csv", "C.csv", "a.csv")) -> None:
    now = timezone.now()
    with tenant_context(world.tenant):
        ImportJob.objects.bulk_create(
            ImportJob(
                tenant=world.tenant,
                kind="partners",
                filename=name,
                content="",
                total_rows=rows,
                created_at=now - datetime.timedelta(minutes=age),
            )
            for age, (name, rows) in enumerate(zip(names, range(len(names), 0, -1), strict=True))
        )


def test_the_import_list_sorts_by_file_both_ways_and_its_export_follows(world):
    _jobs(world)
    client = portal_client(world.tenant, world.admin)
    assert _column(client.get("/imports/?sort=file"), 2) == ["a.csv", "b.csv", "C.csv"]
    assert _column(client.get("/imports/?sort=-file"), 2) == ["C.csv", "b.csv", "a.csv"]
    assert _column(client.get("/imports/?sort=rows"), 2) == ["a.csv", "C.csv", "b.csv"]
    exported = client.get("/imports/?sort=-file&format=csv")
    assert _csv_column(exported, "filename") == ["C.csv", "b.csv", "a.csv"]
    assert _column(client.get("/imports/?sort=nope"), 2) == ["b.csv", "C.csv", "a.csv"]


def test_the_import_list_sorts_its_latest_fifty_and_shows_no_older_one(world):
    _jobs(world, names=[f"job-{n:02}.csv" for n in range(52)])  # job-00 the newest
    client = portal_client(world.tenant, world.admin)
    files = _column(client.get("/imports/?sort=-file"), 2)
    assert files == [f"job-{n:02}.csv" for n in range(49, -1, -1)]  # not job-51 or job-50


# --- Webhooks -------------------------------------------------------------------------------


def test_the_webhook_list_sorts_by_url_both_ways(world):
    now = timezone.now()
    for age, url in enumerate(
        ("https://b.example/h", "https://C.example/h", "https://a.example/h")
    ):
        WebhookEndpointFactory(
            tenant=world.tenant, url=url, created_at=now - datetime.timedelta(days=age)
        )
    client = portal_client(world.tenant, world.admin)

    def urls(query):
        resp = client.get("/integrations/webhooks/" + query)
        return [u.split("/")[2] for u in _column(resp, 0)]

    assert urls("?sort=url") == ["a.example", "b.example", "C.example"]
    assert urls("?sort=-url") == ["C.example", "b.example", "a.example"]
    assert urls("?sort=secret") == urls("") == ["b.example", "C.example", "a.example"]


def test_the_delivery_log_sorts_by_response_both_ways_and_its_export_follows(world):
    endpoint = WebhookEndpointFactory(tenant=world.tenant)
    now = timezone.now()
    for age, code in enumerate((500, 200, 404)):
        WebhookDeliveryFactory(
            tenant=world.tenant,
            endpoint=endpoint,
            response_code=code,
            created_at=now - datetime.timedelta(minutes=age),
        )
    client = portal_client(world.tenant, world.admin)
    path = f"/integrations/webhooks/{endpoint.pk}/"

    def codes(query):
        return [c.split()[0] for c in _column(client.get(path + query), 3)]

    assert codes("?sort=response") == ["200", "404", "500"]
    assert codes("?sort=-response") == ["500", "404", "200"]
    assert codes("?sort=;drop") == codes("") == ["500", "200", "404"]
    assert "Response" in _sorted_header(client.get(path + "?sort=response"))
    exported = client.get(path + "?sort=-response&format=csv")
    assert _csv_column(exported, "response_code") == ["500", "404", "200"]


# --- Training -------------------------------------------------------------------------------


def test_the_course_list_sorts_by_title_both_ways(world):
    with tenant_context(world.tenant):
        for title in ("banking", "Zoology", "Algebra"):
            CourseFactory(tenant=world.tenant, code=title[:3].upper(), title=title)
    client = portal_client(world.tenant, world.admin)

    def titles(query):
        return [t.split()[0] for t in _column(client.get("/program/training/" + query), 0)]

    assert titles("") == titles("?sort=code") == ["Algebra", "banking", "Zoology"]
    assert titles("?sort=-course") == ["Zoology", "banking", "Algebra"]
    resp = client.get("/program/training/?sort=pass_rate")
    assert "Pass rate" in _sorted_header(resp)
    assert len(find_all(resp, "th", aria_sort="none")) == 7


# --- Analytics: the manager page's partner tables ------------------------------------------


def _manager_data(world) -> None:
    for name, won, score in (("beta Labs", 7, 35), ("Alpha Co", 2, 12), ("Gamma Inc", 11, 20)):
        partner = PartnerFactory(tenant=world.tenant, name=name)
        PartnerRollupFactory(tenant=world.tenant, partner=partner, won_deals=won)
        RiskEpisodeFactory(tenant=world.tenant, partner=partner, score=score)


MANAGER = "/analytics/manager/?year=2026&scope=all"


def test_the_manager_kpi_table_sorts_by_a_column_both_ways_and_its_export_follows(world):
    _manager_data(world)
    client = portal_client(world.tenant, world.admin)

    def names(query):
        resp = client.get(MANAGER + query)
        assert resp.status_code == 200
        return [r["partner_name"] for r in resp.context["tables"]["kpis"].rows]

    assert names("") == names("&kpi_sort=nope") == ["Alpha Co", "beta Labs", "Gamma Inc"]
    assert names("&kpi_sort=-partner_name") == ["Gamma Inc", "beta Labs", "Alpha Co"]
    assert names("&kpi_sort=won_deals") == ["Alpha Co", "beta Labs", "Gamma Inc"]
    assert names("&kpi_sort=-won_deals") == ["Gamma Inc", "beta Labs", "Alpha Co"]
    header = find(client.get(MANAGER + "&kpi_sort=-won_deals"), "th", aria_sort="descending")
    assert "Won deals" in header.text()
    exported = client.get(
        "/analytics/manager/export.csv?year=2026&scope=all&table=kpis&kpi_sort=-won_deals"
    )
    assert _csv_column(exported, "partner_name") == ["Gamma Inc", "beta Labs", "Alpha Co"]


def test_the_at_risk_list_sorts_by_partner_both_ways_keeping_the_other_tables_sort(world):
    _manager_data(world)
    client = portal_client(world.tenant, world.admin)

    def names(query):
        resp = client.get(MANAGER + query)
        assert resp.status_code == 200
        return [e.partner.name for e in resp.context["at_risk"]]

    assert names("") == names("&risk_sort=reason") == ["Alpha Co", "Gamma Inc", "beta Labs"]
    assert names("&risk_sort=partner") == ["Alpha Co", "beta Labs", "Gamma Inc"]
    assert names("&risk_sort=-partner") == ["Gamma Inc", "beta Labs", "Alpha Co"]
    assert names("&risk_sort=-score") == ["beta Labs", "Gamma Inc", "Alpha Co"]
    resp = client.get(MANAGER + "&kpi_sort=-won_deals&risk_sort=-partner")
    (header,) = [h for h in find_all(resp, "th", aria_sort="descending") if "Partner" in h.text()]
    link = _within(header, "a")[0].attrs["href"]
    assert "kpi_sort=-won_deals" in link and "risk_sort=partner" in link
    exported = client.get(
        "/analytics/manager/export.csv?year=2026&scope=all&table=at_risk&risk_sort=-partner"
    )
    assert _csv_column(exported, "partner") == ["Gamma Inc", "beta Labs", "Alpha Co"]


# --- The partner's lead inbox (cards) --------------------------------------------------------


def test_the_lead_inbox_sorts_by_company_or_due_answer_and_its_export_follows(world):
    now = timezone.now()
    for age, (company, due_days) in enumerate((("bravo", 1), ("Charlie", 3), ("Alpha", 2))):
        LeadOfferFactory(
            tenant=world.tenant,
            partner=world.partner,
            lead=LeadFactory(tenant=world.tenant, company=company),
            offered_at=now - datetime.timedelta(hours=age),
            respond_by=now + datetime.timedelta(days=due_days),
        )
    client = portal_client(world.tenant, world.partner_admin)

    def companies(query):
        resp = client.get("/leads/inbox/" + query)
        assert resp.status_code == 200
        cards = find_all(resp, "section", class_="card")
        return [_within(card, "h2")[0].text().split()[0] for card in cards]

    assert companies("") == companies("?sort=score") == ["bravo", "Charlie", "Alpha"]
    assert companies("?sort=company") == ["Alpha", "bravo", "Charlie"]
    assert companies("?sort=-company") == ["Charlie", "bravo", "Alpha"]
    assert companies("?sort=answer_by") == ["bravo", "Alpha", "Charlie"]
    selected = find(client.get("/leads/inbox/?sort=answer_by"), "option", selected=True)
    assert selected.attrs["value"] == "answer_by"
    exported = client.get("/leads/inbox/?sort=answer_by&format=csv")
    assert _csv_column(exported, "company") == ["bravo", "Alpha", "Charlie"]


def test_the_program_kpi_by_partner_table_sorts_and_its_export_follows(world):
    _manager_data(world)
    client = portal_client(world.tenant, world.admin)

    def names(query):
        resp = client.get("/analytics/program/?year=2026" + query)
        assert resp.status_code == 200
        return [r["partner_name"] for r in resp.context["tables"]["kpi_partner"].rows]

    assert names("") == names("&kpi_sort=bogus") == ["Alpha Co", "beta Labs", "Gamma Inc"]
    assert names("&kpi_sort=-won_deals") == ["Gamma Inc", "beta Labs", "Alpha Co"]
    assert names("&kpi_sort=won_deals") == ["Alpha Co", "beta Labs", "Gamma Inc"]
    sorted_page = client.get("/analytics/program/?year=2026&kpi_sort=-won_deals")
    (details,) = [d for d in find_all(sorted_page, "details") if "By partner" in d.text()]
    assert "open" in details.attrs  # the sorted table stays in view
    exported = client.get(
        "/analytics/program/export.csv?year=2026&table=kpi_partner&kpi_sort=-won_deals"
    )
    assert _csv_column(exported, "partner_name") == ["Gamma Inc", "beta Labs", "Alpha Co"]
