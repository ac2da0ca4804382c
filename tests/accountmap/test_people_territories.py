"""Territories, their reps and account owners: who manages which side, what falls in a
territory, validation (form errors, API 400s) and tenant isolation."""

from __future__ import annotations

import pytest

from accountmap import people
from accountmap.models import Account
from accountmap.models_people import Territory, TerritoryRep
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account
from tests.conftest import api_client, portal_client
from tests.html_helpers import find, find_all


def _territory(world, by=None, **data):
    data = {"name": "DACH", "countries": ["DE", "AT", "CH"], **data}
    with tenant_context(world.tenant):
        return people.territory_create(by=by or world.admin, data=data)


def test_accounts_fall_in_a_territory_by_country_or_region_and_industry(world):
    with tenant_context(world.tenant):
        berlin = account(world.tenant, "Berlin Bank", country="DE", industry="Banking")
        account(world.tenant, "Paris Shop", country="FR", industry="Retail")
        nordic = account(world.tenant, "Oslo Retail", region="nordics", industry="retail")
        account(world.tenant, "Hamburg Retail", partner=world.partner, country="DE")
        t = people.territory_create(
            by=world.admin, data={"name": "North", "countries": "DE", "regions": "Nordics"}
        )
        assert set(people.territory_accounts(t)) == {berlin, nordic}
        t = people.territory_update(
            by=world.admin,
            territory=t,
            data={
                "name": "North",
                "countries": ["DE"],
                "regions": ["Nordics"],
                "industries": "Retail",
            },
        )
        assert list(people.territory_accounts(t)) == [nordic]


def test_a_rep_sees_owned_and_territory_accounts_as_my_accounts(world):
    with tenant_context(world.tenant):
        owned = account(world.tenant, "Owned Co", country="US", owner_member=world.sales_rep)
        in_territory = account(world.tenant, "Munich Co", country="DE")
        account(world.tenant, "Lyon Co", country="FR")
        t = people.territory_create(by=world.admin, data={"name": "DE", "countries": ["DE"]})
        people.territory_rep_add(by=world.admin, territory=t, member_id=world.sales_rep.pk)
        assert set(people.my_accounts(world.sales_rep)) == {owned, in_territory}
        assert list(people.my_accounts(world.channel_manager)) == []


def test_territory_changes_are_audited(world):
    t = _territory(world)
    with tenant_context(world.tenant):
        people.territory_rep_add(by=world.admin, territory=t, member_id=world.sales_rep.pk)
        people.territory_rep_remove(by=world.admin, territory=t, member_id=world.sales_rep.pk)
        people.territory_delete(by=world.admin, territory=t)
        actions = list(
            AuditEvent.objects.filter(object_type="accountmap.territory")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "territory.created",
        "territory.rep_added",
        "territory.rep_removed",
        "territory.deleted",
    ]


def test_a_territory_needs_a_country_or_region_and_known_countries(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            people.territory_create(by=world.admin, data={"name": "Nowhere"})
        assert exc.value.field == "countries"
        with pytest.raises(DomainError) as exc:
            people.territory_create(by=world.admin, data={"name": "X", "countries": ["Atlantis"]})
        assert exc.value.field == "countries"
        assert not Territory.objects.exists()


def test_a_territory_name_is_unique_per_side_but_both_sides_may_use_it(world):
    _territory(world)
    _territory(world, by=world.partner_admin)  # the partner's own DACH
    with tenant_context(world.tenant), pytest.raises(DomainError) as exc:
        people.territory_create(by=world.admin, data={"name": "DACH", "countries": ["DE"]})
    assert exc.value.field == "name"


def test_only_members_of_the_territory_side_may_be_its_reps(world):
    vendor = _territory(world)
    partner = _territory(world, by=world.partner_admin)
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            people.territory_rep_add(
                by=world.admin, territory=vendor, member_id=world.partner_user.pk
            )
        with pytest.raises(DomainError):
            people.territory_rep_add(
                by=world.partner_admin, territory=partner, member_id=world.other_partner_user.pk
            )
        people.territory_rep_add(
            by=world.partner_admin, territory=partner, member_id=world.partner_user.pk
        )
        assert TerritoryRep.objects.count() == 1


def test_a_partner_admin_cannot_touch_the_vendor_territories(world):
    vendor = _territory(world)
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        people.territory_rep_add(
            by=world.partner_admin, territory=vendor, member_id=world.partner_user.pk
        )
    resp = portal_client(world.tenant, world.partner_admin).get(f"/territories/{vendor.pk}/")
    assert resp.status_code == 404


def test_the_partner_admin_page_lists_only_its_own_territories(world):
    _territory(world, name="Vendor land")
    _territory(world, by=world.partner_admin, name="Partner land")
    page = portal_client(world.tenant, world.partner_admin).get("/territories/")
    assert find_all(page, "a", text="Partner land")
    assert not find_all(page, "a", text="Vendor land")


def test_the_portal_form_creates_a_territory_and_shows_errors_at_their_field(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post("/territories/", {"name": "Benelux", "countries": "Netherlands, BE"})
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Territory.objects.get(name="Benelux").countries == ["NL", "BE"]
    page = client.post("/territories/", {"name": "Mars", "countries": "Mars"})
    assert page.status_code == 200
    assert find(page, "input", name="countries", aria_invalid="true")


def test_deleting_a_territory_asks_first(world):
    t = _territory(world)
    client = portal_client(world.tenant, world.admin)
    page = client.get(f"/territories/{t.pk}/delete/")
    assert page.status_code == 200
    with tenant_context(world.tenant):
        assert Territory.objects.filter(pk=t.pk).exists()
    assert client.post(f"/territories/{t.pk}/delete/").status_code == 302
    with tenant_context(world.tenant):
        assert not Territory.objects.filter(pk=t.pk).exists()


def test_the_owner_is_assigned_from_the_owners_page_and_audited(world):
    with tenant_context(world.tenant):
        a = account(world.tenant, "Initech", country="DE")
    resp = portal_client(world.tenant, world.admin).post(
        f"/territories/owners/{a.pk}/", {f"a{a.pk}-member": world.sales_rep.pk}
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        a.refresh_from_db()
        assert a.owner_member_id == world.sales_rep.pk
        assert a.owner_email == world.sales_rep.user.email
        assert AuditEvent.objects.filter(action="account.owner_assigned").count() == 1


def test_a_partner_member_cannot_own_a_vendor_account(world):
    with tenant_context(world.tenant):
        a = account(world.tenant, "Initech")
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/account-owners/{a.pk}/owner/", {"member": world.partner_user.pk}, format="json"
    )
    assert resp.status_code == 400
    assert "member" in resp.json()["errors"]
    with tenant_context(world.tenant):
        a.refresh_from_db()
    assert a.owner_member_id is None


def test_owner_member_for_matches_the_sign_in_email_of_the_side(world):
    email = world.sales_rep.user.email.upper()
    with tenant_context(world.tenant):
        assert people.owner_member_for(world.tenant, email) == world.sales_rep
        assert people.owner_member_for(world.tenant, "nobody@x.example") is None
        partner_email = world.partner_user.user.email
        assert people.owner_member_for(world.tenant, partner_email) is None
        assert (
            people.owner_member_for(world.tenant, partner_email, partner_id=world.partner.pk)
            == world.partner_user
        )


def test_owner_member_for_finds_no_member_of_another_tenant(world, stranger):
    with tenant_context(world.tenant):
        assert people.owner_member_for(world.tenant, stranger.sales_rep.user.email) is None


# --- API ----------------------------------------------------------------------------------


def test_api_creates_a_territory_and_assigns_a_rep(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/territories/", {"name": "DACH", "countries": ["DE", "AT"]}, format="json"
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    resp = client.post(
        f"/api/v1/territories/{pk}/assign/", {"member": world.sales_rep.pk}, format="json"
    )
    assert resp.status_code == 200
    assert [r["email"] for r in resp.json()["reps"]] == [world.sales_rep.user.email]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"countries": ["DE"]}, "name"),
        ({"name": "X"}, "countries"),
        ({"name": "X", "countries": ["Atlantis"]}, "countries"),
        ({"name": "X", "countries": "DE"}, "countries"),
        ({"name": "x" * 81, "countries": ["DE"]}, "name"),
    ],
)
def test_api_refuses_a_bad_territory_with_a_field_error(world, body, field):
    resp = api_client(world.tenant, world.admin).post("/api/v1/territories/", body, format="json")
    assert resp.status_code == 400
    assert resp.json()["type"] == "validation_error"
    assert field in resp.json()["errors"], resp.json()
    with tenant_context(world.tenant):
        assert not Territory.objects.exists()


def test_api_assign_refuses_an_unknown_member_with_a_field_error(world):
    t = _territory(world)
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/territories/{t.pk}/assign/", {"member": "abc"}, format="json"
    )
    assert resp.status_code == 400
    assert "member" in resp.json()["errors"]
    resp = api_client(world.tenant, world.admin).post(
        f"/api/v1/territories/{t.pk}/assign/", {"member": 999999}, format="json"
    )
    assert resp.status_code == 400
    assert "member" in resp.json()["errors"]


def test_another_tenants_territory_and_members_are_not_found(world, stranger):
    theirs = _territory(stranger)
    client = api_client(world.tenant, world.admin)
    assert client.get(f"/api/v1/territories/{theirs.pk}/").status_code == 404
    mine = _territory(world)
    resp = client.post(
        f"/api/v1/territories/{mine.pk}/assign/", {"member": stranger.sales_rep.pk}, format="json"
    )
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not TerritoryRep.objects.exists()


def test_my_accounts_api_lists_only_the_reps_accounts(world, stranger):
    with tenant_context(world.tenant):
        account(world.tenant, "Mine", owner_member=world.sales_rep)
        account(world.tenant, "Not mine")
    with tenant_context(stranger.tenant):
        account(stranger.tenant, "Theirs", owner_member=stranger.sales_rep)
    resp = api_client(world.tenant, world.sales_rep).get("/api/v1/my-accounts/")
    assert [a["name"] for a in resp.json()["results"]] == ["Mine"]
    with tenant_context(world.tenant):
        assert Account.objects.count() == 2
