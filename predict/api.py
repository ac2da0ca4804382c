"""API of predictive models: models with their hold-out figures (admins), training on
demand (admins), churn scores with their factors (staff), the churn definition (admins)."""

from __future__ import annotations

import django_filters
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from predict import services
from predict.models import ModelStatus, PredictionModel, PredictionScore, PredictSettings, Task
from predict.serializers import (
    PredictionModelSerializer,
    PredictionScoreSerializer,
    PredictSettingsSerializer,
    TrainQueuedSerializer,
    TrainRequestSerializer,
)
from prm import errors
from prm.api.base import TenantAPIView, TenantViewSet


class ModelFilter(django_filters.FilterSet):
    task = django_filters.ChoiceFilter(choices=Task.choices)
    status = django_filters.ChoiceFilter(choices=ModelStatus.choices)

    class Meta:
        model = PredictionModel
        fields = ["task", "status"]


@extend_schema(tags=["predictive models"])
class PredictionModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every training run, newest first: version, status, features, hold-out figures against
    the rule (`metrics`), and whether it is used in place of the rule (`in_use`)."""

    model = PredictionModel
    serializer_class = PredictionModelSerializer
    required_perm = "predict.manage"
    filterset_class = ModelFilter
    lookup_value_regex = r"\d+"
    ordering_fields = ["id", "version", "trained_at"]

    def scoped_queryset(self):
        return PredictionModel.objects.defer("estimator").order_by("task", "-version")

    @extend_schema(
        request=TrainRequestSerializer,
        responses={202: TrainQueuedSerializer},
        summary="Train a new model now (on the worker)",
    )
    @action(detail=False, methods=["post"])
    def train(self, request):
        ser = TrainRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        task = ser.validated_data["task"]
        services.training_request(tenant=self.tenant, task=task, by=self.member)
        return Response({"task": task, "queued": True}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses=PredictionModelSerializer,
        summary="Apply an IPP model's suggested weights to the ideal partner profile",
    )
    @action(detail=True, methods=["post"], url_path="accept-suggestion")
    def accept_suggestion(self, request, pk=None):
        model = self.get_object()
        if model.task != Task.IPP:
            raise errors.DomainError(_("Only an IPP model suggests weights."), field="model")
        model = services.ipp_suggestion_accept(tenant=self.tenant, model=model, by=self.member)
        return Response(PredictionModelSerializer(model).data)


class ScoreFilter(django_filters.FilterSet):
    task = django_filters.ChoiceFilter(choices=Task.choices)
    partner = django_filters.NumberFilter(field_name="partner_id")
    deal = django_filters.NumberFilter(field_name="deal_id")

    class Meta:
        model = PredictionScore
        fields = ["task", "partner", "deal"]


@extend_schema(tags=["predictive models"])
class PredictionScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The latest scores, highest first: churn risk of each active partner with its strongest
    factors (`task=churn`), win probability of each open registration (`task=win`, `deal`)."""

    model = PredictionScore
    serializer_class = PredictionScoreSerializer
    required_perm = "predict.view"
    filterset_class = ScoreFilter
    lookup_value_regex = r"\d+"
    ordering_fields = ["probability", "id"]

    def scoped_queryset(self):
        return PredictionScore.objects.select_related("partner", "model").order_by(
            "-probability", "id"
        )


@extend_schema(tags=["predictive models"])
class PredictSettingsView(TenantAPIView):
    """How inactivity is defined for the churn model."""

    required_perm = "predict.manage"

    @extend_schema(responses=PredictSettingsSerializer, summary="The churn definition")
    def get(self, request):
        obj = PredictSettings.for_tenant(self.tenant)
        return Response(PredictSettingsSerializer(obj).data)

    @extend_schema(
        request=PredictSettingsSerializer,
        responses=PredictSettingsSerializer,
        summary="Change the churn definition",
    )
    def patch(self, request):
        ser = PredictSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        obj = services.settings_update(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(PredictSettingsSerializer(obj).data)


router = SimpleRouter(trailing_slash=True)
router.register("prediction-models", PredictionModelViewSet, basename="api-prediction-model")
router.register("prediction-scores", PredictionScoreViewSet, basename="api-prediction-score")

urlpatterns = [
    path("prediction-settings/", PredictSettingsView.as_view(), name="api-prediction-settings"),
    path("", include(router.urls)),
]
