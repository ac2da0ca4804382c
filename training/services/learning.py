"""Enrolment (by learning path, by an admin, training roles) and learning (lessons done,
courses completed, restarting a course)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.models import Partner, PartnerStatus
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format
from prm.models import Member
from prm.notifications import notify_addresses
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from prm.urls_util import tenant_url
from training.models import (
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    LearningPath,
    Lesson,
    LessonProgress,
    PathCourse,
    Question,
    QuizAttempt,
    TrainingProfile,
    TrainingRole,
)
from training.services._base import _require, _require_member
from training.services.certificates import certifications_check
from training.states import ENROLLMENT

# A completed course emits `course.completed`; onboarding subscribes (training never imports
# onboarding).


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
        notify_addresses(
            group="training",
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


def own_enrollment(by: Member, course: Course, *, lock: bool = False) -> Enrollment:
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
    enrollment = own_enrollment(by, lesson.course, lock=True)
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
        enrollment_complete_if_met(enrollment)
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


def enrollment_complete_if_met(enrollment: Enrollment) -> None:
    """Complete the course once its requirements are met: record the time, emit
    `course.completed` (onboarding completes its matching step) and check certifications."""
    if enrollment.completed_at is not None or not _course_requirements_met(enrollment):
        return
    ENROLLMENT.check(enrollment, None, "complete")
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
    events.emit(
        "course.completed",
        {
            "enrollment_id": enrollment.pk,
            "course_id": course.pk,
            "course_code": course.code,
            "member_id": member.pk,
            "partner_id": member.partner_id,
        },
        tenant=enrollment.tenant_id,
    )
    certifications_check(member=member, course=course)


def enrollment_restart(*, by: Member, enrollment: Enrollment) -> Enrollment:
    """Take a completed course again (to renew a certification): a new round with fresh
    lesson progress and quiz attempts. The last completion stays on record."""
    if by is None or enrollment.member_id != by.pk:
        raise PermissionDenied()
    enrollment = own_enrollment(by, enrollment.course, lock=True)
    if enrollment.completed_at is None:
        raise DomainError(_("Finish the course before starting it again."))
    ENROLLMENT.check(enrollment, by, "restart")
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
