"""MDF API: programs, allocations, the ledger, balances."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from mdf import selectors, services
from mdf.api.serializers import (
    AllocationCreateSerializer,
    AllocationResultSerializer,
    BalanceSerializer,
    LedgerEntrySerializer,
    LedgerFilter,
    ProgramCreateSerializer,
    ProgramSerializer,
    ProgramUpdateSerializer,
    QueuedSerializer,
    RuleSetSerializer,
)
from mdf.models import (
    ALLOCATION_KINDS,
    LedgerEntry,
    Program,
)
from prm.api.base import TenantAPIView, TenantViewSet
from prm.roles import has_perm

# --- Views --------------------------------------------------------------------------------


class MdfViewSet(TenantViewSet):
    lookup_value_regex = r"\d+"


@extend_schema(tags=["mdf"])
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, MdfViewSet):
    """MDF programs: periods, budgets and the activity types they fund."""

    model = Program
    serializer_class = ProgramSerializer
    required_perms = {
        "list": "mdf.view",
        "retrieve": "mdf.view",
        "create": "mdf.admin",
        "partial_update": "mdf.admin",
        "set_rule": "mdf.admin",
        "allocate_by_tier": "mdf.admin",
        "accrue": "mdf.admin",
    }
    ordering_fields = ["id", "start_date", "name"]

    def scoped_queryset(self):
        return Program.objects.prefetch_related("rules")

    @extend_schema(
        request=ProgramCreateSerializer,
        responses={201: ProgramSerializer},
        summary="Create a program",
    )
    def create(self, request):
        ser = ProgramCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_create(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(program).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProgramUpdateSerializer,
        responses=ProgramSerializer,
        summary="Change a program's name, budget, grace period or approval threshold",
    )
    def partial_update(self, request, pk=None):
        program = self.get_object()
        ser = ProgramUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_update(program=program, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(program).data)

    @extend_schema(
        request=RuleSetSerializer,
        responses=ProgramSerializer,
        summary="Make an activity type eligible (or change its rule)",
    )
    @action(detail=True, methods=["post"], url_path="rules")
    def set_rule(self, request, pk=None):
        program = self.get_object()
        ser = RuleSetSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.rule_set(program=program, by=self.member, **ser.validated_data)
        return Response(ProgramSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses=AllocationResultSerializer,
        summary="Allocate every active partner its tier's MDF allocation",
    )
    @action(detail=True, methods=["post"], url_path="allocate-by-tier")
    def allocate_by_tier(self, request, pk=None):
        result = services.program_allocate_by_tier(program=self.get_object(), by=self.member)
        return Response(AllocationResultSerializer(result).data)

    @extend_schema(
        request=None,
        responses={202: QueuedSerializer},
        summary="Queue the accrual (tier % of won revenue in the period)",
    )
    @action(detail=True, methods=["post"])
    def accrue(self, request, pk=None):
        services.program_queue_accrual(program=self.get_object(), by=self.member)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["mdf"])
class AllocationViewSet(mixins.ListModelMixin, MdfViewSet):
    """Allocation entries of the ledger (allocations, accruals, adjustments)."""

    model = LedgerEntry
    serializer_class = LedgerEntrySerializer
    required_perms = {"list": "mdf.review", "create": "mdf.admin"}
    filterset_class = LedgerFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return LedgerEntry.objects.filter(kind__in=ALLOCATION_KINDS)

    @extend_schema(
        request=AllocationCreateSerializer,
        responses={201: LedgerEntrySerializer},
        summary="Allocate funds to a partner (negative: take unused funds back)",
    )
    def create(self, request):
        ser = AllocationCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = services.allocation_add(by=self.member, **ser.validated_data)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["mdf"])
class LedgerViewSet(mixins.ListModelMixin, MdfViewSet):
    """The append-only ledger, newest first."""

    model = LedgerEntry
    serializer_class = LedgerEntrySerializer
    required_perm = "mdf.admin"
    filterset_class = LedgerFilter
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self):
        return LedgerEntry.objects.all()


class BalanceView(TenantAPIView):
    """Derived balances per program and partner. Partner people see their own company's."""

    required_perm = "mdf.view"

    @extend_schema(
        tags=["mdf"],
        responses=BalanceSerializer(many=True),
        parameters=[
            OpenApiParameter("program", OpenApiTypes.INT, description="Only this program"),
            OpenApiParameter("partner", OpenApiTypes.INT, description="Only this partner"),
        ],
        summary="Balances (allocated, committed, claimed, paid, expired, available)",
    )
    def get(self, request):
        filters = {}
        for name in ("program", "partner"):
            value = request.query_params.get(name)
            if value:
                if not value.isdigit():
                    raise serializers.ValidationError({name: ["Enter a whole number."]})
                filters[name] = int(value)
        if not has_perm(self.member.role, "mdf.review"):
            if filters.get("partner", self.member.partner_id) != self.member.partner_id:
                return Response([])
            filters["partner"] = self.member.partner_id
        return Response(BalanceSerializer(selectors.balances(**filters), many=True).data)
