"""Data entered as meant: countries and currencies come from the ISO lists (prm.iso) and are
checked on the server in the portal, the API and CSV imports; a name is taken only when it
names exactly one country; text longer than its limit is an error, never cut short."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dealreg.models import Deal, Lead
from mdf.models import ExchangeRate, Program
from partners.models import Partner
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.import_helpers import upload

pytestmark = pytest.mark.django_db

DEALS = "/api/v1/deals/"


def deal_body(**over) -> dict:
    return {
        "customer_name": "Globex Corporation",
        "customer_domain_input": "globex.com",
        "country": "US",
        "amount": "20000.00",
        "currency": "USD",
        "expected_close_date": (timezone.now().date() + datetime.timedelta(days=14)).isoformat(),
    } | over


def reload(obj):
    with tenant_context(obj.tenant):
        return type(obj).objects.get(pk=obj.pk)


# --- API ----------------------------------------------------------------------------------


def test_api_takes_a_country_name_as_its_code_never_as_another_country(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(DEALS, deal_body(country="Germany"), format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["country"] == "DE"
    with tenant_context(world.tenant):
        assert Deal.objects.get(pk=resp.json()["id"]).country == "DE"


def test_api_refuses_an_unknown_currency_and_country_with_field_errors(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.post(DEALS, deal_body(currency="XYZ", country="Atlantis"), format="json")
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert set(errors) == {"currency", "country"}
    assert "XYZ" in errors["currency"][0] and "Atlantis" in errors["country"][0]
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_api_refuses_a_two_letter_code_that_is_no_country(world):
    client = api_client(world.tenant, world.admin)
    resp = client.patch(
        f"/api/v1/partners/{world.partner.pk}/",
        {"name": world.partner.name, "partner_type": "reseller", "country": "XX"},
        format="json",
    )
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"country"}
    assert reload(world.partner).country != "XX"


def test_api_lead_with_unknown_currency_is_400(world):
    client = api_client(world.tenant, world.channel_manager)
    resp = client.post("/api/v1/leads/", {"company": "Initech", "currency": "ABC"}, format="json")
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"currency"}


def test_api_mdf_program_and_rate_refuse_codes_that_are_no_currency(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/mdf/programs/",
        {
            "name": "Quarter",
            "period": "quarter",
            "start_date": str(timezone.localdate().replace(day=1)),
            "currency": "XYZ",
            "budget": "1000.00",
        },
        format="json",
    )
    assert resp.status_code == 400 and set(resp.json()["errors"]) == {"currency"}
    resp = client.post(
        "/api/v1/mdf/exchange-rates/",
        {"from_currency": "EUR", "to_currency": "QQQ", "rate": "1.1", "valid_from": "2030-01-01"},
        format="json",
    )
    assert resp.status_code == 400 and "to_currency" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert not Program.objects.exists() and not ExchangeRate.objects.exists()


# --- Portal -------------------------------------------------------------------------------


def test_portal_offers_countries_by_name_and_refuses_a_code_that_is_none(world):
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/company/edit/").content.decode()
    assert '<select name="country"' in page and '<option value="DE">Germany</option>' in page
    resp = client.post(
        "/company/edit/",
        {"name": world.partner.name, "country": "XX", "domains": "a-partner.example"},
    )
    assert resp.status_code == 200
    assert "XX is not an ISO country code (ISO 3166)" in resp.content.decode()
    assert reload(world.partner).country != "XX"


def test_portal_text_is_not_cut_by_the_browser_and_too_long_is_an_error(world):
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/company/edit/").content.decode()
    name_input = page[page.index('name="name"') - 200 : page.index('name="name"') + 200]
    assert "maxlength" not in name_input
    assert "Up to 200 characters." in page
    resp = client.post(
        "/company/edit/", {"name": "N" * 201, "domains": "a-partner.example", "country": "DE"}
    )
    assert resp.status_code == 200
    assert "at most 200 characters (it has 201)" in resp.content.decode()
    assert reload(world.partner).name == world.partner.name


def test_portal_deal_form_refuses_an_unknown_currency(world):
    client = portal_client(world.tenant, world.partner_admin)
    page = client.get("/deals/new/").content.decode()
    assert '<select name="currency"' in page and '<option value="EUR">' in page
    resp = client.post(
        "/deals/new/",
        {
            "customer_name": "Globex Corporation",
            "customer_domain_input": "globex.com",
            "country": "US",
            "amount": "20000",
            "currency": "XYZ",
            "expected_close_date": deal_body()["expected_close_date"],
            "deal_type": "new",
            "partner_role": "resell",
        },
    )
    assert resp.status_code == 200
    assert "XYZ is not an ISO currency code (ISO 4217)" in resp.content.decode()
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_portal_tenant_settings_refuse_an_unknown_default_currency(world):
    client = portal_client(world.tenant, world.admin)
    page = client.get("/settings/").content.decode()
    assert '<select name="default_currency"' in page
    resp = client.post(
        "/settings/",
        {
            "name": world.tenant.name,
            "default_currency": "XYZ",
            "timezone": "UTC",
            "primary_colour": "#123456",
        },
    )
    assert resp.status_code == 200
    assert "XYZ is not an ISO currency code (ISO 4217)" in resp.content.decode()
    world.tenant.refresh_from_db()
    assert world.tenant.default_currency == "USD"


def test_a_stored_code_that_is_no_iso_code_is_shown_not_silently_blanked(world):
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(country="XX")
    page = portal_client(world.tenant, world.partner_admin).get("/company/edit/").content
    assert '<option value="XX" selected>XX (not an ISO code: choose again)' in page.decode()


# --- CSV imports --------------------------------------------------------------------------


def _preview(world, member, kind, rows) -> str:
    resp, _job = upload(world, member, kind, rows)
    return portal_client(world.tenant, member).get(resp["Location"]).content.decode()


def test_csv_takes_a_country_name_only_when_it_names_one_country(world):
    rows = (
        "company,domain,country,amount,external_id\n"
        "Globex,globex.example,Germany,1000,CRM-1\n"
        "Initech,initech.example,Atlantis,1000,CRM-2\n"
    )
    body = _preview(world, world.channel_manager, "leads", rows)
    assert "1 new, 0 to update, 0 unchanged, 1 with errors." in body
    assert "line 3: country: Atlantis is not a country we know" in body
    from tests.import_helpers import import_csv

    import_csv(world, world.channel_manager, "leads", rows)
    with tenant_context(world.tenant):
        assert Lead.objects.get(company="Globex").country == "DE"


def test_csv_partner_rows_with_unknown_country_or_too_long_name_are_row_errors(world):
    rows = (
        "name,domain,type,tier,region,country,status\n"
        "Acme Resale,acme-resale.example,reseller,,emea,Deutschland,onboarding\n"
        "Bad Country,bad.example,isv,,,XX,\n"
        f"{'L' * 201},long.example,isv,,,,\n"
    )
    body = _preview(world, world.admin, "partners", rows)
    assert "1 new" in body and "2 with errors" in body
    assert "line 3: country: XX is not a country we know" in body
    assert "line 4: name: At most 200 characters (this has 201)." in body


def test_csv_exchange_rate_with_unknown_currency_is_a_row_error(world):
    rows = "from_currency,to_currency,rate,valid_from\nEUR,XYZ,1.08,2030-01-01\n"
    body = _preview(world, world.admin, "exchange-rates", rows)
    assert "line 2: to_currency: XYZ is not an ISO 4217 currency code" in body
