"""Partners API: partners, tiers, tier changes, the catalogue and the program settings.

Each write validates its input with a serializer, then calls one service inside
`transaction.atomic()`. The request's own transaction commits the 400 answer of a refused
write, so that savepoint is what undoes anything the service wrote before it refused.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from partners import selectors, services, tiering, tiering_preview
from partners import serializers as ps
from partners.models import (
    DomainProposal,
    DomainProposalStatus,
    Partner,
    PartnerDomain,
    PartnerStatus,
    PartnerType,
    Product,
    ProgramSettings,
    Specialty,
    Tier,
    TierChange,
    TierChangeStatus,
)
from partners.states import PARTNER_STATUS
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.permissions import IsMember
from prm.portal import require_action
from prm.roles import has_perm

# --- Partners -----------------------------------------------------------------------------


class PartnerFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(field_name="partner_type", choices=PartnerType.choices)
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices)
    tier = django_filters.CharFilter(
        method="filter_tier", help_text="A tier id, or `none` for partners without a tier."
    )
    country = django_filters.CharFilter(
        method="filter_country", help_text="ISO 3166 two-letter code."
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of the name, legal name or a domain."
    )

    def filter_tier(self, queryset, name, value: str):
        if value == "none":
            return queryset.filter(tier__isnull=True)
        if not value.isdigit():
            raise serializers.ValidationError({"tier": ["Enter a tier id or none."]})
        return queryset.filter(tier_id=int(value))

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(country=value.strip().upper())

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        # A subquery rather than a join: no duplicate rows, no DISTINCT under the cursor.
        domain = PartnerDomain.objects.filter(partner=OuterRef("pk"), domain__icontains=value)
        return queryset.filter(
            Q(name__icontains=value) | Q(legal_name__icontains=value) | Q(Exists(domain))
        )


class CanEditPartner(permissions.BasePermission):
    """PATCH of a partner: staff (any partner) or a partner admin (their own company; the
    others are outside their queryset, so 404). Partner users get 403."""

    message = IsMember.message

    def has_permission(self, request, view) -> bool:
        if view.action != "partial_update":
            return True
        role = request._request.member.role  # IsMember, checked first, ensured a member
        return has_perm(role, "partners.manage") or has_perm(role, "company.edit")


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partner companies. Staff see and manage all of them; partner people see their own
    company, and its partner admins edit its profile."""

    model = Partner
    serializer_class = ps.PartnerSerializer
    permission_classes = [IsMember, CanEditPartner]
    required_perm = "partners.manage"
    required_perms = {
        "list": "portal.use",
        "retrieve": "portal.use",
        "partial_update": "portal.use",  # narrowed by CanEditPartner and the service
        "tier": "program.manage",
        # A status action needs the partner to be visible (else 404); then the machine
        # answers 403 for a member who may not take it, as in the portal.
        **dict.fromkeys(PARTNER_STATUS.actions, "portal.use"),
    }
    filterset_class = PartnerFilter
    ordering_fields = ["name", "created_at", "status", "id"]
    ordering = ["name"]

    def scoped_queryset(self):
        return (
            selectors.partners_visible_to(self.member)
            .select_related("tier", "metrics")
            .prefetch_related("domain_set", "specialties", "products")
        )

    def _out(self, partner: Partner) -> dict:
        """The partner as stored now (the service's copy has no prefetched relations)."""
        return ps.PartnerSerializer(
            self.scoped_queryset().get(pk=partner.pk), context=self.get_serializer_context()
        ).data

    def _take(self, request, name: str) -> Response:
        """One status action of PARTNER_STATUS on the visible partner (else 404): 403 when
        the member may never take it, 400 when the partner's status does not allow it now."""
        partner = self.get_object()
        require_action(PARTNER_STATUS, partner, self.member, name)
        serializer = (
            ps.PartnerReasonActionSerializer
            if PARTNER_STATUS[name].reason
            else ps.PartnerActionSerializer
        )
        ser = serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            partner = services.partner_transition(
                partner=partner, by=self.member, action=name, **ser.validated_data
            )
        return Response(self._out(partner))

    @extend_schema(
        request=ps.PartnerCreateSerializer,
        responses={201: ps.PartnerSerializer},
        summary="Add a partner",
    )
    def create(self, request):
        ser = ps.PartnerCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            partner = services.partner_create(
                tenant=self.tenant, by=self.member, **ser.validated_data
            )
        return Response(self._out(partner), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ps.PartnerUpdateSerializer,
        responses=ps.PartnerSerializer,
        summary="Change a partner's profile",
        description=(
            "Staff change any partner, including its owner and the invitation exception. "
            "Partner admins change their own company's profile, specialties and products; "
            "their `domains` (and the domain of a new `website`) become a proposal that staff "
            "approve (see `domain-proposals`); the other fields they send are ignored. "
            "Status and tier are read-only here (see the status actions, e.g. "
            "`POST /partners/{id}/suspend/`, and tier evaluation)."
        ),
    )
    def partial_update(self, request, pk=None):
        partner = self.get_object()
        staff = has_perm(self.member.role, "partners.manage")
        ser = ps.PartnerUpdateSerializer(data=request.data, partial=True, staff=staff)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            partner = services.partner_update(partner=partner, by=self.member, **ser.validated_data)
        return Response(self._out(partner))

    @extend_schema(
        request=ps.PartnerTierSetSerializer,
        responses=ps.PartnerSerializer,
        summary="Place a partner in a tier by hand, with a reason (admins)",
        description="Recorded as an applied tier change and in the audit trail; the next "
        "automatic evaluation may move the partner again.",
    )
    @action(detail=True, methods=["post"])
    def tier(self, request, pk=None):
        partner = self.get_object()
        ser = ps.PartnerTierSetSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            partner = services.partner_set_tier(
                partner=partner, by=self.member, **ser.validated_data
            )
        return Response(self._out(partner))

    @extend_schema(
        responses=ps.OpenItemSerializer(many=True),
        summary="Work a partner leaves open (deals, fund requests...)",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="open-items",
        pagination_class=None,
        filter_backends=[],
    )
    def open_items(self, request, pk=None):
        items = services.open_items(self.get_object())
        return Response(ps.OpenItemSerializer(items, many=True).data)


def _status_action(name: str):
    """The endpoint of one PARTNER_STATUS action: `POST /partners/{id}/<name>/`."""
    act = PARTNER_STATUS[name]

    def handler(self, request, pk=None):
        return self._take(request, name)

    handler.__name__ = handler.__qualname__ = name
    handler = action(detail=True, methods=["post"], url_path=name, url_name=name)(handler)
    return extend_schema(
        request=ps.PartnerReasonActionSerializer if act.reason else ps.PartnerActionSerializer,
        responses=ps.PartnerSerializer,
        summary=f"Status action `{name}`: move the partner to {act.target}",
        description=(
            f"From {', '.join(sorted(act.sources))}. For staff; the partner's "
            "`allowed_actions` says whether it is possible now (else 400)."
            + (" Needs a `reason`." if act.reason else "")
        ),
    )(handler)


for _name in PARTNER_STATUS.actions:
    setattr(PartnerViewSet, _name, _status_action(_name))


# --- Tiers --------------------------------------------------------------------------------


class TierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Program tiers: everyone reads them; tenant admins change them."""

    model = Tier
    serializer_class = ps.TierSerializer
    required_perm = "program.manage"
    required_perms = {"list": "tiers.view", "retrieve": "tiers.view"}
    ordering_fields = ["rank", "name"]
    ordering = ["rank"]

    def scoped_queryset(self):
        return selectors.tiers()

    @extend_schema(responses={201: ps.TierSerializer}, summary="Add a tier")
    def create(self, request):
        ser = ps.TierSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            tier = services.tier_save(by=self.member, **ser.validated_data)
        return Response(ps.TierSerializer(tier).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a tier")
    def partial_update(self, request, pk=None):
        tier = self.get_object()
        ser = ps.TierSerializer(tier, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            tier = services.tier_save(by=self.member, obj=tier, **ser.validated_data)
        return Response(ps.TierSerializer(tier).data)

    @extend_schema(responses={204: None}, summary="Delete a tier nobody is in")
    def destroy(self, request, pk=None):
        tier = self.get_object()
        with transaction.atomic():
            services.tier_delete(by=self.member, tier=tier)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={202: ps.TierEvaluationQueuedSerializer},
        summary="Evaluate every partner's tier now, in the background",
    )
    @action(detail=False, methods=["post"])
    def evaluate(self, request):
        services.tiers_evaluation_request(tenant=self.tenant, by=self.member)
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=ps.WhatIfSerializer,
        responses=ps.WhatIfResultSerializer,
        summary="Preview where partners would land under changed tiers (saves nothing)",
        description=(
            "Two parts, as on the portal's what-if page: `because` lists the partners whose "
            "outcome the proposed values change, `anyway` those the next evaluation moves "
            "under the stored tiers regardless. Each names the requirement and the figure "
            "that decide it. Grace periods are not applied."
        ),
    )
    @action(detail=False, methods=["post"], url_path="what-if")
    def what_if(self, request):
        ser = ps.WhatIfSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        proposed = ser.validated_data["tiers"]
        preview = tiering_preview.what_if_preview(tenant=self.tenant, proposed=proposed)
        figures = tiering.what_if(tenant=self.tenant, tiers=proposed, limit=0)
        result = {
            "because": preview.because,
            "anyway": preview.anyway,
            "because_up": preview.because_up,
            "because_down": preview.because_down,
            "anyway_up": preview.anyway_up,
            "anyway_down": preview.anyway_down,
            "total": preview.total,
            "discount_change": figures["discount_change"],
            "mdf_change": figures["mdf_change"],
        }
        return Response(ps.WhatIfResultSerializer(result).data)


class TierChangeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TierChangeStatus.choices)
    partner = django_filters.NumberFilter(field_name="partner_id")


class TierChangeViewSet(mixins.ListModelMixin, TenantViewSet):
    """Tier moves, and the upgrades waiting for an admin's approval (`?status=pending`)."""

    model = TierChange
    serializer_class = ps.TierChangeSerializer
    required_perm = "program.manage"
    filterset_class = TierChangeFilter
    ordering_fields = ["created_at", "id"]

    def scoped_queryset(self):
        return selectors.tier_changes()

    def _decide(self, request, *, approve: bool) -> Response:
        change = self.get_object()
        ser = ps.TierChangeDecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            change = services.tier_change_decide(
                change=change, by=self.member, approve=approve, **ser.validated_data
            )
        return Response(ps.TierChangeSerializer(self.scoped_queryset().get(pk=change.pk)).data)

    @extend_schema(
        request=ps.TierChangeDecisionSerializer,
        responses=ps.TierChangeSerializer,
        summary="Approve a pending upgrade (the partner moves at once)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(
        request=ps.TierChangeDecisionSerializer,
        responses=ps.TierChangeSerializer,
        summary="Reject a pending upgrade",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approve=False)


class DomainProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DomainProposalStatus.choices)


class DomainProposalViewSet(mixins.ListModelMixin, TenantViewSet):
    """Company domains proposed by partner admins (`PATCH /partners/{id}/` with `domains`
    or a new `website`), and staff's decisions (`?status=pending` lists those waiting). The
    domains limit whom a partner admin may invite, so they change only on approval."""

    model = DomainProposal
    serializer_class = ps.DomainProposalSerializer
    required_perm = "partners.manage"
    filterset_class = DomainProposalFilter
    ordering_fields = ["created_at", "id"]

    def scoped_queryset(self):
        return selectors.domain_proposals()

    def _decide(self, request, *, approve: bool) -> Response:
        proposal = self.get_object()
        ser = ps.DomainProposalDecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            proposal = services.domain_proposal_decide(
                proposal=proposal, by=self.member, approve=approve, **ser.validated_data
            )
        return Response(ps.DomainProposalSerializer(proposal).data)

    @extend_schema(
        request=ps.DomainProposalDecisionSerializer,
        responses=ps.DomainProposalSerializer,
        summary="Approve proposed company domains (they replace the partner's domains)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(
        request=ps.DomainProposalDecisionSerializer,
        responses=ps.DomainProposalSerializer,
        summary="Reject proposed company domains",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approve=False)


# --- Catalogue ----------------------------------------------------------------------------


class _CatalogueViewSet(mixins.ListModelMixin, TenantViewSet):
    """Everyone lists the catalogue; tenant admins add and rename entries."""

    required_perm = "program.manage"
    required_perms = {"list": "portal.use"}
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    def scoped_queryset(self):
        return self.model.objects.order_by("name")

    def create(self, request):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            obj = services.catalogue_save(by=self.member, model=self.model, **ser.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        obj = self.get_object()
        ser = self.get_serializer(obj, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        fields = {"name": obj.name} | ser.validated_data
        with transaction.atomic():
            obj = services.catalogue_save(by=self.member, model=self.model, obj=obj, **fields)
        return Response(self.get_serializer(obj).data)


class ProductFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()


class ProductViewSet(_CatalogueViewSet):
    model = Product
    serializer_class = ps.ProductSerializer
    filterset_class = ProductFilter


class SpecialtyViewSet(_CatalogueViewSet):
    model = Specialty
    serializer_class = ps.SpecialtySerializer


# --- Program settings ---------------------------------------------------------------------


class ProgramSettingsView(TenantAPIView):
    required_perm = "program.manage"

    @extend_schema(responses=ps.ProgramSettingsSerializer, summary="Program settings")
    def get(self, request):
        return Response(ps.ProgramSettingsSerializer(ProgramSettings.for_tenant(self.tenant)).data)

    @extend_schema(
        request=ps.ProgramSettingsSerializer,
        responses=ps.ProgramSettingsSerializer,
        summary="Change program settings",
    )
    def patch(self, request):
        ser = ps.ProgramSettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        with transaction.atomic():
            settings = services.program_settings_update(by=self.member, **ser.validated_data)
        return Response(ps.ProgramSettingsSerializer(settings).data)


router = SimpleRouter(trailing_slash=True)
router.register("partners", PartnerViewSet, basename="api-partner")
router.register("tiers", TierViewSet, basename="api-tier")
router.register("tier-changes", TierChangeViewSet, basename="api-tier-change")
router.register("domain-proposals", DomainProposalViewSet, basename="api-domain-proposal")
router.register("products", ProductViewSet, basename="api-product")
router.register("specialties", SpecialtyViewSet, basename="api-specialty")

urlpatterns = [
    *router.urls,
    path("program-settings/", ProgramSettingsView.as_view(), name="api-program-settings"),
]
