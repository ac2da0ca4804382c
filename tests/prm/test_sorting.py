"""Sortable list columns (prm/sorting.py): a header link sorts ascending, a second click
descending; the column says which way it is sorted (aria-sort); other filters stay; a hand-typed
unknown column falls back to the list's own order, never an error."""

from __future__ import annotations

from decimal import Decimal

from django.test import RequestFactory

from prm.sorting import Sorting
from tests.conftest import portal_client
from tests.factories import DealFactory, PartnerFactory
from tests.html_helpers import find, find_all

COLUMNS = {"amount": "amount", "customer": "customer_name", "created": "created_at"}


def sorting(query: str) -> Sorting:
    request = RequestFactory().get("/deals/" + query)
    return Sorting.from_request(request, COLUMNS, default="-created")


def test_a_column_sorts_ascending_then_descending_and_keeps_the_other_filters():
    s = sorting("?status=approved&page=3&sort=amount")
    assert (s.key, s.descending) == ("amount", False)
    assert s.state("amount") == "ascending" and s.state("customer") == "none"
    assert s.link("amount") == "?status=approved&sort=-amount"  # flipped; page 1 again
    assert s.link("customer") == "?status=approved&sort=customer"


def test_an_unknown_or_missing_column_falls_back_to_the_default_order():
    for query in ("", "?sort=password", "?sort=-", "?sort=amount;drop"):
        s = sorting(query)
        assert (s.key, s.descending) == ("created", True)


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
    return [_within(r, "td")[index].text() for r in _within(find(resp, "tbody"), "tr")]


def _amounts(resp) -> list[str]:
    return _column(resp, 3)  # Deal, Customer, Partner, Amount (staff see the partner)


def test_the_deal_list_sorts_by_amount_both_ways(world):
    for amount in (500, 70000, 3000):
        DealFactory(
            tenant=world.tenant,
            partner=world.partner,
            status="approved",
            amount=Decimal(amount),
            currency="USD",
        )
    client = portal_client(world.tenant, world.channel_manager)
    up = client.get("/deals/?sort=amount")
    down = client.get("/deals/?sort=-amount")
    assert up.status_code == down.status_code == 200
    assert [a.replace("\xa0", " ") for a in _amounts(up)] == ["$500", "$3,000", "$70,000"]
    assert _amounts(down) == list(reversed(_amounts(up)))
    header = find(down, "th", aria_sort="descending")
    assert "Amount" in header.text()
    assert _within(header, "a")[0].attrs["href"] == "?sort=amount"
    assert len(find_all(down, "th", aria_sort="none")) >= 4


def test_the_partner_directory_sorts_by_name_descending(world):
    PartnerFactory(tenant=world.tenant, name="Zeta Systems")
    resp = portal_client(world.tenant, world.admin).get("/partners/?sort=-partner")
    names = _column(resp, 0)
    assert names[0] == "Zeta Systems" and names == sorted(names, key=str.lower, reverse=True)


def test_a_bad_sort_value_still_answers_the_list(world):
    staff = portal_client(world.tenant, world.admin)
    partner = portal_client(world.tenant, world.partner_admin)
    for client, path in (
        (staff, "/deals/"),
        (staff, "/partners/"),
        (staff, "/members/"),
        (partner, "/mdf/requests/"),
        (partner, "/mdf/claims/"),
    ):
        resp = client.get(path + "?sort=%27%3B--")
        assert resp.status_code == 200, path


def test_a_column_that_cannot_be_empty_is_ordered_so_its_index_serves_the_page(world):
    """created_at is NOT NULL: a plain DESC matches the (tenant, -created_at) index, where
    DESC NULLS LAST would sort every deal of the tenant for one page. A nullable column (and
    a related one, reached by a LEFT JOIN) still puts empty values last."""
    from dealreg.models import Deal
    from prm.tenancy import tenant_context

    def sql(query: str) -> str:
        with tenant_context(world.tenant):
            return str(sorting(query).apply(Deal.objects.all()).query)

    assert "NULLS LAST" not in sql("?sort=-created")
    assert '"dealreg_deal"."created_at" DESC' in sql("?sort=-created")
    assert "NULLS LAST" in sql("?sort=-amount")  # amount may be empty
    partner_name = Sorting.from_request(
        RequestFactory().get("/deals/?sort=partner"),
        {"partner": "partner__name"},
        default="partner",
    )
    with tenant_context(world.tenant):
        assert "NULLS LAST" in str(partner_name.apply(Deal.objects.all()).query)
