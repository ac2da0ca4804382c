"""Permission rows for the community (issue #23): announcements, questions and answers,
events; portal and API. Objects are built once per world (a fresh world per row and role)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from community.models import Answer, Question
from community.services import qa
from tests.factories import AnnouncementFactory, CommunityEventFactory
from tests.permissions import PROGRAM, STAFF, Endpoint
from tests.permissions_dealreg_api import _once

ADMIN = {"admin"}
PARTNERS = {"partner_admin", "partner_user"}
# The asker (world.partner_user) and the staff accept an answer.
ACCEPTERS = STAFF | {"partner_user"}
HIDDEN_FROM_PARTNERS = {403, 404}
LATER = timezone.now() + datetime.timedelta(days=30)


def _ann(w, status="published"):
    def make(w):
        a = AnnouncementFactory(tenant=w.tenant, status=status, title=f"{status} news")
        if status == "scheduled":
            a.publish_at = LATER
            a.save(update_fields=["publish_at"])
        return a

    return _once(w, f"_c_ann_{status}", make)


def _question(w) -> Question:
    return _once(
        w, "_c_question", lambda w: qa.question_ask(by=w.partner_user, title="Matrix?", body="Q")
    )


def _answer(w) -> Answer:
    return _once(
        w,
        "_c_answer",
        lambda w: qa.answer_post(question=_question(w), by=w.other_partner_user, body="A"),
    )


def _event(w, status="published", started=False):
    def make(w):
        start = timezone.now() + datetime.timedelta(hours=-1 if started else 48)
        return CommunityEventFactory(
            tenant=w.tenant,
            status=status,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )

    return _once(w, f"_c_event_{status}_{started}", make)


def _at(path_of):
    return {"url": path_of, "stranger_url": lambda w, s: path_of(s)}


ANN = {"title": "Matrix news", "body": "Text", "kind": "news"}
QUESTION = {"title": "Matrix question?", "body": "Details", "tags": "Matrix"}
EVENT = {
    "title": "Matrix webinar",
    "kind": "webinar",
    "starts_at": "2099-03-01T16:00",
    "ends_at": "2099-03-01T17:00",
    "timezone_name": "UTC",
}
EVENT_API = {"title": "Matrix webinar", "starts_at": "2099-03-01T16:00:00Z",
             "ends_at": "2099-03-01T17:00:00Z"}  # fmt: skip

A = "/community/announcements"
Q = "/community/questions"
E = "/community/events"


def _q(tail=""):
    return _at(lambda w: f"{Q}/{_question(w).pk}/{tail}")


def _qa(tail=""):
    return _at(lambda w: f"{Q}/{_question(w).pk}/answers/{_answer(w).pk}/{tail}")


ENDPOINTS = [
    # --- Announcements (portal)
    Endpoint("announcement-list", lambda w: f"{A}/", PROGRAM),
    Endpoint("announcement-new", lambda w: f"{A}/new/", ADMIN),
    Endpoint("announcement-new", lambda w: f"{A}/new/", ADMIN, method="post", data=lambda w: ANN),
    Endpoint("announcement-detail", allowed=PROGRAM, **_at(lambda w: f"{A}/{_ann(w).pk}/")),
    Endpoint("announcement-edit", allowed=ADMIN, **_at(lambda w: f"{A}/{_ann(w).pk}/edit/")),
    Endpoint(
        "announcement-edit",
        allowed=ADMIN,
        method="post",
        data=lambda w: ANN,
        **_at(lambda w: f"{A}/{_ann(w).pk}/edit/"),
    ),
    Endpoint(
        "announcement-publish",
        allowed=ADMIN,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"{A}/{_ann(w, 'draft').pk}/publish/"),
    ),
    Endpoint(
        "announcement-unschedule",
        allowed=ADMIN,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"{A}/{_ann(w, 'scheduled').pk}/unschedule/"),
    ),
    Endpoint(
        "announcement-withdraw", allowed=ADMIN, **_at(lambda w: f"{A}/{_ann(w).pk}/withdraw/")
    ),
    Endpoint(
        "announcement-withdraw",
        allowed=ADMIN,
        method="post",
        **_at(lambda w: f"{A}/{_ann(w).pk}/withdraw/"),
    ),
    # --- Questions (portal)
    Endpoint("question-list", lambda w: f"{Q}/", PROGRAM),
    Endpoint("question-new", lambda w: f"{Q}/new/", PROGRAM),
    Endpoint(
        "question-new", lambda w: f"{Q}/new/", PROGRAM, method="post", data=lambda w: QUESTION
    ),
    Endpoint("question-detail", allowed=PROGRAM, **_q()),
    Endpoint(
        "question-answer",
        allowed=PROGRAM,
        method="post",
        data=lambda w: {"body": "A"},
        **_q("answers/"),
    ),
    Endpoint("question-accept", allowed=ACCEPTERS, method="post", **_qa("accept/")),
    Endpoint(
        "question-vote",
        allowed=PROGRAM,
        method="post",
        data=lambda w: {"value": "1", "answer": _answer(w).pk},
        **_q("vote/"),
    ),
    Endpoint(
        "question-follow",
        allowed=PROGRAM,
        method="post",
        data=lambda w: {"follow": "1"},
        **_q("follow/"),
    ),
    Endpoint("question-hide", allowed=STAFF, method="post", **_q("hide/")),
    Endpoint("question-unhide", allowed=STAFF, method="post", **_q("unhide/")),
    Endpoint("question-lock", allowed=STAFF, method="post", **_q("lock/")),
    Endpoint("question-unlock", allowed=STAFF, method="post", **_q("unlock/")),
    Endpoint("question-edit", allowed=STAFF, **_q("edit/")),
    Endpoint("question-edit", allowed=STAFF, method="post", data=lambda w: QUESTION, **_q("edit/")),
    Endpoint("answer-hide", allowed=STAFF, method="post", **_qa("hide/")),
    Endpoint("answer-unhide", allowed=STAFF, method="post", **_qa("unhide/")),
    Endpoint("answer-edit", allowed=STAFF, **_qa("edit/")),
    Endpoint(
        "answer-edit", allowed=STAFF, method="post", data=lambda w: {"body": "B"}, **_qa("edit/")
    ),
    # --- Events (portal)
    Endpoint("event-list", lambda w: f"{E}/", PROGRAM),
    Endpoint("event-new", lambda w: f"{E}/new/", STAFF),
    Endpoint("event-new", lambda w: f"{E}/new/", STAFF, method="post", data=lambda w: EVENT),
    Endpoint("event-detail", allowed=PROGRAM, **_at(lambda w: f"{E}/{_event(w).pk}/")),
    Endpoint("event-edit", allowed=STAFF, **_at(lambda w: f"{E}/{_event(w).pk}/edit/")),
    Endpoint(
        "event-edit",
        allowed=STAFF,
        method="post",
        data=lambda w: EVENT,
        **_at(lambda w: f"{E}/{_event(w).pk}/edit/"),
    ),
    Endpoint(
        "event-publish",
        allowed=STAFF,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"{E}/{_event(w, 'draft').pk}/publish/"),
    ),
    Endpoint("event-cancel", allowed=STAFF, **_at(lambda w: f"{E}/{_event(w).pk}/cancel/")),
    Endpoint(
        "event-cancel", allowed=STAFF, method="post", **_at(lambda w: f"{E}/{_event(w).pk}/cancel/")
    ),
    Endpoint(
        "event-register",
        allowed=PARTNERS,
        method="post",
        **_at(lambda w: f"{E}/{_event(w).pk}/register/"),
    ),
    # Not registered: past the gate, the service refuses with a message (a redirect).
    Endpoint(
        "event-unregister",
        allowed=PARTNERS,
        method="post",
        **_at(lambda w: f"{E}/{_event(w).pk}/unregister/"),
    ),
    Endpoint(
        "event-attendance",
        allowed=STAFF,
        method="post",
        data=lambda w: {"attended": [w.partner_user.pk]},
        **_at(lambda w: f"{E}/{_event(w, started=True).pk}/attendance/"),
    ),
    # No file posted: past the gate, the form refuses it (the page again).
    Endpoint(
        "event-attendance-import",
        allowed=STAFF,
        method="post",
        **_at(lambda w: f"{E}/{_event(w, started=True).pk}/attendance/import/"),
    ),
    # --- API: announcements
    Endpoint("api-announcement-list", lambda w: "/api/v1/announcements/", PROGRAM, api=True),
    Endpoint(
        "api-announcement-list",
        lambda w: "/api/v1/announcements/",
        ADMIN,
        api=True,
        method="post",
        data=lambda w: ANN,
    ),
    Endpoint(
        "api-announcement-detail",
        allowed=PROGRAM,
        api=True,
        **_at(lambda w: f"/api/v1/announcements/{_ann(w).pk}/"),
    ),
    Endpoint(
        "api-announcement-detail",
        allowed=ADMIN,
        api=True,
        method="patch",
        data=lambda w: {"title": "Renamed"},
        **_at(lambda w: f"/api/v1/announcements/{_ann(w).pk}/"),
    ),
    Endpoint(
        "api-announcement-publish",
        allowed=ADMIN,
        api=True,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"/api/v1/announcements/{_ann(w, 'draft').pk}/publish/"),
    ),
    Endpoint(
        "api-announcement-unschedule",
        allowed=ADMIN,
        api=True,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"/api/v1/announcements/{_ann(w, 'scheduled').pk}/unschedule/"),
    ),
    Endpoint(
        "api-announcement-withdraw",
        allowed=ADMIN,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/announcements/{_ann(w).pk}/withdraw/"),
    ),
    Endpoint(
        "api-announcement-read",
        allowed=PROGRAM,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/announcements/{_ann(w).pk}/read/"),
    ),
    # --- API: questions
    Endpoint("api-question-list", lambda w: "/api/v1/questions/", PROGRAM, api=True),
    Endpoint(
        "api-question-list",
        lambda w: "/api/v1/questions/",
        PROGRAM,
        api=True,
        method="post",
        data=lambda w: {"title": "API?", "body": "Q", "tags": ["API"]},
    ),
    Endpoint(
        "api-question-detail",
        allowed=PROGRAM,
        api=True,
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/"),
    ),
    Endpoint(
        "api-question-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"title": "Edited"},
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/"),
    ),
    Endpoint(
        "api-question-answer",
        allowed=PROGRAM,
        api=True,
        method="post",
        data=lambda w: {"body": "A"},
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/answer/"),
    ),
    Endpoint(
        "api-question-accept",
        allowed=ACCEPTERS,
        api=True,
        method="post",
        data=lambda w: {"answer": _answer(w).pk},
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/accept/"),
    ),
    Endpoint(
        "api-question-vote",
        allowed=PROGRAM,
        api=True,
        method="post",
        data=lambda w: {"value": 1, "answer": _answer(w).pk},
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/vote/"),
    ),
    Endpoint(
        "api-question-follow",
        allowed=PROGRAM,
        api=True,
        method="post",
        data=lambda w: {"follow": True},
        **_at(lambda w: f"/api/v1/questions/{_question(w).pk}/follow/"),
    ),
    *[
        Endpoint(
            f"api-question-{name}",
            allowed=STAFF,
            api=True,
            method="post",
            **_at(lambda w, name=name: f"/api/v1/questions/{_question(w).pk}/{name}/"),
        )
        for name in ("hide", "lock")
    ],
    Endpoint(
        "api-question-unhide",
        allowed=STAFF,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/questions/{_hidden(w).pk}/unhide/"),
    ),
    Endpoint(
        "api-question-unlock",
        allowed=STAFF,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/questions/{_locked(w).pk}/unlock/"),
    ),
    Endpoint(
        "api-question-answer-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"hidden": True},
        **_at(lambda w: f"/api/v1/question-answers/{_answer(w).pk}/"),
    ),
    # --- API: events
    Endpoint("api-community-event-list", lambda w: "/api/v1/community-events/", PROGRAM, api=True),
    Endpoint(
        "api-community-event-list",
        lambda w: "/api/v1/community-events/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: EVENT_API,
    ),
    Endpoint(
        "api-community-event-detail",
        allowed=PROGRAM,
        api=True,
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/"),
    ),
    Endpoint(
        "api-community-event-detail",
        allowed=STAFF,
        api=True,
        method="patch",
        data=lambda w: {"title": "Renamed"},
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/"),
    ),
    Endpoint(
        "api-community-event-publish",
        allowed=STAFF,
        api=True,
        method="post",
        denied=HIDDEN_FROM_PARTNERS,
        **_at(lambda w: f"/api/v1/community-events/{_event(w, 'draft').pk}/publish/"),
    ),
    Endpoint(
        "api-community-event-cancel",
        allowed=STAFF,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/cancel/"),
    ),
    Endpoint(
        "api-community-event-register",
        allowed=PARTNERS,
        api=True,
        method="post",
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/register/"),
    ),
    Endpoint(
        "api-community-event-unregister",
        allowed=PARTNERS,
        api=True,
        method="post",
        expect={400},  # not registered: past the gate, the service refuses
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/unregister/"),
    ),
    Endpoint(
        "api-community-event-registrations",
        allowed=STAFF,
        api=True,
        **_at(lambda w: f"/api/v1/community-events/{_event(w).pk}/registrations/"),
    ),
    Endpoint(
        "api-community-event-attendance",
        allowed=STAFF,
        api=True,
        method="post",
        data=lambda w: {"member_ids": [w.partner_user.pk]},
        **_at(lambda w: f"/api/v1/community-events/{_event(w, started=True).pk}/attendance/"),
    ),
]


def _hidden(w) -> Question:
    def make(w):
        q = qa.question_ask(by=w.partner_user, title="Hidden?", body="Q")
        return qa.question_hide(question=q, by=w.admin)

    return _once(w, "_c_hidden", make)


def _locked(w) -> Question:
    def make(w):
        q = qa.question_ask(by=w.partner_user, title="Locked?", body="Q")
        return qa.question_lock(question=q, by=w.admin)

    return _once(w, "_c_locked", make)
