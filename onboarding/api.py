"""API for applications, workflow templates, onboarding progress and agreements. The same
capabilities as the portal; every write validates input, then calls one service."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from onboarding import selectors, services
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    Application,
    ApplicationStatus,
    StepKind,
    Workflow,
    WorkflowStatus,
    WorkflowStep,
    WorkflowStepTemplate,
    WorkflowTemplate,
)
from partners.models import PartnerType
from prm.api.base import TenantViewSet

# --- Serializers --------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    specialties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Application
        fields = [
            "id",
            "company_name",
            "website",
            "country",
            "partner_type",
            "specialties",
            "size_band",
            "expected_revenue",
            "currency",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "fit_score",
            "fit_reasons",
            "is_possible_duplicate",
            "duplicate_matches",
            "reviewer",
            "decided_by",
            "decided_at",
            "decided_automatically",
            "decision_reason",
            "partner",
            "submitted_at",
        ]
        read_only_fields = fields


class ApplicationRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Sent to the applicant.")


class StepTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowStepTemplate
        fields = ["id", "order", "kind", "title", "description", "ref", "due_days", "required"]
        read_only_fields = ["id", "order"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}


class WorkflowTemplateSerializer(serializers.ModelSerializer):
    steps = StepTemplateSerializer(
        many=True, required=False, help_text="In order. When given, replaces all steps."
    )

    class Meta:
        model = WorkflowTemplate
        fields = ["id", "name", "partner_type", "is_active", "created_at", "steps"]
        read_only_fields = ["id", "created_at"]
        validators: list = []  # uniqueness is checked by the service, per tenant


class WorkflowStepSerializer(serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowStep
        fields = [
            "id",
            "order",
            "kind",
            "title",
            "description",
            "ref",
            "required",
            "due_at",
            "completed_at",
            "completed_via",
            "is_overdue",
            "document_name",
            "document_url",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def get_document_url(self, obj) -> str | None:
        return reverse("onboarding-document", args=[obj.pk]) if obj.document else None


class OnboardingProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class WorkflowSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    progress = serializers.SerializerMethodField()
    steps = WorkflowStepSerializer(many=True, read_only=True)

    class Meta:
        model = Workflow
        fields = [
            "id",
            "partner",
            "partner_name",
            "name",
            "status",
            "started_at",
            "completed_at",
            "progress",
            "steps",
        ]
        read_only_fields = fields

    @extend_schema_field(OnboardingProgressSerializer)
    def get_progress(self, obj) -> dict:
        required = [s for s in obj.steps.all() if s.required]
        done = sum(1 for s in required if s.completed_at)
        total = len(required)
        return {"done": done, "total": total, "percent": done * 100 // total if total else 100}


class CompleteStepSerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="Id of the step to check off.")


class StepDocumentSerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="Id of the upload step the document is for.")
    document = serializers.FileField(
        help_text="PDF, PNG or JPEG (checked from its bytes), at most 10 MB."
    )


class AgreementSerializer(serializers.ModelSerializer):
    acceptance_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "partner_type",
            "version",
            "title",
            "body",
            "body_html",
            "text_sha256",
            "published_at",
            "acceptance_count",
        ]
        read_only_fields = fields


class AgreementPublishSerializer(serializers.Serializer):
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=200_000, help_text="Markdown.")


class AgreementAcceptSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=150)
    signer_title = serializers.CharField(max_length=150)
    text_sha256 = serializers.CharField(
        max_length=64, help_text="SHA-256 of the agreement text you were shown (its text_sha256)."
    )


class AgreementAcceptanceSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="agreement.version", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = AgreementAcceptance
        fields = [
            "id",
            "agreement",
            "version",
            "partner",
            "partner_name",
            "signer_name",
            "signer_title",
            "signer_email",
            "accepted_at",
            "ip",
            "user_agent",
            "text_sha256",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str | None:
        return reverse("agreement-pdf", args=[obj.pk]) if obj.pdf else None


# --- Views --------------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    possible_duplicate = django_filters.BooleanFilter(field_name="is_possible_duplicate")
    min_fit_score = django_filters.NumberFilter(field_name="fit_score", lookup_expr="gte")


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partner applications, best fit first (staff). Approve or reject them."""

    model = Application
    serializer_class = ApplicationSerializer
    required_perm = "applications.review"
    filterset_class = ApplicationFilter
    ordering_fields = ["fit_score", "submitted_at", "id"]
    ordering = ("-fit_score", "-id")
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return Application.objects.prefetch_related("specialties")

    @extend_schema(
        request=None,
        responses=ApplicationSerializer,
        summary="Approve: create the partner, invite its contact, start onboarding",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = services.application_approve(application=self.get_object(), by=self.member)
        return Response(ApplicationSerializer(self._reload(application)).data)

    @extend_schema(
        request=ApplicationRejectSerializer,
        responses=ApplicationSerializer,
        summary="Reject with a reason (e-mailed to the applicant)",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        application = self.get_object()
        ser = ApplicationRejectSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        application = services.application_reject(
            application=application, by=self.member, reason=ser.validated_data["reason"]
        )
        return Response(ApplicationSerializer(self._reload(application)).data)

    @extend_schema(
        request=None,
        responses=ApplicationSerializer,
        summary="Take a submitted application into review (you become its reviewer)",
    )
    @action(detail=True, methods=["post"], url_path="start-review", url_name="start-review")
    def start_review(self, request, pk=None):
        application = services.application_start_review(
            application=self.get_object(), by=self.member
        )
        return Response(ApplicationSerializer(self._reload(application)).data)

    @extend_schema(
        request=None,
        responses=ApplicationSerializer,
        summary="Take a rejected application back into review",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        application = services.application_reopen(application=self.get_object(), by=self.member)
        return Response(ApplicationSerializer(self._reload(application)).data)

    def _reload(self, application):
        return self.get_queryset().get(pk=application.pk)


class WorkflowTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """Onboarding workflow templates, one active per partner type (admins)."""

    model = WorkflowTemplate
    serializer_class = WorkflowTemplateSerializer
    required_perm = "onboarding.manage"
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.workflow_templates()

    def _save(self, request, obj=None, partial=False):
        ser = WorkflowTemplateSerializer(obj, data=request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        steps = data.get("steps")
        template = services.workflow_template_save(
            by=self.member,
            obj=obj,
            name=data.get("name", obj.name if obj else ""),
            partner_type=data.get("partner_type", obj.partner_type if obj else ""),
            is_active=data.get("is_active", obj.is_active if obj else True),
            steps=[dict(s) for s in steps] if steps is not None else None,
        )
        return WorkflowTemplateSerializer(self.get_queryset().get(pk=template.pk)).data

    @extend_schema(
        request=WorkflowTemplateSerializer,
        responses={201: WorkflowTemplateSerializer},
        summary="Create a template with its steps",
    )
    def create(self, request):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    @extend_schema(request=WorkflowTemplateSerializer, responses=WorkflowTemplateSerializer)
    def update(self, request, pk=None):
        return Response(self._save(request, self.get_object()))

    @extend_schema(request=WorkflowTemplateSerializer, responses=WorkflowTemplateSerializer)
    def partial_update(self, request, pk=None):
        return Response(self._save(request, self.get_object(), partial=True))

    def perform_destroy(self, instance):
        services.workflow_template_delete(by=self.member, template=instance)


class WorkflowFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WorkflowStatus.choices)
    partner = django_filters.NumberFilter(field_name="partner_id")


class OnboardingProgressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Onboarding progress per partner: staff see every partner, partner people their own."""

    model = Workflow
    serializer_class = WorkflowSerializer
    required_perms = {
        "list": "onboarding.view",
        "retrieve": "onboarding.view",
        "complete_step": "onboarding.monitor",
        "documents": "onboarding.own",
    }
    filterset_class = WorkflowFilter
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.workflows_visible_to(self.member)

    @extend_schema(
        request=CompleteStepSerializer,
        responses=WorkflowSerializer,
        summary="Check off a step by hand (channel managers)",
    )
    @action(detail=True, methods=["post"], url_path="complete-step")
    def complete_step(self, request, pk=None):
        workflow = self.get_object()
        ser = CompleteStepSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        step = (
            WorkflowStep.objects.select_related("workflow")
            .filter(workflow=workflow, pk=ser.validated_data["step"])
            .first()
        )
        if step is None:
            raise serializers.ValidationError({"step": ["No such step in this onboarding."]})
        services.step_check_off(step=step, by=self.member)
        return Response(WorkflowSerializer(self.get_queryset().get(pk=workflow.pk)).data)

    @extend_schema(
        request={"multipart/form-data": StepDocumentSerializer},
        responses={201: WorkflowSerializer},
        summary="Upload the document an onboarding step asks for (partner people)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        workflow = self.get_object()
        ser = StepDocumentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        step = (
            WorkflowStep.objects.select_related("workflow")
            .filter(workflow=workflow, pk=ser.validated_data["step"], kind=StepKind.UPLOAD_DOCUMENT)
            .first()
        )
        if step is None:
            raise serializers.ValidationError({"step": ["No such upload step in this onboarding."]})
        services.step_upload_document(
            step=step, by=self.member, upload=ser.validated_data["document"]
        )
        return Response(
            WorkflowSerializer(self.get_queryset().get(pk=workflow.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AgreementFilter(django_filters.FilterSet):
    partner_type = django_filters.ChoiceFilter(choices=PartnerType.choices)


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Agreement versions. Staff see all; partner people the versions of their own type.
    Admins publish; partner admins accept the current version."""

    model = Agreement
    serializer_class = AgreementSerializer
    required_perms = {
        "list": "agreements.view",
        "retrieve": "agreements.view",
        "create": "onboarding.manage",
        "accept": "agreements.accept",
    }
    filterset_class = AgreementFilter
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.agreements_visible_to(self.member)

    @extend_schema(
        request=AgreementPublishSerializer,
        responses={201: AgreementSerializer},
        summary="Publish the next version for a partner type (requires re-acceptance)",
    )
    def create(self, request):
        ser = AgreementPublishSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        agreement = services.agreement_publish(by=self.member, **ser.validated_data)
        return Response(
            AgreementSerializer(self.get_queryset().get(pk=agreement.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=AgreementAcceptSerializer,
        responses={201: AgreementAcceptanceSerializer},
        summary="Accept this (current) version for your company (partner admins)",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        agreement = self.get_object()
        ser = AgreementAcceptSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        acceptance = services.agreement_accept(
            agreement=agreement, by=self.member, **ser.validated_data
        )
        return Response(
            AgreementAcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED
        )


class AcceptanceFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    agreement = django_filters.NumberFilter(field_name="agreement_id")


class AgreementAcceptanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Signed agreements: staff see all, partner people their own company's."""

    model = AgreementAcceptance
    serializer_class = AgreementAcceptanceSerializer
    required_perm = "agreements.view"
    filterset_class = AcceptanceFilter
    lookup_value_regex = r"\d+"

    def scoped_queryset(self):
        return selectors.acceptances_visible_to(self.member)


router = SimpleRouter(trailing_slash=True)
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("workflow-templates", WorkflowTemplateViewSet, basename="api-workflow-template")
router.register(
    "onboarding-progress", OnboardingProgressViewSet, basename="api-onboarding-progress"
)
router.register("agreements", AgreementViewSet, basename="api-agreement")
router.register(
    "agreement-acceptances", AgreementAcceptanceViewSet, basename="api-agreement-acceptance"
)

urlpatterns = router.urls
