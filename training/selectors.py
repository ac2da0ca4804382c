"""Reads for training and certification. Lists are QuerySets with set-based annotations, so
pages and endpoints make a constant number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from partners.models import Partner, PartnerStatus
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from training import rules
from training.models import (
    Certificate,
    CertificateStatus,
    Certification,
    CertificationCourse,
    Course,
    CourseStatus,
    Enrollment,
    LearningPath,
    Lesson,
    LessonProgress,
    Option,
    Question,
    QuizAttempt,
    TrainingProfile,
)

EXPIRING_DAYS = 30


def _count(qs: QuerySet, group: str) -> Subquery:
    """COUNT(*) of `qs` per OuterRef row, as an integer subquery (0 when none)."""
    return Coalesce(
        Subquery(
            qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def is_staff(member: Member) -> bool:
    return member.role in STAFF_ROLES


# --- Courses ------------------------------------------------------------------------------


def courses_visible_to(member: Member) -> QuerySet[Course]:
    """Staff see every course; partner people the published ones."""
    qs = Course.objects.all()
    if member.role in PARTNER_ROLES:
        qs = qs.filter(status=CourseStatus.PUBLISHED)
    return qs.annotate(
        lesson_count=_count(Lesson.objects.filter(course=OuterRef("pk")), "course"),
        question_count=_count(Question.objects.filter(course=OuterRef("pk")), "course"),
    )


def course_lessons(course: Course) -> list[Lesson]:
    return list(Lesson.objects.filter(course=course).order_by("order", "id"))


def lesson_visible_to(member: Member, pk: int) -> Lesson | None:
    """A lesson whose file the member may download: staff any, partner people those of
    published courses."""
    qs = Lesson.objects.select_related("course").filter(pk=pk)
    if member.role in PARTNER_ROLES:
        qs = qs.filter(course__status=CourseStatus.PUBLISHED)
    return qs.first()


def course_stats() -> QuerySet[Course]:
    """Per course: enrolled, completed (ever), learners who attempted and who passed the
    quiz, and the average score of submitted attempts. Subqueries, one query in all."""
    attempts = QuizAttempt.objects.filter(course=OuterRef("pk"), submitted_at__isnull=False)

    def per_course(qs, expr, output=None):
        return Subquery(
            qs.order_by().values("course").annotate(v=expr).values("v")[:1],
            output_field=output or IntegerField(),
        )

    return Course.objects.annotate(
        enrolled=_count(Enrollment.objects.filter(course=OuterRef("pk")), "course"),
        completed=_count(
            Enrollment.objects.filter(course=OuterRef("pk"), last_completed_at__isnull=False),
            "course",
        ),
        takers=Coalesce(per_course(attempts, Count("enrollment", distinct=True)), Value(0)),
        passers=Coalesce(
            per_course(attempts.filter(passed=True), Count("enrollment", distinct=True)),
            Value(0),
        ),
        avg_score=per_course(attempts, Avg("score"), FloatField()),
        lesson_count=_count(Lesson.objects.filter(course=OuterRef("pk")), "course"),
        question_count=_count(Question.objects.filter(course=OuterRef("pk")), "course"),
    ).order_by("title", "id")


def pass_rate(course) -> int | None:
    """Share of learners who attempted the quiz and passed it, in whole percent."""
    if not getattr(course, "takers", 0):
        return None
    return round(course.passers * 100 / course.takers)


# --- Enrolments and progress --------------------------------------------------------------


def enrollments_visible_to(member: Member) -> QuerySet[Enrollment]:
    """Staff see every enrolment; partner admins their company's; partner users their own."""
    qs = Enrollment.objects.select_related("course", "member__user", "member__partner")
    if member.role in STAFF_ROLES:
        return qs
    if member.role == Role.PARTNER_ADMIN:
        return qs.filter(member__partner_id=member.partner_id)
    return qs.filter(member=member)


def with_progress(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Lessons in the course and lessons done in the current round, as annotations."""
    return qs.annotate(
        lesson_count=_count(Lesson.objects.filter(course=OuterRef("course_id")), "course"),
        done_count=_count(LessonProgress.objects.filter(enrollment=OuterRef("pk")), "enrollment"),
    )


@dataclass
class MyLearning:
    assigned: list[Enrollment] = field(default_factory=list)
    in_progress: list[Enrollment] = field(default_factory=list)
    done: list[Enrollment] = field(default_factory=list)
    catalogue: list[Course] = field(default_factory=list)


def my_learning(member: Member) -> MyLearning:
    """The member's courses: assigned (not started), in progress, done; and the published
    courses they could start."""
    out = MyLearning()
    rows = with_progress(
        Enrollment.objects.filter(member=member).select_related("course", "path")
    ).order_by("enrolled_at", "id")
    enrolled = set()
    for e in rows:
        enrolled.add(e.course_id)
        if e.completed_at is not None:
            out.done.append(e)
        elif e.started_at is not None:
            out.in_progress.append(e)
        else:
            out.assigned.append(e)
    out.catalogue = list(
        Course.objects.filter(status=CourseStatus.PUBLISHED)
        .exclude(pk__in=enrolled)
        .order_by("title")[:100]
    )
    return out


def enrollment_for(member: Member, course: Course) -> Enrollment | None:
    return Enrollment.objects.filter(member=member, course=course).first()


def done_lesson_ids(enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )


def resume_lesson(lessons: list[Lesson], done: set[int]) -> Lesson | None:
    """Where to pick up: the first lesson not done (None when all are)."""
    return next((lesson for lesson in lessons if lesson.pk not in done), None)


def neighbours(lessons: list[Lesson], lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    ids = [x.pk for x in lessons]
    i = ids.index(lesson.pk)
    return (lessons[i - 1] if i > 0 else None, lessons[i + 1] if i + 1 < len(lessons) else None)


@dataclass
class QuizState:
    has_quiz: bool
    question_count: int = 0
    gate: rules.Gate | None = None
    open_attempt: QuizAttempt | None = None
    attempts: list[QuizAttempt] = field(default_factory=list)
    passed: bool = False


def quiz_state(course: Course, enrollment: Enrollment | None, now=None) -> QuizState:
    """What the quiz page shows: attempts of this round, the one open, and the gate."""
    now = now or timezone.now()
    count = Question.objects.filter(course=course).count()
    if not count:
        return QuizState(has_quiz=False)
    if enrollment is None:
        return QuizState(has_quiz=True, question_count=count)
    attempts = list(
        QuizAttempt.objects.filter(enrollment=enrollment, cycle=enrollment.cycle).order_by("number")
    )
    submitted = [(a.submitted_at, bool(a.passed)) for a in attempts if a.submitted_at]
    return QuizState(
        has_quiz=True,
        question_count=count,
        gate=rules.attempt_gate(
            max_attempts=course.quiz_max_attempts,
            cooldown_hours=course.quiz_cooldown_hours,
            submitted=submitted,
            now=now,
        ),
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
        attempts=attempts,
        passed=any(a.passed for a in attempts),
    )


def attempts_visible_to(member: Member) -> QuerySet[QuizAttempt]:
    """Staff see every attempt; partner people their own."""
    qs = QuizAttempt.objects.select_related("course")
    if member.role in STAFF_ROLES:
        return qs
    return qs.filter(member=member)


def attempt_questions(attempt: QuizAttempt) -> list[dict]:
    """The attempt's questions and options in its shuffled order, WITHOUT any indication of
    which options are correct: this is what the browser receives."""
    qids = [item["q"] for item in attempt.layout]
    questions = {q.pk: q for q in Question.objects.filter(pk__in=qids)}
    options = {
        o.pk: o for o in Option.objects.filter(question_id__in=qids).only("pk", "text", "question")
    }
    out = []
    for item in attempt.layout:
        q = questions.get(item["q"])
        if q is None:
            continue
        out.append(
            {
                "id": q.pk,
                "text": q.text,
                "kind": q.kind,
                "options": [
                    {"id": oid, "text": options[oid].text}
                    for oid in item["o"]
                    if oid in options and options[oid].question_id == q.pk
                ],
            }
        )
    return out


# --- Certifications and certificates ------------------------------------------------------


def certifications() -> QuerySet[Certification]:
    return Certification.objects.prefetch_related("certification_courses__course").order_by("name")


def certificates_visible_to(member: Member) -> QuerySet[Certificate]:
    """Staff see every certificate; partner admins their company's people's; partner users
    their own."""
    qs = Certificate.objects.select_related("certification", "member__user", "member__partner")
    if member.role in STAFF_ROLES:
        return qs
    if member.role == Role.PARTNER_ADMIN:
        return qs.filter(member__partner_id=member.partner_id)
    return qs.filter(member=member)


def certificates_with_course(member: Member, course: Course) -> QuerySet[Certificate]:
    """The member's own certificates of the certifications `course` counts towards (what a
    passed quiz may just have issued)."""
    return Certificate.objects.select_related("certification").filter(
        member=member,
        certification__in=CertificationCourse.objects.filter(course=course).values("certification"),
    )


def certificate_by_code(code: str) -> Certificate | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        return None
    return Certificate.objects.select_related("certification").filter(code=code).first()


# --- Readiness (channel managers) ---------------------------------------------------------

READINESS_STATUSES = (PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)


def readiness(now: datetime.datetime | None = None) -> QuerySet[Partner]:
    """Per partner: active people, people holding a valid certificate, valid certificates
    and those expiring within 30 days, courses completed. Subqueries: one query."""
    now = now or timezone.now()
    soon = now + datetime.timedelta(days=EXPIRING_DAYS)
    valid = Certificate.objects.filter(
        member__partner_id=OuterRef("pk"),
        member__is_active=True,
        status=CertificateStatus.ACTIVE,
        expires_at__gt=now,
    )

    def per_partner(qs, expr):
        return Coalesce(
            Subquery(
                qs.order_by().values("member__partner_id").annotate(v=expr).values("v")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )

    return (
        Partner.objects.filter(status__in=READINESS_STATUSES)
        .select_related("owner__user", "tier")
        .annotate(
            people=_count(
                Member.objects.filter(partner_id=OuterRef("pk"), is_active=True), "partner_id"
            ),
            certified=per_partner(valid, Count("member_id", distinct=True)),
            valid_certificates=per_partner(valid, Count("pk")),
            expiring=per_partner(valid.filter(expires_at__lte=soon), Count("pk")),
            courses_done=per_partner(
                Enrollment.objects.filter(
                    member__partner_id=OuterRef("pk"), last_completed_at__isnull=False
                ),
                Count("pk"),
            ),
        )
        .order_by("name")
    )


@dataclass
class Person:
    member: Member
    training_role: str = ""
    certificates: list[Certificate] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)


def partner_people(partner: Partner) -> list[Person]:
    """The partner's active people with their training role, certificates and enrolments
    (four queries whatever the number of people)."""
    members = list(
        Member.objects.filter(partner=partner, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    people = {m.pk: Person(member=m) for m in members}
    for member_id, role in TrainingProfile.objects.filter(member_id__in=people).values_list(
        "member_id", "training_role"
    ):
        people[member_id].training_role = role
    for c in (
        Certificate.objects.filter(member_id__in=people)
        .select_related("certification")
        .order_by("certification__name")
    ):
        people[c.member_id].certificates.append(c)
    for e in with_progress(
        Enrollment.objects.filter(member_id__in=people).select_related("course")
    ).order_by("course__title"):
        people[e.member_id].enrollments.append(e)
    return list(people.values())


def readiness_export_rows(now: datetime.datetime | None = None):
    """Every certificate of a partner person, for the CSV export (one query)."""
    now = now or timezone.now()
    role = Subquery(
        TrainingProfile.objects.filter(member_id=OuterRef("member_id")).values("training_role")[:1]
    )
    return (
        Certificate.objects.filter(member__partner__isnull=False)
        .select_related("certification", "member__user", "member__partner")
        .annotate(training_role=role)
        .order_by("member__partner__name", "member__user__email", "certification__name")
    )


def paths() -> QuerySet[LearningPath]:
    return LearningPath.objects.prefetch_related("path_courses__course").annotate(
        enrolled=_count(Enrollment.objects.filter(path=OuterRef("pk")), "path")
    )


def training_roles_visible_to(member: Member) -> QuerySet[Member]:
    """Partner people whose training role `member` may set, with that role annotated
    (`training_role`, "" when not set): every active partner person for staff, a partner
    admin's own company's people for them, nobody for anyone else. The same people the
    readiness and team pages list."""
    qs = Member.objects.filter(is_active=True, role__in=PARTNER_ROLES, partner__isnull=False)
    if member.role == Role.PARTNER_ADMIN:
        qs = qs.filter(partner_id=member.partner_id)
    elif member.role not in STAFF_ROLES:
        qs = qs.none()
    return qs.select_related("user", "partner").annotate(
        training_role=Coalesce(
            Subquery(
                TrainingProfile.objects.filter(member_id=OuterRef("pk")).values("training_role")[:1]
            ),
            Value(""),
        )
    )
