"""Influence claims in the API: partners claim influence on a customer with evidence and may
withdraw while it waits; staff approve or reject with a reason (dealreg.states
.INFLUENCE_CLAIM). Another partner's claim, or another tenant's, is a 404."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dealreg import selectors, services
from dealreg.models import InfluenceClaim, InfluencerRole
from dealreg.serializers import EnumChoiceField, PartnerRefSerializer
from dealreg.states import INFLUENCE_CLAIM
from prm.api.base import TenantViewSet
from prm.api.fields import AllowedActionsMixin
from prm.portal import require_action


class InfluenceClaimSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = INFLUENCE_CLAIM
    partner = PartnerRefSerializer(read_only=True)
    status = EnumChoiceField(
        InfluenceClaim.Status.choices, enum_name="InfluenceClaimStatus", read_only=True
    )
    role = EnumChoiceField(InfluencerRole.choices, enum_name="InfluencerRole", read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Waiting past its review target.")
    )
    credited_deals = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "Deals the approval credited the partner on as influencer (other partners' "
            "registrations and the vendor's direct deals of the customer)."
        ),
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Actions the requesting member may take now (approve, reject, withdraw).")
    )

    class Meta:
        model = InfluenceClaim
        fields = [
            "id",
            "partner",
            "customer_name",
            "customer_domain",
            "role",
            "evidence",
            "status",
            "created_at",
            "due_at",
            "overdue",
            "decided_at",
            "decision_reason",
            "credited_deals",
            "allowed_actions",
        ]
        read_only_fields = fields


class InfluenceClaimCreateSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(
        max_length=253, required=False, default="", allow_blank=True
    )
    role = serializers.ChoiceField(choices=InfluencerRole.choices)
    evidence = serializers.CharField(max_length=5000)


class InfluenceDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class InfluenceClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Influence claims: partner people see and submit their company's, staff decide."""

    model = InfluenceClaim
    serializer_class = InfluenceClaimSerializer
    lookup_value_regex = "[0-9]+"
    required_perm = "deals.view"
    ordering_fields = ["id", "created_at", "due_at"]
    ordering = ["-id"]

    def scoped_queryset(self):
        return selectors.influence_claims_visible_to(self.member).annotate(
            credited_deals=Count("deal_credits", distinct=True)
            + Count("direct_credits", distinct=True)
        )

    def _out(self, claim, code=status.HTTP_200_OK) -> Response:
        claim = self.scoped_queryset().get(pk=claim.pk)
        return Response(
            InfluenceClaimSerializer(claim, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=InfluenceClaimCreateSerializer,
        responses={201: InfluenceClaimSerializer},
        summary="Claim influence on a customer, with evidence (partner people)",
    )
    def create(self, request):
        ser = InfluenceClaimCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        claim = services.influence_claim_submit(by=self.member, **ser.validated_data)
        return self._out(claim, status.HTTP_201_CREATED)

    def _take(self, name: str, run) -> Response:
        claim = self.get_object()
        require_action(INFLUENCE_CLAIM, claim, self.member, name)
        ser = InfluenceDecisionSerializer(data=self.request.data)
        ser.is_valid(raise_exception=True)
        claim = run(claim, ser.validated_data["reason"])
        return self._out(claim)

    @extend_schema(
        request=InfluenceDecisionSerializer,
        responses=InfluenceClaimSerializer,
        summary="Approve the claim (staff)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._take(
            "approve",
            lambda c, r: services.influence_claim_decide(
                claim=c, by=self.member, approve=True, reason=r
            ),
        )

    @extend_schema(
        request=InfluenceDecisionSerializer,
        responses=InfluenceClaimSerializer,
        summary="Reject the claim with a reason (staff)",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._take(
            "reject",
            lambda c, r: services.influence_claim_decide(
                claim=c, by=self.member, approve=False, reason=r
            ),
        )

    @extend_schema(request=None, responses=InfluenceClaimSerializer, summary="Withdraw the claim")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._take(
            "withdraw", lambda c, _r: services.influence_claim_withdraw(claim=c, by=self.member)
        )


router = SimpleRouter(trailing_slash=True)
router.register("influence-claims", InfluenceClaimViewSet, basename="api-influence-claim")
urlpatterns = router.urls
