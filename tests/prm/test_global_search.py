"""Global search (/search/ and /api/v1/search/): scoped to what the member may see, grouped by
kind, exact numbers first, capped per kind."""

from __future__ import annotations

import pytest

from dealreg.models import DealStatus
from prm.global_search import number_in
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import DealFactory, LeadFactory
from tests.html_helpers import elements, find, find_all
from tests.mdf.test_mdf_support import mdf_objects
from tests.training.helpers import make_course

pytestmark = pytest.mark.django_db


def _deal(world, partner=None, **kw):
    return DealFactory(
        tenant=world.tenant,
        partner=partner or world.partner,
        status=DealStatus.SUBMITTED,
        **kw,
    )


def _page(world, member, q):
    resp = portal_client(world.tenant, member).get("/search/", {"q": q})
    assert resp.status_code == 200
    return resp


def _group(resp, key):
    """The hits' (link text, href) of one kind's section, [] when the kind is absent."""
    els = elements(resp)
    label = f"search-group-{key}"
    sections = [e for e in els if e.tag == "section" and e.attrs.get("aria-labelledby") == label]
    if not sections:
        return []
    return [
        (e.text(), e.attrs["href"])
        for e in els
        if e.tag == "a"
        and _inside(e, sections[0])
        and "search-hit" in (e.parent.attrs.get("class") or "").split()
    ]


def _inside(el, ancestor) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.parent
    return False


def test_a_partner_finds_only_its_own_companys_deals(world, stranger):
    mine = _deal(world, customer_name="Globex Industries", customer_domain="globex.com")
    theirs = _deal(world, world.other_partner, customer_name="Globex Holdings")
    foreign = _deal(stranger, customer_name="Globex Abroad")
    hits = _group(_page(world, world.partner_user, "globex"), "deals")
    assert hits == [(f"{mine.number} Globex Industries", f"/deals/{mine.pk}/")]
    # Not by number either: another partner's deal number finds nothing.
    page = _page(world, world.partner_user, theirs.number)
    assert _group(page, "deals") == []
    staff = [href for _t, href in _group(_page(world, world.channel_manager, "globex"), "deals")]
    assert sorted(staff) == sorted([f"/deals/{mine.pk}/", f"/deals/{theirs.pk}/"])
    assert f"/deals/{foreign.pk}/" not in staff
    # The stranger tenant's number is not found in our tenant.
    assert _group(_page(world, world.admin, foreign.number), "deals") == []


def test_a_deal_number_matches_exactly_and_comes_first(world):
    target = _deal(world, customer_name="Acme")
    # A customer whose name contains the number's digits ranks after the exact match.
    _deal(world, customer_name=f"Shop {target.pk}")
    terms = [target.number, f"dr {target.pk}"]
    if len(str(target.pk)) >= 2:  # a bare id is a term like any other: 2 characters at least
        terms.append(str(target.pk))
    for q in terms:
        hits = _group(_page(world, world.admin, q), "deals")
        assert hits[:1] == [(f"{target.number} Acme", f"/deals/{target.pk}/")], q
    exact = find_all(_page(world, world.admin, target.number), "li", class_="exact")
    assert len(exact) == 1


def test_a_deal_is_found_by_customer_domain(world):
    deal = _deal(world, customer_name="Initech", customer_domain="initech.example")
    hits = _group(_page(world, world.partner_admin, "initech.exa"), "deals")
    assert hits == [(f"{deal.number} Initech", f"/deals/{deal.pk}/")]


def test_each_kind_is_found_by_who_may_see_it(world):
    objs = mdf_objects(world)  # requests and claims of world.partner
    make_course(world, code="SEC-201")
    with tenant_context(world.tenant):
        LeadFactory(tenant=world.tenant, company="Umbrella Corp")
        world.partner_user.user.full_name = "Zelda Searchable"
        world.partner_user.user.save()
    partner_name = world.partner.name  # "own Partner A"
    staff = _page(world, world.admin, partner_name)
    assert (partner_name, f"/partners/{world.partner.pk}/") in _group(staff, "partners")
    people = _group(_page(world, world.partner_admin, "zelda"), "members")
    assert people == [("Zelda Searchable", f"/members/{world.partner_user.pk}/")]
    assert _group(_page(world, world.partner_user, "SEC-201"), "courses")[0][1].startswith(
        "/learning/courses/"
    )
    req = objs.approved_unclaimed
    assert (f"{req.number} {req.title}", f"/mdf/requests/{req.pk}/") in _group(
        _page(world, world.partner_user, "webinar"), "fund_requests"
    )
    claim = objs.claim_paid
    found = _group(_page(world, world.channel_manager, claim.number), "claims")
    assert found[0] == (f"{claim.number} Security workshop", f"/mdf/claims/{claim.pk}/")
    assert _group(_page(world, world.channel_manager, "umbrella"), "leads")[0][0] == "Umbrella Corp"
    # Partner people do not search leads, partners or (a partner user) people at all.
    assert _group(_page(world, world.partner_user, "umbrella"), "leads") == []
    assert _group(_page(world, world.partner_user, partner_name), "partners") == []
    assert _group(_page(world, world.partner_user, "zelda"), "members") == []
    # Another partner's MDF request is not found.
    assert _group(_page(world, world.other_partner_user, "webinar"), "fund_requests") == []


def test_a_direct_deal_is_found_by_the_partners_credited_on_it(world):
    staff = api_client(world.tenant, world.admin)
    body = {
        "customer_name": "Hooli Search",
        "customer_domain": "hooli.example",
        "amount": "1000.00",
        "status": "open",
        "influencers": [{"partner": world.partner.pk}],
    }
    assert staff.put("/api/v1/crm/direct-deals/OPP-9/", body, format="json").status_code == 201
    assert _group(_page(world, world.partner_user, "hooli"), "direct_deals")[0][0] == "Hooli Search"
    assert _group(_page(world, world.other_partner_user, "hooli"), "direct_deals") == []


def test_short_and_empty_queries_find_nothing_and_say_why(world):
    _deal(world, customer_name="Xy")
    empty = _page(world, world.admin, "")
    assert not find_all(empty, "section", class_="search-group")
    short = _page(world, world.admin, "X")
    assert not find_all(short, "section", class_="search-group")
    assert find(short, "p", role="status").text() == "Type at least 2 characters."
    nothing = _page(world, world.admin, "no such thing")
    assert "Nothing found" in find(nothing, "p", role="status").text()
    assert find_all(_page(world, world.admin, "xy"), "section", class_="search-group")


def test_hits_are_capped_per_kind_with_a_link_to_the_full_list(world):
    for i in range(10):
        _deal(world, customer_name=f"Capco {i}")
    page = _page(world, world.admin, "capco")
    assert len(_group(page, "deals")) == 8
    assert find(page, "a", href="/deals/?q=capco")


def test_every_portal_page_has_the_search_field(world):
    page = portal_client(world.tenant, world.partner_user).get("/")
    form = find(page, "form", role="search", action="/search/")
    assert form
    field = find(page, "input", id="global-search-q", name="q")
    assert find(page, "label", for_="global-search-q").text() == "Search the portal"
    assert "/" in field.attrs["aria-keyshortcuts"]


def test_the_api_answers_as_the_page_does(world, stranger):
    mine = _deal(world, customer_name="Parity Corp")
    _deal(world, world.other_partner, customer_name="Parity Other")
    _deal(stranger, customer_name="Parity Stranger")
    resp = api_client(world.tenant, world.partner_user).get("/api/v1/search/", {"q": "parity"})
    assert resp.status_code == 200
    data = resp.json()
    assert data["q"] == "parity"
    [deals] = [g for g in data["groups"] if g["kind"] == "deals"]
    assert [h["url"] for h in deals["hits"]] == [f"/deals/{mine.pk}/"]
    assert deals["more"] is False
    page_hits = _group(_page(world, world.partner_user, "parity"), "deals")
    assert [(h["label"], h["url"]) for h in deals["hits"]] == page_hits


def test_the_api_refuses_a_short_query_with_a_field_error(world):
    resp = api_client(world.tenant, world.admin).get("/api/v1/search/", {"q": " a "})
    assert resp.status_code == 400
    assert set(resp.json()["errors"]) == {"q"}


def test_a_number_is_read_with_or_without_its_prefix():
    assert number_in("DR-42", "DR") == 42
    assert number_in(" dr 42 ", "DR") == 42
    assert number_in("42", "DR") == 42
    assert number_in("FR-42", "DR") is None
    assert number_in("DR-4x", "DR") is None
