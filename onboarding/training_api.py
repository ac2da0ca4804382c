"""API for training: courses (everyone reads, admins write), enrolments, lesson progress,
quiz attempts (start: questions without answers; submit: the score) and certifications and
certificates (list, verify). Input serializer -> one service -> output serializer."""

from __future__ import annotations

import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from onboarding import training_selectors as selectors
from onboarding import training_services as services
from onboarding.training_models import (
    Certificate,
    CertificateStatus,
    Certification,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentSource,
    Lesson,
    QuestionKind,
    QuizAttempt,
)
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.fields import NamedEnumField, TenantPrimaryKeyField
from prm.models import Member

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


# --- Views --------------------------------------------------------------------------------


class TrainingCourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Courses: everyone reads (partner people the published ones); admins create and
    change them, and publish, unpublish or archive with `status`."""

    model = Course
    serializer_class = TrainingCourseSerializer
    required_perm = "training.manage"
    required_perms = {
        "list": "training.view",
        "retrieve": "training.view",
        "enrol": "training.learn",
    }
    filterset_class = TrainingCourseFilter
    ordering_fields = ["title", "code", "id"]
    ordering = ("title", "id")
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.courses_visible_to(self.member)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TrainingCourseDetailSerializer
        return TrainingCourseSerializer

    def _save(self, request, course=None, partial=False):
        ser = TrainingCourseWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        to = data.pop("status", None)
        if course is None or data:
            course = services.course_save(by=self.member, course=course, **data)
        if to:
            course = services.course_set_status(by=self.member, course=course, to=to)
        return TrainingCourseDetailSerializer(self.get_queryset().get(pk=course.pk)).data

    @extend_schema(
        request=TrainingCourseWriteSerializer,
        responses={201: TrainingCourseDetailSerializer},
        summary="Create a course (a draft unless status says otherwise)",
    )
    def create(self, request):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    @extend_schema(request=TrainingCourseWriteSerializer, responses=TrainingCourseDetailSerializer)
    def update(self, request, pk=None):
        return Response(self._save(request, self.get_object()))

    @extend_schema(request=TrainingCourseWriteSerializer, responses=TrainingCourseDetailSerializer)
    def partial_update(self, request, pk=None):
        return Response(self._save(request, self.get_object(), partial=True))

    @extend_schema(
        request=None,
        responses={201: TrainingEnrollmentSerializer},
        summary="Enrol yourself in this published course (partner people)",
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        course = self.get_object()
        enrollment = services.enrollment_create(by=self.member, member=self.member, course=course)
        return Response(
            TrainingEnrollmentSerializer(
                selectors.with_progress(
                    Enrollment.objects.select_related("course", "member__user")
                ).get(pk=enrollment.pk)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class TrainingEnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Enrolments with progress: staff see all, partner admins their company's, partner
    users their own. Admins enrol people by hand; learners restart a completed course."""

    model = Enrollment
    serializer_class = TrainingEnrollmentSerializer
    required_perm = "training.view"
    required_perms = {"create": "training.manage", "restart": "training.learn"}
    filterset_class = TrainingEnrollmentFilter
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.with_progress(selectors.enrollments_visible_to(self.member))

    def _out(self, enrollment, code=status.HTTP_200_OK):
        return Response(
            TrainingEnrollmentSerializer(self.get_queryset().get(pk=enrollment.pk)).data,
            status=code,
        )

    @extend_schema(
        request=TrainingEnrollmentCreateSerializer,
        responses={201: TrainingEnrollmentSerializer},
        summary="Enrol a partner person in a published course (admins)",
    )
    def create(self, request):
        ser = TrainingEnrollmentCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        enrollment = services.enrollment_create(by=self.member, **ser.validated_data)
        return self._out(enrollment, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=TrainingEnrollmentSerializer,
        summary="Take a completed course again (renews certifications when passed)",
    )
    @action(detail=True, methods=["post"])
    def restart(self, request, pk=None):
        enrollment = self.get_object()
        if enrollment.member_id != self.member.pk:
            raise NotFound()
        enrollment = services.enrollment_restart(by=self.member, enrollment=enrollment)
        return self._out(enrollment)


class TrainingProgressView(TenantAPIView):
    """Mark a lesson of one of your courses as done (partner people)."""

    required_perm = "training.learn"

    @extend_schema(
        request=TrainingProgressSerializer,
        responses=TrainingEnrollmentSerializer,
        summary="Mark a lesson done; completes the course when everything is done",
    )
    def post(self, request):
        ser = TrainingProgressSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        enrollment = services.lesson_complete(by=self.member, lesson=ser.validated_data["lesson"])
        data = TrainingEnrollmentSerializer(
            selectors.with_progress(selectors.enrollments_visible_to(self.member)).get(
                pk=enrollment.pk
            )
        ).data
        return Response(data)


class QuizAttemptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Quiz attempts. Start one for a course: the answer is its questions in a shuffled
    order, without the answers. Submit the chosen options: the server scores them."""

    model = QuizAttempt
    serializer_class = QuizAttemptSerializer
    required_perm = "training.learn"
    required_perms = {"list": "training.view", "retrieve": "training.view"}
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.attempts_visible_to(self.member)

    @extend_schema(
        request=QuizAttemptStartSerializer,
        responses={201: QuizAttemptSerializer},
        summary="Start (or resume) an attempt at a course's quiz",
    )
    def create(self, request):
        ser = QuizAttemptStartSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        attempt = services.attempt_start(by=self.member, course=ser.validated_data["course"])
        return Response(
            QuizAttemptSerializer(self.get_queryset().get(pk=attempt.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=QuizSubmitSerializer,
        responses=QuizAttemptSerializer,
        summary="Submit your answers; the server scores them",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        attempt = self.get_object()
        if attempt.member_id != self.member.pk:
            raise NotFound()
        ser = QuizSubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        answers = {a["question"]: a["options"] for a in ser.validated_data["answers"]}
        attempt = services.attempt_submit(by=self.member, attempt=attempt, answers=answers)
        return Response(QuizAttemptSerializer(self.get_queryset().get(pk=attempt.pk)).data)


class TrainingCertificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Certifications and the courses that earn them."""

    model = Certification
    serializer_class = TrainingCertificationSerializer
    required_perm = "training.view"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.certifications()


class TrainingCertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Certificates people hold: staff see all, partner admins their company's, partner
    users their own. `verify` checks a verification code."""

    model = Certificate
    serializer_class = TrainingCertificateSerializer
    required_perm = "training.view"
    filterset_class = TrainingCertificateFilter
    ordering_fields = ["expires_at", "issued_at", "id"]
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.certificates_visible_to(self.member)

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True, description="Verification code.")],
        responses=TrainingCertificateVerificationSerializer,
        summary="Verify a certificate by its code (what the public page shows)",
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def verify(self, request):
        certificate = selectors.certificate_by_code(request.query_params.get("code", ""))
        if certificate is None:
            raise NotFound()
        return Response(
            TrainingCertificateVerificationSerializer(
                {
                    "holder_name": certificate.holder_name,
                    "certification": certificate.certification.name,
                    "is_valid": certificate.is_valid(),
                    "expires_at": certificate.expires_at,
                    "tenant": self.tenant.name,
                }
            ).data
        )


router = SimpleRouter(trailing_slash=True)
router.register("courses", TrainingCourseViewSet, basename="api-course")
router.register("enrollments", TrainingEnrollmentViewSet, basename="api-enrollment")
router.register("quiz-attempts", QuizAttemptViewSet, basename="api-quiz-attempt")
router.register("certifications", TrainingCertificationViewSet, basename="api-certification")
router.register("certificates", TrainingCertificateViewSet, basename="api-certificate")

urlpatterns = [
    *router.urls,
    path("training-progress/", TrainingProgressView.as_view(), name="api-training-progress"),
]
