"""MDF API: exchange rates and ROI."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mdf import selectors, services
from mdf.api.funds import MdfViewSet
from mdf.api.serializers import (
    ExchangeRateSerializer,
    RateFilter,
    RateImportResultSerializer,
    RateImportSerializer,
    RoiSerializer,
)
from mdf.models import (
    ExchangeRate,
)
from prm.api.base import TenantAPIView
from prm.api.parsers import JSONParser


@extend_schema(tags=["mdf"])
class ExchangeRateViewSet(mixins.ListModelMixin, MdfViewSet):
    """Exchange rates used to convert claims to the program currency."""

    model = ExchangeRate
    serializer_class = ExchangeRateSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    required_perm = "mdf.admin"
    filterset_class = RateFilter
    ordering_fields = ["id", "valid_from"]

    def scoped_queryset(self):
        return ExchangeRate.objects.all()

    @extend_schema(
        request=ExchangeRateSerializer,
        responses={201: ExchangeRateSerializer},
        summary="Enter (or correct) the rate valid from a day",
    )
    def create(self, request):
        ser = ExchangeRateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rate = services.exchange_rate_set(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": RateImportSerializer,
            "application/json": RateImportSerializer,
        },
        responses=RateImportResultSerializer,
        summary="Import rates from CSV; dry_run (the default) previews without saving",
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_rates(self, request):
        ser = RateImportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.exchange_rates_import(
            tenant=self.tenant,
            by=self.member,
            text=ser.validated_data["csv"],
            dry_run=ser.validated_data["dry_run"],
        )
        if result.errors and not result.dry_run:
            raise serializers.ValidationError(
                {
                    "file": [
                        f"Line {r['line']}: {r['error']}"
                        for r in result.rows
                        if r["action"] == "error"
                    ]
                }
            )
        rows = [
            {k: ("" if v is None else str(v)) for k, v in r.items() if k != "previous"}
            | {"line": r["line"]}
            for r in result.rows
        ]
        return Response(
            {
                "dry_run": result.dry_run,
                "applied": result.applied,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": result.errors,
                "rows": rows,
            },
        )


class RoiView(TenantAPIView):
    """Return on MDF per program, partner, activity type and activity."""

    required_perm = "mdf.review"

    @extend_schema(
        tags=["mdf"],
        responses=RoiSerializer(many=True),
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="Only this program"),
            OpenApiParameter("partner", OpenApiTypes.INT, description="Only this partner"),
        ],
        summary="ROI: paid, attributed pipeline and won revenue, (won - paid) / paid",
    )
    def get(self, request):
        filters = {}
        for name in ("program", "partner"):
            value = request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise serializers.ValidationError({name: ["Enter a whole number."]})
                filters[name] = int(value)
        rows = selectors.roi(tenant=self.tenant, **filters)
        return Response(RoiSerializer([r.__dict__ for r in rows], many=True).data)
