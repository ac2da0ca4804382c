"""The quarterly partner-satisfaction survey (PSAT)."""

from __future__ import annotations

import pytest

from analytics import services
from analytics.models import SurveyResponse
from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.html_helpers import find_all


def test_partner_dashboard_asks_for_the_survey_until_answered(world):
    client = portal_client(world.tenant, world.partner_user)
    before = client.get("/analytics/").content.decode()
    client.post("/analytics/survey/", {"score": "4", "comment": "Faster approvals please"})
    after = client.get("/analytics/").content.decode()
    assert ("Quarterly partner survey" in before, "Quarterly partner survey" in after) == (
        True,
        False,
    )


def test_answer_is_stored_for_the_members_partner(world):
    portal_client(world.tenant, world.partner_user).post("/analytics/survey/", {"score": "2"})
    with tenant_context(world.tenant):
        answer = SurveyResponse.objects.get()
    assert (answer.partner_id, answer.score) == (world.partner.pk, 2)


def test_second_answer_in_a_quarter_is_refused(world):
    with tenant_context(world.tenant):
        services.survey_answer(member=world.partner_user, score=5)
        with pytest.raises(DomainError):
            services.survey_answer(member=world.partner_user, score=1)


def test_score_outside_one_to_five_is_a_form_error(world):
    resp = portal_client(world.tenant, world.partner_user).post(
        "/analytics/survey/", {"score": "9"}
    )
    assert resp.status_code == 200 and b"Select a valid choice" in resp.content


def test_api_score_outside_range_is_a_400_with_field_error(world):
    resp = api_client(world.tenant, world.partner_user).post(
        "/api/v1/analytics/survey-answers/", {"score": 0}, format="json"
    )
    assert resp.status_code == 400 and "score" in resp.json()["errors"]


def test_api_partner_sees_only_its_companys_answers(world):
    with tenant_context(world.tenant):
        services.survey_answer(member=world.partner_user, score=4)
        services.survey_answer(member=world.other_partner_user, score=2)
    rows = api_client(world.tenant, world.partner_admin).get("/api/v1/analytics/survey-answers/")
    assert [r["partner"] for r in rows.json()["results"]] == [world.partner.pk]


def test_program_dashboard_shows_average_satisfaction(world):
    with tenant_context(world.tenant):
        services.survey_answer(member=world.partner_user, score=4)
        services.survey_answer(member=world.other_partner_user, score=1)
    body = portal_client(world.tenant, world.admin).get("/analytics/program/").content.decode()
    assert find_all(body, "td", class_="num", text="2.5")
