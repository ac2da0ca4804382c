"""Training and certification: courses of ordered lessons with an optional quiz, learning
paths by training role and partner type, enrolments with per-lesson progress, quiz attempts
scored on the server, certifications earned by passing a set of courses, and the
certificates members hold (with a verification code and an expiry).

The tables keep the names they had when training lived inside onboarding (`onboarding_course`
and so on): the models moved to this app by state-only migrations, and `db_table` pins the
names, which row-level security, grants and raw SQL all derive from `_meta.db_table`.
"""

from __future__ import annotations

import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerType
from prm.tenancy import TenantModel

__all__ = [
    "Certificate",
    "CertificateNotice",
    "CertificateStatus",
    "Certification",
    "CertificationCourse",
    "Course",
    "CourseStatus",
    "Enrollment",
    "EnrollmentSource",
    "LearningPath",
    "Lesson",
    "LessonProgress",
    "NoticeKind",
    "Option",
    "PathCourse",
    "Question",
    "QuestionKind",
    "QuizAttempt",
    "TrainingProfile",
    "TrainingRole",
]


class TrainingRole(models.TextChoices):
    SALES = "sales", _("Sales")
    TECHNICAL = "technical", _("Technical")
    SUPPORT = "support", _("Support")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# The moves: training.states.COURSE.


class Course(TenantModel):
    """A course: ordered lessons and, when it has questions, a quiz to pass. The quiz rules
    live on the course (one quiz per course)."""

    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("A short reference such as SALES-101; onboarding steps can name it."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time (minutes)"), default=30, validators=[MaxValueValidator(6000)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    quiz_pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    quiz_max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=3,
        validators=[MaxValueValidator(100)],
        help_text=_("Per round of the course; 0 allows any number."),
    )
    quiz_cooldown_hours = models.PositiveSmallIntegerField(
        _("wait after a failed attempt (hours)"), default=24, validators=[MaxValueValidator(720)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "onboarding_course"
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="course_unique_code"),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="course_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED


def lesson_file_path(instance: Lesson, filename: str) -> str:
    # A random name: nothing of the uploader's choosing reaches the file system.
    return f"training/{instance.tenant_id}/lessons/{uuid.uuid4().hex}.bin"


class Lesson(TenantModel):
    """One page of a course: Markdown text, an optional video link and an optional file.
    Progress is keyed to the lesson's id, so editing or reordering keeps learners' progress."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=100_000)
    body_html = models.TextField(blank=True)  # rendered and sanitised when saved
    video_url = models.URLField(
        _("video link"),
        blank=True,
        max_length=500,
        help_text=_("https link on YouTube or Vimeo."),
    )
    file = models.FileField(upload_to=lesson_file_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    file_content_type = models.CharField(max_length=80, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "onboarding_lesson"
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["tenant", "course", "order"], name="lesson_course_idx")]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One correct answer")
    MULTIPLE = "multiple", _("Several correct answers")


class Question(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("question"), max_length=2000)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )

    class Meta:
        db_table = "onboarding_question"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Option(TenantModel):
    """An answer option. `is_correct` never leaves the server for learners."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        db_table = "onboarding_option"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class LearningPath(TenantModel):
    """Courses for people of a training role at partners of a type (blank: any). Matching
    people of active partners are enrolled automatically."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    training_role = models.CharField(
        _("training role"),
        max_length=12,
        choices=TrainingRole.choices,
        blank=True,
        help_text=_("Leave empty for everybody."),
    )
    partner_type = models.CharField(
        _("partner type"),
        max_length=32,
        choices=PartnerType.choices,
        blank=True,
        help_text=_("Leave empty for every partner type."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    courses = models.ManyToManyField(Course, through="PathCourse", related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "onboarding_learningpath"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="learningpath_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PathCourse(TenantModel):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="path_courses")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "onboarding_pathcourse"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "path", "course"], name="pathcourse_unique")
        ]


class TrainingProfile(TenantModel):
    """A member's training role (sales, technical, support): which learning paths apply."""

    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    training_role = models.CharField(
        _("training role"), max_length=12, choices=TrainingRole.choices, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "onboarding_trainingprofile"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "member"], name="trainingprofile_unique")
        ]


class EnrollmentSource(models.TextChoices):
    PATH = "path", _("Learning path")
    MANUAL = "manual", _("Enrolled by an admin")
    SELF = "self", _("Self-enrolled")


class EnrollmentState(models.TextChoices):
    """Derived, not stored: see Enrollment.state."""

    ENROLLED = "enrolled", _("Enrolled")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("No longer offered")


class Enrollment(TenantModel):
    """A member taking a course. `cycle` counts rounds: re-taking a completed course (to
    renew a certification) starts the next round with fresh lesson progress and attempts;
    `last_completed_at` keeps the most recent completion across rounds."""

    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    source = models.CharField(max_length=10, choices=EnrollmentSource.choices)
    path = models.ForeignKey(
        LearningPath, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrolled_by = models.ForeignKey(
        "prm.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    cycle = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    last_completed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "onboarding_enrollment"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "course"], name="enrollment_once_per_course"
            )
        ]
        indexes = [models.Index(fields=["tenant", "course"], name="enrollment_course_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.course_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def state(self) -> str:
        """The enrolment's state, derived here and nowhere else (training.states.ENROLLMENT
        reads it; an enrolment has no status column, its dates are the one source):
        "closed" while its course is not published (nothing more can be done in it),
        else "completed" (this round's requirements met), "in_progress" (a lesson done) or
        "enrolled" (not started). Reads `course`: load it with select_related."""
        if self.course.status != CourseStatus.PUBLISHED:
            return EnrollmentState.CLOSED
        if self.completed_at is not None:
            return EnrollmentState.COMPLETED
        if self.started_at is not None:
            return EnrollmentState.IN_PROGRESS
        return EnrollmentState.ENROLLED


class LessonProgress(TenantModel):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "onboarding_lessonprogress"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "enrollment", "lesson"], name="lessonprogress_unique"
            )
        ]


class QuizAttempt(TenantModel):
    """One try at a course's quiz. `layout` is the shuffled order of questions and options
    this attempt showed; `answers` what was chosen. Scored on the server at submission."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveSmallIntegerField(default=1)
    number = models.PositiveSmallIntegerField(default=1)
    layout = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        db_table = "onboarding_quizattempt"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "enrollment", "cycle", "number"], name="quizattempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["tenant", "enrollment"],
                condition=models.Q(submitted_at__isnull=True),
                name="quizattempt_one_open",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "course"], name="quizattempt_course_idx")]

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Certification(TenantModel):
    """Earned by completing every course in `courses`; valid for `validity_months`."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    courses = models.ManyToManyField(Course, through="CertificationCourse", related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "onboarding_certification"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="certification_unique_code"),
            models.UniqueConstraint(fields=["tenant", "name"], name="certification_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CertificationCourse(TenantModel):
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="certification_courses"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "onboarding_certificationcourse"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "certification", "course"], name="certificationcourse_unique"
            )
        ]


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    EXPIRED = "expired", _("Expired")


def new_verification_code() -> str:
    """20 characters of an unambiguous alphabet (about 100 bits): not guessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


class Certificate(TenantModel):
    """A member's certification: issued, renewed by re-taking its courses, expiring. One per
    member and certification; the verification code stays the same across renewals, so a
    printed certificate always verifies against its current validity."""

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="certificates"
    )
    member = models.ForeignKey("prm.Member", on_delete=models.CASCADE, related_name="+")
    holder_name = models.CharField(max_length=200)
    code = models.CharField(max_length=32, default=new_verification_code)
    status = models.CharField(
        max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    first_issued_at = models.DateTimeField(default=timezone.now)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    renewals = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "onboarding_certificate"
        ordering = ["expires_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "member", "certification"], name="certificate_once_per_member"
            ),
            models.UniqueConstraint(fields=["tenant", "code"], name="certificate_unique_code"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "expires_at"], name="certificate_expiry_idx")
        ]

    def __str__(self) -> str:
        return f"{self.certification} — {self.holder_name}"

    def is_valid(self, now=None) -> bool:
        return self.status == CertificateStatus.ACTIVE and self.expires_at > (now or timezone.now())


class NoticeKind(models.TextChoices):
    REMINDER_30 = "reminder_30", _("30 days before expiry")
    REMINDER_7 = "reminder_7", _("7 days before expiry")
    EXPIRED = "expired", _("Expired")


class CertificateNotice(TenantModel):
    """What the expiry sweep sent, once per certificate, kind and expiry date: the unique key
    makes the sweep idempotent, and a renewal (a new expiry date) starts afresh."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        db_table = "onboarding_certificatenotice"
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "certificate", "kind", "expires_at"],
                name="certificatenotice_once",
            )
        ]
