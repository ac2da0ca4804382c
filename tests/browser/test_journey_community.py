"""The community journey (issue #23), driven through the portal: an admin posts an
announcement and publishes it; a partner reads it on their home page, asks a question;
another partner answers it; the asker accepts the answer. Screenshots go to
docs/screenshots/journeys/community-<n>-<step>.png."""

from __future__ import annotations

from playwright.sync_api import expect

from community.models import Question
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, menu_link
from tests.conftest import build_world


def button(page, name: str):
    page.get_by_role("button", name=name, exact=True).click()


def test_journey_community_announcement_question_answer_accepted(site):
    world = build_world("community")
    shot = Shots("community")

    admin = site.sign_in(world.tenant, world.admin.user.email)
    menu_link(admin, "Announcements").click()
    admin.get_by_role("link", name="Post an announcement").click()
    admin.get_by_label("Title").fill("New partner price list")
    admin.get_by_label("Text").fill("The new price list applies from January.")
    admin.get_by_label("Kind").select_option(label="News")
    shot(admin, "announcement-form")
    button(admin, "Save")
    expect(admin.get_by_text("Announcement drafted.")).to_be_visible()
    button(admin, "Publish")
    expect(admin.get_by_text("Announcement published.")).to_be_visible()
    shot(admin, "announcement-published")

    asker = site.sign_in(world.tenant, world.partner_user.user.email)
    card = asker.locator("#home-community")
    expect(card.get_by_role("link", name="New partner price list")).to_be_visible()
    expect(card.get_by_text("New", exact=True)).to_be_visible()
    shot(asker, "partner-home")
    card.get_by_role("link", name="New partner price list").click()
    expect(asker.get_by_text("The new price list applies from January.")).to_be_visible()

    menu_link(asker, "Community").click()
    asker.get_by_role("link", name="Ask a question").click()
    asker.get_by_label("Question").fill("Does the new price list apply to renewals?")
    asker.get_by_label("Details").fill("We have several renewals due in January.")
    asker.get_by_label("Products").fill("Pricing")
    shot(asker, "question-form")
    button(asker, "Post the question")
    expect(asker.get_by_text("Question posted.")).to_be_visible()

    answerer = site.sign_in(world.tenant, world.other_partner_user.user.email)
    menu_link(answerer, "Community").click()
    answerer.get_by_role("link", name="Does the new price list apply to renewals?").click()
    answerer.get_by_role("textbox", name="Your answer").fill(
        "Yes: renewals after 1 January use the new list."
    )
    button(answerer, "Post the answer")
    expect(answerer.get_by_text("Answer posted.")).to_be_visible()
    shot(answerer, "answered")

    asker.reload()
    button(asker, "Accept this answer")
    expect(asker.get_by_text("Accepted answer")).to_be_visible()
    shot(asker, "accepted")
    with tenant_context(world.tenant):
        q = Question.objects.get()
        assert (
            q.accepted_answer is not None and q.accepted_answer.author == world.other_partner_user
        )
