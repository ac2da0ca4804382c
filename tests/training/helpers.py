"""Shared helpers for the training tests (plain functions, not fixtures)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from prm.tenancy import tenant_context
from training import services
from training.models import Course, Lesson, Option, Question

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_course(
    world,
    *,
    code: str = "SALES-101",
    lessons: int = 2,
    questions: list[tuple[str, str, list[tuple[str, bool]]]] | None = None,
    publish: bool = True,
    **rules,
) -> Course:
    """A course built by world.admin through the services. `questions`: (text, kind,
    [(option, correct)]); None gives a one-question quiz, [] no quiz."""
    if questions is None:
        questions = [("Pick yes", "single", [("yes", True), ("no", False)])]
    with tenant_context(world.tenant):
        course = services.course_save(by=world.admin, code=code, title=f"Course {code}", **rules)
        for i in range(lessons):
            services.lesson_save(
                by=world.admin, course=course, title=f"Lesson {i + 1}", body=f"Text {i + 1}"
            )
        for text, kind, options in questions:
            services.question_save(
                by=world.admin, course=course, text=text, kind=kind, options=options
            )
        if publish:
            course = services.course_set_status(by=world.admin, course=course, to="published")
    return course


def enrol(world, member, course):
    with tenant_context(world.tenant):
        return services.enrollment_create(by=member, member=member, course=course)


def lessons_of(world, course) -> list[Lesson]:
    with tenant_context(world.tenant):
        return list(Lesson.objects.filter(course=course).order_by("order", "id"))


def do_lessons(world, member, course, n: int | None = None):
    enrollment = None
    with tenant_context(world.tenant):
        items = list(Lesson.objects.filter(course=course).order_by("order", "id"))
        for lesson in items[: len(items) if n is None else n]:
            enrollment = services.lesson_complete(by=member, lesson=lesson)
    return enrollment


def right_answers(world, course) -> dict[int, list[int]]:
    with tenant_context(world.tenant):
        out: dict[int, list[int]] = {}
        for qid, oid in Option.objects.filter(question__course=course, is_correct=True).values_list(
            "question_id", "pk"
        ):
            out.setdefault(qid, []).append(oid)
        return out


def wrong_answers(world, course) -> dict[int, list[int]]:
    with tenant_context(world.tenant):
        out: dict[int, list[int]] = {}
        for q in Question.objects.filter(course=course).prefetch_related("options"):
            wrong = [o.pk for o in q.options.all() if not o.is_correct]
            out[q.pk] = wrong[:1]
        return out


def take_quiz(world, member, course, answers):
    with tenant_context(world.tenant):
        attempt = services.attempt_start(by=member, course=course)
        return services.attempt_submit(by=member, attempt=attempt, answers=answers)


def pass_course(world, member, course):
    """Enrol (if needed), do every lesson, pass the quiz if there is one."""
    enrol(world, member, course)
    do_lessons(world, member, course)
    with tenant_context(world.tenant):
        has_quiz = Question.objects.filter(course=course).exists()
    if has_quiz:
        take_quiz(world, member, course, right_answers(world, course))


def certify(world, *, courses, code: str = "ACSP", months: int = 12):
    with tenant_context(world.tenant):
        return services.certification_save(
            by=world.admin,
            code=code,
            name=f"Certification {code}",
            validity_months=months,
            courses=list(courses),
        )


def upload(name: str = "notes.pdf", content: bytes = PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
