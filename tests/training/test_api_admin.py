"""The training admin pages and the training-role pages, through /api/v1/: lessons and their
files, quiz questions, learning paths, certification definitions and partner people's
training roles. Same services as the portal, so the same validation (400 with field
errors) and the same audit trail; the same roles (403 for the others, 404 for objects out
of reach)."""

from __future__ import annotations

import pytest

from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.training.helpers import PDF, make_course, upload
from training import services
from training.models import (
    Certification,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    LearningPath,
    Lesson,
    Question,
    TrainingProfile,
)

pytestmark = pytest.mark.django_db


def _audit(world, prefix: str = "training.") -> list[tuple[str, str, int | None]]:
    """(action, object id, actor user id) of the tenant's training audit events, in order."""
    with tenant_context(world.tenant):
        return list(
            AuditEvent.objects.filter(action__startswith=prefix)
            .order_by("id")
            .values_list("action", "object_id", "actor_id")
        )


def _since(world, before: list) -> list[tuple[str, str, int | None]]:
    return _audit(world)[len(before) :]


@pytest.fixture
def admin(world):
    return api_client(world.tenant, world.admin)


@pytest.fixture
def course(world):
    return make_course(world, quiz_cooldown_hours=0)


# --- Lessons -------------------------------------------------------------------------------


def test_admin_adds_edits_moves_and_deletes_a_lesson(world, admin, course):
    before = _audit(world)
    resp = admin.post(
        "/api/v1/lessons/",
        {"course": course.pk, "title": "Three", "body": "# Heading\n\nText"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    lesson = resp.json()
    assert lesson["order"] == 2 and "<h1>Heading</h1>" in lesson["body_html"]
    url = f"/api/v1/lessons/{lesson['id']}/"

    resp = admin.patch(url, {"title": "Third"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["title"] == "Third" and resp.json()["body"] == "# Heading\n\nText"

    resp = admin.post(url + "move/", {"direction": "up"}, format="json")
    assert resp.status_code == 200 and resp.json()["order"] == 1

    assert admin.delete(url).status_code == 204
    with tenant_context(world.tenant):
        assert not Lesson.objects.filter(pk=lesson["id"]).exists()
    actions = [a for a, _o, _u in _since(world, before)]
    assert actions == [
        "training.lesson_created",
        "training.lesson_updated",
        "training.lessons_reordered",
        "training.lesson_deleted",
    ]
    assert {u for _a, _o, u in _since(world, before)} == {world.admin.user_id}


@pytest.mark.parametrize(
    "data,field",
    [
        ({"title": ""}, "title"),
        ({"title": "T", "video_url": "https://evil.example/v"}, "video_url"),
        ({"title": "T", "body": "x" * 100_001}, "body"),
        ({"title": "T", "course": 999999}, "course"),
    ],
)
def test_bad_lesson_input_is_a_field_error(world, admin, course, data, field):
    before = _audit(world)
    resp = admin.post("/api/v1/lessons/", {"course": course.pk} | data, format="json")
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert _since(world, before) == []


def test_lesson_of_another_tenant_is_not_a_course_you_can_add_to(world, stranger, admin):
    theirs = make_course(stranger, code="THEIRS-1")
    resp = admin.post("/api/v1/lessons/", {"course": theirs.pk, "title": "T"}, format="json")
    assert resp.status_code == 400 and "course" in resp.json()["errors"]


def test_a_published_course_keeps_its_last_lesson(world, admin):
    course = make_course(world, code="ONE-1", lessons=1)
    with tenant_context(world.tenant):
        only = Lesson.objects.get(course=course)
    resp = admin.delete(f"/api/v1/lessons/{only.pk}/")
    assert resp.status_code == 400 and "one lesson" in resp.json()["detail"]


def test_lesson_file_is_attached_by_multipart_and_checked_from_its_bytes(
    world, admin, course, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with tenant_context(world.tenant):
        lesson = Lesson.objects.filter(course=course).first()
    url = f"/api/v1/lessons/{lesson.pk}/file/"
    before = _audit(world)

    resp = admin.post(url, {"file": upload("notes.pdf", PDF)}, format="multipart")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["file_content_type"] == "application/pdf" and body["file_size"] == len(PDF)
    assert body["file_url"] == f"/learning/files/{lesson.pk}/"

    fake = upload("slides.pdf", b"#!/bin/sh\necho not a pdf\n", "application/pdf")
    resp = admin.post(url, {"file": fake}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    resp = admin.post(url, {"file": upload("empty.pdf", b"")}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    resp = admin.post(url, {}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()["errors"]
    assert admin.post(url, {"file": "x"}, format="json").status_code == 415

    resp = admin.delete(url)
    assert resp.status_code == 200 and resp.json()["file_url"] is None
    actions = [a for a, _o, _u in _since(world, before)]
    assert actions == ["training.lesson_file_attached", "training.lesson_file_removed"]


def test_a_partner_learner_cannot_use_the_lesson_admin_api(world, course):
    client = api_client(world.tenant, world.partner_user)
    with tenant_context(world.tenant):
        lesson = Lesson.objects.filter(course=course).first()
    resp = client.patch(f"/api/v1/lessons/{lesson.pk}/", {"title": "Mine"}, format="json")
    assert resp.status_code == 403
    assert client.get("/api/v1/lessons/").status_code == 403


# --- Quiz questions -----------------------------------------------------------------------


def _options(*pairs):
    return [{"text": t, "is_correct": ok} for t, ok in pairs]


def test_admin_creates_replaces_and_deletes_a_question(world, admin, course):
    before = _audit(world)
    resp = admin.post(
        "/api/v1/quiz-questions/",
        {
            "course": course.pk,
            "text": "Which are partners?",
            "kind": "multiple",
            "options": _options(("Resellers", True), ("Customers", False), ("MSPs", True)),
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    question = resp.json()
    assert [(o["text"], o["is_correct"]) for o in question["options"]] == [
        ("Resellers", True),
        ("Customers", False),
        ("MSPs", True),
    ]
    url = f"/api/v1/quiz-questions/{question['id']}/"

    resp = admin.patch(url, {"text": "Which of these are partners?"}, format="json")
    assert resp.status_code == 200 and len(resp.json()["options"]) == 3

    resp = admin.put(
        url,
        {"text": "Pick one", "kind": "single", "options": _options(("a", False), ("b", True))},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["kind"] == "single" and len(resp.json()["options"]) == 2

    assert admin.get(f"/api/v1/quiz-questions/?course={course.pk}").json()["results"]
    assert admin.delete(url).status_code == 204
    with tenant_context(world.tenant):
        assert not Question.objects.filter(pk=question["id"]).exists()
    actions = [a for a, _o, _u in _since(world, before)]
    assert actions == [
        "training.question_created",
        "training.question_updated",
        "training.question_updated",
        "training.question_deleted",
    ]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"kind": "single", "options": _options(("a", True), ("b", True))}, "options"),
        ({"kind": "multiple", "options": _options(("a", False), ("b", False))}, "options"),
        ({"kind": "single", "options": _options(("a", True))}, "options"),
        ({"kind": "single", "options": _options(("a", True), ("A", False))}, "options"),
        ({"kind": "single", "options": _options(*[(str(i), i == 0) for i in range(7)])}, "options"),
        ({"kind": "essay", "options": _options(("a", True), ("b", False))}, "kind"),
        ({"text": "", "kind": "single", "options": _options(("a", True), ("b", False))}, "text"),
    ],
)
def test_bad_question_is_a_field_error(world, admin, course, data, field):
    before = _audit(world)
    resp = admin.post(
        "/api/v1/quiz-questions/", {"course": course.pk, "text": "Q?"} | data, format="json"
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert _since(world, before) == []


def test_questions_and_their_answers_are_for_admins_only(world, course):
    for role in ("channel_manager", "partner_admin", "partner_user"):
        client = api_client(world.tenant, world.member(role))
        assert client.get("/api/v1/quiz-questions/").status_code == 403


# --- Learning paths -----------------------------------------------------------------------


def test_admin_creates_a_path_which_enrols_matching_people_at_once(world, admin, course):
    with tenant_context(world.tenant):
        services.training_role_set(
            by=world.admin, member=world.partner_user, training_role="technical"
        )
    before = _audit(world)
    resp = admin.post(
        "/api/v1/learning-paths/",
        {"name": "Technical", "training_role": "technical", "courses": [course.pk]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    path = resp.json()
    assert path["courses"] == [course.pk] and path["partner_type"] == ""
    with tenant_context(world.tenant):
        enrollment = Enrollment.objects.get(member=world.partner_user, course=course)
        assert enrollment.source == EnrollmentSource.PATH and enrollment.path_id == path["id"]
    url = f"/api/v1/learning-paths/{path['id']}/"

    resp = admin.patch(url, {"description": "For engineers"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["courses"] == [course.pk] and resp.json()["training_role"] == "technical"

    assert admin.delete(url).status_code == 204
    with tenant_context(world.tenant):
        assert not LearningPath.objects.filter(pk=path["id"]).exists()
        assert Enrollment.objects.filter(member=world.partner_user, course=course).exists()
    actions = [a for a, _o, _u in _since(world, before) if a.startswith("training.path_")]
    assert actions == ["training.path_created", "training.path_updated", "training.path_deleted"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": ""}, "name"),
        ({"name": "P", "training_role": "juggler"}, "training_role"),
        ({"name": "P", "partner_type": "pirate"}, "partner_type"),
        ({"name": "P", "courses": [999999]}, "courses"),
        ({"name": "Taken"}, "name"),
    ],
)
def test_bad_path_is_a_field_error(world, admin, data, field):
    with tenant_context(world.tenant):
        services.path_save(by=world.admin, name="Taken")
    before = _audit(world)
    resp = admin.post("/api/v1/learning-paths/", data, format="json")
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert _since(world, before) == []


def test_archived_courses_cannot_be_put_on_a_path(world, admin):
    old = make_course(world, code="OLD-1")
    with tenant_context(world.tenant):
        services.course_set_status(by=world.admin, course=old, to=CourseStatus.ARCHIVED)
    resp = admin.post("/api/v1/learning-paths/", {"name": "P", "courses": [old.pk]}, format="json")
    assert resp.status_code == 400 and "courses" in resp.json()["errors"]


# --- Certification definitions ------------------------------------------------------------


def test_admin_defines_and_changes_a_certification(world, admin, course):
    before = _audit(world)
    resp = admin.post(
        "/api/v1/certifications/",
        {"code": "acsp", "name": "Certified seller", "courses": [course.pk]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    cert = resp.json()
    assert cert["code"] == "ACSP" and cert["validity_months"] == 24 and cert["is_active"]
    url = f"/api/v1/certifications/{cert['id']}/"

    resp = admin.patch(url, {"validity_months": 12}, format="json")
    assert resp.status_code == 200 and resp.json()["courses"] == [course.pk]
    resp = admin.put(url, {"code": "ACSP", "name": "Seller", "courses": [course.pk]}, format="json")
    assert resp.status_code == 200 and resp.json()["name"] == "Seller"
    with tenant_context(world.tenant):
        assert Certification.objects.get(pk=cert["id"]).validity_months == 24  # PUT: default
    actions = [a for a, _o, _u in _since(world, before)]
    assert actions == [
        "training.certification_created",
        "training.certification_updated",
        "training.certification_updated",
    ]
    # Everyone still reads them.
    reader = api_client(world.tenant, world.partner_user)
    assert reader.get(url).status_code == 200


@pytest.mark.parametrize(
    "data,field",
    [
        ({"code": "bad code!"}, "code"),
        ({"courses": []}, "courses"),
        ({"validity_months": 0}, "validity_months"),
        ({"validity_months": 121}, "validity_months"),
        ({"code": "TAKEN"}, "code"),
    ],
)
def test_bad_certification_is_a_field_error(world, admin, course, data, field):
    with tenant_context(world.tenant):
        services.certification_save(by=world.admin, code="TAKEN", name="Taken", courses=[course])
    before = _audit(world)
    resp = admin.post(
        "/api/v1/certifications/",
        {"code": "NEW", "name": "New", "courses": [course.pk]} | data,
        format="json",
    )
    assert resp.status_code == 400, resp.content
    assert field in resp.json()["errors"]
    assert _since(world, before) == []


def test_only_admins_define_certifications(world, course):
    for role in ("channel_manager", "partner_admin"):
        client = api_client(world.tenant, world.member(role))
        resp = client.post(
            "/api/v1/certifications/",
            {"code": "X", "name": "X", "courses": [course.pk]},
            format="json",
        )
        assert resp.status_code == 403


# --- Training roles -----------------------------------------------------------------------


def _role_of(world, member) -> str:
    with tenant_context(world.tenant):
        profile = TrainingProfile.objects.filter(member=member).first()
        return profile.training_role if profile else ""


def test_partner_admin_sets_a_colleagues_training_role(world, course):
    with tenant_context(world.tenant):
        services.path_save(by=world.admin, name="Sales", training_role="sales", courses=[course])
    before = _audit(world)
    client = api_client(world.tenant, world.partner_admin)
    listed = client.get("/api/v1/training-roles/").json()["results"]
    assert {r["id"] for r in listed} == {world.partner_admin.pk, world.partner_user.pk}

    resp = client.patch(
        f"/api/v1/training-roles/{world.partner_user.pk}/",
        {"training_role": "sales"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["training_role"] == "sales"
    assert _role_of(world, world.partner_user) == "sales"
    with tenant_context(world.tenant):  # the sales path enrolled them at once
        assert Enrollment.objects.filter(member=world.partner_user, course=course).exists()
    assert [(a, u) for a, _o, u in _since(world, before) if a == "training.role_changed"] == [
        ("training.role_changed", world.partner_admin.user_id)
    ]


def test_partner_admin_cannot_reach_another_partners_people(world):
    client = api_client(world.tenant, world.partner_admin)
    resp = client.patch(
        f"/api/v1/training-roles/{world.other_partner_user.pk}/",
        {"training_role": "sales"},
        format="json",
    )
    assert resp.status_code == 404
    assert _role_of(world, world.other_partner_user) == ""


def test_staff_set_anyones_training_role_and_learners_cannot(world):
    manager = api_client(world.tenant, world.channel_manager)
    url = f"/api/v1/training-roles/{world.other_partner_user.pk}/"
    resp = manager.patch(url, {"training_role": "support"}, format="json")
    assert resp.status_code == 200 and _role_of(world, world.other_partner_user) == "support"
    resp = manager.patch(url, {"training_role": ""}, format="json")
    assert resp.status_code == 200 and _role_of(world, world.other_partner_user) == ""
    # Staff are not partner people: no training role to set.
    resp = manager.patch(
        f"/api/v1/training-roles/{world.admin.pk}/", {"training_role": "sales"}, format="json"
    )
    assert resp.status_code == 404
    learner = api_client(world.tenant, world.partner_user)
    resp = learner.patch(
        f"/api/v1/training-roles/{world.partner_user.pk}/",
        {"training_role": "sales"},
        format="json",
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("data", [{}, {"training_role": "juggler"}, {"training_role": None}])
def test_bad_training_role_is_a_field_error(world, data):
    before = _audit(world)
    client = api_client(world.tenant, world.channel_manager)
    resp = client.patch(f"/api/v1/training-roles/{world.partner_user.pk}/", data, format="json")
    assert resp.status_code == 400 and "training_role" in resp.json()["errors"]
    assert _since(world, before) == []


def test_training_role_set_in_portal_and_api_is_audited_alike(world):
    portal = portal_client(world.tenant, world.partner_admin)
    resp = portal.post(
        "/learning/team/", {"member": world.partner_admin.pk, "training_role": "technical"}
    )
    assert resp.status_code == 302
    api = api_client(world.tenant, world.partner_admin)
    resp = api.patch(
        f"/api/v1/training-roles/{world.partner_user.pk}/",
        {"training_role": "technical"},
        format="json",
    )
    assert resp.status_code == 200
    with tenant_context(world.tenant):
        rows = list(
            AuditEvent.objects.filter(action="training.role_changed")
            .order_by("id")
            .values_list("actor_id", "before", "after")
        )
    assert [(a, b, x["training_role"]) for a, b, x in rows] == [
        (world.partner_admin.user_id, {"training_role": ""}, "technical"),
        (world.partner_admin.user_id, {"training_role": ""}, "technical"),
    ]


# --- Query counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/lessons/", "/api/v1/quiz-questions/", "/api/v1/learning-paths/"],
)
def test_admin_list_query_counts_do_not_grow(world, admin, url, django_assert_max_num_queries):
    first = make_course(world, code="Q-0")
    with tenant_context(world.tenant):
        services.path_save(by=world.admin, name="P-0", courses=[first])
    admin.get(url)
    with django_assert_max_num_queries(15) as small:
        assert admin.get(url).status_code == 200
    for i in range(1, 6):
        more = make_course(world, code=f"Q-{i}", lessons=3)
        with tenant_context(world.tenant):
            services.path_save(by=world.admin, name=f"P-{i}", courses=[first, more])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin.get(url).status_code == 200


def test_training_role_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    from tests.factories import MemberFactory

    client = api_client(world.tenant, world.channel_manager)
    url = "/api/v1/training-roles/"
    client.get(url)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    for _ in range(5):
        MemberFactory(tenant=world.tenant, role="partner_user", partner=world.other_partner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
