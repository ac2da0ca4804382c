"""The role home pages in a real browser: every role's cards fit 1280 px (in more than one
column) and a 375 px phone (one column, no sideways scrolling), axe finds nothing, and the
partner's "Register a deal" button opens the registration form."""

from __future__ import annotations

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from dealreg.models import DealStatus
from tests.browser.test_axe import PHONE, violations
from tests.conftest import build_world
from tests.factories import (
    DealFactory,
    MdfProgramFactory,
    PartnerFactory,
    RiskEpisodeFactory,
    TierFactory,
)

ROLES = ["admin", "channel_manager", "partner_admin", "partner_user"]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def home_world(transactional_db):
    world = build_world("homes")
    today = timezone.now().date()
    TierFactory(tenant=world.tenant, name="Gold", rank=1, min_won_deals_12m=3)
    MdfProgramFactory(tenant=world.tenant)
    DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        status=DealStatus.APPROVED,
        customer_name="A customer with a rather long name that must not widen the card at all",
        customer_domain="long.example",
        protected_until=today + datetime.timedelta(days=4),
    )
    DealFactory(
        tenant=world.tenant,
        partner=world.partner,
        status=DealStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=3),
        sla_due_at=timezone.now() - datetime.timedelta(days=1),
    )
    # Partners at risk, with names as long as real ones get, for the manager's card.
    for name in ("Northwind Traders Cloud Solutions", "Contoso Managed Services International"):
        partner = PartnerFactory(tenant=world.tenant, name=name, owner=world.channel_manager)
        RiskEpisodeFactory(tenant=world.tenant, partner=partner)
    return world


def columns(page) -> int:
    """How many distinct columns the home cards sit in."""
    xs = page.eval_on_selector_all(
        "#home-sections > section", "els => els.map(e => e.getBoundingClientRect().left)"
    )
    return len({round(x) for x in xs})


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
@pytest.mark.parametrize("role", ROLES)
def test_home_cards_fit_the_screen_and_pass_axe(site, home_world, role, viewport):
    page = site.sign_in(home_world.tenant, home_world.member(role).user.email, viewport=viewport)
    assert page.locator("#home-sections > section").count() >= 3
    width = viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if viewport is DESKTOP:
        assert columns(page) >= 2, role
    else:
        assert columns(page) == 1, role
    problems = violations(page, Axe())
    assert not problems, "\n".join(problems)


def test_the_partner_registers_a_deal_from_home(site, home_world):
    page = site.sign_in(home_world.tenant, home_world.partner_user.user.email, viewport=PHONE)
    page.get_by_role("link", name="Register a deal").click()
    page.wait_for_url("**/deals/new/")
    assert page.get_by_role("heading", level=1).count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_the_managers_at_risk_partners_are_named_in_full(site, home_world, viewport):
    page = site.sign_in(home_world.tenant, home_world.channel_manager.user.email, viewport=viewport)
    links = page.locator("#home-partner-health .home-list a")
    assert links.count() == 2
    for link in links.all():
        # Not cut with an ellipsis: the whole name fits beside (or above) its reason.
        assert link.evaluate("a => a.scrollWidth <= a.clientWidth + 1"), link.inner_text()
