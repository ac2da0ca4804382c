"""The deal page a reviewer works from (issue #18, item 8): the side-by-side shows what a
reviewer weighs and who was first, the extension box appears only when the rules allow asking,
the influencer form has its own section, and a deal opened from the review queue leads back
to it and on to the next registration."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, DealStatus
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import ProductFactory
from tests.html_helpers import find, find_all

pytestmark = pytest.mark.django_db


def _data(name: str, domain: str, **over) -> dict:
    data = {
        "customer_name": name,
        "customer_domain_input": domain,
        "amount": Decimal("90000"),  # above the auto-approve limit: a person decides
        "currency": "EUR",
        "expected_close_date": datetime.date(2031, 3, 14),
        "contact_name": "Ada Buyer",
        "contact_email": "ada@globex.com",
    }
    data.update(over)
    return data


def _register(world, member, name, domain, *, products=None, **over) -> Deal:
    with tenant_context(world.tenant):
        deal = services.deal_save(
            by=member, data=_data(name, domain, **over), products=products, submit=True
        )
        services.deal_evaluate(deal_id=deal.pk)
        return Deal.objects.get(pk=deal.pk)


def _page(world, member, deal, query: str = ""):
    resp = portal_client(world.tenant, member).get(f"/deals/{deal.pk}/{query}")
    assert resp.status_code == 200
    return resp


def _inside(root, tag: str | None = None, **attrs) -> list:
    """The elements under `root` (an html_helpers Element) matching like find_all."""
    wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    found = []
    for part in root.parts:
        if isinstance(part, str):
            continue
        if part.matches(tag, None, wanted):
            found.append(part)
        found.extend(_inside(part, tag, **attrs))
    return found


def _set(world, deal, **fields) -> None:
    with tenant_context(world.tenant):
        Deal.objects.filter(pk=deal.pk).update(**fields)


# --- The side-by-side ---------------------------------------------------------------------


def test_side_by_side_shows_what_a_reviewer_weighs_and_who_was_first_within_the_minute(world):
    with tenant_context(world.tenant):
        product = ProductFactory(tenant=world.tenant, name="Rocket Engine")
    first = _register(
        world, world.partner_admin, "Globex Corporation", "globex.com", products=[product]
    )
    second = _register(
        world,
        world.other_partner_user,
        "GLOBEX Corp.",
        "buyer@sales.globex.com",
        amount=Decimal("15000"),
        currency="GBP",
        contact_name="Bob Seller",
        contact_email="bob@globex.com",
        expected_close_date=datetime.date(2031, 6, 30),
    )
    # Same minute, the second registration 40 seconds later.
    minute = timezone.now().replace(second=5, microsecond=0)
    _set(world, first, submitted_at=minute)
    _set(world, second, submitted_at=minute + datetime.timedelta(seconds=40))

    table = find(_page(world, world.channel_manager, second), "table", id="side-by-side")
    text = table.text()
    for wanted in (
        "Rocket Engine",  # the first registration's product
        "Ada Buyer",
        "Bob Seller",
        "bob@globex.com",
        "GLOBEX Corp.",
        "Globex Corporation",
        "globex.com",
        world.partner.name,
        world.other_partner.name,
    ):
        assert wanted in text, wanted
    # Amounts carry their currency, close dates are shown.
    amounts = [c.text() for c in _inside(table, "td", class_="compare-amount")]
    assert any("£" in a or "GBP" in a for a in amounts), amounts
    assert any("€" in a or "EUR" in a for a in amounts), amounts
    closes = [c.text() for c in _inside(table, "td", class_="compare-close")]
    assert all(c != "—" for c in closes) and len(set(closes)) == 2
    # Who was first, from the exact timestamps, though both were submitted in one minute.
    order = {
        c.attrs["data-label"]: c.text() for c in _inside(table, "td", class_="compare-submitted")
    }
    assert "Submitted first" in order[first.number]
    assert "Submitted second" in order[f"{second.number} (this registration)"]
    assert ":05" in order[first.number]  # the seconds
    assert ":45" in order[f"{second.number} (this registration)"]


def test_partner_sees_no_side_by_side(world):
    _register(world, world.partner_admin, "Globex Corporation", "globex.com")
    second = _register(world, world.other_partner_user, "GLOBEX Corp.", "sales.globex.com")
    page = _page(world, world.other_partner_user, second)
    assert find_all(page, "table", id="side-by-side") == []
    assert world.partner.name not in page.content.decode()


# --- Extension requests -------------------------------------------------------------------


def _approved(world, name="Umbrella") -> Deal:
    deal = _register(world, world.partner_admin, name, f"{name.lower()}.example")
    with tenant_context(world.tenant):
        return services.deal_approve(deal=deal, by=world.channel_manager)


def test_no_extension_box_right_after_approval_but_the_day_it_opens(world):
    deal = _approved(world)
    page = _page(world, world.partner_user, deal)
    assert find_all(page, "form", action=f"/deals/{deal.pk}/extension/") == []
    note = find(page, id="extension-note").text()
    opens = deal.protected_until - datetime.timedelta(days=30)  # default extension_days
    assert "You can ask for an extension from" in note
    assert str(opens.year) in note and str(opens.day) in note
    # Asking anyway is refused, nothing is recorded.
    client = portal_client(world.tenant, world.partner_user)
    assert client.post(f"/deals/{deal.pk}/extension/", {"reason": "Early"}).status_code == 302
    with tenant_context(world.tenant):
        assert not deal.extension_requests.exists()


def test_extension_box_appears_once_protection_ends_within_one_extension_period(world):
    deal = _approved(world)
    _set(world, deal, protected_until=timezone.now().date() + datetime.timedelta(days=20))
    page = _page(world, world.partner_user, deal)
    find(page, "form", action=f"/deals/{deal.pk}/extension/")
    assert find_all(page, id="extension-note") == []
    client = portal_client(world.tenant, world.partner_user)
    client.post(f"/deals/{deal.pk}/extension/", {"reason": "Legal review"})
    with tenant_context(world.tenant):
        assert deal.extension_requests.count() == 1


def test_used_up_extensions_are_said_in_words(world):
    deal = _approved(world)
    _set(world, deal, extensions_used=1)  # the default rules allow one
    note = find(_page(world, world.partner_user, deal), id="extension-note").text()
    assert "used all the extensions" in note


# --- Sections -----------------------------------------------------------------------------


def test_influencer_form_has_its_own_section_outside_the_decision(world):
    deal = _register(world, world.partner_admin, "Initrode", "initrode.example")
    assert deal.status == DealStatus.UNDER_REVIEW
    page = _page(world, world.channel_manager, deal)
    form = find(page, "form", action=f"/deals/{deal.pk}/influencers/")
    decision = find(page, "section", id="decision")
    # Approve, and reject inside its confirmation dialog (it asks for the reason).
    assert [f.attrs["action"] for f in _inside(decision, "form")] == [
        f"/deals/{deal.pk}/approve/",
        f"/deals/{deal.pk}/reject/",
    ]
    around = []  # the ids of the elements the influencer form sits in
    node = form.parent
    while node is not None:
        around.append(node.attrs.get("id"))
        node = node.parent
    assert "decision" not in around and "actions" not in around
    assert "influencers" in around


def test_sections_come_in_the_reviewers_order_and_the_timeline_names_its_zone(world):
    deal = _register(world, world.partner_admin, "Initrode", "initrode.example")
    page = _page(world, world.channel_manager, deal)
    ids = [e.attrs["id"] for e in find_all(page, "section") if e.attrs.get("id")]
    order = ["decision", "details", "conflicts", "timeline", "influencers"]
    assert [i for i in ids if i in order] == order
    find(page, "header", id="summary")
    zone = find(page, id="timeline-zone").text()
    assert "/" not in zone and "Times are" in zone


# --- The review queue ---------------------------------------------------------------------


def _queue_of_two(world) -> tuple[Deal, Deal]:
    older = _register(world, world.partner_admin, "Initrode", "initrode.example")
    newer = _register(world, world.partner_admin, "Vandelay", "vandelay.example")
    _set(world, older, submitted_at=timezone.now() - datetime.timedelta(hours=5))
    return older, newer


def test_queue_links_carry_the_queue_and_its_filters(world):
    older, _newer = _queue_of_two(world)
    page = portal_client(world.tenant, world.channel_manager).get(
        "/deals/review/?sort=oldest&conflicts=no"
    )
    link = find(page, "a", text=older.number)
    assert link.attrs["href"].startswith(f"/deals/{older.pk}/?from=queue")
    assert "sort=oldest" in link.attrs["href"] and "conflicts=no" in link.attrs["href"]


def test_from_the_queue_back_goes_to_the_queue_with_its_filters(world):
    older, newer = _queue_of_two(world)
    page = _page(world, world.channel_manager, older, "?from=queue&sort=oldest&conflicts=no")
    back = find(page, "a", id="back-link").attrs["href"]
    assert back.startswith("/deals/review/?") and "sort=oldest" in back and "conflicts=no" in back
    nxt = find(page, "a", id="next-in-queue").attrs["href"]
    assert nxt.startswith(f"/deals/{newer.pk}/?from=queue")
    # Without the queue: back to the deals list, no next.
    plain = _page(world, world.channel_manager, older)
    assert find(plain, "a", id="back-link").attrs["href"] == "/deals/"
    assert find_all(plain, "a", id="next-in-queue") == []


def test_partner_never_gets_queue_navigation(world):
    older, _newer = _queue_of_two(world)
    page = _page(world, world.partner_admin, older, "?from=queue")
    assert find(page, "a", id="back-link").attrs["href"] == "/deals/"
    assert find_all(page, "a", id="next-in-queue") == []


def test_approving_from_the_queue_opens_the_next_registration_then_the_queue(world):
    older, newer = _queue_of_two(world)
    client = portal_client(world.tenant, world.channel_manager)
    page = _page(world, world.channel_manager, older, "?from=queue&sort=oldest")
    form, reject = _inside(find(page, "section", id="decision"), "form")
    assert form.attrs["action"].startswith(f"/deals/{older.pk}/approve/?from=queue")
    assert reject.attrs["action"].startswith(f"/deals/{older.pk}/reject/?from=queue")
    resp = client.post(form.attrs["action"], {"reason": ""}, follow=True)
    assert resp.redirect_chain[-1][0].startswith(f"/deals/{newer.pk}/?from=queue")
    assert "sort=oldest" in resp.redirect_chain[-1][0]
    assert f"{older.number} approved." in resp.content.decode()
    with tenant_context(world.tenant):
        assert Deal.objects.get(pk=older.pk).status == DealStatus.APPROVED
    # The last one: rejecting it leads back to the (now empty) queue with its filters.
    resp = client.post(
        f"/deals/{newer.pk}/reject/?from=queue&sort=oldest",
        {"reason": "Duplicate of an older deal"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/deals/review/?sort=oldest"
    with tenant_context(world.tenant):
        assert Deal.objects.get(pk=newer.pk).status == DealStatus.REJECTED


def test_deciding_outside_the_queue_stays_on_the_deal(world):
    older, _newer = _queue_of_two(world)
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/deals/{older.pk}/approve/", {"reason": ""}
    )
    assert resp.status_code == 302 and resp["Location"] == f"/deals/{older.pk}/"


def test_queue_parameters_cannot_send_the_reviewer_elsewhere(world):
    older, _newer = _queue_of_two(world)
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/deals/{older.pk}/approve/?from=queue&sort=//evil.example/&next=https://evil.example/",
        {"reason": ""},
    )
    assert resp.status_code == 302
    assert resp["Location"].startswith("/deals/") and "evil" not in resp["Location"]
