"""Learning: automatic enrolment by learning path (activation, training role, partner type,
a new person), manual enrolment, lesson progress and resume, edits that keep progress,
course completion completing the onboarding step, lesson content and files."""

from __future__ import annotations

import pytest
from django.core import mail

from onboarding import services as onboarding_services
from onboarding.models import WorkflowStep
from partners import services as partner_services
from partners.models import Partner
from prm import services as prm_services
from prm.errors import DomainError, PermissionDenied
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import UserFactory
from tests.onboarding_helpers import make_template
from tests.training.helpers import (
    PDF,
    do_lessons,
    enrol,
    lessons_of,
    make_course,
    pass_course,
    upload,
)
from training import services
from training.models import Enrollment, Lesson, LessonProgress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def enrolled_courses(world, member) -> set[str]:
    with tenant_context(world.tenant):
        return set(Enrollment.objects.filter(member=member).values_list("course__code", flat=True))


def make_path(world, courses, **fields):
    with tenant_context(world.tenant):
        return services.path_save(
            by=world.admin, name=fields.pop("name", "Path"), courses=courses, **fields
        )


def set_role(world, member, role, by=None):
    with tenant_context(world.tenant):
        return services.training_role_set(by=by or world.admin, member=member, training_role=role)


# --- Automatic enrolment ------------------------------------------------------------------


def test_partner_people_are_enrolled_when_the_partner_becomes_active(world):
    sales = make_course(world)
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="onboarding")
    make_path(world, [sales], partner_type="reseller")
    assert enrolled_courses(world, world.partner_user) == set()  # not active yet
    with tenant_context(world.tenant):
        partner = Partner.objects.get(pk=world.partner.pk)
        partner_services.partner_transition(partner=partner, by=world.admin, to="active")
    assert enrolled_courses(world, world.partner_user) == {"SALES-101"}
    assert enrolled_courses(world, world.partner_admin) == {"SALES-101"}
    assert enrolled_courses(world, world.other_partner_user) == {"SALES-101"}  # already active


def test_a_path_enrols_only_its_role_and_partner_type(world):
    sales = make_course(world, code="SALES-101")
    tech = make_course(world, code="TECH-201")
    make_path(world, [sales], name="Sales", training_role="sales")
    make_path(world, [tech], name="Tech SI", training_role="technical", partner_type="msp")
    set_role(world, world.partner_user, "sales")
    assert enrolled_courses(world, world.partner_user) == {"SALES-101"}
    set_role(world, world.partner_user, "technical")
    # the old role's enrolment stays; reseller is not msp, so no tech course
    assert enrolled_courses(world, world.partner_user) == {"SALES-101"}
    with tenant_context(world.tenant):
        partner = Partner.objects.get(pk=world.partner.pk)
        partner_services.partner_update(partner=partner, by=world.admin, partner_type="msp")
    assert enrolled_courses(world, world.partner_user) == {"SALES-101", "TECH-201"}
    assert enrolled_courses(world, world.partner_admin) == set()  # no role set


def test_a_person_joining_an_active_partner_is_enrolled(world):
    make_path(world, [make_course(world)])
    with tenant_context(world.tenant):
        newcomer = prm_services.member_add(
            tenant=world.tenant, user=UserFactory(), role="partner_user", partner=world.partner
        )
    assert enrolled_courses(world, newcomer) == {"SALES-101"}


def test_draft_courses_and_inactive_paths_enrol_nobody(world):
    draft = make_course(world, code="DRAFT-1", publish=False)
    make_path(world, [draft], name="Drafts")
    make_path(world, [make_course(world, code="OFF-1")], name="Off", is_active=False)
    assert enrolled_courses(world, world.partner_user) == set()
    with tenant_context(world.tenant):
        services.course_set_status(by=world.admin, course=draft, to="published")
    assert enrolled_courses(world, world.partner_user) == {"DRAFT-1"}


def test_automatic_enrolment_is_idempotent_and_keeps_progress(world):
    sales = make_course(world)
    path = make_path(world, [sales])
    do_lessons(world, world.partner_user, sales, 1)
    with tenant_context(world.tenant):
        assert services.enrol_matching(tenant=world.tenant) == 0
        services.path_save(by=world.admin, path=path, name="Path renamed", courses=[sales])
        assert LessonProgress.objects.filter(enrollment__member=world.partner_user).count() == 1


def test_partner_admins_set_their_own_peoples_roles_only(world):
    set_role(world, world.partner_user, "support", by=world.partner_admin)
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.training_role_set(
            by=world.partner_admin, member=world.other_partner_user, training_role="sales"
        )


def test_admins_enrol_by_hand_and_the_person_is_told(world, django_capture_on_commit_callbacks):
    sales = make_course(world)
    client = portal_client(world.tenant, world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            f"/program/training/courses/{sales.pk}/enrol/",
            {"e-member": world.other_partner_user.pk},
        )
    assert resp.status_code == 302
    assert enrolled_courses(world, world.other_partner_user) == {"SALES-101"}
    (msg,) = mail.outbox
    assert msg.to == [world.other_partner_user.user.email] and "/learning/courses/" in msg.body
    again = client.post(
        f"/program/training/courses/{sales.pk}/enrol/",
        {"e-member": world.other_partner_user.pk},
    )
    assert again.status_code == 400 and "already enrolled" in again.content.decode()


def test_api_manual_enrolment_errors_are_field_errors(world):
    sales = make_course(world)
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/enrollments/", {"member": world.channel_manager.pk, "course": sales.pk}
    )
    assert resp.status_code == 400 and "member" in resp.json()["errors"]
    resp = client.post("/api/v1/enrollments/", {"member": "x", "course": sales.pk})
    assert resp.status_code == 400 and "member" in resp.json()["errors"]


# --- Progress and resume ------------------------------------------------------------------


def test_progress_resume_and_completion_time(world):
    course = make_course(world, lessons=3, questions=[])
    enrol(world, world.partner_user, course)
    first, second, third = lessons_of(world, course)
    client = portal_client(world.tenant, world.partner_user)
    resp = client.post(f"/learning/courses/{course.pk}/lessons/{first.pk}/")
    assert resp["Location"] == f"/learning/courses/{course.pk}/lessons/{second.pk}/"
    page = client.get(f"/learning/courses/{course.pk}/").content.decode()
    assert f"/learning/courses/{course.pk}/lessons/{second.pk}/" in page
    assert "Resume where you left off" in page
    client.post(f"/learning/courses/{course.pk}/lessons/{second.pk}/")
    resp = client.post(f"/learning/courses/{course.pk}/lessons/{third.pk}/")
    assert resp["Location"] == f"/learning/courses/{course.pk}/"
    with tenant_context(world.tenant):
        e = Enrollment.objects.get(member=world.partner_user, course=course)
    assert e.completed_at is not None and e.last_lesson_id == third.pk


def test_the_api_marks_lessons_done(world):
    course = make_course(world, lessons=2, questions=[])
    first, second = lessons_of(world, course)
    client = api_client(world.tenant, world.partner_user)
    client.post(f"/api/v1/courses/{course.pk}/enrol/")
    body = client.post("/api/v1/training-progress/", {"lesson": first.pk}).json()
    assert (body["lessons_done"], body["lessons_total"], body["completed_at"]) == (1, 2, None)
    body = client.post("/api/v1/training-progress/", {"lesson": second.pk}).json()
    assert body["completed_at"] is not None
    assert client.post("/api/v1/training-progress/", {"lesson": "x"}).status_code == 400


def test_editing_and_reordering_a_published_course_keeps_progress(world):
    course = make_course(world, lessons=3, questions=[])
    enrol(world, world.partner_user, course)
    do_lessons(world, world.partner_user, course, 2)
    first, second, third = lessons_of(world, course)
    with tenant_context(world.tenant):
        services.lesson_save(
            by=world.admin, course=course, lesson=first, title="Renamed", body="New text"
        )
        services.lesson_move(by=world.admin, lesson=third, direction="up")
        services.course_save(by=world.admin, course=course, title="A new title")
        done = set(
            LessonProgress.objects.filter(enrollment__member=world.partner_user).values_list(
                "lesson_id", flat=True
            )
        )
    assert done == {first.pk, second.pk}
    assert [x.pk for x in lessons_of(world, course)] == [first.pk, third.pk, second.pk]


def test_learners_do_not_see_draft_courses(world):
    draft = make_course(world, publish=False)
    client = portal_client(world.tenant, world.partner_user)
    assert client.get(f"/learning/courses/{draft.pk}/").status_code == 404
    ids = [
        c["id"]
        for c in api_client(world.tenant, world.partner_user)
        .get("/api/v1/courses/")
        .json()["results"]
    ]
    assert draft.pk not in ids
    assert draft.pk in [
        c["id"]
        for c in api_client(world.tenant, world.admin).get("/api/v1/courses/").json()["results"]
    ]


# --- Onboarding -----------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["SALES-101", "pk", ""])
def test_passing_a_course_completes_the_matching_onboarding_step(world, ref):
    course = make_course(world)
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="onboarding")
    make_template(
        world,
        [
            {"kind": "complete_course", "ref": str(course.pk) if ref == "pk" else ref},
            {"kind": "manual", "title": "Kick-off"},
        ],
    )
    with tenant_context(world.tenant):
        onboarding_services.workflow_start(partner=Partner.objects.get(pk=world.partner.pk))
    pass_course(world, world.partner_user, course)
    with tenant_context(world.tenant):
        step = WorkflowStep.objects.get(workflow__partner=world.partner, kind="complete_course")
    assert step.completed_at is not None and step.completed_by_id == world.partner_user.pk


def test_another_course_does_not_complete_a_step_naming_a_course(world):
    course = make_course(world, code="OTHER-1")
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="onboarding")
    make_template(world, [{"kind": "complete_course", "ref": "SALES-101"}])
    with tenant_context(world.tenant):
        onboarding_services.workflow_start(partner=Partner.objects.get(pk=world.partner.pk))
    pass_course(world, world.partner_user, course)
    with tenant_context(world.tenant):
        step = WorkflowStep.objects.get(workflow__partner=world.partner, kind="complete_course")
    assert step.completed_at is None


# --- Lesson content and files -------------------------------------------------------------


def test_markdown_is_rendered_and_sanitised(world):
    course = make_course(world, lessons=0, questions=[], publish=False)
    with tenant_context(world.tenant):
        lesson = services.lesson_save(
            by=world.admin,
            course=course,
            title="Unsafe",
            body="# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
            '<img src="https://evil.example/x.png" onerror="alert(1)"> **bold**',
        )
    html = lesson.body_html
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert "<img" not in html and "onerror" not in html


@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/watch?v=x",
        "https://evil.example/watch?v=x",
        "https://youtube.com.evil.example/x",
        "https://user:pw@vimeo.com/1",
        "javascript:alert(1)",
        "https://www.youtube.com:8443/x",
    ],
)
def test_video_links_must_be_https_on_an_allowed_host(world, url):
    course = make_course(world, lessons=0, questions=[], publish=False)
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        f"/program/training/courses/{course.pk}/lessons/",
        {"l-title": "Video", "l-video_url": url},
    )
    assert resp.status_code == 400 and "Error:" in resp.content.decode()
    with tenant_context(world.tenant):
        assert not Lesson.objects.filter(course=course).exists()


def test_an_allowed_video_is_shown_as_a_link_not_a_frame(world):
    course = make_course(world, lessons=0, questions=[], publish=False)
    with tenant_context(world.tenant):
        lesson = services.lesson_save(
            by=world.admin,
            course=course,
            title="Video",
            video_url="https://www.youtube-nocookie.com/embed/abc",
        )
        services.course_set_status(by=world.admin, course=course, to="published")
    enrol(world, world.partner_user, course)
    html = (
        portal_client(world.tenant, world.partner_user)
        .get(f"/learning/courses/{course.pk}/lessons/{lesson.pk}/")
        .content.decode()
    )
    assert 'href="https://www.youtube-nocookie.com/embed/abc"' in html and "<iframe" not in html


def test_lesson_files_are_type_checked_from_their_bytes(world):
    course = make_course(world, lessons=1, questions=[])
    (lesson,) = lessons_of(world, course)
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        f"/program/training/lessons/{lesson.pk}/file/",
        {"f-file": upload("evil.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert resp.status_code == 400 and "Upload a PDF" in resp.content.decode()
    resp = client.post(
        f"/program/training/lessons/{lesson.pk}/file/", {"f-file": upload("guide.pdf")}
    )
    assert resp.status_code == 302


def test_large_files_are_refused(world, monkeypatch):
    from training import rules as training_rules

    monkeypatch.setattr(training_rules, "MAX_LESSON_FILE_BYTES", 10)
    course = make_course(world, lessons=1, questions=[])
    (lesson,) = lessons_of(world, course)
    with tenant_context(world.tenant), pytest.raises(DomainError) as exc:
        services.lesson_attach_file(by=world.admin, lesson=lesson, upload=upload())
    assert exc.value.field == "file"


def test_files_are_downloaded_as_attachments_by_members_only(world, stranger):
    course = make_course(world, lessons=1, questions=[])
    (lesson,) = lessons_of(world, course)
    with tenant_context(world.tenant):
        services.lesson_attach_file(by=world.admin, lesson=lesson, upload=upload("Guide <1>.pdf"))
    resp = portal_client(world.tenant, world.partner_user).get(f"/learning/files/{lesson.pk}/")
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment;")
    assert resp["Content-Type"] == "application/pdf"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert b"".join(resp.streaming_content) == PDF
    assert portal_client(world.tenant).get(f"/learning/files/{lesson.pk}/").status_code == 302
    other = portal_client(stranger.tenant, stranger.partner_user)
    assert other.get(f"/learning/files/{lesson.pk}/").status_code == 404


def test_draft_course_files_are_hidden_from_partners(world):
    course = make_course(world, lessons=1, questions=[], publish=False)
    (lesson,) = lessons_of(world, course)
    with tenant_context(world.tenant):
        services.lesson_attach_file(by=world.admin, lesson=lesson, upload=upload())
    assert (
        portal_client(world.tenant, world.partner_user).get(f"/learning/files/{lesson.pk}/")
    ).status_code == 404
    assert (
        portal_client(world.tenant, world.admin).get(f"/learning/files/{lesson.pk}/")
    ).status_code == 200
