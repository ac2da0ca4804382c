"""Deal registration API: deals (registering, reviewing, closing, CRM sync, pre-check), named
accounts, rules of engagement, leads and lead offers.

Each write validates its input with a serializer, then calls one service inside
`_refusals()`, which also turns the service's refusals into the API's error format: a 400
naming every field at fault, 403 for a move the member may not make, 409 when another
registration won the race for the customer.

Partner roles see their own company's deals only (others are 404) and never another
partner's identity: see dealreg/serializers.py."""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings

from dealreg import selectors, services
from dealreg import serializers as ds
from dealreg.models import (
    Deal,
    DealEvent,
    DealInfluencer,
    DealMatch,
    DealProduct,
    DealSource,
    DealStatus,
    ExtensionRequest,
    Lead,
    LeadOffer,
    LeadStatus,
    NamedAccount,
    RulesVersion,
)
from dealreg.precheck import PrecheckRateLimited, deal_precheck
from dealreg.services import leads
from dealreg.states import DEAL, EXTENSION, INFLUENCER
from prm.api.base import TenantAPIView, TenantViewSet
from prm.api.errors import Conflict
from prm.api.rows import ValuesListMixin
from prm.errors import DomainError
from prm.errors import PermissionDenied as DomainPermissionDenied
from prm.models import Member
from prm.portal import require_action
from prm.roles import STAFF_ROLES

# Model fields the services name in their errors -> the input field the caller sent.
RENAMED_FIELDS = {
    "customer_name_normalised": "customer_name",
    "customer_domain": "customer_domain_input",
}


def _field_errors(errors: dict, fields) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        name = RENAMED_FIELDS.get(name, name)
        key = name if name in fields else api_settings.NON_FIELD_ERRORS_KEY
        if isinstance(messages, str):
            messages = [messages]
        out.setdefault(key, []).extend(str(m) for m in messages)
    return out


@contextmanager
def _refusals(fields=()):
    """Run one service call; its refusals become API errors. `fields` are the input's field
    names: an error about anything else (such as a deal's current status) is a non-field
    error. A DomainError may carry `errors` ({field: message}) when several fields are at
    fault (a submission missing its domain and amount): all of them are reported.

    The atomic block is what undoes a refused write: the request's own transaction commits,
    to keep the idempotency record of the 400 answer."""
    try:
        with transaction.atomic():
            yield
    except DomainPermissionDenied:
        raise  # 403, by prm.api.errors
    except DomainError as exc:
        if exc.code == "conflict":
            raise Conflict(exc.message)
        errors = getattr(exc, "errors", None) or {exc.field: exc.message}
        raise serializers.ValidationError(_field_errors(errors, fields))
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        raise serializers.ValidationError(_field_errors(errors, fields))
    except IntegrityError:
        raise Conflict(_("A concurrent change got there first; try again."))


def _is_staff(member: Member) -> bool:
    return member.role in STAFF_ROLES


# --- Deals --------------------------------------------------------------------------------


def deals_for(member: Member) -> QuerySet[Deal]:
    """The deals `member` may see, with what a list shows. The product ids come as an array
    in the same query: a prefetch costs a round trip, and a related manager per deal."""
    products = (
        DealProduct.objects.filter(deal=OuterRef("pk"))
        .order_by("product__name", "product_id")
        .values("product_id")
    )
    return (
        selectors.deals_visible_to(member)
        .select_related("rules_version")
        .annotate(product_ids=ArraySubquery(products))
    )


# The deal columns DealListSerializer shows: a list page reads these and nothing else (no
# name tokens, no tier), which halves the cost of building its rows.
LIST_COLUMNS = [
    name
    for name in ds.DealListSerializer.Meta.fields
    if name not in ("number", "partner", "products", "rules_version")
]


def deals_listed(member: Member) -> QuerySet[Deal]:
    """deals_for() reduced to the columns of a list (see LIST_COLUMNS)."""
    return (
        deals_for(member)
        .select_related(None)
        .select_related("partner", "rules_version")
        .only(*LIST_COLUMNS, "partner__name", "rules_version__version")
    )


def deal_details(qs: QuerySet[Deal], *, staff: bool) -> QuerySet[Deal]:
    """Add what DealSerializer shows: matches, the timeline (without staff-only notes for
    partner roles), the pending extension request and, for staff, the influencers."""
    events = DealEvent.objects.order_by("at", "id")
    if not staff:
        events = events.filter(staff_only=False)
    prefetches = [
        Prefetch("matches", queryset=DealMatch.objects.order_by("-score", "id")),
        Prefetch("events", queryset=events, to_attr="visible_events"),
        Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING),
            to_attr="pending_extensions",
        ),
    ]
    if staff:
        prefetches.append(
            Prefetch(
                "influencers",
                queryset=DealInfluencer.objects.select_related("partner").order_by("id"),
            )
        )
    return qs.prefetch_related(*prefetches)


def deal_response(member: Member, deal: Deal, code: int = status.HTTP_200_OK) -> Response:
    """The deal as stored now, as `member` may see it."""
    staff = _is_staff(member)
    deal = deal_details(deals_for(member), staff=staff).get(pk=deal.pk)
    context = {"staff": staff, "member": member}
    return Response(ds.DealSerializer(deal, context=context).data, status=code)


class DealFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DealStatus.choices, method="filter_status")
    partner = django_filters.NumberFilter(
        field_name="partner_id",
        help_text="A partner id (for staff; partner people see their own deals only).",
    )
    source = django_filters.ChoiceFilter(choices=DealSource.choices)
    has_conflicts = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of the customer's name or domain."
    )

    def filter_status(self, queryset, name, value: str):
        # As shown: an approved deal whose protection ended is expired (Deal.current_status).
        return queryset.with_current_status(value) if value else queryset

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(services.deal_search_filter(value)) if value else queryset


class DealViewSet(ValuesListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Deal registrations. Staff see every deal and decide them; partner people register,
    edit drafts, submit and withdraw their own company's deals."""

    model = Deal
    lookup_value_regex = "[0-9]+"
    rate_limited_actions = ("pre_check",)  # per member, see dealreg/precheck.py
    # Actions on one deal need only "deals.view": the deal must be visible (else 404), then
    # its state machine (dealreg/states.py) answers 403 for a member who may not take the
    # action, as in the portal. Actions not listed are for staff.
    required_perm = "deals.review"
    required_perms = {
        "list": "deals.view",
        "retrieve": "deals.view",
        "timeline": "deals.view",
        "create": "deals.register",
        "partial_update": "deals.view",
        "submit": "deals.view",
        "withdraw": "deals.view",
        "extend": "deals.view",
        "approve": "deals.view",
        "reject": "deals.view",
        "recheck": "deals.view",
        "close": "deals.view",
        "extension_decision": "deals.view",
        "influencers": "deals.view",
        "influencer_approve": "deals.view",
        "influencer_edit": "deals.view",
        "influencer_reject": "deals.view",
        "pre_check": "deals.register",
    }
    filterset_class = DealFilter
    ordering_fields = [
        "id",
        "created_at",
        "submitted_at",
        "amount",
        "expected_close_date",
        "protected_until",
    ]
    ordering = ["-id"]

    @property
    def staff(self) -> bool:
        return _is_staff(self.member)

    def scoped_queryset(self):
        if self.action == "list":
            return deals_listed(self.member)
        qs = deals_for(self.member)
        if self.action == "retrieve":
            qs = deal_details(qs, staff=self.staff)
        return qs

    def get_serializer_class(self):
        return ds.DealSerializer if self.action == "retrieve" else ds.DealListSerializer

    def get_serializer_context(self):
        # The schema documents every field; a request shows staff-only data to staff only.
        staff = getattr(self, "swagger_fake_view", False) or self.staff
        member = getattr(self, "member", None)
        return super().get_serializer_context() | {"staff": staff, "member": member}

    def _out(self, deal: Deal, code: int = status.HTTP_200_OK) -> Response:
        return deal_response(self.member, deal, code)

    def _deal_for(self, name: str) -> Deal:
        """The visible deal (else 404), if the member may take `name` on it (else 403)."""
        deal = self.get_object()
        require_action(DEAL, deal, self.member, name)
        return deal

    @staticmethod
    def _registration(validated: dict) -> tuple[dict, list | None, bool]:
        data = dict(validated)
        return data, data.pop("products", None), data.pop("submit", False)

    @extend_schema(
        request=ds.DealWriteSerializer,
        responses={201: ds.DealSerializer},
        summary="Register a deal (a draft, or submitted at once with `submit`)",
        description=(
            "For partner people. Submitting needs the customer's domain, the amount and an "
            "expected close date in the future; a submission missing several of them names "
            "each one. The rules of engagement then decide it in the background."
        ),
    )
    def create(self, request):
        ser = ds.DealWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data, products, submit = self._registration(ser.validated_data)
        data.setdefault("currency", self.tenant.default_currency)
        with _refusals(ser.fields):
            deal = services.deal_save(by=self.member, data=data, products=products, submit=submit)
        return self._out(deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=ds.DealWriteSerializer,
        responses=ds.DealSerializer,
        summary="Change a draft (and submit it with `submit`)",
    )
    def partial_update(self, request, pk=None):
        deal = self._deal_for("edit")
        ser = ds.DealWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data, products, submit = self._registration(ser.validated_data)
        with _refusals(ser.fields):
            deal = services.deal_save(
                by=self.member, data=data, products=products, deal=deal, submit=submit
            )
        return self._out(deal)

    @extend_schema(request=None, responses=ds.DealSerializer, summary="Submit a draft")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        deal = self._deal_for("submit")
        with _refusals(services.EDITABLE_FIELDS):  # a submission names what it lacks
            deal = services.deal_submit(deal=deal, by=self.member)
        return self._out(deal)

    @extend_schema(
        request=ds.DealReasonSerializer, responses=ds.DealSerializer, summary="Withdraw a deal"
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        deal = self._deal_for("withdraw")
        ser = ds.DealReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            deal = services.deal_withdraw(deal=deal, by=self.member, **ser.validated_data)
        return self._out(deal)

    @extend_schema(
        request=ds.DealReasonSerializer,
        responses={200: ds.DealSerializer, 409: None},
        summary="Approve a submitted deal",
        description="409 when another registration for this customer was approved first.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        deal = self._deal_for("approve")
        ser = ds.DealReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            deal = services.deal_approve(deal=deal, by=self.member, **ser.validated_data)
        return self._out(deal)

    @extend_schema(
        request=ds.DealRequiredReasonSerializer,
        responses=ds.DealSerializer,
        summary="Reject a submitted deal (the reason is shown to the partner)",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        deal = self._deal_for("reject")
        ser = ds.DealRequiredReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            deal = services.deal_reject(deal=deal, by=self.member, **ser.validated_data)
        return self._out(deal)

    @extend_schema(
        request=ds.DealRequiredReasonSerializer,
        responses={201: ds.DealExtensionRequestSerializer},
        summary="Ask for a longer protection period",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        deal = self._deal_for("extend")
        ser = ds.DealRequiredReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            req = services.extension_request(deal=deal, by=self.member, **ser.validated_data)
        return Response(ds.DealExtensionRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ds.DealExtensionDecisionSerializer,
        responses=ds.DealExtensionRequestSerializer,
        summary="Approve or decline the pending extension request",
    )
    @action(detail=True, methods=["post"], url_path="extension-decision")
    def extension_decision(self, request, pk=None):
        deal = self.get_object()
        ser = ds.DealExtensionDecisionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pending = ExtensionRequest.objects.filter(
            deal=deal, status=ExtensionRequest.Status.PENDING
        ).first()
        require_action(
            EXTENSION,
            pending or ExtensionRequest(deal=deal),
            self.member,
            "approve" if ser.validated_data["approve"] else "reject",
        )
        if pending is None:
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("No extension request is waiting.")]}
            )
        with _refusals(ser.fields):
            req = services.extension_decide(
                request=pending, by=self.member, approve=ser.validated_data["approve"]
            )
        return Response(ds.DealExtensionRequestSerializer(req).data)

    @extend_schema(
        request=ds.DealCloseSerializer,
        responses=ds.DealSerializer,
        summary="Close an approved deal as won or lost",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        deal = self._deal_for("win")
        ser = ds.DealCloseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        with _refusals(ser.fields):
            deal = services.deal_close(
                deal=deal,
                by=self.member,
                won=d["outcome"] == "won",
                amount=d.get("amount"),
                closed_at=d.get("closed_at"),
                reason=d["reason"],
            )
        return self._out(deal)

    @extend_schema(
        request=ds.DealInfluencerCreateSerializer,
        responses={201: ds.DealInfluencerSerializer},
        summary="Record a partner that influenced the deal",
    )
    @action(detail=True, methods=["post"])
    def influencers(self, request, pk=None):
        deal = self._deal_for("add_influencer")
        ser = ds.DealInfluencerCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            influencer = services.influencer_add(
                deal=deal, by=self.member, partner=ser.validated_data["partner"]
            )
        return Response(
            ds.DealInfluencerSerializer(influencer).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None, responses=ds.DealSerializer, summary="Run conflict detection again"
    )
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        deal = self._deal_for("recheck")
        with _refusals():
            services.deal_recheck(deal=deal, by=self.member)
        return self._out(deal)

    def _influencer_decision(self, influencer_id: str, *, approve: bool) -> Response:
        deal = self.get_object()
        influencer = get_object_or_404(DealInfluencer, deal=deal, pk=influencer_id)
        require_action(INFLUENCER, influencer, self.member, "approve" if approve else "reject")
        with _refusals():
            influencer = services.influencer_decide(
                influencer=influencer, by=self.member, approve=approve
            )
        return Response(ds.DealInfluencerSerializer(influencer).data)

    @extend_schema(
        request=ds.DealInfluencerSettingsSerializer,
        responses=ds.DealInfluencerSerializer,
        summary="Set an influencer's weight and role (staff)",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"influencers/(?P<influencer_id>[0-9]+)/edit",
    )
    def influencer_edit(self, request, pk=None, influencer_id=None):
        deal = self.get_object()
        influencer = get_object_or_404(DealInfluencer, deal=deal, pk=influencer_id)
        require_action(INFLUENCER, influencer, self.member, "edit")
        ser = ds.DealInfluencerSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            influencer = services.influencer_set(
                influencer=influencer, by=self.member, **ser.validated_data
            )
        return Response(ds.DealInfluencerSerializer(influencer).data)

    @extend_schema(
        request=None,
        responses=ds.DealInfluencerSerializer,
        summary="Approve a partner's request to be recorded as influencer",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"influencers/(?P<influencer_id>[0-9]+)/approve",
    )
    def influencer_approve(self, request, pk=None, influencer_id=None):
        return self._influencer_decision(influencer_id, approve=True)

    @extend_schema(
        request=None,
        responses=ds.DealInfluencerSerializer,
        summary="Reject a partner's request to be recorded as influencer",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"influencers/(?P<influencer_id>[0-9]+)/reject",
    )
    def influencer_reject(self, request, pk=None, influencer_id=None):
        return self._influencer_decision(influencer_id, approve=False)

    @extend_schema(
        responses=ds.DealEventSerializer(many=True),
        summary="The deal's timeline, oldest first",
        description="Staff-only notes are shown to staff only.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        events = selectors.timeline(self.get_object(), staff=self.staff)
        return Response(ds.DealEventSerializer(events, many=True).data)

    @extend_schema(
        request=ds.DealPreCheckSerializer,
        responses=ds.DealPreCheckResultSerializer,
        summary="Check whether a customer is likely free before registering it",
        description=(
            "Saves nothing. The reasons never name another partner, its registration or its "
            "products (`products` are accepted but not compared). Limited per member: past "
            "the limit the answer is 429 `throttled` with `Retry-After`."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="pre-check",
        pagination_class=None,
        filter_backends=[],
    )
    def pre_check(self, request):
        ser = ds.DealPreCheckSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            check = deal_precheck(
                member=self.member,
                customer_name=d["customer_name"],
                customer_domain_input=d.get("customer_domain_input", ""),
            )
        except PrecheckRateLimited as exc:
            raise exceptions.Throttled(wait=exc.window, detail=exc.message) from exc
        result = {
            "result": "likely_available" if check["clear"] else "possible_conflict",
            "reasons": check["reasons"],
        }
        return Response(ds.DealPreCheckResultSerializer(result).data)

    @extend_schema(
        request=ds.DealSyncSerializer,
        responses=ds.DealSerializer,
        summary="CRM sync: record a deal as won or lost by its CRM id",
        description=(
            "Upsert by `external_id`. The first update for a CRM id names the deal to link "
            "it to (`deal`); later ones may leave it out. Sending the same update again "
            "answers 200 with the same deal and changes nothing."
        ),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def sync(self, request):
        ser = ds.DealSyncSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        with _refusals(ser.fields):
            deal = services.deal_sync(
                by=self.member,
                external_id=d["external_id"],
                deal=d.get("deal"),
                won=d["outcome"] == "won",
                amount=d.get("amount"),
                closed_at=d.get("closed_at"),
                reason=d["reason"],
            )
        return self._out(deal)


# --- Named accounts -----------------------------------------------------------------------


class NamedAccountFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=NamedAccount.Kind.choices)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the name or domain.")

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))


class NamedAccountViewSet(ValuesListMixin, mixins.ListModelMixin, TenantViewSet):
    """The vendor's named direct accounts and open direct opportunities (conflict checks
    compare every registration with them)."""

    model = NamedAccount
    serializer_class = ds.NamedAccountSerializer
    required_perm = "named_accounts.manage"
    filterset_class = NamedAccountFilter
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]

    def scoped_queryset(self):
        return NamedAccount.objects.all()

    @extend_schema(
        request=ds.NamedAccountWriteSerializer,
        responses={201: ds.NamedAccountSerializer, 200: ds.NamedAccountSerializer},
        summary="Add a named account, or update the one with this CRM id",
        description="201 when added, 200 when the account with `external_id` was updated.",
    )
    def create(self, request):
        ser = ds.NamedAccountWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        external_id = ser.validated_data["external_id"].strip()
        existed = (
            bool(external_id) and NamedAccount.objects.filter(external_id=external_id).exists()
        )
        with _refusals(ser.fields):
            account = services.named_account_upsert(
                by=self.member, **(ser.validated_data | {"external_id": external_id})
            )
        return Response(
            ds.NamedAccountSerializer(account).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


# --- Rules of engagement ------------------------------------------------------------------


class RulesView(TenantAPIView):
    """The rules of engagement in force; tenant admins publish new versions."""

    @property
    def required_perm(self) -> str:
        return "rules.manage" if self.request.method == "POST" else "rules.view"

    @extend_schema(responses=ds.RulesVersionSerializer, summary="The rules in force")
    def get(self, request):
        return Response(ds.RulesVersionSerializer(services.current_rules(self.tenant)).data)

    @extend_schema(
        request=ds.RulesPublishSerializer,
        responses={201: ds.RulesVersionSerializer},
        summary="Publish a new rules version",
        description=(
            "Values left out keep those of the rules in force. Deals are decided by the "
            "version in force when they are evaluated, and record it."
        ),
    )
    def post(self, request):
        ser = ds.RulesPublishSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        values = dict(ser.validated_data)
        effective_from = values.pop("effective_from", None)
        current = services.current_rules(self.tenant)
        values = {name: getattr(current, name) for name in ds.RULE_FIELDS} | values
        with _refusals(ser.fields):
            rules = services.rules_publish(by=self.member, effective_from=effective_from, **values)
        return Response(ds.RulesVersionSerializer(rules).data, status=status.HTTP_201_CREATED)


class RulesVersionViewSet(mixins.ListModelMixin, TenantViewSet):
    """Every published rules version, newest first (staff)."""

    model = RulesVersion
    serializer_class = ds.RulesVersionSerializer
    required_perm = "deals.review"
    ordering_fields = ["version", "effective_from"]
    ordering = ["-version"]

    def scoped_queryset(self):
        return RulesVersion.objects.all()


# --- Leads --------------------------------------------------------------------------------


class LeadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices)


class LeadViewSet(mixins.ListModelMixin, TenantViewSet):
    """Vendor leads and their offers to partners (staff)."""

    model = Lead
    serializer_class = ds.LeadSerializer
    lookup_value_regex = "[0-9]+"
    required_perm = "leads.manage"
    filterset_class = LeadFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def scoped_queryset(self):
        return selectors.leads().prefetch_related("specialties")

    def _out(self, lead: Lead, code: int = status.HTTP_200_OK) -> Response:
        return Response(ds.LeadSerializer(self.scoped_queryset().get(pk=lead.pk)).data, status=code)

    @extend_schema(
        request=ds.LeadWriteSerializer,
        responses={201: ds.LeadSerializer, 200: ds.LeadSerializer},
        summary="Add a lead (offered to the best-fit partner at once), or update the CRM's lead",
        description=(
            "With an `external_id` this is an upsert: 201 and routing the first time, 200 and "
            "an in-place update of the fields sent after (the same values again change nothing)."
        ),
    )
    def create(self, request):
        ser = ds.LeadWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        fields = dict(ser.validated_data)
        external_id = fields.pop("external_id", "")
        specialties = fields.pop("specialties", None)
        if not external_id or not Lead.objects.filter(external_id=external_id).exists():
            fields.setdefault("currency", self.tenant.default_currency)
        with _refusals(ser.fields):
            lead, created = leads.lead_upsert(
                by=self.member, external_id=external_id, specialties=specialties, **fields
            )
        return self._out(lead, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses=ds.LeadSerializer,
        summary="Offer the lead to the next best-fit partner",
        description="A lead no partner fits is marked unassigned.",
    )
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        lead = self.get_object()
        with _refusals():
            leads.lead_route(lead=lead, by=self.member)
        return self._out(lead)


class LeadOfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LeadOffer.Status.choices)


class LeadOfferViewSet(mixins.ListModelMixin, TenantViewSet):
    """Leads the vendor offered to the caller's company: accept (the lead becomes a
    protected deal) or decline with a reason (it goes to the next partner)."""

    model = LeadOffer
    serializer_class = ds.PartnerLeadOfferSerializer
    lookup_value_regex = "[0-9]+"
    required_perm = "leads.respond"
    filterset_class = LeadOfferFilter
    ordering_fields = ["id", "offered_at", "respond_by"]
    ordering = ["-id"]

    def scoped_queryset(self):
        return selectors.offers_for(self.member)

    @extend_schema(
        request=None,
        responses={201: ds.DealSerializer, 409: None},
        summary="Accept the offer: the lead becomes your approved, protected deal",
        description="409 when another registration for this customer was approved first.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        offer = self.get_object()
        with _refusals():
            deal = leads.lead_accept(offer=offer, by=self.member)
        return deal_response(self.member, deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=ds.LeadOfferDeclineSerializer,
        responses=ds.PartnerLeadOfferSerializer,
        summary="Decline the offer",
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        offer = self.get_object()
        ser = ds.LeadOfferDeclineSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        with _refusals(ser.fields):
            leads.lead_decline(offer=offer, by=self.member, **ser.validated_data)
        return Response(ds.PartnerLeadOfferSerializer(self.scoped_queryset().get(pk=offer.pk)).data)


router = SimpleRouter(trailing_slash=True)
router.register("deals", DealViewSet, basename="api-deal")
router.register("named-accounts", NamedAccountViewSet, basename="api-named-account")
router.register("rules/versions", RulesVersionViewSet, basename="api-rules-version")
router.register("leads", LeadViewSet, basename="api-lead")
router.register("lead-offers", LeadOfferViewSet, basename="api-lead-offer")

urlpatterns = [
    *router.urls,
    path("rules/", RulesView.as_view(), name="api-rules"),
]
