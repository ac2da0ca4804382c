"""Campaigns under /api/v1/marketing/: campaign kits (staff create, change, publish, retire;
partner people read the published ones; a partner admin launches one) and campaigns (a
partner's own, staff every partner's, `?partner=` to filter) with their links and funnel. The
same capabilities, machine and services as the portal."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from marketing import campaign_selectors as cs
from marketing import campaign_services
from marketing.campaign_models import Campaign, CampaignKit
from marketing.campaign_serializers import (
    CampaignKitInputSerializer,
    CampaignKitSerializer,
    CampaignSerializer,
)
from marketing.states import CAMPAIGN_KIT
from prm.api.base import TenantViewSet
from prm.portal import int_or_none, require_action


@extend_schema(tags=["marketing"])
class CampaignKitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaign kits. Partner people see the published ones; staff see and manage every kit."""

    model = CampaignKit
    serializer_class = CampaignKitSerializer
    lookup_value_regex = r"\d+"
    required_perms = {
        "list": "marketing.view",
        "retrieve": "marketing.view",
        "create": "marketing.manage",
        "partial_update": "marketing.manage",
        "publish": "marketing.manage",
        "retire": "marketing.manage",
        "launch": "marketing.campaign",
    }

    def scoped_queryset(self):
        return cs.kits_visible_to(self.member).order_by("name", "id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "member": self.member}

    def _move(self, name: str, service):
        kit = self.get_object()
        require_action(CAMPAIGN_KIT, kit, self.member, name)
        return service(kit=kit, by=self.member)

    @extend_schema(
        request=CampaignKitInputSerializer,
        responses={201: CampaignKitSerializer},
        summary="Create a campaign kit",
    )
    def create(self, request):
        ser = CampaignKitInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        kit = campaign_services.campaign_kit_create(by=self.member, **ser.validated_data)
        return Response(self.get_serializer(kit).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CampaignKitInputSerializer,
        responses=CampaignKitSerializer,
        summary="Change a campaign kit",
    )
    def partial_update(self, request, pk=None):
        kit = self.get_object()
        require_action(CAMPAIGN_KIT, kit, self.member, "edit")
        current = {
            "name": kit.name,
            "description": kit.description,
            "landing_headline": kit.landing_headline,
            "landing_body": kit.landing_body,
            "lead_form": kit.lead_form,
            "email_steps": kit.email_steps,
            "social_posts": kit.social_posts,
            "assets": list(kit.assets.all()),
            "mdf_activity_type": kit.mdf_activity_type,
        }
        data = self.patched(CampaignKitInputSerializer, current)
        kit = campaign_services.campaign_kit_update(kit=kit, by=self.member, **data)
        return Response(self.get_serializer(kit).data)

    @extend_schema(request=None, responses=CampaignKitSerializer, summary="Publish a kit")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        kit = self._move("publish", campaign_services.campaign_kit_publish)
        return Response(self.get_serializer(kit).data)

    @extend_schema(request=None, responses=CampaignKitSerializer, summary="Retire a kit")
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        kit = self._move("retire", campaign_services.campaign_kit_retire)
        return Response(self.get_serializer(kit).data)

    @extend_schema(
        request=None,
        responses={201: CampaignSerializer},
        summary="Launch the kit for the requesting partner admin's company",
    )
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        campaign = self._move("launch", campaign_services.campaign_launch)
        ctx = {"request": request}
        return Response(CampaignSerializer(campaign, context=ctx).data, status=201)


@extend_schema(tags=["marketing"])
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaigns with their links and funnel: a partner's own; staff every partner's."""

    model = Campaign
    serializer_class = CampaignSerializer
    lookup_value_regex = r"\d+"
    required_perms = {"list": "marketing.view", "retrieve": "marketing.view"}

    def scoped_queryset(self):
        qs = cs.campaigns_visible_to(self.member)
        partner = int_or_none(self.request.query_params.get("partner"))
        if partner:
            qs = qs.filter(partner_id=partner)
        return qs.order_by("-launched_at", "-id")

    @extend_schema(
        parameters=[OpenApiParameter("partner", int, description="Staff: one partner's.")]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ctx = {**self.get_serializer_context(), "funnel": cs.funnel(page)}
        return self.get_paginated_response(CampaignSerializer(page, many=True, context=ctx).data)
