"""Writes for training and certification.

Every function is keyword-only (except the partner hooks, whose signatures the partners and
prm apps call), runs inside the caller's tenant context, validates before writing, locks the
row it moves, audits with log_action, and sends e-mail only after the transaction commits.

`by=None` means the system (hooks, the expiry sweep); members need the capability.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
from collections.abc import Iterable, Sequence

import markdown
import nh3
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from onboarding.models import StepKind
from partners.models import Partner, PartnerMetrics, PartnerStatus, PartnerType
from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role, has_perm
from prm.urls_util import tenant_url
from training import rules
from training.models import (
    COURSE_TRANSITIONS,
    Certificate,
    CertificateNotice,
    CertificateStatus,
    Certification,
    CertificationCourse,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    LearningPath,
    Lesson,
    LessonProgress,
    NoticeKind,
    Option,
    PathCourse,
    Question,
    QuestionKind,
    QuizAttempt,
    TrainingProfile,
    TrainingRole,
)

log = logging.getLogger(__name__)

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _require(by: Member | None, capability: str) -> None:
    if by is not None and not has_perm(by.role, capability):
        raise PermissionDenied()


def _require_member(by: Member | None, capability: str) -> Member:
    """For actions only a person takes (building courses): the system is not enough."""
    if by is None or not has_perm(by.role, capability):
        raise PermissionDenied()
    return by


def _mail_after_commit(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    """E-mail members about their training through their preferences for the training group
    (prm.notifications.notify: in-portal notification, e-mail now, in the digest, or not)."""
    from prm import notifications

    notifications.notify(
        notifications.members_with_emails(to),
        group="training",
        subject=subject,
        template=template,
        context=context,
        path=context.get("url", ""),
        kind="training." + template.rsplit("/", 1)[-1].removesuffix(".txt"),
    )


def _clean_code(value: str, field: str = "code") -> str:
    code = (value or "").strip().upper()
    if not code:
        raise DomainError(_("Enter a code, e.g. SALES-101."), field=field)
    if len(code) > 40 or not set(code) <= CODE_CHARS:
        raise DomainError(
            _("Use up to 40 letters, digits, dashes, dots or underscores."), field=field
        )
    return code


def _validate(obj, exclude: Sequence[str] = ("tenant",)) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field)


# --- Markdown -----------------------------------------------------------------------------

# No images (they would make browsers and the PDF renderer fetch other hosts), no frames.
LESSON_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}


def render_lesson_markdown(text: str) -> str:
    """Markdown to HTML, sanitised: no script, no styles, no event handlers, no images."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(html, tags=LESSON_TAGS, link_rel="noopener noreferrer nofollow")


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


def course_set_status(*, by: Member, course: Course, to: str) -> Course:
    """Publish, unpublish or archive (COURSE_TRANSITIONS). A course is published with at
    least one lesson; publishing enrols the people its learning paths match."""
    by = _require_member(by, "training.manage")
    if to not in CourseStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    course = Course.objects.select_for_update().get(pk=course.pk)
    old = course.status
    if to == old:
        return course
    if to not in COURSE_TRANSITIONS[old]:
        raise DomainError(
            _("A course cannot move from %(a)s to %(b)s.")
            % {"a": CourseStatus(old).label, "b": CourseStatus(to).label},
            field="status",
        )
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
    lesson.title = title[:200]
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


def _clean_filename(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?/\\')
    return base[:200] or "file"


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
    name = rules.download_name(_clean_filename(getattr(upload, "name", "")), content_type)
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
    question.text, question.kind = text[:2000], kind
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
    path.name, path.description = name[:120], (description or "").strip()
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
    cert.code, cert.name, cert.description = code, name[:200], (description or "").strip()
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


# --- Enrolment ----------------------------------------------------------------------------


def enrol_matching(
    *,
    tenant,
    members: Iterable[Member] | None = None,
    partners: Iterable[Partner] | None = None,
    paths: Iterable[LearningPath] | None = None,
    courses: Iterable[Course] | None = None,
) -> int:
    """Enrol the people of active partners in the published courses of the active learning
    paths that match their training role and their partner's type. Each argument narrows
    the set; none means all. Idempotent: existing enrolments (and their progress) stay.
    A constant number of queries whatever the number of people. Returns how many were made."""
    path_rows = PathCourse.objects.filter(
        path__is_active=True, course__status=CourseStatus.PUBLISHED
    )
    if paths is not None:
        path_rows = path_rows.filter(path_id__in=[p.pk for p in paths])
    if courses is not None:
        path_rows = path_rows.filter(course_id__in=[c.pk for c in courses])
    rows = list(
        path_rows.order_by("path_id", "order", "id").values_list(
            "path_id", "path__training_role", "path__partner_type", "course_id"
        )
    )
    if not rows:
        return 0
    people = Member.objects.filter(
        is_active=True, role__in=PARTNER_ROLES, partner__status=PartnerStatus.ACTIVE
    )
    if members is not None:
        people = people.filter(pk__in=[m.pk for m in members])
    if partners is not None:
        people = people.filter(partner_id__in=[p.pk for p in partners])
    people_rows = list(people.values_list("pk", "partner__partner_type"))
    if not people_rows:
        return 0
    ids = [pk for pk, _t in people_rows]
    course_ids = {r[3] for r in rows}
    roles = dict(
        TrainingProfile.objects.filter(member_id__in=ids).values_list("member_id", "training_role")
    )
    have = set(
        Enrollment.objects.filter(member_id__in=ids, course_id__in=course_ids).values_list(
            "member_id", "course_id"
        )
    )
    new: dict[tuple[int, int], Enrollment] = {}
    now = timezone.now()
    for member_id, partner_type in people_rows:
        role = roles.get(member_id, "")
        for path_id, path_role, path_type, course_id in rows:
            if (path_role and path_role != role) or (path_type and path_type != partner_type):
                continue
            key = (member_id, course_id)
            if key in have or key in new:
                continue
            new[key] = Enrollment(
                tenant=tenant,
                member_id=member_id,
                course_id=course_id,
                source=EnrollmentSource.PATH,
                path_id=path_id,
                enrolled_at=now,
            )
    if not new:
        return 0
    Enrollment.objects.bulk_create(list(new.values()), ignore_conflicts=True)
    log_action(
        "training.enrolled_by_path",
        tenant=tenant,
        object_type="training.enrollment",
        object_label=ngettext(
            "%(n)d enrolment from learning paths", "%(n)d enrolments from learning paths", len(new)
        )
        % {"n": len(new)},
        after={
            "count": len(new),
            "enrolments": [
                {"member": e.member_id, "course": e.course_id, "path": e.path_id}
                for e in list(new.values())[:500]
            ],
        },
    )
    return len(new)


def enrollment_create(*, by: Member, member: Member, course: Course) -> Enrollment:
    """Enrol a partner person in a published course: an admin for anyone (the person is
    told by e-mail), or a partner person for themselves (idempotent)."""
    self_enrol = by.pk == member.pk
    if self_enrol:
        _require(by, "training.learn")
    else:
        _require_member(by, "training.manage")
    if member.role not in PARTNER_ROLES or not member.is_active:
        raise DomainError(_("Only active partner people take courses."), field="member")
    course = Course.objects.get(pk=course.pk)
    if course.status != CourseStatus.PUBLISHED:
        raise DomainError(_("This course is not published."), field="course")
    existing = Enrollment.objects.filter(member=member, course=course).first()
    if existing is not None:
        if self_enrol:
            return existing
        raise DomainError(_("This person is already enrolled in this course."), field="member")
    enrollment = Enrollment(
        tenant=member.tenant,
        member=member,
        course=course,
        source=EnrollmentSource.SELF if self_enrol else EnrollmentSource.MANUAL,
        enrolled_by=by,
    )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        raise DomainError(_("This person is already enrolled in this course."), field="member")
    log_action(
        "training.enrolled",
        obj=enrollment,
        object_label=f"{course.code} — {member.user.email}",
        after={"member": member.pk, "course": course.pk, "source": enrollment.source},
    )
    if not self_enrol:
        _mail_after_commit(
            subject=lazy_format(gettext_lazy("You are enrolled in %(c)s"), c=course.title),
            template="training/emails/enrolled.txt",
            context={
                "tenant": member.tenant,
                "course": course,
                "member": member,
                "url": tenant_url(member.tenant, f"/learning/courses/{course.pk}/"),
            },
            to=[member.user.email],
        )
    return enrollment


def training_role_set(*, by: Member, member: Member, training_role: str) -> TrainingProfile:
    """Set a partner person's training role (staff, their partner admin, or themselves);
    the learning paths for the new role enrol them at once. Enrolments of the old role stay,
    with their progress."""
    if (
        by.role in STAFF_ROLES
        or by.pk == member.pk
        or (by.role == Role.PARTNER_ADMIN and by.partner_id and by.partner_id == member.partner_id)
    ):
        pass
    else:
        raise PermissionDenied()
    if member.role not in PARTNER_ROLES:
        raise DomainError(_("Training roles are for partner people."), field="member")
    if training_role and training_role not in TrainingRole.values:
        raise DomainError(_("Unknown training role."), field="training_role")
    profile, _created = TrainingProfile.objects.get_or_create(tenant=member.tenant, member=member)
    profile = TrainingProfile.objects.select_for_update().get(pk=profile.pk)
    old = profile.training_role
    if old == training_role:
        return profile
    profile.training_role, profile.updated_at = training_role, timezone.now()
    profile.save(update_fields=["training_role", "updated_at"])
    log_action(
        "training.role_changed",
        obj=profile,
        object_label=member.user.email,
        before={"training_role": old},
        after={"training_role": training_role, "member": member.pk},
    )
    enrol_matching(tenant=member.tenant, members=[member])
    return profile


# --- Learning -----------------------------------------------------------------------------


def _own_enrollment(by: Member, course: Course, *, lock: bool = False) -> Enrollment:
    if by is None or by.role not in PARTNER_ROLES:
        raise PermissionDenied()
    qs = Enrollment.objects.filter(member=by, course_id=course.pk)
    if lock:
        qs = qs.select_for_update()
    enrollment = qs.first()
    if enrollment is None:
        raise DomainError(_("You are not enrolled in this course."))
    if Course.objects.filter(pk=course.pk).values_list("status", flat=True).first() != (
        CourseStatus.PUBLISHED
    ):
        raise DomainError(_("This course is not available."))
    return enrollment


def lesson_complete(*, by: Member, lesson: Lesson) -> Enrollment:
    """Mark a lesson done (idempotent) and remember it as the place to resume; completes
    the course when every lesson is done and its quiz, if any, is passed."""
    enrollment = _own_enrollment(by, lesson.course, lock=True)
    now = timezone.now()
    _progress, created = LessonProgress.objects.get_or_create(
        tenant_id=enrollment.tenant_id,
        enrollment=enrollment,
        lesson=lesson,
        defaults={"completed_at": now},
    )
    fields = []
    if enrollment.started_at is None:
        enrollment.started_at = now
        fields.append("started_at")
    if enrollment.last_lesson_id != lesson.pk:
        enrollment.last_lesson = lesson
        fields.append("last_lesson")
    if fields:
        enrollment.save(update_fields=fields)
    if created:
        log_action(
            "training.lesson_completed",
            obj=enrollment,
            object_label=lesson.title,
            after={"course": lesson.course_id, "lesson": lesson.pk, "cycle": enrollment.cycle},
        )
        _maybe_complete(enrollment)
    return enrollment


def _course_requirements_met(enrollment: Enrollment) -> bool:
    lesson_ids = set(
        Lesson.objects.filter(course_id=enrollment.course_id).values_list("pk", flat=True)
    )
    done = set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )
    if not lesson_ids <= done:
        return False
    if not Question.objects.filter(course_id=enrollment.course_id).exists():
        return True
    return QuizAttempt.objects.filter(
        enrollment=enrollment, cycle=enrollment.cycle, passed=True
    ).exists()


def _maybe_complete(enrollment: Enrollment) -> None:
    """Complete the course once its requirements are met: record the time, complete the
    matching onboarding step (by course id and by code) and check certifications."""
    if enrollment.completed_at is not None or not _course_requirements_met(enrollment):
        return
    now = timezone.now()
    enrollment.completed_at = enrollment.last_completed_at = now
    enrollment.save(update_fields=["completed_at", "last_completed_at"])
    course = Course.objects.get(pk=enrollment.course_id)
    log_action(
        "training.course_completed",
        obj=enrollment,
        object_label=course.code,
        after={"course": course.pk, "cycle": enrollment.cycle, "best_score": enrollment.best_score},
    )
    member = Member.objects.select_related("user", "partner").get(pk=enrollment.member_id)
    if member.partner_id:
        from onboarding.services import step_complete_for_event

        step_complete_for_event(member.partner, StepKind.COMPLETE_COURSE, str(course.pk), by=member)
        step_complete_for_event(member.partner, StepKind.COMPLETE_COURSE, course.code, by=member)
    certifications_check(member=member, course=course)


def enrollment_restart(*, by: Member, enrollment: Enrollment) -> Enrollment:
    """Take a completed course again (to renew a certification): a new round with fresh
    lesson progress and quiz attempts. The last completion stays on record."""
    if by is None or enrollment.member_id != by.pk:
        raise PermissionDenied()
    enrollment = _own_enrollment(by, enrollment.course, lock=True)
    if enrollment.completed_at is None:
        raise DomainError(_("Finish the course before starting it again."))
    old_cycle = enrollment.cycle
    enrollment.cycle += 1
    enrollment.completed_at = enrollment.started_at = None
    enrollment.last_lesson, enrollment.best_score = None, None
    enrollment.save(
        update_fields=["cycle", "completed_at", "started_at", "last_lesson", "best_score"]
    )
    LessonProgress.objects.filter(enrollment=enrollment).delete()
    log_action(
        "training.course_restarted",
        obj=enrollment,
        before={"cycle": old_cycle},
        after={"cycle": enrollment.cycle, "course": enrollment.course_id},
    )
    return enrollment


# --- Quizzes ------------------------------------------------------------------------------


def _gate(course: Course, enrollment: Enrollment, now: datetime.datetime) -> rules.Gate:
    submitted = list(
        QuizAttempt.objects.filter(
            enrollment=enrollment, cycle=enrollment.cycle, submitted_at__isnull=False
        ).values_list("submitted_at", "passed")
    )
    return rules.attempt_gate(
        max_attempts=course.quiz_max_attempts,
        cooldown_hours=course.quiz_cooldown_hours,
        submitted=[(at, bool(p)) for at, p in submitted],
        now=now,
    )


def attempt_start(*, by: Member, course: Course) -> QuizAttempt:
    """Start an attempt at the course's quiz, or return the one already open. Refused when
    the quiz is passed, the attempts of this round are used up, or the cool-down after a
    failed attempt is still running. Questions and options are shuffled per attempt."""
    enrollment = _own_enrollment(by, course, lock=True)
    course = Course.objects.get(pk=course.pk)
    open_attempt = QuizAttempt.objects.filter(
        enrollment=enrollment, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    questions = list(Question.objects.filter(course=course).prefetch_related("options"))
    if not questions:
        raise DomainError(_("This course has no quiz."))
    if enrollment.completed_at is not None:
        raise DomainError(_("You completed this course. Start it again to retake the quiz."))
    now = timezone.now()
    gate = _gate(course, enrollment, now)
    if not gate.allowed:
        message = gate.reason
        if gate.ready_at is not None:
            message = _("You can try again from %(t)s.") % {
                "t": date_format(timezone.localtime(gate.ready_at), "DATETIME_FORMAT")
            }
        raise DomainError(message, code="cooldown" if gate.ready_at else "limit")
    number = (
        QuizAttempt.objects.filter(enrollment=enrollment, cycle=enrollment.cycle).aggregate(
            m=Max("number")
        )["m"]
        or 0
    ) + 1
    layout = rules.shuffled_layout(
        [(q.pk, [o.pk for o in q.options.all()]) for q in questions], secrets.SystemRandom()
    )
    attempt = QuizAttempt.objects.create(
        tenant_id=enrollment.tenant_id,
        enrollment=enrollment,
        course=course,
        member=by,
        cycle=enrollment.cycle,
        number=number,
        layout=layout,
        question_count=len(layout),
        started_at=now,
    )
    if enrollment.started_at is None:
        enrollment.started_at = now
        enrollment.save(update_fields=["started_at"])
    log_action(
        "training.quiz_started",
        obj=attempt,
        object_label=course.code,
        after={"course": course.pk, "number": number, "cycle": enrollment.cycle},
    )
    return attempt


def attempt_submit(
    *, by: Member, attempt: QuizAttempt, answers: dict[int, Sequence[int]]
) -> QuizAttempt:
    """Score an open attempt on the server. `answers` maps question ids of the attempt to
    the chosen option ids; a question left out counts as wrong. Passing (score >= the pass
    mark) may complete the course."""
    if by is None or attempt.member_id != by.pk:
        raise PermissionDenied()
    attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None:
        raise DomainError(_("This attempt was already submitted."))
    shown = {item["q"]: set(item["o"]) for item in attempt.layout}
    chosen: dict[int, set[int]] = {}
    for qid, option_ids in (answers or {}).items():
        try:
            qid = int(qid)
            picked = {int(o) for o in option_ids}
        except (TypeError, ValueError):
            raise DomainError(_("Answers must be ids."), field="answers")
        if qid not in shown:
            raise DomainError(
                _("Question %(q)s is not part of this attempt.") % {"q": qid}, field="answers"
            )
        if not picked <= shown[qid]:
            raise DomainError(
                _("An answer to question %(q)s is not one of its options.") % {"q": qid},
                field="answers",
            )
        chosen[qid] = picked
    kinds = dict(Question.objects.filter(pk__in=shown).values_list("pk", "kind"))
    for qid, picked in chosen.items():
        if kinds.get(qid) == QuestionKind.SINGLE and len(picked) > 1:
            raise DomainError(_("Question %(q)s takes one answer.") % {"q": qid}, field="answers")
    correct: dict[int, set[int]] = {qid: set() for qid in kinds}
    for qid, oid in Option.objects.filter(question_id__in=kinds, is_correct=True).values_list(
        "question_id", "pk"
    ):
        correct[qid].add(oid)
    result = rules.score(attempt.layout, chosen, correct)
    course = Course.objects.get(pk=attempt.course_id)
    now = timezone.now()
    attempt.answers = {str(q): sorted(o) for q, o in chosen.items()}
    attempt.submitted_at = now
    attempt.score, attempt.correct_count = result.percent, result.correct
    attempt.question_count = result.total
    attempt.passed = result.total > 0 and result.percent >= course.quiz_pass_mark
    attempt.save(
        update_fields=[
            "answers",
            "submitted_at",
            "score",
            "correct_count",
            "question_count",
            "passed",
        ]
    )
    enrollment = Enrollment.objects.select_for_update().get(pk=attempt.enrollment_id)
    if enrollment.best_score is None or result.percent > enrollment.best_score:
        enrollment.best_score = result.percent
        enrollment.save(update_fields=["best_score"])
    log_action(
        "training.quiz_submitted",
        obj=attempt,
        object_label=course.code,
        after={
            "course": course.pk,
            "number": attempt.number,
            "score": result.percent,
            "passed": attempt.passed,
            "pass_mark": course.quiz_pass_mark,
        },
    )
    if attempt.passed and attempt.cycle == enrollment.cycle:
        _maybe_complete(enrollment)
    return attempt


# --- Certificates -------------------------------------------------------------------------


def certifications_check(
    *,
    member: Member,
    course: Course | None = None,
    certifications: Sequence[Certification] | None = None,
) -> list[Certificate]:
    """Issue or renew the member's certifications whose courses are all completed in their
    current round (`course`: only those it belongs to). A renewal needs every course
    completed again after the last issue. Refreshes the partner's certified people."""
    certs = Certification.objects.filter(is_active=True)
    if course is not None:
        certs = certs.filter(certification_courses__course=course)
    if certifications is not None:
        certs = certs.filter(pk__in=[c.pk for c in certifications])
    certs = list(certs.distinct().prefetch_related("certification_courses"))
    if not certs:
        return []
    needed = {c.pk: [cc.course_id for cc in c.certification_courses.all()] for c in certs}
    all_courses = {cid for ids in needed.values() for cid in ids}
    done = dict(
        Enrollment.objects.filter(
            member=member, course_id__in=all_courses, completed_at__isnull=False
        ).values_list("course_id", "completed_at")
    )
    held = {
        c.certification_id: c
        for c in Certificate.objects.select_for_update().filter(
            member=member, certification__in=certs
        )
    }
    issued = []
    now = timezone.now()
    for cert in certs:
        course_ids = needed[cert.pk]
        if not course_ids or any(cid not in done for cid in course_ids):
            continue
        current = held.get(cert.pk)
        if current is not None and any(done[cid] <= current.issued_at for cid in course_ids):
            continue  # already issued for these completions
        issued.append(_issue(cert, member, current, now))
    if issued and member.partner_id:
        metrics_refresh_certified(tenant=member.tenant, partner_ids=[member.partner_id])
    return issued


def _issue(
    cert: Certification, member: Member, current: Certificate | None, now: datetime.datetime
) -> Certificate:
    expires = rules.add_months(now, cert.validity_months)
    holder = (member.user.full_name or member.user.email)[:200]
    if current is None:
        certificate = Certificate(
            tenant_id=member.tenant_id,
            certification=cert,
            member=member,
            holder_name=holder,
            first_issued_at=now,
            issued_at=now,
            expires_at=expires,
        )
        for _try in range(3):  # a verification code collision is astronomically unlikely
            try:
                with transaction.atomic():
                    certificate.save()
                break
            except IntegrityError:
                if Certificate.objects.filter(member=member, certification=cert).exists():
                    raise DomainError(_("This certificate was just issued."))
                from training.models import new_verification_code

                certificate.code = new_verification_code()
        action, before = "training.certificate_issued", None
    else:
        certificate = current
        before = snapshot(certificate, ["status", "issued_at", "expires_at"])
        certificate.status = CertificateStatus.ACTIVE
        certificate.issued_at, certificate.expires_at = now, expires
        certificate.holder_name = holder
        certificate.renewals += 1
        certificate.save(
            update_fields=["status", "issued_at", "expires_at", "holder_name", "renewals"]
        )
        action = "training.certificate_renewed"
    log_action(
        action,
        obj=certificate,
        before=before,
        after={
            "certification": cert.pk,
            "member": member.pk,
            "issued_at": now,
            "expires_at": expires,
        },
    )
    events.emit(
        "certification.earned",
        certificate,
        partner_id=member.partner_id,
        renewed=current is not None,
    )
    _mail_after_commit(
        subject=lazy_format(gettext_lazy("You are certified: %(c)s"), c=cert.name),
        template="training/emails/certificate_issued.txt",
        context={
            "tenant": member.tenant,
            "certificate": certificate,
            "certification": cert,
            "renewed": current is not None,
            "url": tenant_url(member.tenant, "/learning/certificates/"),
        },
        to=[member.user.email],
    )
    return certificate


def metrics_refresh_certified(*, tenant, partner_ids: list[int] | None = None, now=None) -> None:
    """Recompute PartnerMetrics.certified_people (active people holding at least one valid
    certificate) for the given partners (or all) with one set-based UPSERT."""
    now = now or timezone.now()
    partners = Partner._meta.db_table
    members = Member._meta.db_table
    certificates = Certificate._meta.db_table
    metrics = PartnerMetrics._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {metrics} (tenant_id, partner_id, won_revenue_12m, won_deals_12m,
                certified_people, health_score, updated_at)
            SELECT p.tenant_id, p.id, 0, 0, COUNT(DISTINCT c.member_id), NULL, %(now)s
            FROM {partners} p
            LEFT JOIN {members} m ON m.partner_id = p.id AND m.tenant_id = p.tenant_id
                 AND m.is_active
            LEFT JOIN {certificates} c ON c.member_id = m.id AND c.tenant_id = m.tenant_id
                 AND c.status = %(active)s AND c.expires_at > %(now)s
            WHERE p.tenant_id = %(tenant)s AND (%(all)s OR p.id = ANY(%(ids)s))
            GROUP BY p.tenant_id, p.id
            ON CONFLICT (tenant_id, partner_id) DO UPDATE
               SET certified_people = EXCLUDED.certified_people, updated_at = EXCLUDED.updated_at
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            {
                "tenant": tenant.pk,
                "now": now,
                "active": CertificateStatus.ACTIVE,
                "ids": partner_ids or [],
                "all": not partner_ids,
            },
        )


def _notify(tenant, certificate: Certificate, kind: str, now: datetime.datetime) -> bool:
    """Send one expiry notice, once: the notice row (unique per certificate, kind and expiry
    date) is written in the same transaction that queues the e-mail."""
    member = certificate.member
    to = [member.user.email] if member.is_active else []
    try:
        with transaction.atomic():
            _notice, created = CertificateNotice.objects.get_or_create(
                tenant_id=certificate.tenant_id,
                certificate=certificate,
                kind=kind,
                expires_at=certificate.expires_at,
                defaults={"sent_at": now, "recipients": to},
            )
    except IntegrityError:
        return False
    if not created:
        return False
    context = {
        "tenant": tenant,
        "certificate": certificate,
        "certification": certificate.certification,
        "days": max(0, (certificate.expires_at - now).days),
        "url": tenant_url(tenant, "/learning/"),
    }
    if kind == NoticeKind.EXPIRED:
        subject = gettext_lazy("Your certification has expired: %(c)s")
        template = "training/emails/certificate_expired.txt"
    else:
        subject = gettext_lazy("Your certification expires soon: %(c)s")
        template = "training/emails/certificate_reminder.txt"
    _mail_after_commit(
        subject=lazy_format(subject, c=certificate.certification.name),
        template=template,
        context=context,
        to=to,
    )
    log_action(
        "training.certificate_notice_sent",
        obj=certificate,
        after={"kind": kind, "expires_at": certificate.expires_at, "to": to},
    )
    return True


def certificates_sweep(*, tenant, now: datetime.datetime | None = None) -> dict:
    """The daily sweep of one tenant: expire certificates whose time is up (status and an
    e-mail), remind holders 30 and 7 days ahead, and recompute certified people for the
    partners whose people lost a certificate. Idempotent: expired rows are no longer
    active, and each notice is recorded."""
    now = now or timezone.now()
    due = list(
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=CertificateStatus.ACTIVE, expires_at__lte=now)
        .select_related("certification", "member__user")
        .order_by("pk")
    )
    for certificate in due:
        certificate.status = CertificateStatus.EXPIRED
        certificate.save(update_fields=["status"])
        log_action(
            "training.certificate_expired",
            obj=certificate,
            before={"status": CertificateStatus.ACTIVE},
            after={"status": CertificateStatus.EXPIRED, "expires_at": certificate.expires_at},
        )
        events.emit("certification.expired", certificate, partner_id=certificate.member.partner_id)
        _notify(tenant, certificate, NoticeKind.EXPIRED, now)
    horizon = now + datetime.timedelta(days=max(rules.REMINDER_DAYS))
    soon = list(
        Certificate.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=CertificateStatus.ACTIVE, expires_at__gt=now, expires_at__lte=horizon)
        .select_related("certification", "member__user")
        .order_by("pk")
    )
    sent = set(
        CertificateNotice.objects.filter(certificate__in=[c.pk for c in soon]).values_list(
            "certificate_id", "kind", "expires_at"
        )
    )
    reminded = 0
    for certificate in soon:
        kind = rules.reminder_kind(certificate.expires_at, now)
        if kind is None or (certificate.pk, kind, certificate.expires_at) in sent:
            continue
        if _notify(tenant, certificate, kind, now):
            reminded += 1
    partner_ids = sorted({c.member.partner_id for c in due if c.member.partner_id})
    if partner_ids:
        metrics_refresh_certified(tenant=tenant, partner_ids=partner_ids, now=now)
    return {"expired": len(due), "reminded": reminded}


# --- Hooks from the partners and prm apps -------------------------------------------------


def on_partner_status_change(partner: Partner, old: str, new: str) -> None:
    """partners.services.STATUS_CHANGE_HOOKS: an active partner's people are enrolled in
    their learning paths; an offboarded partner's people no longer count as certified."""
    if new == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])
    elif new == PartnerStatus.OFFBOARDED:
        if Certificate.objects.filter(member__partner=partner).exists():
            metrics_refresh_certified(tenant=partner.tenant, partner_ids=[partner.pk])


def on_partner_saved(partner: Partner, update_fields) -> None:
    """A changed partner type brings the learning paths of the new type."""
    if update_fields is None or "partner_type" not in update_fields:
        return
    if partner.status == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])


def on_member_saved(member: Member, *, created: bool, update_fields) -> None:
    """Somebody joining (or re-joining) an active partner is enrolled in the paths that
    match them; a deactivated or moved person stops counting as certified."""
    if not created:
        changed = set(update_fields or ())
        if update_fields is not None and not changed & {"is_active", "role", "partner"}:
            return
        if member.partner_id and Certificate.objects.filter(member=member).exists():
            metrics_refresh_certified(tenant=member.tenant, partner_ids=[member.partner_id])
    if member.partner_id and member.is_active and member.role in PARTNER_ROLES:
        enrol_matching(tenant=member.tenant, members=[member])
