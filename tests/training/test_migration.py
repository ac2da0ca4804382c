"""Training moved out of onboarding into its own app by state-only migrations: a database
that holds training data written before the move still reads it through the new app."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from prm.tenancy import set_db_tenant, tenant_context
from training.models import Certificate, Course, Enrollment, LearningPath, QuizAttempt

BEFORE_THE_MOVE = [("onboarding", "0003_application_language"), ("training", None)]


def test_rows_written_before_the_move_are_read_through_the_training_app(world):
    course_type = ContentType.objects.get_for_model(Course).pk
    executor = MigrationExecutor(connection)
    old = executor.migrate(BEFORE_THE_MOVE).apps  # the models as they were before the move
    assert "training" not in {m._meta.app_label for m in old.get_models()}

    # Written through the models as they were: onboarding's, before the move.
    set_db_tenant(world.tenant.pk)
    t = {"tenant_id": world.tenant.pk}
    member = world.partner_user.pk
    course = old.get_model("onboarding", "Course").objects.create(
        **t, code="OLD-1", title="Written before the move", status="published"
    )
    lesson = old.get_model("onboarding", "Lesson").objects.create(
        **t, course=course, title="Lesson one"
    )
    path = old.get_model("onboarding", "LearningPath").objects.create(**t, name="Sales path")
    old.get_model("onboarding", "PathCourse").objects.create(**t, path=path, course=course)
    enrollment = old.get_model("onboarding", "Enrollment").objects.create(
        **t,
        member_id=member,
        course=course,
        source="path",
        path=path,
        last_lesson=lesson,
        completed_at=timezone.now(),
    )
    old.get_model("onboarding", "LessonProgress").objects.create(
        **t, enrollment=enrollment, lesson=lesson
    )
    old.get_model("onboarding", "QuizAttempt").objects.create(
        **t, enrollment=enrollment, course=course, member_id=member, score=90, passed=True
    )
    certification = old.get_model("onboarding", "Certification").objects.create(
        **t, code="CERT-OLD", name="Old certification"
    )
    old.get_model("onboarding", "CertificationCourse").objects.create(
        **t, certification=certification, course=course
    )
    certificate = old.get_model("onboarding", "Certificate").objects.create(
        **t,
        certification=certification,
        member_id=member,
        holder_name="Pat Partner",
        code="OLDCODE2345678923456",
        expires_at=timezone.now() + datetime.timedelta(days=300),
    )
    old.get_model("onboarding", "CertificateNotice").objects.create(
        **t, certificate=certificate, kind="reminder_30", expires_at=certificate.expires_at
    )

    executor.loader.build_graph()  # what is applied now
    executor.migrate(executor.loader.graph.leaf_nodes())

    with tenant_context(world.tenant):
        moved = Course.objects.get(code="OLD-1")
        assert moved.pk == course.pk and moved.title == "Written before the move"
        assert [x.title for x in moved.lessons.all()] == ["Lesson one"]
        e = Enrollment.objects.get(course=moved, member_id=member)
        assert (e.path.name, e.last_lesson_id, e.progress.get().lesson_id) == (
            "Sales path",
            lesson.pk,
            lesson.pk,
        )
        assert e.attempts.get().score == 90
        assert QuizAttempt.objects.get(course=moved).enrollment_id == e.pk
        assert list(LearningPath.objects.get(name="Sales path").courses.all()) == [moved]
        cert = Certificate.objects.get(code="OLDCODE2345678923456")
        assert list(cert.certification.courses.all()) == [moved]
        assert cert.notices.get().kind == "reminder_30" and cert.is_valid()
        assert cert.member_id == member
    # The content type kept its id across the move (permissions, generic references).
    ContentType.objects.clear_cache()
    ct = ContentType.objects.get_for_model(Course)
    assert (ct.app_label, ct.pk) == ("training", course_type)
