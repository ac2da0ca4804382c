"""Campaigns under /api/v1/marketing/: campaign kits (staff create, change, publish, retire;
partner people read the published ones; a partner admin launches one) and campaigns (a
partner's own, staff every partner's, `?partner=` to filter) with their links and funnel. The
same capabilities, machine and services as the portal."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from marketing import campaign_selectors as cs
from marketing import campaign_services, sequence_services
from marketing import sequence_selectors as ss
from marketing.campaign_models import Campaign, CampaignKit, KitStatus
from marketing.campaign_serializers import (
    BouncesInputSerializer,
    BouncesResultSerializer,
    CampaignContactSerializer,
    CampaignKitInputSerializer,
    CampaignKitSerializer,
    CampaignSerializer,
    ContactsInputSerializer,
    ContactsResultSerializer,
    SequenceProgressSerializer,
)
from marketing.language import AssetLanguage
from marketing.sequence_csv import clean_rows, read_csv
from marketing.states import CAMPAIGN_KIT, SEQUENCE
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.pagination import Cursor
from prm.portal import int_or_none, require_action


class CampaignKitFilter(django_filters.FilterSet):
    """A value outside the choices answers 400 with the field's error."""

    q = django_filters.CharFilter(
        method="filter_q", max_length=100, help_text="Words of the name or description."
    )
    language = django_filters.ChoiceFilter(choices=AssetLanguage.choices)
    status = django_filters.ChoiceFilter(
        choices=KitStatus.choices, help_text="Staff only: partner people see published kits."
    )

    def filter_q(self, queryset, name, value: str):
        return cs.kit_filter(queryset, q=value.strip())


@extend_schema(tags=["marketing"])
class CampaignKitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaign kits. Partner people see the published ones; staff see and manage every kit."""

    model = CampaignKit
    serializer_class = CampaignKitSerializer
    filterset_class = CampaignKitFilter
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
        current = campaign_services.kit_values(kit)
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


class ContactPages(Cursor):
    """A campaign's contacts in the order they were added."""

    ordering = "id"


@extend_schema(tags=["marketing"])
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaigns with their links and funnel: a partner's own; staff every partner's."""

    model = Campaign
    serializer_class = CampaignSerializer
    lookup_value_regex = r"\d+"
    required_perms = {
        "list": "marketing.view",
        "retrieve": "marketing.view",
        "contacts": "marketing.contacts",
        "contacts_add": "marketing.campaign",
        "contact_remove": "marketing.campaign",
        "sequence": "marketing.view",
        "sequence_start": "marketing.campaign",
        "sequence_pause": "marketing.campaign",
        "sequence_resume": "marketing.campaign",
    }

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

    # --- The campaign's e-mail sequence (issue #21, item 3) ---

    def _own(self, campaign) -> None:
        """The contacts are the partner's own: its people only (staff see the figures)."""
        if self.member.partner_id != campaign.partner_id:
            raise exceptions.PermissionDenied()

    def _require_seq(self, campaign, name: str) -> None:
        require_action(SEQUENCE, campaign, self.member, name)

    @extend_schema(
        responses=CampaignContactSerializer(many=True), summary="The campaign's contacts"
    )
    @action(detail=True, methods=["get"], pagination_class=ContactPages)
    def contacts(self, request, pk=None):
        campaign = self.get_object()
        self._own(campaign)
        page = self.paginate_queryset(ss.contacts_visible_to(self.member, campaign))
        return self.get_paginated_response(CampaignContactSerializer(page, many=True).data)

    @extend_schema(
        request={
            "application/json": ContactsInputSerializer,
            "multipart/form-data": ContactsInputSerializer,
        },
        responses={201: ContactsResultSerializer},
        summary="Add contacts (a CSV file or a list), with the consent confirmation",
    )
    @contacts.mapping.post
    def contacts_add(self, request, pk=None):
        campaign = self.get_object()
        self._require_seq(campaign, "contacts")
        ser = ContactsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        rows = read_csv(data["file"]) if "file" in data else clean_rows(data["contacts"])
        result = sequence_services.contacts_add(
            campaign=campaign,
            by=self.member,
            rows=rows,
            consent=data["consent"],
            consent_text=sequence_services.consent_text(campaign.partner.name),
        )
        out = {
            "added": result.added,
            "merged": result.merged,
            "errors": [{"row": e.row, "email": e.email, "reason": e.reason} for e in result.errors],
        }
        return Response(ContactsResultSerializer(out).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a contact")
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"contacts/(?P<sub_id>[0-9]+)",
        url_name="contact",
    )
    def contact_remove(self, request, pk=None, sub_id=None):
        campaign = self.get_object()
        self._require_seq(campaign, "contacts")
        contact = ss.contact_of(self.member, campaign, int(sub_id))
        if contact is None:
            raise exceptions.NotFound()
        sequence_services.contact_remove(contact=contact, by=self.member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=SequenceProgressSerializer, summary="The e-mail sequence's progress")
    @action(detail=True, methods=["get"])
    def sequence(self, request, pk=None):
        campaign = self.get_object()
        return Response(SequenceProgressSerializer(ss.progress(campaign)).data)

    def _move(self, name: str, run):
        campaign = self.get_object()
        self._require_seq(campaign, name)
        campaign = run(campaign=campaign, by=self.member)
        return Response(SequenceProgressSerializer(ss.progress(campaign)).data)

    @extend_schema(request=None, responses=SequenceProgressSerializer, summary="Start sending")
    @action(detail=True, methods=["post"], url_path="sequence/start", url_name="sequence-start")
    def sequence_start(self, request, pk=None):
        return self._move("start", sequence_services.sequence_start)

    @extend_schema(request=None, responses=SequenceProgressSerializer, summary="Pause sending")
    @action(detail=True, methods=["post"], url_path="sequence/pause", url_name="sequence-pause")
    def sequence_pause(self, request, pk=None):
        return self._move("pause", sequence_services.sequence_pause)

    @extend_schema(request=None, responses=SequenceProgressSerializer, summary="Resume sending")
    @action(detail=True, methods=["post"], url_path="sequence/resume", url_name="sequence-resume")
    def sequence_resume(self, request, pk=None):
        return self._move("resume", sequence_services.sequence_resume)


@extend_schema(tags=["marketing"])
class BouncesView(TenantAPIView):
    """Bounces from the tenant's mail provider (its bounce webhook or a nightly export, sent
    by an integration key): every campaign contact with a reported address is marked bounced
    and suppressed for each partner holding it; addresses that are no contact are ignored."""

    required_perm = "marketing.manage"

    @extend_schema(
        request=BouncesInputSerializer,
        responses=BouncesResultSerializer,
        summary="Report addresses that bounced",
    )
    def post(self, request):
        data = BouncesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        emails = data.validated_data["emails"]
        found = sequence_services.bounces_report(
            emails=emails, detail=data.validated_data.get("detail", ""), by=self.member
        )
        return Response({"reported": len({e.lower() for e in emails}), "contacts": found})
