"""Incentives API under /api/v1/incentives/: programs and their versions (drafts, publish),
earning lines (list, detail, approve one or many, adjustments, disputes), disputes (answer),
balances and the projection of an open registration. The same capabilities as the portal;
each write validates its input, then calls one service."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dealreg.selectors import deals_visible_to
from incentives import selectors, services, tasks
from incentives.models import Dispute, Earning, IncentiveProgram, ProgramVersion, VersionStatus
from incentives.serializers import (
    EarningAdjustmentSerializer,
    EarningBalanceSerializer,
    EarningBulkApproveResultSerializer,
    EarningBulkApproveSerializer,
    EarningDisputeSerializer,
    EarningFilter,
    EarningProjectionSerializer,
    EarningReasonSerializer,
    EarningSerializer,
    IncentiveDraftSerializer,
    IncentiveProgramCreateSerializer,
    IncentiveProgramSerializer,
    IncentiveProgramUpdateSerializer,
    IncentivePublishSerializer,
    IncentiveRecomputeSerializer,
    IncentiveVersionSerializer,
)
from incentives.states import DISPUTE, EARNING
from partners.models import Partner
from prm.api.base import TenantAPIView, TenantViewSet
from prm.portal import require_action
from prm.roles import STAFF_ROLES
from prm.tasks import dispatch


class IncentivesViewSet(TenantViewSet):
    lookup_value_regex = r"\d+"


@extend_schema(tags=["incentives"])
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncentivesViewSet):
    """Incentive programs (admins)."""

    model = IncentiveProgram
    serializer_class = IncentiveProgramSerializer
    required_perm = "incentives.admin"
    ordering_fields = ["id", "name"]

    def scoped_queryset(self):
        return IncentiveProgram.objects.all()

    @extend_schema(
        request=IncentiveProgramCreateSerializer, responses={201: IncentiveProgramSerializer}
    )
    def create(self, request):
        ser = IncentiveProgramCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_create(tenant=self.tenant, by=self.member, **ser.validated_data)
        return Response(IncentiveProgramSerializer(program).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncentiveProgramUpdateSerializer, responses=IncentiveProgramSerializer)
    def partial_update(self, request, pk=None):
        program = self.get_object()
        ser = IncentiveProgramUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        program = services.program_update(program=program, by=self.member, **ser.validated_data)
        return Response(IncentiveProgramSerializer(program).data)

    @extend_schema(
        request=IncentiveDraftSerializer,
        responses=IncentiveVersionSerializer,
        summary="Save the rules of the program's draft version (a new draft when none)",
    )
    @action(detail=True, methods=["post"], url_path="draft", url_name="draft")
    def draft(self, request, pk=None):
        program = self.get_object()
        ser = IncentiveDraftSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = services.version_draft_save(program=program, by=self.member, **ser.validated_data)
        return Response(IncentiveVersionSerializer(version).data)

    # --- incent2: set-based recomputation ---
    @extend_schema(
        request=None,
        responses={202: IncentiveRecomputeSerializer},
        summary="Recompute an active commission program's missing lines (on the worker)",
    )
    @action(detail=True, methods=["post"], url_path="recompute", url_name="recompute")
    def recompute(self, request, pk=None):
        program = self.get_object()
        services.program_recompute_check(program)
        dispatch(tasks.recompute_program, tenant=self.tenant, program_id=program.pk,
                 member_id=self.member.pk)  # fmt: skip
        return Response(
            IncentiveRecomputeSerializer({"program": program.pk, "queued": True}).data,
            status=status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["incentives"])
class VersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncentivesViewSet):
    """Versions of the incentive programs; publish a draft."""

    model = ProgramVersion
    serializer_class = IncentiveVersionSerializer
    required_perm = "incentives.admin"
    ordering_fields = ["id", "version"]

    def scoped_queryset(self):
        return ProgramVersion.objects.select_related("program")

    @extend_schema(
        request=IncentivePublishSerializer,
        responses=IncentiveVersionSerializer,
        summary="Publish a draft version (now, or from a later moment)",
    )
    @action(detail=True, methods=["post"], url_path="publish", url_name="publish")
    def publish(self, request, pk=None):
        version = self.get_object()
        if version.status != VersionStatus.DRAFT:
            raise serializers.ValidationError({"status": ["Only a draft can be published."]})
        ser = IncentivePublishSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = services.version_publish(
            version=version, by=self.member, effective_from=ser.validated_data["effective_from"]
        )
        return Response(IncentiveVersionSerializer(version).data)


@extend_schema(tags=["incentives"])
class EarningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncentivesViewSet):
    """Earning lines: staff see every line, partner people their company's."""

    model = Earning
    serializer_class = EarningSerializer
    filterset_class = EarningFilter
    ordering_fields = ["id", "earned_on"]
    required_perms = {
        "list": "incentives.view",
        "retrieve": "incentives.view",
        "approve": "incentives.review",
        "approve_many": "incentives.review",
        "adjust": "incentives.admin",
        "dispute": "incentives.earn",
    }

    def scoped_queryset(self):
        return selectors.earnings_visible_to(self.member).order_by("-id")

    @extend_schema(request=None, responses=EarningSerializer, summary="Approve a pending line")
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request, pk=None):
        earning = self.get_object()
        require_action(EARNING, earning, self.member, "approve")
        earning = services.earning_approve(earning=earning, by=self.member)
        return Response(EarningSerializer(self.get_queryset().get(pk=earning.pk)).data)

    @extend_schema(
        operation_id="incentives_earnings_approve_many",
        request=EarningBulkApproveSerializer,
        responses=EarningBulkApproveResultSerializer,
        summary="Approve many pending lines; those no longer pending are skipped",
    )
    @action(detail=False, methods=["post"], url_path="approve", url_name="approve-many")
    def approve_many(self, request):
        ser = EarningBulkApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        result = services.earnings_approve(ids=ser.validated_data["ids"], by=self.member)
        return Response(result)

    @extend_schema(
        request=EarningAdjustmentSerializer,
        responses={201: EarningSerializer},
        summary="Record a staff adjustment (positive or negative) with its reason",
    )
    @action(detail=False, methods=["post"], url_path="adjustments", url_name="adjust")
    def adjust(self, request):
        ser = EarningAdjustmentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        partner = Partner.objects.filter(pk=data.pop("partner")).first()
        program = IncentiveProgram.objects.filter(pk=data.pop("program")).first()
        if partner is None:
            raise serializers.ValidationError({"partner": ["No such partner."]})
        if program is None:
            raise serializers.ValidationError({"program": ["No such program."]})
        line = services.earning_adjust(partner=partner, program=program, by=self.member, **data)
        return Response(
            EarningSerializer(self.get_queryset().get(pk=line.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=EarningReasonSerializer,
        responses={201: EarningDisputeSerializer},
        summary="Dispute a line, with the reason",
    )
    @action(detail=True, methods=["post"], url_path="dispute", url_name="dispute")
    def dispute(self, request, pk=None):
        earning = self.get_object()
        require_action(EARNING, earning, self.member, "dispute")
        ser = EarningReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = services.dispute_open(earning=earning, by=self.member, **ser.validated_data)
        return Response(EarningDisputeSerializer(d).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["incentives"])
class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IncentivesViewSet):
    """Disputes on earning lines; staff answer them."""

    model = Dispute
    serializer_class = EarningDisputeSerializer
    ordering_fields = ["id", "due_at"]
    required_perms = {
        "list": "incentives.view",
        "retrieve": "incentives.view",
        "answer": "incentives.review",
    }

    def scoped_queryset(self):
        return selectors.disputes_visible_to(self.member).order_by("-id")

    @extend_schema(
        request=EarningReasonSerializer, responses=EarningDisputeSerializer, summary="Answer"
    )
    @action(detail=True, methods=["post"], url_path="answer", url_name="answer")
    def answer(self, request, pk=None):
        dispute = self.get_object()
        require_action(DISPUTE, dispute, self.member, "answer")
        ser = EarningReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        dispute = services.dispute_answer(
            dispute=dispute, by=self.member, answer=ser.validated_data["reason"]
        )
        return Response(EarningDisputeSerializer(dispute).data)


class BalanceView(TenantAPIView):
    """Totals per currency (earned, held, pending, approved, paid, reversed) from the ledger:
    a partner's own, or (staff) the whole program's or one partner's (`?partner=`)."""

    required_perm = "incentives.view"

    @extend_schema(tags=["incentives"], responses=EarningBalanceSerializer(many=True))
    def get(self, request):
        member = self.member
        if member.role in STAFF_ROLES:
            value = request.query_params.get("partner")
            if value and not value.isdigit():
                raise serializers.ValidationError({"partner": ["Enter a whole number."]})
            partner_id = int(value) if value else None
        else:
            partner_id = member.partner_id
        rows = [{"currency": c} | b for c, b in selectors.balances(partner_id=partner_id).items()]
        return Response(EarningBalanceSerializer(rows, many=True).data)


class ProjectionView(TenantAPIView):
    """What an open registration would earn if it closed today at its estimated amount."""

    required_perm = "incentives.view"

    @extend_schema(tags=["incentives"], responses=EarningProjectionSerializer(many=True))
    def get(self, request, deal_id: int):
        deal = get_object_or_404(deals_visible_to(self.member), pk=deal_id)
        lines = services.projection(deal)
        if self.member.role not in STAFF_ROLES:
            lines = [e for e in lines if e.partner_id == self.member.partner_id]
        return Response(EarningProjectionSerializer(lines, many=True).data)


router = SimpleRouter(trailing_slash=True)
router.register("incentives/programs", ProgramViewSet, basename="api-incentives-program")
router.register("incentives/versions", VersionViewSet, basename="api-incentives-version")
router.register("incentives/earnings", EarningViewSet, basename="api-incentives-earning")
router.register("incentives/disputes", DisputeViewSet, basename="api-incentives-dispute")

urlpatterns = [
    path("incentives/balances/", BalanceView.as_view(), name="api-incentives-balances"),
    path(
        "incentives/projections/<int:deal_id>/",
        ProjectionView.as_view(),
        name="api-incentives-projection",
    ),
    path("", include(router.urls)),
]
