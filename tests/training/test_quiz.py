"""Quizzes: server-side scoring, pass mark, attempt limits and cool-down, shuffled order,
answers never reaching the browser before submission, and bad input (400, never 500)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from prm.errors import DomainError
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.training.helpers import (
    do_lessons,
    enrol,
    make_course,
    right_answers,
    take_quiz,
    wrong_answers,
)
from training import rules, services
from training.models import Option, QuizAttempt

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)

FOUR = [
    ("Q1", "single", [("a", True), ("b", False), ("c", False)]),
    ("Q2", "multiple", [("a", True), ("b", True), ("c", False)]),
    ("Q3", "single", [("a", False), ("b", True)]),
    ("Q4", "single", [("a", True), ("b", False)]),
]


@pytest.fixture
def course(world):
    course = make_course(world, questions=FOUR, quiz_pass_mark=75, quiz_max_attempts=2)
    enrol(world, world.partner_user, course)
    return course


def option(world, course, question_text, option_text) -> Option:
    with tenant_context(world.tenant):
        return Option.objects.get(
            question__course=course, question__text=question_text, text=option_text
        )


# --- Scoring ------------------------------------------------------------------------------


def test_score_is_all_or_nothing_per_question():
    layout = [{"q": 1, "o": [10, 11]}, {"q": 2, "o": [20, 21, 22]}]
    correct = {1: {10}, 2: {20, 21}}
    assert rules.score(layout, {1: [10], 2: [20, 21]}, correct).percent == 100
    assert rules.score(layout, {1: [10], 2: [20]}, correct).percent == 50  # partial = wrong
    assert rules.score(layout, {1: [10], 2: [20, 21, 22]}, correct).percent == 50
    assert rules.score(layout, {}, correct) == rules.Score(0, 2, 0)


def test_the_server_scores_the_attempt_and_applies_the_pass_mark(world, course):
    answers = right_answers(world, course)
    q2 = option(world, course, "Q2", "a").question_id
    answers[q2] = [option(world, course, "Q2", "a").pk]  # one of two correct: Q2 wrong
    attempt = take_quiz(world, world.partner_user, course, answers)
    assert (attempt.score, attempt.correct_count, attempt.question_count) == (75, 3, 4)
    assert attempt.passed is True  # 75 >= pass mark 75


def test_below_the_pass_mark_fails(world, course):
    answers = right_answers(world, course)
    for text in ("Q1", "Q3"):
        answers.pop(option(world, course, text, "a").question_id)
    attempt = take_quiz(world, world.partner_user, course, answers)
    assert attempt.score == 50 and attempt.passed is False


# --- Limits and cool-down -----------------------------------------------------------------


def test_attempt_limit_and_cool_down(world):
    course = make_course(
        world, code="LIMIT-1", questions=FOUR, quiz_max_attempts=2, quiz_cooldown_hours=24
    )
    enrol(world, world.partner_user, course)
    with time_machine.travel(T0, tick=False):
        take_quiz(world, world.partner_user, course, wrong_answers(world, course))
    with time_machine.travel(T0 + datetime.timedelta(hours=23), tick=False):
        with tenant_context(world.tenant), pytest.raises(DomainError) as exc:
            services.attempt_start(by=world.partner_user, course=course)
        assert exc.value.code == "cooldown"
    with time_machine.travel(T0 + datetime.timedelta(hours=24), tick=False):
        take_quiz(world, world.partner_user, course, wrong_answers(world, course))
    with time_machine.travel(T0 + datetime.timedelta(days=30), tick=False):
        with tenant_context(world.tenant), pytest.raises(DomainError) as exc:
            services.attempt_start(by=world.partner_user, course=course)
        assert exc.value.code == "limit"
    with tenant_context(world.tenant):
        assert QuizAttempt.objects.filter(member=world.partner_user).count() == 2


def test_a_passed_quiz_cannot_be_taken_again_in_the_same_round(world, course):
    take_quiz(world, world.partner_user, course, right_answers(world, course))
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.attempt_start(by=world.partner_user, course=course)


def test_starting_twice_resumes_the_open_attempt(world, course):
    with tenant_context(world.tenant):
        first = services.attempt_start(by=world.partner_user, course=course)
        second = services.attempt_start(by=world.partner_user, course=course)
    assert first.pk == second.pk


def test_a_submitted_attempt_cannot_be_submitted_again(world, course):
    attempt = take_quiz(world, world.partner_user, course, wrong_answers(world, course))
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.attempt_submit(by=world.partner_user, attempt=attempt, answers={})


def test_someone_elses_attempt_cannot_be_submitted(world, course):
    with tenant_context(world.tenant):
        attempt = services.attempt_start(by=world.partner_user, course=course)
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/quiz-attempts/{attempt.pk}/submit/", {"answers": []}, format="json"
    )
    assert resp.status_code == 404


def test_order_is_shuffled_per_attempt(world):
    many = [(f"Q{i}", "single", [("a", True), ("b", False), ("c", False)]) for i in range(12)]
    course = make_course(world, code="SHUF-1", questions=many, quiz_cooldown_hours=0)
    enrol(world, world.partner_user, course)
    layouts = []
    for _ in range(3):
        attempt = take_quiz(world, world.partner_user, course, wrong_answers(world, course))
        layouts.append([item["q"] for item in attempt.layout])
    assert sorted(layouts[0]) == sorted(layouts[1])
    assert len({tuple(x) for x in layouts}) > 1  # 12! orders: equal three times ~ never


# --- Answers never leave the server before submission -------------------------------------


def test_quiz_html_does_not_reveal_correct_answers(world, course):
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(f"/learning/courses/{course.pk}/quiz/")
    assert resp.status_code == 302
    page = client.get(resp["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Q1" in html and 'type="radio"' in html and 'type="checkbox"' in html
    assert "correct" not in html.lower().replace("every correct answer", "")
    assert "is_correct" not in html


def test_api_attempt_has_questions_but_no_answers(world, course):
    client = api_client(world.tenant, world.partner_user)
    resp = client.post("/api/v1/quiz-attempts/", {"course": course.pk}, format="json")
    assert resp.status_code == 201
    body = resp.json()
    assert len(body["questions"]) == 4
    for q in body["questions"]:
        assert set(q) == {"id", "text", "kind", "options"}
        for o in q["options"]:
            assert set(o) == {"id", "text"}
    assert "correct" not in resp.content.decode().replace("correct_count", "")
    detail = client.get(f"/api/v1/quiz-attempts/{body['id']}/").content.decode()
    assert "is_correct" not in detail
    course_json = client.get(f"/api/v1/courses/{course.pk}/").content.decode()
    assert "is_correct" not in course_json and "Q1" not in course_json


def test_submitting_through_the_api_scores_on_the_server(world, course):
    client = api_client(world.tenant, world.partner_user)
    attempt = client.post("/api/v1/quiz-attempts/", {"course": course.pk}, format="json").json()
    answers = [{"question": q, "options": o} for q, o in right_answers(world, course).items()]
    resp = client.post(
        f"/api/v1/quiz-attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
    )
    assert resp.status_code == 200
    assert resp.json()["score"] == 100 and resp.json()["passed"] is True
    assert resp.json()["questions"] == []


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        "not a list",
        [{"question": "x", "options": [1]}],
        [{"question": 1, "options": "nope"}],
        [{"question": 999999, "options": []}],
    ],
)
def test_malformed_or_foreign_answers_are_400_with_field_errors(world, course, answers):
    client = api_client(world.tenant, world.partner_user)
    attempt = client.post("/api/v1/quiz-attempts/", {"course": course.pk}, format="json").json()
    resp = client.post(
        f"/api/v1/quiz-attempts/{attempt['id']}/submit/", {"answers": answers}, format="json"
    )
    assert resp.status_code == 400
    assert resp.json()["type"] == "validation_error" and "answers" in resp.json()["errors"]


def test_an_option_of_another_question_or_two_answers_to_single_choice_is_400(world, course):
    client = api_client(world.tenant, world.partner_user)
    attempt = client.post("/api/v1/quiz-attempts/", {"course": course.pk}, format="json").json()
    q1 = option(world, course, "Q1", "a")
    q3b = option(world, course, "Q3", "b")
    url = f"/api/v1/quiz-attempts/{attempt['id']}/submit/"
    foreign = {"answers": [{"question": q1.question_id, "options": [q3b.pk]}]}
    resp = client.post(url, foreign, format="json")
    assert resp.status_code == 400 and "answers" in resp.json()["errors"]
    two = {"answers": [{"question": q1.question_id, "options": [q1.pk, q1.pk + 1]}]}
    resp = client.post(url, two, format="json")
    assert resp.status_code == 400 and "answers" in resp.json()["errors"]
    with tenant_context(world.tenant):
        assert QuizAttempt.objects.get(pk=attempt["id"]).submitted_at is None


def test_starting_a_quiz_of_a_course_you_are_not_enrolled_in_is_400(world, course):
    resp = api_client(world.tenant, world.partner_admin).post(
        "/api/v1/quiz-attempts/", {"course": course.pk}, format="json"
    )
    assert resp.status_code == 400


def test_a_course_of_another_tenant_is_an_unknown_id(world, stranger, course):
    theirs = make_course(stranger, code="THEIRS-1")
    resp = api_client(world.tenant, world.partner_user).post(
        "/api/v1/quiz-attempts/", {"course": theirs.pk}, format="json"
    )
    assert resp.status_code == 400 and "course" in resp.json()["errors"]


def test_a_tampered_portal_answer_is_a_form_error_not_a_500(world, course):
    client = portal_client(world.tenant, world.partner_user)
    location = client.post(f"/learning/courses/{course.pk}/quiz/")["Location"]
    with tenant_context(world.tenant):
        attempt = QuizAttempt.objects.get(member=world.partner_user)
    q1 = attempt.layout[0]["q"]
    resp = client.post(location, {f"q{q1}": "999999"})
    assert resp.status_code == 400
    assert "Select a valid choice" in resp.content.decode()


def test_passing_the_quiz_after_the_lessons_completes_the_course(world, course):
    do_lessons(world, world.partner_user, course)
    take_quiz(world, world.partner_user, course, right_answers(world, course))
    with tenant_context(world.tenant):
        from training.models import Enrollment

        e = Enrollment.objects.get(member=world.partner_user, course=course)
    assert e.completed_at is not None and e.best_score == 100
