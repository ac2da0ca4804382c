"""Serializers and filters of the training API (training/api.py): what courses, enrolments,
quiz attempts, certificates, lessons, questions, learning paths and training roles look like
in the API, and the input each write accepts."""

from __future__ import annotations

import django_filters
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import PartnerType
from prm.api.fields import NamedEnumField, TenantPrimaryKeyField
from prm.models import Member
from training import selectors
from training.forms import MAX_OPTIONS
from training.models import (
    Certificate,
    CertificateStatus,
    Certification,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    LearningPath,
    Lesson,
    Option,
    Question,
    QuestionKind,
    QuizAttempt,
    TrainingRole,
)

# --- Shared pieces ------------------------------------------------------------------------


class TrainingEnumField(NamedEnumField):
    prefix = "Training"


# --- Courses ------------------------------------------------------------------------------


class TrainingLessonSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "order", "title", "body_html", "video_url", "file_name", "file_url"]
        read_only_fields = fields

    def get_file_url(self, obj) -> str | None:
        return reverse("training-lesson-file", args=[obj.pk]) if obj.file else None


class TrainingCourseSerializer(serializers.ModelSerializer):
    status = TrainingEnumField(CourseStatus, read_only=True)
    lesson_count = serializers.IntegerField(read_only=True)
    question_count = serializers.IntegerField(read_only=True, help_text="Questions in its quiz.")

    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "title",
            "summary",
            "estimated_minutes",
            "status",
            "quiz_pass_mark",
            "quiz_max_attempts",
            "quiz_cooldown_hours",
            "lesson_count",
            "question_count",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields


class TrainingCourseDetailSerializer(TrainingCourseSerializer):
    lessons = TrainingLessonSerializer(many=True, read_only=True)

    class Meta(TrainingCourseSerializer.Meta):
        fields = [*TrainingCourseSerializer.Meta.fields, "lessons"]
        read_only_fields = fields


class TrainingCourseWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    estimated_minutes = serializers.IntegerField(min_value=0, max_value=6000, required=False)
    quiz_pass_mark = serializers.IntegerField(min_value=1, max_value=100, required=False)
    quiz_max_attempts = serializers.IntegerField(min_value=0, max_value=100, required=False)
    quiz_cooldown_hours = serializers.IntegerField(min_value=0, max_value=720, required=False)
    status = TrainingEnumField(
        CourseStatus, required=False, help_text="Publish, unpublish (draft) or archive."
    )


class TrainingCourseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CourseStatus.choices)


# --- Enrolments and progress --------------------------------------------------------------


class TrainingEnrollmentSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    member_email = serializers.EmailField(source="member.user.email", read_only=True)
    source = TrainingEnumField(EnrollmentSource, read_only=True)
    lessons_total = serializers.IntegerField(source="lesson_count", read_only=True)
    lessons_done = serializers.IntegerField(source="done_count", read_only=True)
    resume_lesson = serializers.IntegerField(
        source="last_lesson_id", read_only=True, allow_null=True, help_text="Last lesson done."
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "member",
            "member_email",
            "course",
            "course_code",
            "course_title",
            "source",
            "path",
            "enrolled_at",
            "cycle",
            "started_at",
            "completed_at",
            "last_completed_at",
            "best_score",
            "lessons_total",
            "lessons_done",
            "resume_lesson",
        ]
        read_only_fields = fields


class TrainingEnrollmentCreateSerializer(serializers.Serializer):
    member = TenantPrimaryKeyField(Member, help_text="The partner person to enrol.")
    course = TenantPrimaryKeyField(Course)


class TrainingEnrollmentFilter(django_filters.FilterSet):
    course = django_filters.NumberFilter(field_name="course_id")
    member = django_filters.NumberFilter(field_name="member_id")
    completed = django_filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", exclude=True
    )


class TrainingProgressSerializer(serializers.Serializer):
    lesson = TenantPrimaryKeyField(Lesson, help_text="The lesson you finished.")


# --- Quiz attempts ------------------------------------------------------------------------


class QuizOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuizQuestionSerializer(serializers.Serializer):
    """A question as the learner sees it: never which options are correct."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = TrainingEnumField(QuestionKind)
    options = QuizOptionSerializer(many=True)


class QuizAttemptSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    questions = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "course",
            "course_code",
            "member",
            "cycle",
            "number",
            "started_at",
            "submitted_at",
            "score",
            "correct_count",
            "question_count",
            "passed",
            "questions",
        ]
        read_only_fields = fields

    @extend_schema_field(QuizQuestionSerializer(many=True))
    def get_questions(self, obj) -> list[dict]:
        """The open attempt's questions, in its shuffled order; empty once submitted."""
        if not obj.is_open:
            return []
        return QuizQuestionSerializer(selectors.attempt_questions(obj), many=True).data


class QuizAttemptStartSerializer(serializers.Serializer):
    course = TenantPrimaryKeyField(Course)


class QuizAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    options = serializers.ListField(
        child=serializers.IntegerField(), max_length=50, help_text="Chosen option ids."
    )


class QuizSubmitSerializer(serializers.Serializer):
    answers = QuizAnswerSerializer(many=True, max_length=500)

    def validate_answers(self, value):
        seen = set()
        for item in value:
            if item["question"] in seen:
                raise serializers.ValidationError(_("A question is answered twice."))
            seen.add(item["question"])
        return value


# --- Certifications and certificates ------------------------------------------------------


class TrainingCertificationSerializer(serializers.ModelSerializer):
    courses = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = ["id", "code", "name", "description", "validity_months", "is_active", "courses"]
        read_only_fields = fields

    def get_courses(self, obj) -> list[int]:
        return sorted(cc.course_id for cc in obj.certification_courses.all())


class TrainingCertificateSerializer(serializers.ModelSerializer):
    certification_name = serializers.CharField(source="certification.name", read_only=True)
    partner = serializers.IntegerField(source="member.partner_id", read_only=True, allow_null=True)
    status = TrainingEnumField(CertificateStatus, read_only=True)
    is_valid = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "certification",
            "certification_name",
            "member",
            "partner",
            "holder_name",
            "code",
            "status",
            "is_valid",
            "first_issued_at",
            "issued_at",
            "expires_at",
            "renewals",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_is_valid(self, obj) -> bool:
        return obj.is_valid()

    def get_pdf_url(self, obj) -> str:
        return reverse("training-certificate-pdf", args=[obj.pk])


class TrainingCertificateVerificationSerializer(serializers.Serializer):
    """What verification reveals: the same as the public /verify/<code> page."""

    holder_name = serializers.CharField()
    certification = serializers.CharField()
    is_valid = serializers.BooleanField()
    expires_at = serializers.DateTimeField()
    tenant = serializers.CharField()


class TrainingCertificateFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CertificateStatus.choices)
    certification = django_filters.NumberFilter(field_name="certification_id")
    partner = django_filters.NumberFilter(field_name="member__partner_id")


# --- Admin: lessons, quiz questions, learning paths, certification definitions ------------
# What the admin pages of the portal do (training-admin-*), through the same services, so
# validation and the audit trail are the same. Questions carry their correct answers, so
# every operation here is for admins only (training.manage).


class OptionalTrainingRoleField(serializers.ChoiceField):
    """A training role, or empty: any role (on a path), not set (on a person)."""

    def __init__(self, **kwargs):
        super().__init__(choices=TrainingRole.choices, allow_blank=True, **kwargs)


class OptionalPartnerTypeField(serializers.ChoiceField):
    """A partner type, or empty: any partner type."""

    def __init__(self, **kwargs):
        super().__init__(choices=PartnerType.choices, allow_blank=True, **kwargs)


class LessonMove(models.TextChoices):
    UP = "up", gettext_lazy("One place up")
    DOWN = "down", gettext_lazy("One place down")


class SelectableCourseField(TenantPrimaryKeyField):
    """A course that is not archived: the ones the portal's course checkboxes offer."""

    def __init__(self, **kwargs):
        super().__init__(Course, **kwargs)

    def get_queryset(self):
        return Course.objects.exclude(status=CourseStatus.ARCHIVED)


def _courses(**kwargs):
    return serializers.ListField(
        child=SelectableCourseField(),
        max_length=100,
        **({"help_text": "Course ids, in order."} | kwargs),
    )


class TrainingLessonAdminSerializer(serializers.ModelSerializer):
    """A lesson as its author sees it: the Markdown source and the file's details."""

    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "course",
            "order",
            "title",
            "body",
            "body_html",
            "video_url",
            "file_name",
            "file_content_type",
            "file_size",
            "file_url",
            "updated_at",
        ]
        read_only_fields = fields

    def get_file_url(self, obj) -> str | None:
        return reverse("training-lesson-file", args=[obj.pk]) if obj.file else None


class TrainingLessonWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        max_length=100_000, required=False, allow_blank=True, help_text="Markdown; no images."
    )
    video_url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="https on YouTube or Vimeo."
    )


class TrainingLessonCreateSerializer(TrainingLessonWriteSerializer):
    course = TenantPrimaryKeyField(Course, help_text="The lesson is added at its end.")


class TrainingLessonMoveSerializer(serializers.Serializer):
    direction = TrainingEnumField(LessonMove)


class TrainingLessonFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, PNG, JPEG, ZIP, docx, pptx, xlsx or MP4 (checked from its bytes); "
        "at most 25 MB. Replaces any file the lesson has."
    )


class TrainingLessonFilter(django_filters.FilterSet):
    course = django_filters.NumberFilter(field_name="course_id")


class TrainingQuestionOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "text", "is_correct"]
        read_only_fields = fields


class TrainingQuestionSerializer(serializers.ModelSerializer):
    """A quiz question with its answers and which of them are correct (admins only)."""

    kind = TrainingEnumField(QuestionKind, read_only=True)
    options = TrainingQuestionOptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "course", "order", "text", "kind", "options"]
        read_only_fields = fields


class TrainingQuestionOptionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500, allow_blank=True)
    is_correct = serializers.BooleanField(required=False, default=False)


class TrainingQuestionWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    kind = TrainingEnumField(QuestionKind)
    options = TrainingQuestionOptionInputSerializer(
        many=True,
        max_length=MAX_OPTIONS,
        help_text="The answers (replaced as a whole): at least two; a single-choice question "
        "has exactly one correct, a multiple-choice one at least one.",
    )


class TrainingQuestionCreateSerializer(TrainingQuestionWriteSerializer):
    course = TenantPrimaryKeyField(Course, help_text="The question is added at its end.")


class TrainingQuestionFilter(django_filters.FilterSet):
    course = django_filters.NumberFilter(field_name="course_id")


class TrainingLearningPathSerializer(serializers.ModelSerializer):
    training_role = OptionalTrainingRoleField(read_only=True)
    partner_type = OptionalPartnerTypeField(read_only=True)
    courses = serializers.SerializerMethodField()
    enrolled = serializers.IntegerField(read_only=True, help_text="Enrolments this path made.")

    class Meta:
        model = LearningPath
        fields = [
            "id",
            "name",
            "description",
            "training_role",
            "partner_type",
            "is_active",
            "courses",
            "enrolled",
            "created_at",
        ]
        read_only_fields = fields

    def get_courses(self, obj) -> list[int]:
        """Course ids, in the path's order."""
        return [pc.course_id for pc in obj.path_courses.all()]


class TrainingLearningPathWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    training_role = OptionalTrainingRoleField(required=False)
    partner_type = OptionalPartnerTypeField(required=False)
    is_active = serializers.BooleanField(required=False)
    courses = _courses(required=False)


class TrainingCertificationWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    validity_months = serializers.IntegerField(min_value=1, max_value=120, required=False)
    is_active = serializers.BooleanField(required=False)
    courses = _courses(help_text="Course ids: passing all of them earns the certification.")


def merged_for_save(current: dict, data: dict, partial: bool) -> dict:
    """PATCH keeps what is not sent; PUT (and POST) leave it to the service's defaults."""
    return {**current, **data} if partial else data


# --- Training roles of partner people -----------------------------------------------------


class TrainingRoleSerializer(serializers.ModelSerializer):
    """A partner person and their training role; `id` is the member's id."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    training_role = OptionalTrainingRoleField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "email", "full_name", "role", "partner", "partner_name", "training_role"]
        read_only_fields = fields


class TrainingRoleWriteSerializer(serializers.Serializer):
    training_role = OptionalTrainingRoleField(
        help_text="The person's training role (empty: not set). Learning paths for the new "
        "role enrol them at once; enrolments of the old role stay."
    )


class TrainingRoleFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
