"""The deal form (issue #18, forms): every problem in one response, each at its field and in
a summary linking to it; required fields marked and only those; limits shown; the contact's
company e-mail names the customer when no website is given."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dealreg.models import Deal
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.form_checks import assert_error_at_field, summary_links
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


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


def test_a_submit_with_several_problems_shows_every_error_at_its_field_at_once(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/deals/new/submit/",
        form(
            customer_domain_input="",
            amount="",
            expected_close_date="2001-01-01",
            contact_email="not an address",
        ),
    )
    assert resp.status_code == 200
    assert_error_at_field(resp, "customer_domain_input", "Enter the customer's website")
    assert_error_at_field(resp, "amount", "Enter the estimated amount.")
    assert_error_at_field(resp, "expected_close_date", "in the past")
    assert_error_at_field(resp, "contact_email", "valid email")
    assert summary_links(resp) == {
        "#id_customer_domain_input",
        "#id_amount",
        "#id_expected_close_date",
        "#id_contact_email",
    }
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_a_draft_needs_only_the_customer_name(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/deals/new/", form(customer_domain_input="", amount="", expected_close_date="")
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Deal.objects.get().status == "draft"


def test_required_markers_are_on_required_fields_only(world):
    page = portal_client(world.tenant, world.partner_user).get("/deals/new/")
    marked = set()
    for star in find_all(page, "span", class_="req"):
        container = star.parent
        while container is not None and "field" not in container.attrs.get("class", "").split():
            container = container.parent
        if container is not None:
            marked.add(container.attrs["id"].removeprefix("id_").removesuffix("_field"))
    assert {"customer_name", "customer_domain_input", "amount", "expected_close_date"} <= marked
    assert not marked & {"notes", "contact_phone", "contact_email", "products", "region"}
    assert "required" in find(page, "p", class_="required-legend").text()
    assert "required" in find(page, "input", id="id_customer_name").attrs
    # needed only to submit: announced as required, not enforced on a draft by the browser
    website = find(page, "input", id="id_customer_domain_input")
    assert website.attrs.get("aria-required") == "true" and "required" not in website.attrs


def test_length_limits_are_shown_under_the_field(world):
    page = portal_client(world.tenant, world.partner_user).get("/deals/new/")
    name = find(page, "input", id="id_customer_name")
    assert "maxlength" not in name.attrs
    assert "id_customer_name_helptext" in name.attrs["aria-describedby"].split()
    assert "Up to 200 characters." in find(page, "p", id="id_customer_name_helptext").text()


def test_the_contact_email_domain_fills_an_empty_customer_domain(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/deals/new/submit/",
        form(customer_domain_input="", contact_email="hank@sales.globex.com"),
        follow=True,
    )
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        deal = Deal.objects.get()
    assert deal.customer_domain == "globex.com" and deal.status != "draft"
    assert any(
        "globex.com was taken from the contact" in p.text()
        for p in find_all(resp, "p", class_="msg")
    )


def test_a_free_mail_contact_does_not_name_the_customer(world):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(
        "/deals/new/submit/", form(customer_domain_input="", contact_email="hank@gmail.com")
    )
    assert resp.status_code == 200
    assert_error_at_field(resp, "customer_domain_input", "Enter the customer's website")
    with tenant_context(world.tenant):
        assert not Deal.objects.exists()


def test_the_help_text_says_the_contact_email_is_used(world):
    page = portal_client(world.tenant, world.partner_user).get("/deals/new/")
    assert "contact's e-mail" in find(page, "p", id="id_customer_domain_input_helptext").text()


def test_the_api_also_takes_the_customer_domain_from_the_contact_email(world):
    client = api_client(world.tenant, world.partner_user)
    resp = client.post(
        "/api/v1/deals/",
        {
            "customer_name": "Globex Corporation",
            "contact_email": "hank@globex.com",
            "amount": "20000.00",
            "currency": "USD",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    assert resp.json()["customer_domain"] == "globex.com"
