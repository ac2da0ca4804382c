"""Courses, lessons, questions, learning paths and certifications: what admins build."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import PartnerType
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, limited
from prm.models import Member
from prm.roles import PARTNER_ROLES
from prm.uploads import clean_filename
from training import rules
from training.models import (
    Certification,
    CertificationCourse,
    Course,
    CourseStatus,
    Enrollment,
    LearningPath,
    Lesson,
    Option,
    PathCourse,
    Question,
    QuestionKind,
    TrainingRole,
)
from training.services._base import _clean_code, _require_member, _validate, render_lesson_markdown
from training.services.certificates import certifications_check
from training.services.learning import enrol_matching
from training.states import COURSE

# --- Courses, lessons, questions (admins) -------------------------------------------------

COURSE_FIELDS = [
    "code",
    "title",
    "summary",
    "estimated_minutes",
    "quiz_pass_mark",
    "quiz_max_attempts",
    "quiz_cooldown_hours",
]


def course_save(*, by: Member, course: Course | None = None, **fields) -> Course:
    """Create a course (as a draft) or change one. Editing a published course keeps
    learners' progress: lessons keep their ids."""
    by = _require_member(by, "training.manage")
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown course field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    creating = course is None
    if creating:
        course = Course(tenant=by.tenant)
        before = {}
    else:
        course = Course.objects.select_for_update().get(pk=course.pk)
        before = snapshot(course, COURSE_FIELDS)
    for name, value in fields.items():
        setattr(course, name, value.strip() if isinstance(value, str) else value)
    course.code = _clean_code(course.code)
    if not course.title:
        raise DomainError(_("Give the course a title."), field="title")
    _validate(course)
    after = snapshot(course, COURSE_FIELDS)
    b, a = diff(before, after) if not creating else ({}, after)
    if not creating and not a:
        return course
    course.updated_at = timezone.now()
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise DomainError(_("Another course has this code."), field="code")
    log_action(
        "training.course_created" if creating else "training.course_updated",
        obj=course,
        before=b or None,
        after=a,
    )
    return course


def course_set_status(
    *, by: Member, course: Course, to: str | None = None, action: str | None = None
) -> Course:
    """Publish, unpublish or archive (training.states.COURSE), named by the action (the
    portal) or the target status (the API). A course is published with at least one lesson;
    publishing enrols the people its learning paths match."""
    by = _require_member(by, "training.manage")
    if action is None and to not in CourseStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    course = Course.objects.select_for_update().get(pk=course.pk)
    old = course.status
    if action is None:
        if to == old:
            return course
        act = COURSE.action_for_move(old, to)
        if act is None:
            raise DomainError(
                _("A course cannot move from %(a)s to %(b)s.")
                % {"a": CourseStatus(old).label, "b": CourseStatus(to).label},
                field="status",
            )
        action = act.name
    if action not in COURSE.actions or COURSE[action].target is None:
        raise DomainError(_("Unknown action."))
    to = COURSE.check(course, by, action).target
    if to == CourseStatus.PUBLISHED and not course.lessons.exists():
        raise DomainError(_("Add at least one lesson before publishing."), field="status")
    now = timezone.now()
    course.status, course.updated_at = to, now
    fields = ["status", "updated_at"]
    if to == CourseStatus.PUBLISHED and course.published_at is None:
        course.published_at = now
        fields.append("published_at")
    course.save(update_fields=fields)
    log_action(
        "training.course_status_changed", obj=course, before={"status": old}, after={"status": to}
    )
    if to == CourseStatus.PUBLISHED:
        enrol_matching(tenant=by.tenant, courses=[course])
    return course


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())


def lesson_save(
    *,
    by: Member,
    course: Course,
    lesson: Lesson | None = None,
    title: str,
    body: str = "",
    video_url: str = "",
) -> Lesson:
    """Add a lesson at the end, or change one in place (its id, and so progress, stays)."""
    by = _require_member(by, "training.manage")
    creating = lesson is None
    fields = ["title", "body", "video_url"]
    if creating:
        last = Lesson.objects.filter(course=course).aggregate(m=Max("order"))["m"]
        lesson = Lesson(tenant=by.tenant, course=course, order=0 if last is None else last + 1)
        before = {}
    else:
        if lesson.course_id != course.pk:
            raise DomainError(_("This lesson belongs to another course."))
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        before = snapshot(lesson, fields)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the lesson a title."), field="title")
    try:
        video_url = rules.clean_video_url(video_url)
    except ValueError as exc:
        raise DomainError(str(exc), field="video_url")
    lesson.title = limited(title, 200, "title")
    lesson.body = (body or "").replace("\r\n", "\n")
    lesson.video_url = video_url
    lesson.body_html = render_lesson_markdown(lesson.body)
    _validate(lesson, exclude=["tenant", "course", "file"])
    after = snapshot(lesson, fields)
    b, a = diff(before, after) if not creating else ({}, after)
    if not creating and not a:
        return lesson
    lesson.updated_at = timezone.now()
    lesson.save()
    _touch(course)
    if "body" in a:  # the text itself can be long; the audit keeps its size
        a["body"] = f"{len(lesson.body)} characters"
        b.pop("body", None)
    log_action(
        "training.lesson_created" if creating else "training.lesson_updated",
        obj=lesson,
        before=b or None,
        after={"course": course.pk, **a},
    )
    return lesson


def lesson_attach_file(*, by: Member, lesson: Lesson, upload) -> Lesson:
    """Attach a downloadable file (replacing any): PDF, image, ZIP/Office or MP4, checked from
    its bytes, at most 25 MB, stored privately under MEDIA_ROOT."""
    by = _require_member(by, "training.manage")
    if upload is None:
        raise DomainError(_("Choose a file."), field="file")
    if upload.size > rules.MAX_LESSON_FILE_BYTES:
        raise DomainError(_("The file is larger than 25 MB."), field="file")
    upload.seek(0)
    content_type = rules.sniff_lesson_file(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise DomainError(
            _("Upload a PDF, PNG, JPEG, ZIP, Office (docx, pptx, xlsx) or MP4 file."), field="file"
        )
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    old = lesson.file.name if lesson.file else ""
    name = rules.download_name(
        clean_filename(getattr(upload, "name", ""), default="file"), content_type
    )
    lesson.file.save(name, upload, save=False)
    lesson.file_name, lesson.file_content_type, lesson.file_size = name, content_type, upload.size
    lesson.updated_at = timezone.now()
    lesson.save(update_fields=["file", "file_name", "file_content_type", "file_size", "updated_at"])
    if old:
        storage = lesson.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    log_action(
        "training.lesson_file_attached",
        obj=lesson,
        after={"file": name, "content_type": content_type, "size": upload.size},
    )
    return lesson


def lesson_remove_file(*, by: Member, lesson: Lesson) -> Lesson:
    by = _require_member(by, "training.manage")
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    if not lesson.file:
        return lesson
    old, name = lesson.file.name, lesson.file_name
    storage = lesson.file.storage
    lesson.file, lesson.file_name, lesson.file_content_type, lesson.file_size = "", "", "", None
    lesson.save(update_fields=["file", "file_name", "file_content_type", "file_size"])
    transaction.on_commit(lambda: storage.delete(old))
    log_action("training.lesson_file_removed", obj=lesson, before={"file": name})
    return lesson


def lesson_move(*, by: Member, lesson: Lesson, direction: str) -> None:
    """Move a lesson one place up or down (ids, and so progress, stay)."""
    by = _require_member(by, "training.manage")
    if direction not in ("up", "down"):
        raise DomainError(_("Unknown direction."), field="direction")
    lessons = list(
        Lesson.objects.select_for_update()
        .filter(course_id=lesson.course_id)
        .order_by("order", "id")
    )
    ids = [x.pk for x in lessons]
    i = ids.index(lesson.pk)
    j = i - 1 if direction == "up" else i + 1
    if j < 0 or j >= len(lessons):
        return
    lessons[i], lessons[j] = lessons[j], lessons[i]
    for position, item in enumerate(lessons):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
    log_action(
        "training.lessons_reordered",
        obj=lesson.course,
        after={"lessons": [x.pk for x in lessons]},
    )


def lesson_delete(*, by: Member, lesson: Lesson) -> None:
    """Delete a lesson (its progress rows go with it). A published course keeps at least
    one lesson."""
    by = _require_member(by, "training.manage")
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    if course.status == CourseStatus.PUBLISHED and course.lessons.count() <= 1:
        raise DomainError(_("A published course needs at least one lesson."))
    storage, old = lesson.file.storage, lesson.file.name if lesson.file else ""
    log_action(
        "training.lesson_deleted", obj=lesson, before={"course": course.pk, "title": lesson.title}
    )
    lesson.delete()
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    _touch(course)


def question_save(
    *,
    by: Member,
    course: Course,
    question: Question | None = None,
    text: str,
    kind: str,
    options: Iterable[tuple[str, bool]],
) -> Question:
    """Add or change a question with its options (replaced as a whole). A single-choice
    question has exactly one correct option, a multiple-choice one at least one; both have
    at least two options."""
    by = _require_member(by, "training.manage")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the question."), field="text")
    if kind not in QuestionKind.values:
        raise DomainError(_("Unknown question kind."), field="kind")
    cleaned = [((t or "").strip()[:500], bool(ok)) for t, ok in options if (t or "").strip()]
    if len(cleaned) < 2:
        raise DomainError(_("Give at least two answers."), field="options")
    if len({t.casefold() for t, _ok in cleaned}) != len(cleaned):
        raise DomainError(_("Two answers are the same."), field="options")
    right = sum(1 for _t, ok in cleaned if ok)
    if kind == QuestionKind.SINGLE and right != 1:
        raise DomainError(_("Mark exactly one answer as correct."), field="options")
    if kind == QuestionKind.MULTIPLE and right < 1:
        raise DomainError(_("Mark at least one answer as correct."), field="options")
    creating = question is None
    if creating:
        last = Question.objects.filter(course=course).aggregate(m=Max("order"))["m"]
        question = Question(tenant=by.tenant, course=course, order=0 if last is None else last + 1)
    else:
        if question.course_id != course.pk:
            raise DomainError(_("This question belongs to another course."))
        question = Question.objects.select_for_update().get(pk=question.pk)
    question.text, question.kind = limited(text, 2000, "text"), kind
    question.save()
    Option.objects.filter(question=question).delete()
    Option.objects.bulk_create(
        [
            Option(tenant=by.tenant, question=question, order=i, text=t, is_correct=ok)
            for i, (t, ok) in enumerate(cleaned)
        ]
    )
    _touch(course)
    log_action(
        "training.question_created" if creating else "training.question_updated",
        obj=question,
        object_label=text[:200],
        after={"course": course.pk, "kind": kind, "options": len(cleaned), "correct": right},
    )
    return question


def question_delete(*, by: Member, question: Question) -> None:
    by = _require_member(by, "training.manage")
    log_action(
        "training.question_deleted",
        obj=question,
        object_label=question.text[:200],
        before={"course": question.course_id},
    )
    course = question.course
    question.delete()
    _touch(course)


# --- Learning paths and certifications (admins) -------------------------------------------


def path_save(
    *,
    by: Member,
    path: LearningPath | None = None,
    name: str,
    description: str = "",
    training_role: str = "",
    partner_type: str = "",
    is_active: bool = True,
    courses: Sequence[Course] = (),
) -> LearningPath:
    """Create or change a learning path; `courses` (in order) replaces its courses. The
    people it matches at active partners are enrolled in its published courses at once."""
    by = _require_member(by, "training.manage")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the path a name."), field="name")
    if training_role and training_role not in TrainingRole.values:
        raise DomainError(_("Unknown training role."), field="training_role")
    if partner_type and partner_type not in PartnerType.values:
        raise DomainError(_("Unknown partner type."), field="partner_type")
    fields = ["name", "description", "training_role", "partner_type", "is_active"]
    creating = path is None
    if creating:
        path = LearningPath(tenant=by.tenant)
        before: dict = {}
    else:
        path = LearningPath.objects.select_for_update().get(pk=path.pk)
        before = snapshot(path, fields)
        before["courses"] = list(path.path_courses.values_list("course_id", flat=True))
    path.name, path.description = limited(name, 120, "name"), (description or "").strip()
    path.training_role, path.partner_type, path.is_active = training_role, partner_type, is_active
    _validate(path)
    course_ids = list(dict.fromkeys(c.pk for c in courses))
    try:
        with transaction.atomic():
            path.save()
            PathCourse.objects.filter(path=path).delete()
            PathCourse.objects.bulk_create(
                [
                    PathCourse(tenant=by.tenant, path=path, course_id=cid, order=i)
                    for i, cid in enumerate(course_ids)
                ]
            )
    except IntegrityError:
        raise DomainError(_("Another learning path has this name."), field="name")
    after = {**snapshot(path, fields), "courses": course_ids}
    b, a = diff(before, after) if not creating else ({}, after)
    if a:
        log_action(
            "training.path_created" if creating else "training.path_updated",
            obj=path,
            before=b or None,
            after=a,
        )
    if path.is_active:
        enrol_matching(tenant=by.tenant, paths=[path])
    return path


def path_delete(*, by: Member, path: LearningPath) -> None:
    """Delete a path. Enrolments it made stay (the people keep their progress)."""
    by = _require_member(by, "training.manage")
    log_action("training.path_deleted", obj=path, before={"name": path.name})
    path.delete()


def certification_save(
    *,
    by: Member,
    certification: Certification | None = None,
    code: str,
    name: str,
    description: str = "",
    validity_months: int = 24,
    is_active: bool = True,
    courses: Sequence[Course] = (),
) -> Certification:
    """Create or change a certification. People who have already completed all of its
    courses are certified at once."""
    by = _require_member(by, "training.manage")
    code = _clean_code(code)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the certification a name."), field="name")
    course_ids = sorted({c.pk for c in courses})
    if not course_ids:
        raise DomainError(_("Choose the courses that earn it."), field="courses")
    fields = ["code", "name", "description", "validity_months", "is_active"]
    creating = certification is None
    if creating:
        cert = Certification(tenant=by.tenant)
        before: dict = {}
    else:
        cert = Certification.objects.select_for_update().get(pk=certification.pk)
        before = snapshot(cert, fields)
        before["courses"] = sorted(cert.certification_courses.values_list("course_id", flat=True))
    cert.code, cert.name, cert.description = (
        code,
        limited(name, 200, "name"),
        (description or "").strip(),
    )
    cert.validity_months, cert.is_active = validity_months, is_active
    _validate(cert)
    try:
        with transaction.atomic():
            cert.save()
            CertificationCourse.objects.filter(certification=cert).exclude(
                course_id__in=course_ids
            ).delete()
            have = set(
                CertificationCourse.objects.filter(certification=cert).values_list(
                    "course_id", flat=True
                )
            )
            CertificationCourse.objects.bulk_create(
                [
                    CertificationCourse(tenant=by.tenant, certification=cert, course_id=cid)
                    for cid in course_ids
                    if cid not in have
                ]
            )
    except IntegrityError:
        raise DomainError(_("Another certification has this code or name."), field="code")
    after = {**snapshot(cert, fields), "courses": course_ids}
    b, a = diff(before, after) if not creating else ({}, after)
    if a:
        log_action(
            "training.certification_created" if creating else "training.certification_updated",
            obj=cert,
            before=b or None,
            after=a,
        )
    if cert.is_active:
        _certify_qualified(cert)
    return cert


def _certify_qualified(cert: Certification) -> None:
    """Certify every active partner person who has completed all of the certification's
    courses in their current round (one aggregate query finds them)."""
    course_ids = list(cert.certification_courses.values_list("course_id", flat=True))
    member_ids = (
        Enrollment.objects.filter(
            course_id__in=course_ids,
            completed_at__isnull=False,
            member__is_active=True,
            member__role__in=PARTNER_ROLES,
        )
        .values("member_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n=len(course_ids))
        .values_list("member_id", flat=True)
    )
    for member in Member.objects.filter(pk__in=list(member_ids)).select_related("user"):
        certifications_check(member=member, certifications=[cert])
