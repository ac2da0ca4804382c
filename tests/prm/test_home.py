"""Role home pages (issue #18, item 1): each role sees what needs it now, with counts that
link to the lists they count; a partner never sees another partner's numbers; the tenant
admin's setup checklist ticks items as a new tenant configures them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dealreg import services as deal_services
from dealreg.models import DealStatus
from mdf import services as mdf_services
from onboarding.services import agreement_publish
from partners.models import Partner, PartnerStatus
from prm import home
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import (
    DealFactory,
    LedgerEntryFactory,
    MdfProgramFactory,
    MemberFactory,
    PartnerFactory,
    PartnerMetricsFactory,
    TenantHostFactory,
    TierFactory,
)
from tests.html_helpers import Element, find, find_all
from tests.mdf.test_mdf_support import make_program, request_fields
from tests.training.helpers import make_course

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
    _deal(
        world,
        world.partner,
        DealStatus.APPROVED,
        customer_domain="done.example",
        amount=Decimal("12000"),
        currency="EUR",
    )

    body = page(portal_client(world.tenant, world.admin))

    assert count(body, "deals-review", "waiting") == ("2", "/deals/review/")
    assert count(body, "deals-review", "past_sla") == ("1", "/deals/review/?sort=sla")
    assert count(body, "deals-review", "over_two_days") == (
        "1",
        "/deals/review/?older_than_hours=48",
    )
    assert "The oldest has waited 3" in find(body, id="home-deals-review").text()
    pipeline = find(body, id="home-deals-review").text()
    assert "12,000" in pipeline and ("EUR" in pipeline or "€" in pipeline)
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


def _setup_items(body: str) -> dict[str, bool]:
    items = inside(find(body, id="home-setup"), "li", data_setup_item=True)
    return {li.attrs["data-setup-item"]: "done" in li.attrs["class"].split() for li in items}


def test_the_setup_checklist_ticks_items_as_a_new_tenant_configures_them(world):
    admin = portal_client(world.tenant, world.admin)
    before = _setup_items(page(admin))
    assert before == dict.fromkeys(
        ["tiers", "rules", "agreement", "courses", "mdf", "domains", "branding"], False
    )
    links = {a.attrs["href"] for a in inside(find(page(admin), id="home-setup"), "a")}
    assert {"/program/tiers/", "/rules/", "/mdf/programs/", "/settings/"} <= links

    TierFactory(tenant=world.tenant, name="Gold", rank=1)
    MdfProgramFactory(tenant=world.tenant)
    TenantHostFactory(tenant=world.tenant)
    with tenant_context(world.tenant):
        deal_services.rules_publish(by=world.admin, review_sla_hours=24)
        agreement_publish(by=world.admin, partner_type="reseller", title="Terms", body="Be nice.")
    after = _setup_items(page(admin))
    assert after == {
        **before,
        "tiers": True,
        "mdf": True,
        "domains": True,
        "rules": True,
        "agreement": True,
    }

    make_course(world)
    Tenant.objects.filter(pk=world.tenant.pk).update(primary_colour="#aa3300")
    # Everything done: the checklist steps aside.
    assert not find_all(page(admin), id="home-setup")


def test_only_the_tenant_admin_sees_the_setup_checklist_and_program_kpis(world):
    for role in ("channel_manager", "partner_admin", "partner_user"):
        body = page(portal_client(world.tenant, world.member(role)))
        assert not find_all(body, id="home-setup"), role
        assert not find_all(body, id="home-program"), role


def test_each_role_sees_its_own_sections(world):
    sections = {
        role: {
            s.attrs["id"]
            for s in inside(
                find(page(portal_client(world.tenant, world.member(role))), id="home-sections"),
                "section",
            )
        }
        for role in ("admin", "channel_manager", "partner_admin", "partner_user")
    }
    assert {
        "home-setup",
        "home-program",
        "home-deals-review",
        "home-approvals",
        "home-new-partners",
        "home-mdf-review",
        "home-partner-health",
    } <= sections["admin"]
    assert {
        "home-deals-review",
        "home-partner-health",
        "home-mdf-review",
        "home-new-partners",
    } <= sections["channel_manager"]
    assert not sections["channel_manager"] & {"home-setup", "home-program", "home-approvals"}
    for role in ("partner_admin", "partner_user"):
        assert {"home-deals-partner", "home-training", "home-mdf-partner"} <= sections[role]
        assert not any("review" in s or s == "home-partner-health" for s in sections[role])


def test_a_partner_sees_its_tier_and_what_is_missing_for_the_next(world):
    TierFactory(tenant=world.tenant, name="Silver", rank=1)
    TierFactory(
        tenant=world.tenant,
        name="Gold",
        rank=2,
        min_won_deals_12m=5,
        min_won_revenue_12m=Decimal("100000"),
    )
    PartnerMetricsFactory(
        tenant=world.tenant,
        partner=world.partner,
        won_deals_12m=2,
        won_revenue_12m=Decimal("150000"),
    )
    body = page(portal_client(world.tenant, world.partner_user))
    card = find(body, id="home-tier")
    assert count(body, "tier", "next_tier") == ("Silver", "/tier/")
    # Silver has no requirement: met already.
    assert "the next evaluation will move you up" in card.text()


def test_the_tier_gap_lists_only_unmet_requirements(world):
    TierFactory(
        tenant=world.tenant,
        name="Gold",
        rank=2,
        min_won_deals_12m=5,
        min_won_revenue_12m=Decimal("100000"),
    )
    PartnerMetricsFactory(
        tenant=world.tenant,
        partner=world.partner,
        won_deals_12m=2,
        won_revenue_12m=Decimal("150000"),
    )
    body = page(portal_client(world.tenant, world.partner_admin))
    gap = find(body, id="home-tier-gap")
    assert [li.text() for li in inside(gap, "li")] == ["Won deals, last 12 months 2 / 5"]


def test_mdf_balance_and_queue_counts_are_scoped(world):
    program = MdfProgramFactory(tenant=world.tenant, name="FY26")
    LedgerEntryFactory(
        tenant=world.tenant, program=program, partner=world.partner, amount=Decimal("2500")
    )
    LedgerEntryFactory(
        tenant=world.tenant, program=program, partner=world.other_partner, amount=Decimal("99999")
    )
    body = page(portal_client(world.tenant, world.partner_user))
    available, href = count(body, "mdf-partner", "available")
    assert "2,500" in available and "99,999" not in find(body, id="home-mdf-partner").text()
    assert href == "/mdf/"
    staff = page(portal_client(world.tenant, world.channel_manager))
    assert count(staff, "mdf-review", "requests") == ("0", "/mdf/review/requests/")


def test_program_kpis_count_active_partners_and_link_to_the_filtered_list(world):
    PartnerFactory(tenant=world.tenant, status=PartnerStatus.ONBOARDING)
    body = page(portal_client(world.tenant, world.admin))
    assert count(body, "program", "active_partners") == ("2", "/partners/?status=active")


def test_the_onboarding_checklist_shows_only_while_the_partner_is_onboarding(world):
    body = page(portal_client(world.tenant, world.partner_user))
    assert not find_all(body, id="home-onboarding")
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status=PartnerStatus.ONBOARDING)
    body = page(portal_client(world.tenant, world.partner_user))
    assert "Getting started" in find(body, id="home-onboarding").text()
    assert not find_all(
        page(portal_client(world.tenant, world.other_partner_user)), id="home-onboarding"
    )


def test_the_home_page_costs_a_bounded_number_of_queries(world):
    """Sections aggregate: ten more deals, partners or ledger rows add no query."""

    def queries(member) -> int:
        client = portal_client(world.tenant, member)
        client.get("/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    today = timezone.now().date()
    before = {r: queries(world.member(r)) for r in ("admin", "channel_manager", "partner_user")}
    program = MdfProgramFactory(tenant=world.tenant)
    for i in range(10):
        partner = PartnerFactory(tenant=world.tenant)
        _deal(
            world,
            world.partner,
            DealStatus.APPROVED,
            customer_domain=f"d{i}.example",
            protected_until=today + datetime.timedelta(days=i + 1),
        )
        _deal(world, partner, DealStatus.SUBMITTED, submitted_at=timezone.now())
        LedgerEntryFactory(tenant=world.tenant, program=program, partner=world.partner)
    after = {r: queries(world.member(r)) for r in ("admin", "channel_manager", "partner_user")}
    assert after == before
    assert max(after.values()) < 60, after


def test_a_channel_manager_sees_the_fund_requests_of_the_partners_they_manage(world):
    other_admin = MemberFactory(
        tenant=world.tenant, role="partner_admin", partner=world.other_partner
    )
    with tenant_context(world.tenant):
        program = make_program(world)
        people = ((world.partner, world.partner_admin), (world.other_partner, other_admin))
        for partner, by in people:
            mdf_services.allocation_add(program=program, partner=partner, amount="5000", by=None)
            mdf_services.request_submit(program=program, by=by, **request_fields(program))
        Partner.objects.filter(pk=world.partner.pk).update(owner=world.channel_manager)
    manager = page(portal_client(world.tenant, world.channel_manager))
    admin = page(portal_client(world.tenant, world.admin))
    assert count(manager, "mdf-review", "requests")[0] == "1"
    assert "my partners" in find(manager, id="home-mdf-review-title").text()
    assert count(admin, "mdf-review", "requests")[0] == "2"


def test_every_home_card_is_framed_by_the_one_shared_partial():
    """Each registered home section's template extends prm/_home_card.html, so the card's
    frame (its section, its labelled title) is written once, not copied per app."""
    assert home.SECTIONS
    for section in home.SECTIONS:
        parent = get_template(section.template).template.nodelist[0]
        assert getattr(parent, "parent_name", None) is not None, section.template
        assert parent.parent_name.resolve({}) == "prm/_home_card.html", section.template
