"""Permission rows for training and certification (portal and API).

The objects a row points at are made on first use, per world, through the services: a
published course with two lessons (one with a file) and a one-question quiz, a learning
path, a certification; world.partner_admin and world.partner_user enrolled; the partner
user certified (they passed the course) and holding an open quiz attempt of a second
course."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from prm.tenancy import tenant_context
from tests.permissions import PROGRAM, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
ADMIN = {"admin"}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _once(w, name: str, make):
    if not hasattr(w, name):
        with tenant_context(w.tenant):
            setattr(w, name, make(w))
    return getattr(w, name)


def _make_course(w, code: str):
    from training import services as s

    course = s.course_save(by=w.admin, code=code, title=f"Course {code}", quiz_cooldown_hours=0)
    first = s.lesson_save(by=w.admin, course=course, title="One", body="# Hello")
    s.lesson_save(by=w.admin, course=course, title="Two", body="*World*")
    s.lesson_attach_file(
        by=w.admin,
        lesson=first,
        upload=SimpleUploadedFile("notes.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    s.question_save(
        by=w.admin,
        course=course,
        text="Pick yes",
        kind="single",
        options=[("yes", True), ("no", False)],
    )
    s.course_set_status(by=w.admin, course=course, to="published")
    for member in (w.partner_admin, w.partner_user):
        s.enrollment_create(by=member, member=member, course=course)
    return course


def course(w):
    return _once(w, "trn_course", lambda w: _make_course(w, "TRN-1"))


def lesson(w):
    from training.models import Lesson

    return _once(w, "trn_lesson", lambda w: Lesson.objects.filter(course=course(w)).first())


def question(w):
    from training.models import Question

    return _once(w, "trn_question", lambda w: Question.objects.get(course=course(w)))


def certification(w):
    from training import services as s

    return _once(
        w,
        "trn_certification",
        lambda w: s.certification_save(
            by=w.admin, code="CERT-1", name="Certified", courses=[course(w)]
        ),
    )


def path(w):
    from training import services as s

    return _once(
        w,
        "trn_path",
        lambda w: s.path_save(by=w.admin, name="Sales path", courses=[course(w)]),
    )


def certificate(w):
    """world.partner_user passes the course and so earns the certification."""
    from training import services as s
    from training.models import Certificate, Lesson, Option

    def make(w):
        c = course(w)
        certification(w)
        for item in Lesson.objects.filter(course=c):
            s.lesson_complete(by=w.partner_user, lesson=item)
        attempt = s.attempt_start(by=w.partner_user, course=c)
        right = Option.objects.get(question__course=c, is_correct=True)
        s.attempt_submit(
            by=w.partner_user, attempt=attempt, answers={right.question_id: [right.pk]}
        )
        return Certificate.objects.get(member=w.partner_user)

    return _once(w, "trn_certificate", make)


def enrollment(w):
    """world.partner_user's enrolment (completed: they hold the certificate)."""
    from training.models import Enrollment

    certificate(w)
    return _once(
        w,
        "trn_enrollment",
        lambda w: Enrollment.objects.get(member=w.partner_user, course=course(w)),
    )


def attempt(w):
    """An open attempt of world.partner_user at a second course's quiz."""
    from training import services as s

    def make(w):
        second = _make_course(w, "TRN-2")
        return s.attempt_start(by=w.partner_user, course=second)

    return _once(w, "trn_attempt", make)


def new_course(w):
    return {"code": "NEW-1", "title": "A new course"}


def new_question(w):
    """A valid single-choice question (for adding one, or replacing the world's)."""
    return {
        "text": "Pick the second",
        "kind": "single",
        "option_1": "first",
        "option_2": "second",
        "correct_2": "on",
    }


ENDPOINTS = [
    # Portal: partner people
    Endpoint("training-my", lambda w: "/learning/", PARTNER_ROLES),
    Endpoint(
        "training-course",
        lambda w: f"/learning/courses/{course(w).pk}/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/",
    ),
    Endpoint(
        "training-course-enrol",
        lambda w: f"/learning/courses/{course(w).pk}/enrol/",
        PARTNER_ROLES,
        method="post",
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/enrol/",
    ),
    # The partner roles are enrolled (restarting needs an enrolment, else 404); restarting
    # an unfinished course, or enrolling again, is refused with a message (a redirect).
    Endpoint(
        "training-course-restart",
        lambda w: f"/learning/courses/{course(w).pk}/restart/",
        PARTNER_ROLES,
        method="post",
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/restart/",
    ),
    Endpoint(
        "training-lesson",
        lambda w: f"/learning/courses/{course(w).pk}/lessons/{lesson(w).pk}/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/lessons/{lesson(s).pk}/",
    ),
    Endpoint(
        "training-lesson",
        lambda w: f"/learning/courses/{course(w).pk}/lessons/{lesson(w).pk}/",
        PARTNER_ROLES,
        method="post",
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/lessons/{lesson(s).pk}/",
    ),
    Endpoint(
        "training-quiz",
        lambda w: f"/learning/courses/{course(w).pk}/quiz/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/quiz/",
    ),
    Endpoint(
        "training-quiz",
        lambda w: f"/learning/courses/{course(w).pk}/quiz/",
        PARTNER_ROLES,
        method="post",
        stranger_url=lambda w, s: f"/learning/courses/{course(s).pk}/quiz/",
    ),
    Endpoint(
        "training-attempt",
        lambda w: f"/learning/attempts/{attempt(w).pk}/",
        {"partner_user"},
        denied={403, 404},
        stranger_url=lambda w, s: f"/learning/attempts/{attempt(s).pk}/",
    ),
    Endpoint(
        "training-attempt",
        lambda w: f"/learning/attempts/{attempt(w).pk}/",
        {"partner_user"},
        method="post",
        denied={403, 404},
        stranger_url=lambda w, s: f"/learning/attempts/{attempt(s).pk}/",
    ),
    Endpoint("training-certificates", lambda w: "/learning/certificates/", PARTNER_ROLES),
    Endpoint(
        "training-certificate-pdf",
        lambda w: f"/learning/certificates/{certificate(w).pk}.pdf",
        PROGRAM,
        stranger_url=lambda w, s: f"/learning/certificates/{certificate(s).pk}.pdf",
    ),
    Endpoint(
        "training-lesson-file",
        lambda w: f"/learning/files/{lesson(w).pk}/",
        PROGRAM,
        stranger_url=lambda w, s: f"/learning/files/{lesson(s).pk}/",
    ),
    Endpoint("training-team", lambda w: "/learning/team/", {"partner_admin"}),
    Endpoint(
        "training-team",
        lambda w: "/learning/team/",
        {"partner_admin"},
        method="post",
        data=lambda w: {"member": w.partner_user.pk, "training_role": "sales"},
    ),
    # Portal: channel managers
    Endpoint("training-readiness", lambda w: "/training/readiness/", STAFF),
    Endpoint("training-readiness-export", lambda w: "/training/readiness/export.csv", STAFF),
    Endpoint(
        "training-readiness-partner",
        lambda w: f"/training/readiness/partners/{w.partner.pk}/",
        STAFF,
        stranger_url=lambda w, s: f"/training/readiness/partners/{s.partner.pk}/",
    ),
    Endpoint(
        "training-readiness-partner",
        lambda w: f"/training/readiness/partners/{w.partner.pk}/",
        STAFF,
        method="post",
        data=lambda w: {"member": w.partner_user.pk, "training_role": "technical"},
        stranger_url=lambda w, s: f"/training/readiness/partners/{s.partner.pk}/",
    ),
    # Portal: admins
    Endpoint("training-admin-courses", lambda w: "/program/training/", ADMIN),
    Endpoint(
        "training-admin-courses",
        lambda w: "/program/training/",
        ADMIN,
        method="post",
        data=new_course,
    ),
    Endpoint(
        "training-admin-course",
        lambda w: f"/program/training/courses/{course(w).pk}/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/",
    ),
    # One URL per status action of training.states.COURSE. The world's course is published, so
    # `publish` is refused with a message (and a redirect) for the admin.
    *(
        Endpoint(
            f"training-admin-course-{name}",
            lambda w, name=name: f"/program/training/courses/{course(w).pk}/{name}/",
            ADMIN,
            method="post",
            stranger_url=lambda w, s, name=name: (
                f"/program/training/courses/{course(s).pk}/{name}/"
            ),
        )
        for name in ("publish", "unpublish", "archive")
    ),
    # Archiving asks first: a GET of its URL is the confirmation page (prm/confirm.py).
    Endpoint(
        "training-admin-course-archive",
        lambda w: f"/program/training/courses/{course(w).pk}/archive/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/archive/",
    ),
    # One URL per admin action on a course, its lessons, questions and paths.
    Endpoint(
        "training-admin-course-save",
        lambda w: f"/program/training/courses/{course(w).pk}/save/",
        ADMIN,
        method="post",
        data=lambda w: {
            "c-code": "TRN-1",
            "c-title": "Course TRN-1, revised",
            "c-estimated_minutes": "30",
            "c-quiz_pass_mark": "80",
            "c-quiz_max_attempts": "3",
            "c-quiz_cooldown_hours": "0",
        },
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/save/",
    ),
    Endpoint(
        "training-admin-course-enrol",
        lambda w: f"/program/training/courses/{course(w).pk}/enrol/",
        ADMIN,
        method="post",
        data=lambda w: {"e-member": w.other_partner_user.pk},
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/enrol/",
    ),
    Endpoint(
        "training-admin-lesson-add",
        lambda w: f"/program/training/courses/{course(w).pk}/lessons/",
        ADMIN,
        method="post",
        data=lambda w: {"l-title": "Three", "l-body": "More"},
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/lessons/",
    ),
    *(
        Endpoint(
            f"training-admin-lesson-{direction}",
            lambda w, d=direction: f"/program/training/lessons/{lesson(w).pk}/{d}/",
            ADMIN,
            method="post",
            stranger_url=lambda w, s, d=direction: f"/program/training/lessons/{lesson(s).pk}/{d}/",
        )
        for direction in ("up", "down")
    ),
    Endpoint(
        "training-admin-lesson-save",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/save/",
        ADMIN,
        method="post",
        data=lambda w: {"title": "One, revised", "body": "# Hello again"},
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/save/",
    ),
    Endpoint(
        "training-admin-lesson-file",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/file/",
        ADMIN,
        method="post",
        data=lambda w: {
            "f-file": SimpleUploadedFile("notes.pdf", PDF_BYTES, content_type="application/pdf")
        },
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/file/",
    ),
    Endpoint(
        "training-admin-lesson-file-remove",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/file/remove/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/file/remove/",
    ),
    Endpoint(
        "training-admin-lesson-delete",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/delete/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/delete/",
    ),
    Endpoint(
        "training-admin-question-delete",
        lambda w: f"/program/training/questions/{question(w).pk}/delete/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/program/training/questions/{question(s).pk}/delete/",
    ),
    Endpoint(
        "training-admin-path-delete",
        lambda w: f"/program/training/paths/{path(w).pk}/delete/",
        ADMIN,
        method="post",
        stranger_url=lambda w, s: f"/program/training/paths/{path(s).pk}/delete/",
    ),
    # Deleting asks first: a GET of the URL is the confirmation page (prm/confirm.py).
    Endpoint(
        "training-admin-lesson-file-remove",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/file/remove/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/file/remove/",
    ),
    Endpoint(
        "training-admin-lesson-delete",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/delete/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/delete/",
    ),
    Endpoint(
        "training-admin-question-delete",
        lambda w: f"/program/training/questions/{question(w).pk}/delete/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/questions/{question(s).pk}/delete/",
    ),
    Endpoint(
        "training-admin-path-delete",
        lambda w: f"/program/training/paths/{path(w).pk}/delete/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/paths/{path(s).pk}/delete/",
    ),
    Endpoint(
        "training-admin-questions",
        lambda w: f"/program/training/courses/{course(w).pk}/questions/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/questions/",
    ),
    Endpoint(
        "training-admin-questions",
        lambda w: f"/program/training/courses/{course(w).pk}/questions/",
        ADMIN,
        method="post",
        data=new_question,
        expect={302},
        stranger_url=lambda w, s: f"/program/training/courses/{course(s).pk}/questions/",
    ),
    Endpoint(
        "training-admin-question",
        lambda w: f"/program/training/questions/{question(w).pk}/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/questions/{question(s).pk}/",
    ),
    Endpoint(
        "training-admin-question",
        lambda w: f"/program/training/questions/{question(w).pk}/",
        ADMIN,
        method="post",
        data=new_question,
        expect={302},
        stranger_url=lambda w, s: f"/program/training/questions/{question(s).pk}/",
    ),
    Endpoint(
        "training-admin-lesson",
        lambda w: f"/program/training/lessons/{lesson(w).pk}/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/lessons/{lesson(s).pk}/",
    ),
    Endpoint("training-admin-paths", lambda w: "/program/training/paths/", ADMIN),
    Endpoint(
        "training-admin-paths",
        lambda w: "/program/training/paths/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Technical path", "courses": [course(w).pk], "is_active": "on"},
        expect={302},
    ),
    Endpoint(
        "training-admin-path",
        lambda w: f"/program/training/paths/{path(w).pk}/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/paths/{path(s).pk}/",
    ),
    Endpoint(
        "training-admin-path",
        lambda w: f"/program/training/paths/{path(w).pk}/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Sales path, revised", "courses": [course(w).pk]},
        expect={302},
        stranger_url=lambda w, s: f"/program/training/paths/{path(s).pk}/",
    ),
    Endpoint("training-admin-certifications", lambda w: "/program/training/certifications/", ADMIN),
    Endpoint(
        "training-admin-certifications",
        lambda w: "/program/training/certifications/",
        ADMIN,
        method="post",
        data=lambda w: {
            "code": "CERT-2",
            "name": "Certified twice",
            "validity_months": "12",
            "courses": [course(w).pk],
            "is_active": "on",
        },
        expect={302},
    ),
    Endpoint(
        "training-admin-certification",
        lambda w: f"/program/training/certifications/{certification(w).pk}/",
        ADMIN,
        stranger_url=lambda w, s: f"/program/training/certifications/{certification(s).pk}/",
    ),
    Endpoint(
        "training-admin-certification",
        lambda w: f"/program/training/certifications/{certification(w).pk}/",
        ADMIN,
        method="post",
        data=lambda w: {
            "code": "CERT-1",
            "name": "Certified, revised",
            "validity_months": "36",
            "courses": [course(w).pk],
            "is_active": "on",
        },
        expect={302},
        stranger_url=lambda w, s: f"/program/training/certifications/{certification(s).pk}/",
    ),
    # API
    Endpoint("api-course-list", lambda w: "/api/v1/courses/", PROGRAM, api=True),
    Endpoint(
        "api-course-list",
        lambda w: "/api/v1/courses/",
        ADMIN,
        method="post",
        api=True,
        data=new_course,
    ),
    Endpoint(
        "api-course-detail",
        lambda w: f"/api/v1/courses/{course(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/courses/{course(s).pk}/",
    ),
    Endpoint(
        "api-course-detail",
        lambda w: f"/api/v1/courses/{course(w).pk}/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"summary": "Changed"},
        stranger_url=lambda w, s: f"/api/v1/courses/{course(s).pk}/",
    ),
    Endpoint(
        "api-course-enrol",
        lambda w: f"/api/v1/courses/{course(w).pk}/enrol/",
        PARTNER_ROLES,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/courses/{course(s).pk}/enrol/",
    ),
    Endpoint("api-enrollment-list", lambda w: "/api/v1/enrollments/", PROGRAM, api=True),
    Endpoint(
        "api-enrollment-list",
        lambda w: "/api/v1/enrollments/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"member": w.other_partner_user.pk, "course": course(w).pk},
    ),
    Endpoint(
        "api-enrollment-detail",
        lambda w: f"/api/v1/enrollments/{enrollment(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/enrollments/{enrollment(s).pk}/",
    ),
    Endpoint(
        "api-enrollment-restart",
        lambda w: f"/api/v1/enrollments/{enrollment(w).pk}/restart/",
        {"partner_user"},
        method="post",
        api=True,
        denied={403, 404},
        stranger_url=lambda w, s: f"/api/v1/enrollments/{enrollment(s).pk}/restart/",
    ),
    Endpoint(
        "api-training-progress",
        lambda w: "/api/v1/training-progress/",
        PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {"lesson": lesson(w).pk},
    ),
    Endpoint("api-quiz-attempt-list", lambda w: "/api/v1/quiz-attempts/", PROGRAM, api=True),
    Endpoint(
        "api-quiz-attempt-list",
        lambda w: "/api/v1/quiz-attempts/",
        PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {"course": course(w).pk},
    ),
    Endpoint(
        "api-quiz-attempt-detail",
        lambda w: f"/api/v1/quiz-attempts/{attempt(w).pk}/",
        {"admin", "channel_manager", "partner_user"},
        api=True,
        denied={403, 404},
        stranger_url=lambda w, s: f"/api/v1/quiz-attempts/{attempt(s).pk}/",
    ),
    Endpoint(
        "api-quiz-attempt-submit",
        lambda w: f"/api/v1/quiz-attempts/{attempt(w).pk}/submit/",
        {"partner_user"},
        method="post",
        api=True,
        denied={403, 404},
        data=lambda w: {"answers": []},
        stranger_url=lambda w, s: f"/api/v1/quiz-attempts/{attempt(s).pk}/submit/",
    ),
    Endpoint("api-certification-list", lambda w: "/api/v1/certifications/", PROGRAM, api=True),
    Endpoint(
        "api-certification-detail",
        lambda w: f"/api/v1/certifications/{certification(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/certifications/{certification(s).pk}/",
    ),
    Endpoint("api-certificate-list", lambda w: "/api/v1/certificates/", PROGRAM, api=True),
    Endpoint(
        "api-certificate-detail",
        lambda w: f"/api/v1/certificates/{certificate(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/certificates/{certificate(s).pk}/",
    ),
    Endpoint(
        "api-certificate-verify",
        lambda w: f"/api/v1/certificates/verify/?code={certificate(w).code}",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/certificates/verify/?code={certificate(s).code}",
    ),
    # API: what the admin pages do (lessons, quiz questions, paths, certifications)
    Endpoint("api-lesson-list", lambda w: "/api/v1/lessons/", ADMIN, api=True),
    Endpoint(
        "api-lesson-list",
        lambda w: "/api/v1/lessons/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"course": course(w).pk, "title": "Three"},
    ),
    Endpoint(
        "api-lesson-detail",
        lambda w: f"/api/v1/lessons/{lesson(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/lessons/{lesson(s).pk}/",
    ),
    Endpoint(
        "api-lesson-detail",
        lambda w: f"/api/v1/lessons/{lesson(w).pk}/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"title": "One, revised"},
        stranger_url=lambda w, s: f"/api/v1/lessons/{lesson(s).pk}/",
    ),
    Endpoint(
        "api-lesson-detail",
        lambda w: f"/api/v1/lessons/{lesson(w).pk}/",
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/lessons/{lesson(s).pk}/",
    ),
    Endpoint(
        "api-lesson-move",
        lambda w: f"/api/v1/lessons/{lesson(w).pk}/move/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"direction": "down"},
        stranger_url=lambda w, s: f"/api/v1/lessons/{lesson(s).pk}/move/",
    ),
    # (Attaching a file is multipart: tests/training/test_api_admin.py.)
    Endpoint(
        "api-lesson-file",
        lambda w: f"/api/v1/lessons/{lesson(w).pk}/file/",
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/lessons/{lesson(s).pk}/file/",
    ),
    Endpoint("api-quiz-question-list", lambda w: "/api/v1/quiz-questions/", ADMIN, api=True),
    Endpoint(
        "api-quiz-question-list",
        lambda w: "/api/v1/quiz-questions/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {
            "course": course(w).pk,
            "text": "Pick two",
            "kind": "multiple",
            "options": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}],
        },
    ),
    Endpoint(
        "api-quiz-question-detail",
        lambda w: f"/api/v1/quiz-questions/{question(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/quiz-questions/{question(s).pk}/",
    ),
    Endpoint(
        "api-quiz-question-detail",
        lambda w: f"/api/v1/quiz-questions/{question(w).pk}/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"text": "Pick yes, please"},
        stranger_url=lambda w, s: f"/api/v1/quiz-questions/{question(s).pk}/",
    ),
    Endpoint(
        "api-quiz-question-detail",
        lambda w: f"/api/v1/quiz-questions/{question(w).pk}/",
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/quiz-questions/{question(s).pk}/",
    ),
    Endpoint("api-learning-path-list", lambda w: "/api/v1/learning-paths/", ADMIN, api=True),
    Endpoint(
        "api-learning-path-list",
        lambda w: "/api/v1/learning-paths/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"name": "Technical path", "courses": [course(w).pk]},
    ),
    Endpoint(
        "api-learning-path-detail",
        lambda w: f"/api/v1/learning-paths/{path(w).pk}/",
        ADMIN,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/learning-paths/{path(s).pk}/",
    ),
    Endpoint(
        "api-learning-path-detail",
        lambda w: f"/api/v1/learning-paths/{path(w).pk}/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"description": "For everyone"},
        stranger_url=lambda w, s: f"/api/v1/learning-paths/{path(s).pk}/",
    ),
    Endpoint(
        "api-learning-path-detail",
        lambda w: f"/api/v1/learning-paths/{path(w).pk}/",
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/learning-paths/{path(s).pk}/",
    ),
    Endpoint(
        "api-certification-list",
        lambda w: "/api/v1/certifications/",
        ADMIN,
        method="post",
        api=True,
        data=lambda w: {"code": "CERT-2", "name": "Also certified", "courses": [course(w).pk]},
    ),
    Endpoint(
        "api-certification-detail",
        lambda w: f"/api/v1/certifications/{certification(w).pk}/",
        ADMIN,
        method="patch",
        api=True,
        data=lambda w: {"validity_months": 12},
        stranger_url=lambda w, s: f"/api/v1/certifications/{certification(s).pk}/",
    ),
    # API: partner people's training roles (the readiness and team pages)
    Endpoint(
        "api-training-role-list",
        lambda w: "/api/v1/training-roles/",
        {"admin", "channel_manager", "partner_admin"},
        api=True,
    ),
    Endpoint(
        "api-training-role-detail",
        lambda w: f"/api/v1/training-roles/{w.partner_user.pk}/",
        {"admin", "channel_manager", "partner_admin"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/training-roles/{s.partner_user.pk}/",
    ),
    Endpoint(
        "api-training-role-detail",
        lambda w: f"/api/v1/training-roles/{w.partner_user.pk}/",
        {"admin", "channel_manager", "partner_admin"},
        method="patch",
        api=True,
        data=lambda w: {"training_role": "sales"},
        stranger_url=lambda w, s: f"/api/v1/training-roles/{s.partner_user.pk}/",
    ),
]

# The verification page is public by design (anonymous, on the tenant's host).
PUBLIC_URL_NAMES = {"training-verify"}
