"""A rep's "My accounts": the accounts they sell, each with the partners that know it, as far
as each partner shares; the home card; constant queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountmap import visibility
from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account, overlap, share
from tests.conftest import api_client, portal_client
from tests.factories import PopulationFactory, SharingRuleFactory
from tests.html_helpers import find, find_all


def _known_account(world, *, level, fields=("status",), partner=None, name="Initech"):
    partner = partner or world.partner
    with tenant_context(world.tenant):
        v = account(world.tenant, name, status="opportunity", owner_member=world.sales_rep)
        p = account(world.tenant, name, partner=partner, status="customer", owner_name="Pat")
        overlap(v, p)
        share(
            world.tenant,
            side="partner",
            partner=partner,
            status="customer",
            level=level,
            fields=fields,
        )
    return v


def test_my_accounts_shows_a_partner_that_shares_the_account(world):
    _known_account(world, level="overlaps")
    page = portal_client(world.tenant, world.sales_rep).get("/my-accounts/")
    assert page.status_code == 200
    assert find_all(page, "span", class_="people-partner")
    assert world.partner.name in find(page, "span", class_="people-partner").text()


def test_my_accounts_hides_a_partner_that_shares_only_counts(world):
    _known_account(world, level="counts")
    page = portal_client(world.tenant, world.sales_rep).get("/my-accounts/")
    assert find_all(page, "td", text="Initech initech.example")
    assert not find_all(page, "span", class_="people-partner")
    assert world.partner.name.encode() not in page.content


def test_the_partners_population_and_owner_show_only_when_shared_as_fields(world):
    v = _known_account(world, level="all", fields=())
    with tenant_context(world.tenant):
        [known] = visibility.known_by_other_side(world.sales_rep, [v])[v.pk]
    assert known["partner_id"] == world.partner.pk
    assert known["status"] == "" and known["owner"] == ""
    v2 = _known_account(world, level="all", fields=("status", "owner"), name="Globex")
    with tenant_context(world.tenant):
        [known] = visibility.known_by_other_side(world.sales_rep, [v2])[v2.pk]
    assert known["status"] == "customer" and known["owner"] == "Pat"


def test_my_accounts_api_names_the_partners_that_know_each_account(world):
    _known_account(world, level="overlaps")
    resp = api_client(world.tenant, world.sales_rep).get("/api/v1/my-accounts/")
    [row] = resp.json()["results"]
    assert [p["partner_name"] for p in row["partners"]] == [world.partner.name]


def test_the_home_card_counts_accounts_and_partners_that_share(world):
    _known_account(world, level="overlaps")
    _known_account(world, level="hidden", partner=world.other_partner, name="Umbrella")
    page = portal_client(world.tenant, world.sales_rep).get("/")
    card = find(page, "section", id="home-my-accounts")
    text = card.text()
    assert world.partner.name in text
    assert world.other_partner.name not in text
    assert find(page, "a", data_count="accounts").text().strip() == "2"


def test_the_home_card_tells_a_rep_without_accounts_who_assigns_them(world):
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert "Your admin assigns" in find(page, "section", id="home-my-accounts").text()
    # A channel manager without accounts gets no card at all.
    page = portal_client(world.tenant, world.channel_manager).get("/")
    assert not find_all(page, "section", id="home-my-accounts")


def test_my_accounts_page_queries_do_not_grow_with_rows(world):
    _known_account(world, level="overlaps")
    client = portal_client(world.tenant, world.sales_rep)
    client.get("/my-accounts/")
    with CaptureQueriesContext(connection) as one:
        client.get("/my-accounts/")
    for i in range(8):
        _known_account(world, level="overlaps", name=f"Company {i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/my-accounts/")
    assert len(many.captured_queries) == len(one.captured_queries)


# --- A partner's reps -----------------------------------------------------------------------


def _partner_known(world, *, level, name="Initech", fields=("owner",)):
    """An account world.partner_user owns, which the vendor has too (its rep: Vera)."""
    with tenant_context(world.tenant):
        mine = account(world.tenant, name, partner=world.partner, owner_member=world.partner_user)
        v = account(world.tenant, name, owner_name="Vera Vendor", owner_email="vera@vendor.example")
        overlap(v, mine)
        share(
            world.tenant,
            side="vendor",
            partner=world.partner,
            status="customer",
            level=level,
            fields=fields,
        )
    return mine


def test_a_partner_rep_sees_their_accounts_and_the_vendor_rep_to_call(world):
    _partner_known(world, level="overlaps")
    page = portal_client(world.tenant, world.partner_user).get("/my-accounts/")
    assert page.status_code == 200
    known = find(page, "span", class_="people-partner")
    assert "Vera Vendor" in known.text()
    assert find_all(page, "a", href="mailto:vera@vendor.example")
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/my-accounts/")
    [row] = resp.json()["results"]
    [vendor] = row["partners"]
    assert vendor["partner_id"] is None
    assert vendor["owner_email"] == "vera@vendor.example"


def test_a_partner_rep_learns_nothing_the_vendor_shares_only_as_counts(world):
    _partner_known(world, level="counts")
    page = portal_client(world.tenant, world.partner_user).get("/my-accounts/")
    assert find_all(page, "td", text="Initech initech.example")
    assert not find_all(page, "span", class_="people-partner")
    assert b"Vera" not in page.content
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/my-accounts/")
    assert resp.json()["results"][0]["partners"] == []


def test_a_partner_rep_sees_only_their_own_companys_accounts(world):
    with tenant_context(world.tenant):
        account(world.tenant, "Vendor Own", owner_member=world.sales_rep)
        account(
            world.tenant,
            "Other Partner Co",
            partner=world.other_partner,
            owner_member=world.other_partner_user,
        )
    _partner_known(world, level="overlaps")
    page = portal_client(world.tenant, world.partner_user).get("/my-accounts/")
    assert b"Vendor Own" not in page.content
    assert b"Other Partner Co" not in page.content
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/my-accounts/")
    assert [r["name"] for r in resp.json()["results"]] == ["Initech"]


def test_a_partner_reps_home_card_counts_accounts_the_vendor_shares(world):
    _partner_known(world, level="overlaps")
    _partner_known(world, level="overlaps", name="Globex")
    page = portal_client(world.tenant, world.partner_user).get("/")
    card = find(page, "section", id="home-my-accounts")
    assert find(page, "a", data_count="accounts").text().strip() == "2"
    assert card.text()
    assert find(page, "dd", data_count="known").text().strip() == "2"


def test_a_partner_reps_page_queries_do_not_grow_with_rows(world):
    _partner_known(world, level="overlaps")
    _partner_known(world, level="overlaps", name="Globex")
    client = portal_client(world.tenant, world.partner_user)
    client.get("/my-accounts/")
    with CaptureQueriesContext(connection) as two:
        client.get("/my-accounts/")
    for i in range(8):
        _partner_known(world, level="overlaps", name=f"Company {i}")
    with CaptureQueriesContext(connection) as ten:
        client.get("/my-accounts/")
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_the_home_card_counts_no_opportunity_from_a_status_the_partner_does_not_share(world):
    # The partner shares the overlap (level "overlaps") but not its account's status: its
    # open opportunity must not show up in the rep's opportunity count.
    with tenant_context(world.tenant):
        v = account(world.tenant, "Initech", status="customer", owner_member=world.sales_rep)
        p = account(world.tenant, "Initech", partner=world.partner, status="opportunity")
        overlap(v, p)
        share(
            world.tenant,
            side="partner",
            partner=world.partner,
            status="opportunity",
            level="overlaps",
            fields=(),
        )
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert world.partner.name in find(page, "section", id="home-my-accounts").text()
    assert find(page, "dd", data_count="opportunities").text() == "0"
    # Once the partner shares the status, the opportunity counts.
    with tenant_context(world.tenant):
        share(
            world.tenant,
            side="partner",
            partner=world.partner,
            status="opportunity",
            level="overlaps",
            fields=("status",),
        )
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert find(page, "dd", data_count="opportunities").text() == "1"


def test_the_home_card_counts_what_a_partners_custom_population_shares(world):
    # The standard rule hides the partner's customers, but a custom population of theirs
    # (customers in Germany) is shared at "overlaps": the card counts what visibility shows.
    with tenant_context(world.tenant):
        v = account(world.tenant, "Initech", status="customer", owner_member=world.sales_rep)
        p = account(world.tenant, "Initech", partner=world.partner, country="DE")
        overlap(v, p)
        share(
            world.tenant, side="partner", partner=world.partner, status="customer", level="hidden"
        )
        population = PopulationFactory(
            tenant=world.tenant, partner=world.partner, statuses=["customer"], countries=["DE"]
        )
        SharingRuleFactory(
            tenant=world.tenant,
            side="partner",
            partner=world.partner,
            status="",
            population=population,
            level="overlaps",
        )
        expected = visibility.partners_knowing_mine(world.sales_rep)
    assert [r["partner_id"] for r in expected] == [world.partner.pk]
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert world.partner.name in find(page, "section", id="home-my-accounts").text()


def test_the_home_card_leaves_out_what_visibility_hides(world):
    _known_account(world, level="counts")
    with tenant_context(world.tenant):
        assert visibility.partners_knowing_mine(world.sales_rep) == []
    page = portal_client(world.tenant, world.sales_rep).get("/")
    assert world.partner.name not in find(page, "section", id="home-my-accounts").text()
