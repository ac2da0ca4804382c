"""A German partner admin and partner user on a phone (375x812, touch) work through the main
partner journeys: home, register a deal (the decision appears without a reload), request
MDF, take a course and its quiz, tier progress, notifications and the profile.

German text is looked up in the catalogue (gettext under translation.override("de")), so the
test fails when a string shown here is untranslated. Every page visited must fit the screen
(no horizontal scrolling) and the main menu must be reachable. Screenshots go to
docs/screenshots/journeys/de-phone-<n>-<step>.png.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect

from dealreg.models import Deal
from mdf import services as mdf_services
from mdf.models import FundRequest
from partners import services as partner_services
from prm.templatetags.prm_l10n import format_money
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.mdf.test_mdf_support import make_program
from training import services as training_services

pytestmark = [pytest.mark.celery_worker]

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "de-DE",
}


def de(msgid: str) -> str:
    """The German catalogue's text for `msgid`; it must really be translated. Form labels
    come from lower-case model field names, shown with a capital first letter."""
    with translation.override("de"):
        text = gettext(msgid)
        if text == msgid and msgid[:1].isupper():
            lower = gettext(msgid[0].lower() + msgid[1:])
            text = capfirst(lower) if lower != msgid[0].lower() + msgid[1:] else msgid
    assert text != msgid or msgid in {"Deals", "Menu"}, f"untranslated: {msgid!r}"
    return text


def money_de(amount: str, currency: str) -> str:
    with translation.override("de"):
        return format_money(Decimal(amount), currency)


def fits_the_screen(page) -> None:
    """Nothing makes the page wider than the phone: no horizontal scrolling."""
    page.wait_for_load_state("load")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} scrolls sideways: {width}px on a {inner}px screen"


def open_menu_item(page, name: str) -> None:
    """The main menu on a phone: the Menu button opens it, every entry is then on screen
    (listed in sections, not hidden off to the side) and is tapped like a finger would."""
    menu = page.get_by_role("navigation", name=de("Main"))
    toggle = menu.get_by_role("button", name=de("Menu"))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    link = menu.get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    href = link.get_attribute("href")
    link.tap()
    page.wait_for_url(re.compile(re.escape(href) + "$"))


def phone_sign_in(site, tenant, email: str):
    context = site.browser.new_context(accept_downloads=True, **PHONE)
    context.set_default_timeout(15_000)
    site.contexts.append(context)
    page = context.new_page()
    page.goto(site.url(tenant, "/accounts/login/"))
    # Not signed in yet: the browser's Accept-Language (de-DE) chooses German.
    expect(page.locator("html")).to_have_attribute("lang", "de")
    fits_the_screen(page)
    page.get_by_label(de("Email")).fill(email)
    page.get_by_label(de("Password")).fill(PASSWORD)
    page.get_by_role("button", name=de("Sign in")).tap()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    return page


def _speak_german(*members) -> None:
    for member in members:
        member.user.language = "de"
        member.user.save(update_fields=["language"])


def _course(world):
    course = training_services.course_save(
        by=world.admin,
        code="SEC-101",
        title="Sicherheit verkaufen",
        summary="Die Sicherheits-Suite positionieren.",
        quiz_pass_mark=50,
        quiz_max_attempts=0,
        quiz_cooldown_hours=0,
    )
    training_services.lesson_save(
        by=world.admin, course=course, title="Warum Kunden kaufen", body="Risiko und Audits."
    )
    training_services.question_save(
        by=world.admin,
        course=course,
        text="Was kaufen Kunden zuerst?",
        kind="single",
        options=[("Ruhe beim Audit", True), ("Ein größeres Logo", False)],
    )
    training_services.course_set_status(by=world.admin, course=course, to="published")
    return course


def test_german_partner_on_a_phone_works_through_the_main_journeys(site, celery_worker):
    world = build_world("dephone")
    _speak_german(world.partner_admin, world.partner_user)
    with tenant_context(world.tenant):
        partner_services.tier_save(by=world.admin, name="Registered", rank=0)
        partner_services.tier_save(
            by=world.admin, name="Gold", rank=1, min_won_revenue_12m=Decimal("100000")
        )
        partner_services.tiers_evaluate(tenant=world.tenant)
        program = make_program(world, name="Q-aktuell", currency="EUR")
        mdf_services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("10000"), by=None
        )
        _course(world)
    shot = Shots("de-phone")
    close = timezone.now().date() + datetime.timedelta(days=30)

    # --- the partner admin -----------------------------------------------------------------
    admin = phone_sign_in(site, world.tenant, world.partner_admin.user.email)
    expect(admin.get_by_role("navigation", name=de("Main"))).to_be_visible()
    fits_the_screen(admin)
    shot(admin, "home")

    # Register a deal; the worker's decision shows up without a reload.
    open_menu_item(admin, de("Deal registrations"))
    fits_the_screen(admin)
    admin.get_by_role("link", name=de("Register a deal")).first.tap()
    admin.wait_for_url(re.compile(r"/deals/new/$"))
    fits_the_screen(admin)
    admin.get_by_label(de("Customer company")).fill("Initech")
    admin.locator("[name=customer_domain_input]").fill("initech.example")
    admin.locator("[name=amount]").fill("1234.50")
    admin.locator("[name=currency]").select_option("EUR")
    admin.locator("[name=expected_close_date]").fill(close.isoformat())
    shot(admin, "deal-form")
    admin.get_by_role("button", name=de("Submit for approval")).tap()
    status = admin.locator("#deal-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text(de("Approved"), timeout=20_000)
    expect(admin.locator("main")).to_contain_text(money_de("1234.50", "EUR"))
    assert money_de("1234.50", "EUR") == "1.234,50\u00a0€"
    fits_the_screen(admin)
    shot(admin, "deal-approved-live")
    with tenant_context(world.tenant):
        assert Deal.objects.get(customer_name="Initech").status == "approved"

    # Request marketing funds.
    # "Marketing funds" is a group (funds, assets, campaigns ...): its funds page.
    open_menu_item(admin, de("Requests and claims"))
    expect(admin.locator("main")).to_contain_text(money_de("10000", "EUR"))
    fits_the_screen(admin)
    shot(admin, "funds")
    admin.get_by_role("link", name=de("Request funds")).first.tap()
    start = program.start_date + datetime.timedelta(days=2)
    admin.get_by_label(de("Program")).select_option(label="Q-aktuell")
    admin.get_by_label(de("Activity type")).select_option("event")
    admin.get_by_label(de("Title")).fill("Kunden-Roadshow")
    admin.get_by_label(de("Description")).fill("Halbtägige Veranstaltung in Berlin.")
    admin.get_by_label(de("Target audience")).fill("IT-Leiter")
    admin.get_by_label(de("Activity starts")).fill(start.isoformat())
    admin.get_by_label(de("Activity ends")).fill(start.isoformat())
    admin.get_by_label(de("Planned total cost")).fill("4000")
    admin.get_by_label(de("Amount requested")).fill("1999.50")
    admin.get_by_label(de("Expected leads")).fill("25")
    admin.get_by_label(de("Expected pipeline")).fill("80000")
    fits_the_screen(admin)
    shot(admin, "mdf-form")
    admin.get_by_role("button", name=de("Submit request")).tap()
    expect(
        admin.get_by_text(de("Request submitted. You will hear back by e-mail."))
    ).to_be_visible()
    expect(admin.locator("main")).to_contain_text(money_de("1999.50", "EUR"))
    fits_the_screen(admin)
    shot(admin, "mdf-submitted")
    with tenant_context(world.tenant):
        assert FundRequest.objects.get(title="Kunden-Roadshow").status == "submitted"

    # Tier progress.
    open_menu_item(admin, de("My tier"))
    with translation.override("de"):
        heading = gettext("You are %(t)s") % {"t": "Registered"}
    expect(admin.get_by_role("heading", level=1)).to_have_text(heading)
    fits_the_screen(admin)
    shot(admin, "tier")

    # --- the partner user ------------------------------------------------------------------
    user = phone_sign_in(site, world.tenant, world.partner_user.user.email)
    open_menu_item(user, de("Training"))
    fits_the_screen(user)
    user.get_by_role("link", name="Sicherheit verkaufen").first.tap()
    user.get_by_role("button", name=de("Enrol in this course")).tap()
    user.get_by_role("link", name=de("Start the first lesson")).tap()
    expect(user.get_by_role("button", name=de("Done — finish"))).to_be_visible()
    fits_the_screen(user)
    shot(user, "lesson")
    user.get_by_role("button", name=de("Done — finish")).tap()
    user.get_by_role("link", name=de("Take the quiz")).tap()
    user.get_by_role("button", name=de("Start an attempt")).tap()
    user.get_by_label("Ruhe beim Audit").tap()
    fits_the_screen(user)
    shot(user, "quiz")
    user.get_by_role("button", name=de("Submit your answers")).tap()
    with translation.override("de"):
        passed = gettext("Passed (pass mark %(p)s%%).") % {"p": 50}
    expect(user.get_by_text(passed)).to_be_visible()
    fits_the_screen(user)
    shot(user, "quiz-passed")

    # Notifications: the bell in the top bar opens the newest, then the whole list.
    bell = user.locator("header .notif-link")
    expect(bell).to_contain_text(de("Notifications"))
    bell.tap()
    user.locator("header .bell-foot a").tap()
    expect(user.get_by_role("heading", level=1)).to_have_text(de("Notifications"))
    # Made by the relay in the worker, yet in the member's language.
    # (A colleague's deal decision is not theirs to hear about; their company's tier is.)
    expect(user.locator("main")).to_contain_text(
        de("Partner tier changed") + ": " + world.partner.name
    )
    fits_the_screen(user)
    shot(user, "notifications")

    # Profile, from the account menu.
    user.locator(".usermenu summary").tap()
    profile = user.get_by_role("link", name=de("Profile and security"))
    expect(profile).to_be_visible()
    profile.tap()
    expect(user.get_by_role("heading", level=1)).to_have_text(de("Profile and security"))
    expect(user.get_by_label(de("Language"))).to_have_value("de")
    fits_the_screen(user)
    shot(user, "profile")
