"""API for training: courses (everyone reads, admins write), enrolments, lesson progress,
quiz attempts (start: questions without answers; submit: the score), certifications (everyone
reads, admins define) and certificates (list, verify); for admins, lessons with their files,
quiz questions and learning paths; partner people's training roles (staff and partner
admins). Input serializer -> one service -> output serializer (training/serializers.py)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from prm.api.base import TenantAPIView, TenantViewSet
from prm.models import Member
from training import selectors, services
from training.models import (
    Certificate,
    Certification,
    Course,
    Enrollment,
    LearningPath,
    Lesson,
    Option,
    Question,
    QuizAttempt,
)
from training.serializers import (
    QuizAttemptSerializer,
    QuizAttemptStartSerializer,
    QuizSubmitSerializer,
    TrainingCertificateFilter,
    TrainingCertificateSerializer,
    TrainingCertificateVerificationSerializer,
    TrainingCertificationSerializer,
    TrainingCertificationWriteSerializer,
    TrainingCourseDetailSerializer,
    TrainingCourseFilter,
    TrainingCourseSerializer,
    TrainingCourseWriteSerializer,
    TrainingEnrollmentCreateSerializer,
    TrainingEnrollmentFilter,
    TrainingEnrollmentSerializer,
    TrainingLearningPathSerializer,
    TrainingLearningPathWriteSerializer,
    TrainingLessonAdminSerializer,
    TrainingLessonCreateSerializer,
    TrainingLessonFileSerializer,
    TrainingLessonFilter,
    TrainingLessonMoveSerializer,
    TrainingLessonWriteSerializer,
    TrainingProgressSerializer,
    TrainingQuestionCreateSerializer,
    TrainingQuestionFilter,
    TrainingQuestionSerializer,
    TrainingQuestionWriteSerializer,
    TrainingRoleFilter,
    TrainingRoleSerializer,
    TrainingRoleWriteSerializer,
    merged_for_save,
)

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
    """Certifications and the courses that earn them: everyone reads, admins define them.
    Saving an active certification certifies at once the people who already completed all
    of its courses."""

    model = Certification
    serializer_class = TrainingCertificationSerializer
    required_perm = "training.manage"
    required_perms = {"list": "training.view", "retrieve": "training.view"}
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.certifications()

    def _out(self, cert, code=status.HTTP_200_OK):
        return Response(
            TrainingCertificationSerializer(self.get_queryset().get(pk=cert.pk)).data, code
        )

    @extend_schema(
        request=TrainingCertificationWriteSerializer,
        responses={201: TrainingCertificationSerializer},
        summary="Define a certification",
    )
    def create(self, request):
        ser = TrainingCertificationWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cert = services.certification_save(by=self.member, **ser.validated_data)
        return self._out(cert, status.HTTP_201_CREATED)

    def _save(self, request, partial: bool):
        cert = self.get_object()
        ser = TrainingCertificationWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        current = {
            "code": cert.code,
            "name": cert.name,
            "description": cert.description,
            "validity_months": cert.validity_months,
            "is_active": cert.is_active,
            "courses": [cc.course for cc in cert.certification_courses.all()],
        }
        data = merged_for_save(current, ser.validated_data, partial)
        cert = services.certification_save(by=self.member, certification=cert, **data)
        return self._out(cert)

    @extend_schema(request=TrainingCertificationWriteSerializer, summary="Change a certification")
    def update(self, request, pk=None):
        return self._save(request, partial=False)

    @extend_schema(
        request=TrainingCertificationWriteSerializer, summary="Change some of a certification"
    )
    def partial_update(self, request, pk=None):
        return self._save(request, partial=True)


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


# --- Admin views --------------------------------------------------------------------------


class TrainingLessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Lessons of every course, as their author edits them (admins). Create adds one at the
    end of its course; `move` swaps it with its neighbour; `file` attaches (multipart) or
    removes its downloadable file. Progress is kept by lesson id through all of these."""

    model = Lesson
    serializer_class = TrainingLessonAdminSerializer
    required_perm = "training.manage"
    filterset_class = TrainingLessonFilter
    ordering_fields = ["order", "id"]
    ordering = ("id",)
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return Lesson.objects.all()

    def _out(self, lesson, code=status.HTTP_200_OK):
        return Response(TrainingLessonAdminSerializer(Lesson.objects.get(pk=lesson.pk)).data, code)

    @extend_schema(
        request=TrainingLessonCreateSerializer,
        responses={201: TrainingLessonAdminSerializer},
        summary="Add a lesson at the end of a course",
    )
    def create(self, request):
        ser = TrainingLessonCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        lesson = services.lesson_save(by=self.member, **ser.validated_data)
        return self._out(lesson, status.HTTP_201_CREATED)

    def _save(self, request, partial: bool):
        lesson = self.get_object()
        ser = TrainingLessonWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        current = {"title": lesson.title, "body": lesson.body, "video_url": lesson.video_url}
        data = merged_for_save(current, ser.validated_data, partial)
        lesson = services.lesson_save(by=self.member, course=lesson.course, lesson=lesson, **data)
        return self._out(lesson)

    @extend_schema(request=TrainingLessonWriteSerializer, summary="Change a lesson")
    def update(self, request, pk=None):
        return self._save(request, partial=False)

    @extend_schema(request=TrainingLessonWriteSerializer, summary="Change some of a lesson")
    def partial_update(self, request, pk=None):
        return self._save(request, partial=True)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Delete a lesson (a published course keeps at least one)",
    )
    def destroy(self, request, pk=None):
        services.lesson_delete(by=self.member, lesson=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TrainingLessonMoveSerializer, summary="Move a lesson up or down")
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        lesson = self.get_object()
        ser = TrainingLessonMoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.lesson_move(by=self.member, lesson=lesson, **ser.validated_data)
        return self._out(lesson)

    @extend_schema(
        request={"multipart/form-data": TrainingLessonFileSerializer},
        summary="Attach a file to a lesson (replaces any)",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="file",
        url_name="file",
        parser_classes=[MultiPartParser, FormParser],
    )
    def file_attach(self, request, pk=None):
        lesson = self.get_object()
        ser = TrainingLessonFileSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        lesson = services.lesson_attach_file(
            by=self.member, lesson=lesson, upload=ser.validated_data["file"]
        )
        return self._out(lesson)

    @extend_schema(
        request=None,
        responses={200: TrainingLessonAdminSerializer},
        summary="Remove a lesson's file",
    )
    @file_attach.mapping.delete
    def file_remove(self, request, pk=None):
        lesson = services.lesson_remove_file(by=self.member, lesson=self.get_object())
        return self._out(lesson)


class TrainingQuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Quiz questions of every course with their answers (admins). Saving replaces a
    question's answers as a whole."""

    model = Question
    serializer_class = TrainingQuestionSerializer
    required_perm = "training.manage"
    filterset_class = TrainingQuestionFilter
    ordering_fields = ["order", "id"]
    ordering = ("id",)
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return Question.objects.prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "id"))
        )

    def _out(self, question, code=status.HTTP_200_OK):
        return Response(
            TrainingQuestionSerializer(self.get_queryset().get(pk=question.pk)).data, code
        )

    @staticmethod
    def _options(data: dict) -> dict:
        data = dict(data)
        if "options" in data:
            data["options"] = [(o["text"], o.get("is_correct", False)) for o in data["options"]]
        return data

    @extend_schema(
        request=TrainingQuestionCreateSerializer,
        responses={201: TrainingQuestionSerializer},
        summary="Add a question to a course's quiz",
    )
    def create(self, request):
        ser = TrainingQuestionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        question = services.question_save(by=self.member, **self._options(ser.validated_data))
        return self._out(question, status.HTTP_201_CREATED)

    def _save(self, request, partial: bool):
        question = self.get_object()
        ser = TrainingQuestionWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        current = {
            "text": question.text,
            "kind": question.kind,
            "options": [(o.text, o.is_correct) for o in question.options.all()],
        }
        data = merged_for_save(current, self._options(ser.validated_data), partial)
        question = services.question_save(
            by=self.member, course=question.course, question=question, **data
        )
        return self._out(question)

    @extend_schema(request=TrainingQuestionWriteSerializer, summary="Change a question")
    def update(self, request, pk=None):
        return self._save(request, partial=False)

    @extend_schema(request=TrainingQuestionWriteSerializer, summary="Change some of a question")
    def partial_update(self, request, pk=None):
        return self._save(request, partial=True)

    @extend_schema(request=None, responses={204: None}, summary="Delete a question")
    def destroy(self, request, pk=None):
        services.question_delete(by=self.member, question=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrainingLearningPathViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Learning paths (admins): courses for a training role and/or partner type. Saving an
    active path enrols the people it matches at once; deleting one keeps the enrolments it
    made."""

    model = LearningPath
    serializer_class = TrainingLearningPathSerializer
    required_perm = "training.manage"
    ordering_fields = ["name", "id"]
    ordering = ("id",)
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.paths()

    def _out(self, path, code=status.HTTP_200_OK):
        return Response(
            TrainingLearningPathSerializer(self.get_queryset().get(pk=path.pk)).data, code
        )

    @extend_schema(
        request=TrainingLearningPathWriteSerializer,
        responses={201: TrainingLearningPathSerializer},
        summary="Create a learning path",
    )
    def create(self, request):
        ser = TrainingLearningPathWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        path = services.path_save(by=self.member, **ser.validated_data)
        return self._out(path, status.HTTP_201_CREATED)

    def _save(self, request, partial: bool):
        path = self.get_object()
        ser = TrainingLearningPathWriteSerializer(data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        current = {
            "name": path.name,
            "description": path.description,
            "training_role": path.training_role,
            "partner_type": path.partner_type,
            "is_active": path.is_active,
            "courses": [pc.course for pc in path.path_courses.all()],
        }
        data = merged_for_save(current, ser.validated_data, partial)
        path = services.path_save(by=self.member, path=path, **data)
        return self._out(path)

    @extend_schema(request=TrainingLearningPathWriteSerializer, summary="Change a learning path")
    def update(self, request, pk=None):
        return self._save(request, partial=False)

    @extend_schema(
        request=TrainingLearningPathWriteSerializer, summary="Change some of a learning path"
    )
    def partial_update(self, request, pk=None):
        return self._save(request, partial=True)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Delete a learning path (the enrolments it made stay)",
    )
    def destroy(self, request, pk=None):
        services.path_delete(by=self.member, path=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class TrainingRoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partner people's training roles: staff see and set everyone's, a partner admin their
    own company's people's (as on the readiness and team pages)."""

    model = Member
    serializer_class = TrainingRoleSerializer
    required_perm = "training.roles"
    filterset_class = TrainingRoleFilter
    ordering = ("id",)
    ordering_fields = ["id"]
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.training_roles_visible_to(self.member)

    @extend_schema(
        request=TrainingRoleWriteSerializer,
        summary="Set a partner person's training role",
    )
    def partial_update(self, request, pk=None):
        member = self.get_object()
        ser = TrainingRoleWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.training_role_set(by=self.member, member=member, **ser.validated_data)
        return Response(TrainingRoleSerializer(self.get_queryset().get(pk=member.pk)).data)


router = SimpleRouter(trailing_slash=True)
router.register("courses", TrainingCourseViewSet, basename="api-course")
router.register("enrollments", TrainingEnrollmentViewSet, basename="api-enrollment")
router.register("quiz-attempts", QuizAttemptViewSet, basename="api-quiz-attempt")
router.register("certifications", TrainingCertificationViewSet, basename="api-certification")
router.register("certificates", TrainingCertificateViewSet, basename="api-certificate")
router.register("lessons", TrainingLessonViewSet, basename="api-lesson")
router.register("quiz-questions", TrainingQuestionViewSet, basename="api-quiz-question")
router.register("learning-paths", TrainingLearningPathViewSet, basename="api-learning-path")
router.register("training-roles", TrainingRoleViewSet, basename="api-training-role")

urlpatterns = [
    *router.urls,
    path("training-progress/", TrainingProgressView.as_view(), name="api-training-progress"),
]
