"""Role home pages (issue #18, item 1): each role sees what needs it now, with counts that
link to the lists they count; a partner never sees another partner's numbers; the tenant
admin's setup checklist ticks items as a new tenant configures them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dealreg.models import DealStatus
from partners.models import Partner
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import DealFactory
from tests.html_helpers import Element, find, find_all

pytestmark = pytest.mark.django_db


def page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def inside(element: Element, tag: str | None = None, **attrs) -> list[Element]:
    """The descendants of `element` matching `tag` and `attrs` (as find_all)."""
    wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    found = []
    for part in element.parts:
        if isinstance(part, Element):
            if part.matches(tag, None, wanted):
                found.append(part)
            found += inside(part, tag, **attrs)
    return found


def count(body: str, section: str, name: str) -> tuple[str, str]:
    """The number shown for `name` in a section, and the list it links to."""
    (link,) = inside(find(body, id=f"home-{section}"), "a", data_count=name)
    return link.text(), link.attrs["href"]


def _deal(world, partner, status, **kwargs):
    return DealFactory(tenant=world.tenant, partner=partner, status=status, **kwargs)


def test_partner_home_has_a_register_button_and_counts_its_own_registrations_only(world):
    today = timezone.now().date()
    _deal(world, world.partner, DealStatus.SUBMITTED, submitted_at=timezone.now())
    _deal(world, world.partner, DealStatus.UNDER_REVIEW, submitted_at=timezone.now())
    ending = _deal(
        world,
        world.partner,
        DealStatus.APPROVED,
        customer_name="Acme Ending",
        customer_domain="acme-ending.example",
        protected_until=today + datetime.timedelta(days=3),
    )
    _deal(
        world,
        world.partner,
        DealStatus.APPROVED,
        customer_domain="later.example",
        protected_until=today + datetime.timedelta(days=80),
    )
    # Another partner's deals must not count.
    for i in range(3):
        _deal(world, world.other_partner, DealStatus.SUBMITTED, submitted_at=timezone.now())
        _deal(
            world,
            world.other_partner,
            DealStatus.APPROVED,
            customer_domain=f"other{i}.example",
            protected_until=today + datetime.timedelta(days=2),
        )

    body = page(portal_client(world.tenant, world.partner_user))

    assert find_all(body, "a", href="/deals/new/")[0].text().strip() == "Register a deal"
    assert count(body, "deals-partner", "submitted") == ("1", "/deals/?status=submitted")
    assert count(body, "deals-partner", "under_review") == ("1", "/deals/?status=under_review")
    assert count(body, "deals-partner", "protected")[0] == "2"
    assert count(body, "deals-partner", "ending")[0] == "1"
    rows = inside(find(body, id="home-deals-partner"), "span", data_days_left=True)
    assert [r.attrs["data-days-left"] for r in rows] == ["3"]
    assert find_all(body, "a", href=f"/deals/{ending.pk}/")
    assert "other" not in find(body, id="home-deals-partner").text()


def test_partner_without_registrations_is_told_what_to_do_next(world):
    body = page(portal_client(world.tenant, world.partner_admin))
    section = find(body, id="home-deals-partner").text()
    assert "Register a deal to protect your customer" in section


def test_staff_see_the_review_queue_with_its_sla_clock(world):
    now = timezone.now()
    _deal(
        world,
        world.partner,
        DealStatus.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=3),
        sla_due_at=now - datetime.timedelta(days=1),
    )
    _deal(
        world,
        world.other_partner,
        DealStatus.UNDER_REVIEW,
        submitted_at=now - datetime.timedelta(hours=2),
        sla_due_at=now + datetime.timedelta(hours=20),
    )
    _deal(world, world.partner, DealStatus.APPROVED, customer_domain="done.example")

    body = page(portal_client(world.tenant, world.admin))

    assert count(body, "deals-review", "waiting") == ("2", "/deals/review/")
    assert count(body, "deals-review", "past_sla") == ("1", "/deals/review/?sort=sla")
    assert count(body, "deals-review", "over_two_days") == (
        "1",
        "/deals/review/?older_than_hours=48",
    )
    assert "The oldest has waited 3" in find(body, id="home-deals-review").text()
    assert not find_all(body, id="home-deals-partner")


def test_a_channel_manager_sees_the_queue_of_the_partners_they_manage(world):
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(owner=world.channel_manager)
    now = timezone.now()
    _deal(world, world.partner, DealStatus.SUBMITTED, submitted_at=now)
    _deal(world, world.other_partner, DealStatus.SUBMITTED, submitted_at=now)
    _deal(world, world.other_partner, DealStatus.SUBMITTED, submitted_at=now)

    manager = page(portal_client(world.tenant, world.channel_manager))
    admin = page(portal_client(world.tenant, world.admin))

    assert count(manager, "deals-review", "waiting")[0] == "1"
    assert "my partners" in find(manager, id="home-deals-review-title").text()
    assert count(admin, "deals-review", "waiting")[0] == "3"
