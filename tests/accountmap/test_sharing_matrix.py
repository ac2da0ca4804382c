"""The sharing matrix: who edits which side, what a change writes and audits, bad input,
and the count threshold."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accountmap.models import SharingRule
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.accountmap import sharing_world as sw
from tests.conftest import api_client, portal_client
from tests.factories import AccountFactory, OverlapFactory, PopulationFactory
from tests.html_helpers import find, find_all


def _matrix_post(**cells) -> dict:
    """The matrix form: every standard population at `counts` unless given."""
    data = {}
    for status in ("customer", "prospect", "opportunity"):
        level, fields = cells.get(status, ("counts", []))
        data[f"s_{status}-level"] = level
        data[f"s_{status}-fields"] = fields
    return data


def _rules(world, **filters):
    with tenant_context(world.tenant):
        return list(SharingRule.objects.filter(**filters).values("side", "partner_id", "status",
                                                                   "level", "fields"))  # fmt: skip


def _audit(world, action):
    with tenant_context(world.tenant):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_the_vendor_admin_sets_defaults_and_each_change_is_audited(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/accounts/sharing/", _matrix_post(customer=("overlaps", ["industry", "owner"]))
    )
    assert resp.status_code == 302
    rows = sorted(_rules(world, side="vendor"), key=lambda r: r["status"])
    assert rows == [
        {"side": "vendor", "partner_id": None, "status": "customer", "level": "overlaps",
         "fields": ["owner", "industry"]},
        {"side": "vendor", "partner_id": None, "status": "opportunity", "level": "counts",
         "fields": []},
        {"side": "vendor", "partner_id": None, "status": "prospect", "level": "counts",
         "fields": []},
    ]  # fmt: skip
    events = _audit(world, "account_sharing.rule_set")
    customer = [e for e in events if e.after["population"] == "customer"]
    assert len(customer) == 1 and customer[0].after["level"] == "overlaps"
    assert customer[0].before is None

    # Saving the same again changes nothing and audits nothing.
    client.post("/accounts/sharing/", _matrix_post(customer=("overlaps", ["industry", "owner"])))
    assert len(_audit(world, "account_sharing.rule_set")) == len(events)
    # A change is audited with the value before.
    client.post("/accounts/sharing/", _matrix_post(customer=("hidden", ["industry"])))
    last = _audit(world, "account_sharing.rule_set")[-1]
    assert last.before["level"] == "overlaps" and last.after == {
        "side": "vendor",
        "partner": None,
        "population": "customer",
        "level": "hidden",
        "fields": [],  # fields go with accounts only
    }


@pytest.mark.django_db
def test_an_override_for_one_partner_and_back_to_the_default(world):
    client = portal_client(world.tenant, world.admin)
    url = f"/accounts/sharing/partners/{world.partner.pk}/"
    data = _matrix_post(customer=("all", ["country"]))
    data["s_prospect-level"] = data["s_opportunity-level"] = "inherit"
    assert client.post(url, data).status_code == 302
    assert _rules(world, partner=world.partner) == [
        {
            "side": "vendor",
            "partner_id": world.partner.pk,
            "status": "customer",
            "level": "all",
            "fields": ["country"],
        }
    ]
    data["s_customer-level"] = "inherit"
    client.post(url, data)
    assert _rules(world, partner=world.partner) == []
    assert _audit(world, "account_sharing.rule_removed")[-1].before["level"] == "all"


@pytest.mark.django_db
def test_a_partner_admin_sets_what_the_partner_shares_and_sees_both_sides(world):
    sw.share(world, side="vendor", level="overlaps", fields=["industry"])
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post("/accounts/sharing/", _matrix_post(prospect=("all", ["owner"])))
    assert resp.status_code == 302
    assert {"side": "partner", "partner_id": world.partner.pk, "status": "prospect",
            "level": "all", "fields": ["owner"]} in _rules(world, side="partner")  # fmt: skip
    page = client.get("/accounts/sharing/")
    shared_with_us = find(page, "section", aria_labelledby="shared-with-us")
    assert "Overlapping accounts" in shared_with_us.text()
    assert "Industry" in shared_with_us.text()
    # The vendor sees it as what the partner shares.
    staff = portal_client(world.tenant, world.channel_manager)
    theirs = find(
        staff.get(f"/accounts/sharing/partners/{world.partner.pk}/"),
        "section",
        aria_labelledby="shared-with-us",
    )
    assert "All accounts" in theirs.text() and "Owner rep" in theirs.text()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["partner_user", "channel_manager"])
def test_people_who_only_view_the_matrix_cannot_change_it(world, role):
    client = portal_client(world.tenant, world.member(role))
    page = client.get("/accounts/sharing/")
    assert page.status_code == 200
    assert not find_all(page, "select")  # read only
    assert client.post("/accounts/sharing/", _matrix_post(customer=("all", []))).status_code == 403
    assert _rules(world) == []


@pytest.mark.django_db
def test_a_partner_cannot_set_rules_for_the_vendor_or_another_partner_through_the_api(world):
    api = api_client(world.tenant, world.partner_admin)
    # `partner` is the vendor's override field; for a partner it is ignored: its own rule.
    resp = api.post(
        "/api/v1/account-sharing-rules/",
        {"partner": world.other_partner.pk, "status": "customer", "level": "all"},
        format="json",
    )
    assert resp.status_code == 200
    assert _rules(world) == [
        {"side": "partner", "partner_id": world.partner.pk, "status": "customer",
         "level": "all", "fields": []}
    ]  # fmt: skip
    # Another side's custom population is not one it may share.
    with tenant_context(world.tenant):
        vendor_pop = PopulationFactory(tenant=world.tenant, partner=None)
    resp = api.post(
        "/api/v1/account-sharing-rules/",
        {"population": vendor_pop.pk, "level": "all"},
        format="json",
    )
    assert resp.status_code == 400 and "population" in resp.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "customer", "level": "everything"}, "level"),
        ({"status": "customer", "level": "all", "fields": ["salary"]}, "fields"),
        ({"level": "all"}, "population"),
        ({"status": "customer", "population": 999999, "level": "all"}, "population"),
        ({"status": "customer", "level": "all", "partner": 999999}, "partner"),
    ],
)
def test_bad_rules_are_400_with_the_field_at_fault_and_write_nothing(world, body, field):
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/account-sharing-rules/", body, format="json"
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert _rules(world) == []
    assert _audit(world, "account_sharing.rule_set") == []


@pytest.mark.django_db
def test_a_bad_matrix_form_is_a_form_error_and_nothing_is_half_written(world):
    data = _matrix_post(customer=("all", ["owner"]))
    data["s_opportunity-level"] = "everything"
    resp = portal_client(world.tenant, world.admin).post("/accounts/sharing/", data)
    assert resp.status_code == 200
    assert find(resp, "div", role="alert")
    assert _rules(world) == []


@pytest.mark.django_db
def test_a_custom_population_shares_only_its_accounts(world):
    """The vendor shares its custom population "Nordic customers" as overlaps: only the
    Nordic customer is listed, the others stay at counts."""
    sw.build(world)  # the customer overlapping partner A is in NO
    t = world.tenant
    with tenant_context(t):
        pop = PopulationFactory(tenant=t, name="Nordic customers", countries=["NO", "SE"])
        other = AccountFactory(tenant=t, name="Southern Customer", status="customer", country="IT")
        OverlapFactory(tenant=t, partner=world.partner, vendor_account=other)
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/account-sharing-rules/",
        {"population": pop.pk, "level": "overlaps", "partner": world.partner.pk},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["origin"] == "override"
    page = portal_client(world.tenant, world.partner_user).get("/accounts/overlaps/")
    assert sw.V_NAME in page.content.decode()
    assert "Southern Customer" not in page.content.decode()
    assert sw.V_INDUSTRY not in page.content.decode()  # no field chosen


@pytest.mark.django_db
@override_settings(PRM_ACCOUNTMAP_MIN_COUNT=5)
def test_counts_under_the_threshold_are_never_shown_as_numbers(world):
    t = world.tenant
    with tenant_context(t):
        for _ in range(6):  # vendor customers x partner prospects: 6
            OverlapFactory(
                tenant=t,
                partner=world.partner,
                vendor_account=AccountFactory(tenant=t, status="customer"),
                partner_account=AccountFactory(tenant=t, partner=world.partner, status="prospect"),
            )
        for _ in range(3):  # vendor prospects x partner customers: 3
            OverlapFactory(
                tenant=t,
                partner=world.partner,
                vendor_account=AccountFactory(tenant=t, status="prospect"),
                partner_account=AccountFactory(tenant=t, partner=world.partner, status="customer"),
            )
        # Hidden: not even counted.
        for _ in range(7):
            OverlapFactory(
                tenant=t,
                partner=world.partner,
                vendor_account=AccountFactory(tenant=t, status="opportunity"),
                partner_account=AccountFactory(tenant=t, partner=world.partner, status="customer"),
            )
    sw.share(world, side="vendor", level="hidden", status="opportunity")

    body = api_client(t, world.partner_user).get("/api/v1/account-overlaps/counts/").json()
    cells = {(c["own_status"], c["other_status"]): c for c in body["cells"]}
    assert cells[("prospect", "customer")]["value"] == 6
    assert cells[("customer", "prospect")] == {
        "own_status": "customer",
        "other_status": "prospect",
        "value": None,
        "fewer_than": 5,
    }
    assert cells[("customer", "opportunity")]["value"] is None  # 7, but hidden
    assert body["total"] == 6 and body["total_exact"] is False  # the shown cells only
    page = portal_client(t, world.partner_user).get("/accounts/overlaps/")
    numbers = [td.text() for td in find_all(page, "td", class_="num")]
    assert "6" in numbers
    assert "3" not in numbers and "7" not in numbers and "9" not in numbers
    assert "fewer than 5" in numbers
    assert "at least 6 overlaps" in page.content.decode()
