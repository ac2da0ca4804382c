"""Keyboard-only use of the main journeys: Tab / Shift+Tab to move, Enter / Space to act.

No mouse click anywhere in this module: pages are reached by following links with the
keyboard from the home page, fields are reached with Tab and filled by typing, choices are
made with Space and the arrow keys, forms are sent with Enter. Only the preconditions (a
program, a course, a deal under review) are made with services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dealreg import services as deal_services
from dealreg.models import Deal
from mdf import services as mdf_services
from mdf.models import FundRequest
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.mdf.test_mdf_support import make_program
from training import services as training_services
from training.models import QuizAttempt

# What document.activeElement is, in words a person would use to find it.
ACTIVE = """() => {
  const e = document.activeElement;
  const label = e.labels && e.labels.length ? e.labels[0].textContent.trim() : "";
  return {tag: e.tagName.toLowerCase(), name: e.getAttribute("name") || "",
          text: (e.textContent || "").trim(), label: label, type: e.type || ""};
}"""


def tab_to(page, *, timeout_presses: int = 120, backwards: bool = False, **want) -> dict:
    """Presses Tab (or Shift+Tab) until the focused element matches every key of `want`
    (tag, name, text, label, type); fails if it never does."""
    seen = []
    for _ in range(timeout_presses):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        active = page.evaluate(ACTIVE)
        if all(active.get(k) == v for k, v in want.items()):
            return active
        seen.append(active["text"][:30] or active["name"] or active["tag"])
    pytest.fail(f"never reached {want} with the keyboard; passed {seen[-15:]}")


def follow(page, text: str) -> None:
    """Tabs to the link called `text` and follows it with Enter."""
    tab_to(page, tag="a", text=text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def open_menu(page, group: str, entry: str) -> None:
    """A grouped menu entry: Tab to the group, Enter opens it, Tab into it, Enter."""
    tab_to(page, tag="summary", text=group)
    page.keyboard.press("Enter")
    follow(page, entry)


def test_mdf_request_submitted_with_the_keyboard_only(site):
    world = build_world("kbfunds")
    with tenant_context(world.tenant):
        program = make_program(world, name="Q-current")
        mdf_services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("10000"), by=None
        )
    start = program.start_date + datetime.timedelta(days=2)
    page = site.sign_in(world.tenant, world.partner_admin.user.email)
    open_menu(page, "Marketing funds", "Requests and claims")
    follow(page, "Request funds")

    kb = page.keyboard
    tab_to(page, name="program")
    kb.type("Q-current")  # type-ahead selects the option
    tab_to(page, name="activity_type")
    kb.type("Event")
    for name, value in (
        ("title", "Keyboard roadshow"),
        ("description", "Planned and sent without a mouse."),
        ("target_audience", "IT leads"),
        ("start_date", start.strftime("%m%d%Y")),
        ("end_date", (start + datetime.timedelta(days=1)).strftime("%m%d%Y")),
        ("planned_cost", "4000"),
        ("requested_amount", "2000"),
        ("expected_leads", "25"),
        ("expected_pipeline", "80000"),
    ):
        tab_to(page, name=name)
        kb.type(value)
    # Shift+Tab walks back: the title is still what was typed.
    tab_to(page, name="title", backwards=True)
    assert page.evaluate("document.activeElement.value") == "Keyboard roadshow"
    tab_to(page, tag="button", text="Submit request")
    with page.expect_navigation():
        kb.press("Enter")
    expect(page.get_by_text("Request submitted.")).to_be_visible()
    with tenant_context(world.tenant):
        request = FundRequest.objects.get(title="Keyboard roadshow")
        assert request.status == "submitted"
        assert request.program == program and request.activity_type == "event"
        assert request.requested_amount == Decimal("2000")


def test_quiz_answered_with_the_keyboard_only(site):
    world = build_world("kbquiz")
    with tenant_context(world.tenant):
        course = training_services.course_save(
            by=world.admin,
            code="KB-101",
            title="Keyboard course",
            summary="A short course.",
            quiz_pass_mark=100,
            quiz_max_attempts=0,
            quiz_cooldown_hours=0,
        )
        lesson = training_services.lesson_save(
            by=world.admin, course=course, title="The only lesson", body="Read me."
        )
        training_services.question_save(
            by=world.admin,
            course=course,
            text="Which key moves focus forward?",
            kind="single",
            options=[("Escape", False), ("Tab", True)],
        )
        training_services.question_save(
            by=world.admin,
            course=course,
            text="Which keys press a button?",
            kind="multiple",
            options=[("Enter", True), ("Space", True), ("Delete", False)],
        )
        training_services.course_set_status(by=world.admin, course=course, to="published")
        training_services.enrollment_create(
            by=world.admin, member=world.partner_user, course=course
        )
        training_services.lesson_complete(by=world.partner_user, lesson=lesson)

    page = site.sign_in(world.tenant, world.partner_user.user.email)
    page.goto(site.url(world.tenant, f"/learning/courses/{course.pk}/quiz/"))
    tab_to(page, tag="button", text="Start an attempt")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    kb = page.keyboard
    # A radio group is one Tab stop; the arrow keys move to (and choose) the next option.
    # Questions and options may come in any order, so walk the group to the right answer.
    active = tab_to(page, type="radio")
    for _ in range(4):
        if active["label"] == "Tab":
            break
        kb.press("ArrowDown")
        active = page.evaluate(ACTIVE)
    assert active["label"] == "Tab"
    kb.press("Space")  # chooses it if the arrow keys have not already
    assert page.evaluate("() => document.activeElement.checked") is True
    for label in ("Enter", "Space"):
        tab_to(page, type="checkbox", label=label)
        kb.press("Space")
    tab_to(page, tag="button", text="Submit your answers")
    with page.expect_navigation():
        kb.press("Enter")
    expect(page.get_by_text("Passed (pass mark 100%).")).to_be_visible()
    with tenant_context(world.tenant):
        attempt = QuizAttempt.objects.get(member=world.partner_user)
        assert attempt.passed and attempt.score == 100


def test_manager_approves_in_the_review_queue_with_the_keyboard_only(site):
    world = build_world("kbdeals")
    close = timezone.now().date() + datetime.timedelta(days=30)
    with tenant_context(world.tenant):
        # Submitted and not yet decided by the rules: it waits in the manager's queue.
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Initech",
                "customer_domain_input": "initech.example",
                "amount": 20000,
                "expected_close_date": close,
            },
            submit=True,
        )
    assert deal.status == "submitted"

    page = site.sign_in(world.tenant, world.channel_manager.user.email)
    open_menu(page, "Deals", "Review queue")
    tab_to(page, type="checkbox", name="deal")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, name="reason")
    page.keyboard.type("Checked with the partner by phone.")
    tab_to(page, tag="button", text="Approve selected")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("1 deal updated.")
    with tenant_context(world.tenant):
        assert Deal.objects.get(pk=deal.pk).status == "approved"


FOCUS_STYLE = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), visible: e.matches(":focus-visible"),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
          shadow: s.boxShadow !== "none"};
}"""


def test_focus_is_visible_on_links_buttons_inputs_and_menus(site):
    """Tabs through a list page (menu, search field, search button, table links) and checks
    that every element reached shows a focus ring: an outline or a box shadow."""
    world = build_world("kbfocus")
    page = site.sign_in(world.tenant, world.admin.user.email)
    page.goto(site.url(world.tenant, "/partners/"))
    wanted = {"a", "summary", "input", "button"}
    found = {}
    for _ in range(80):
        page.keyboard.press("Tab")
        style = page.evaluate(FOCUS_STYLE)
        if style["tag"] == "body":
            continue
        assert style["visible"], style
        assert style["outline"] or style["shadow"], f"no visible focus on {style}"
        found.setdefault(style["tag"], style)
        if wanted <= found.keys():
            break
    assert wanted <= found.keys(), found
