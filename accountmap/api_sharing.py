"""The API of the sharing matrix, the overlaps as each side may see them, and introductions.
Everything of the other side's accounts comes from accountmap.visibility, as in the portal."""

from __future__ import annotations

from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accountmap import sharing, visibility
from accountmap.models import (
    SHAREABLE_FIELDS,
    AccountStatus,
    IntroRequest,
    IntroStatus,
    Level,
    Overlap,
    Population,
    Side,
)
from accountmap.states_sharing import INTRO_REQUEST
from partners.models import Partner
from prm.api.base import TenantAPIView, TenantViewSet
from prm.portal import require_action
from prm.roles import STAFF_ROLES, has_perm

PARTNER_PARAM = OpenApiParameter(
    "partner",
    OpenApiTypes.INT,
    description="Staff: the partner whose overlaps to list (required). Ignored for partner "
    "people, who see their own company's.",
)
Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="Company name or domain contains.")


def _view(member, request):
    """The member's visibility view; staff name the partner (`?partner=`)."""
    if member.role not in STAFF_ROLES:
        return visibility.view_for(member)
    raw = request.query_params.get("partner", "")
    if not raw.isdigit() or len(raw) > 18:
        raise exceptions.ValidationError({"partner": [_("Name the partner by its id.")]})
    partner = Partner.objects.filter(pk=int(raw)).first()
    if partner is None:
        raise exceptions.ValidationError({"partner": [_("No such partner.")]})
    return visibility.view_for(member, partner)


class SharedAccountSerializer(serializers.Serializer):
    """The other side's account: name and domain, and only the fields it shares (null
    otherwise)."""

    name = serializers.CharField()
    domain = serializers.CharField()
    status = serializers.ChoiceField(AccountStatus.choices, allow_null=True)
    owner_name = serializers.CharField(allow_null=True)
    owner_email = serializers.CharField(allow_null=True)
    industry = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    employees = serializers.IntegerField(allow_null=True)
    shared_fields = serializers.ListField(child=serializers.ChoiceField(SHAREABLE_FIELDS))


class OwnAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="own_id")
    name = serializers.CharField(source="own_name")
    domain = serializers.CharField(source="own_domain")
    status = serializers.ChoiceField(AccountStatus.choices, source="own_status")
    country = serializers.CharField(source="own_country")


class OverlapRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    matched_on = serializers.CharField()
    created_at = serializers.DateTimeField()
    own_account = OwnAccountSerializer(source="*")
    other_account = serializers.SerializerMethodField()

    @extend_schema_field(SharedAccountSerializer)
    def get_other_account(self, row) -> dict:
        return SharedAccountSerializer(visibility.shared_row(row)).data


class GreenfieldRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.SerializerMethodField()

    @extend_schema_field(SharedAccountSerializer)
    def get_account(self, row) -> dict:
        return SharedAccountSerializer(visibility.shared_row(row)).data


class IntroCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


def _search(rows, request, fields):
    q = " ".join(request.query_params.get("q", "").split())[:100]
    if not q:
        return rows
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__icontains": q})
    return rows.filter(cond)


def shared_account_names(member, intros) -> dict[int, str]:
    """For a partner's people: {overlap id: the vendor's account name} of the overlaps the
    vendor still shares, for a page of introduction requests in one query."""
    ids = [i.overlap_id for i in intros]
    if not ids:
        return {}
    rows = visibility.overlaps(visibility.view_for(member)).filter(pk__in=ids)
    return {r["id"]: r["other_name"] for r in rows}


class IntroRequestSerializer(serializers.ModelSerializer):
    partner = serializers.SerializerMethodField()
    account_name = serializers.SerializerMethodField(
        help_text="The vendor's account, as the vendor shares it now (null when no longer "
        "shared with the partner)."
    )
    status = serializers.ChoiceField(IntroStatus.choices, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = IntroRequest
        fields = [
            "id",
            "partner",
            "account_name",
            "message",
            "status",
            "reason",
            "created_at",
            "decided_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "IntroPartner", {"id": serializers.IntegerField(), "name": serializers.CharField()}
        )
    )
    def get_partner(self, obj) -> dict:
        return {"id": obj.partner_id, "name": obj.partner.name}

    def get_account_name(self, obj) -> str | None:
        member = self.context["member"]
        if member.role in STAFF_ROLES:
            return obj.overlap.vendor_account.name
        names = self.context.get("shared_names")
        if names is None:
            names = shared_account_names(member, [obj])
        return names.get(obj.overlap_id)

    def get_allowed_actions(self, obj) -> list[str]:
        return sorted(INTRO_REQUEST.allowed(obj, self.context["member"]))


class AccountOverlapViewSet(mixins.ListModelMixin, TenantViewSet):
    """The overlaps the other side shares at `overlaps` or more: your own account, and
    theirs with only the fields they share. Partner people see their company's; staff name
    the partner (`?partner=`)."""

    model = Overlap
    serializer_class = OverlapRowSerializer
    required_perm = "account_overlaps.view"
    required_perms = {
        "intro": "account_intros.request",
        "lead": "leads.manage",
        "known_by": "accounts.known_by",
    }
    lookup_value_regex = "[0-9]+"

    def scoped_queryset(self):
        rows = visibility.overlaps(_view(self.member, self.request))
        return _search(rows, self.request, ("own_name", "own_domain", "other_name", "other_domain"))

    @extend_schema(parameters=[PARTNER_PARAM, Q_PARAM], summary="Shared overlapping accounts")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[PARTNER_PARAM],
        summary="Overlap counts per pair of populations (counts under the threshold are null)",
        responses=inline_serializer(
            "AccountOverlapCounts",
            {
                "threshold": serializers.IntegerField(),
                "total": serializers.IntegerField(
                    help_text="The sum of the cells shown as numbers."
                ),
                "total_exact": serializers.BooleanField(
                    help_text="False when some cell is under the threshold (then `total` is a "
                    "lower bound)."
                ),
                "cells": inline_serializer(
                    "AccountOverlapCountCell",
                    {
                        "own_status": serializers.ChoiceField(AccountStatus.choices),
                        "other_status": serializers.ChoiceField(AccountStatus.choices),
                        "value": serializers.IntegerField(allow_null=True),
                        "fewer_than": serializers.IntegerField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def counts(self, request):
        counts = visibility.overlap_counts(_view(self.member, request))
        return Response(
            {
                "threshold": counts["threshold"],
                "total": counts["total"],
                "total_exact": counts["total_exact"],
                "cells": [
                    {"own_status": a, "other_status": b, **c.as_api()}
                    for (a, b), c in counts["matrix"].items()
                ],
            }
        )

    @extend_schema(
        request=IntroCreateSerializer,
        responses={201: IntroRequestSerializer},
        summary="Ask for an introduction to the vendor's owner of a shared overlap",
    )
    @action(detail=True, methods=["post"])
    def intro(self, request, pk=None):
        ser = IntroCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        if visibility.overlap_or_none(visibility.view_for(self.member), pk) is None:
            raise exceptions.NotFound()
        intro = sharing.intro_request(
            by=self.member, overlap_id=int(pk), message=ser.validated_data["message"]
        )
        return Response(
            IntroRequestSerializer(intro, context={"member": self.member}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "AccountOverlapLead",
                {
                    "lead_id": serializers.IntegerField(),
                    "offer_id": serializers.IntegerField(allow_null=True),
                },
            )
        },
        summary="Vendor staff: make a lead of our account and offer it to the partner that "
        "has it (a shared overlap)",
    )
    @action(detail=True, methods=["post"])
    def lead(self, request, pk=None):
        overlap = Overlap.objects.select_related("partner").filter(pk=pk).first()
        if overlap is None or (
            visibility.overlap_or_none(visibility.view_for(self.member, overlap.partner), pk)
            is None
        ):
            raise exceptions.NotFound()
        lead, offer = sharing.overlap_lead_create(by=self.member, overlap_id=int(pk))
        return Response(
            {"lead_id": lead.pk, "offer_id": offer.pk if offer else None},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "account", OpenApiTypes.INT, required=True, description="A vendor account's id."
            )
        ],
        summary="Vendor staff, and a sales rep for the accounts they sell: the partners who "
        "know one of our accounts, within what each shares",
        responses=inline_serializer(
            "AccountKnownBy",
            {
                "account": serializers.IntegerField(),
                "partners": inline_serializer(
                    "AccountKnownByPartner",
                    {
                        "partner": serializers.IntegerField(),
                        "partner_name": serializers.CharField(),
                        "overlap": serializers.IntegerField(),
                        "account": SharedAccountSerializer(),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="known-by")
    def known_by(self, request):
        raw = request.query_params.get("account", "")
        if not raw.isdigit() or len(raw) > 18:
            raise exceptions.ValidationError({"account": [_("Name the account by its id.")]})
        account = visibility.accounts_known_visible_to(self.member).filter(pk=int(raw)).first()
        if account is None:
            raise exceptions.ValidationError({"account": [_("No such account of ours.")]})
        rows = visibility.partners_knowing(self.member, account)
        return Response(
            {
                "account": account.pk,
                "partners": [
                    {
                        "partner": r["partner_id"],
                        "partner_name": r["partner_name"],
                        "overlap": r["id"],
                        "account": SharedAccountSerializer(visibility.shared_row(r)).data,
                    }
                    for r in rows
                ],
            }
        )


class GreenfieldAccountViewSet(mixins.ListModelMixin, TenantViewSet):
    """The other side's accounts it shares as `all` that your side does not have."""

    model = Overlap  # rows are accounts; the schema generator needs a model
    serializer_class = GreenfieldRowSerializer
    required_perm = "account_overlaps.view"

    def scoped_queryset(self):
        rows = visibility.greenfield(_view(self.member, self.request))
        return _search(rows, self.request, ("other_name", "other_domain"))

    @extend_schema(parameters=[PARTNER_PARAM, Q_PARAM], summary="Greenfield accounts")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class IntroDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class AccountIntroViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Introduction requests: partner people see their company's, staff all and decide."""

    model = IntroRequest
    serializer_class = IntroRequestSerializer
    required_perm = "account_overlaps.view"
    required_perms = {"accept": "account_intros.decide", "decline": "account_intros.decide"}
    lookup_value_regex = "[0-9]+"

    def scoped_queryset(self):
        qs = IntroRequest.objects.select_related("partner", "overlap__vendor_account")
        if self.member.role in STAFF_ROLES:
            return qs
        return qs.filter(partner_id=self.member.partner_id)

    def get_serializer_context(self):
        context = {**super().get_serializer_context(), "member": self.member}
        if getattr(self, "_shared_names", None) is not None:
            context["shared_names"] = self._shared_names
        return context

    def paginate_queryset(self, queryset):
        """The page's vendor account names at once (not one visibility query per row)."""
        page = super().paginate_queryset(queryset)
        if self.member.role not in STAFF_ROLES:
            rows = page if page is not None else list(queryset)
            self._shared_names = shared_account_names(self.member, rows)
        return page

    def _decide(self, name: str) -> Response:
        intro = self.get_object()
        require_action(INTRO_REQUEST, intro, self.member, name)
        ser = IntroDecisionSerializer(data=self.request.data)
        ser.is_valid(raise_exception=True)
        intro = sharing.intro_decide(
            by=self.member, intro=intro, action=name, reason=ser.validated_data["reason"]
        )
        return Response(IntroRequestSerializer(intro, context={"member": self.member}).data)

    @extend_schema(request=IntroDecisionSerializer, responses={200: IntroRequestSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide("accept")

    @extend_schema(request=IntroDecisionSerializer, responses={200: IntroRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide("decline")


# --- The matrix ----------------------------------------------------------------------------


class AccountSharingCellSerializer(serializers.Serializer):
    status = serializers.ChoiceField(AccountStatus.choices, allow_blank=True)
    population = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    level = serializers.ChoiceField(Level.choices)
    fields = serializers.ListField(child=serializers.ChoiceField(SHAREABLE_FIELDS))
    origin = serializers.ChoiceField(["override", "default", "implicit"])


def _cell_out(cell) -> dict:
    return {
        "status": cell.status,
        "population": cell.population.pk if cell.population else None,
        "label": cell.label,
        "level": cell.level,
        "fields": cell.fields,
        "origin": cell.origin,
    }


MatrixSerializer = inline_serializer(
    "AccountSharingMatrix",
    {
        "side": serializers.ChoiceField(Side.choices),
        "partner": serializers.IntegerField(allow_null=True),
        "we_share": AccountSharingCellSerializer(many=True),
        "shared_with_us": AccountSharingCellSerializer(many=True),
    },
)


class AccountSharingRuleSetSerializer(serializers.Serializer):
    partner = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Vendor staff: the partner to override for (null: the default).",
    )
    status = serializers.ChoiceField(
        AccountStatus.choices, required=False, help_text="A standard population (or `population`)."
    )
    population = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A custom population's id."
    )
    level = serializers.ChoiceField([*Level.values, sharing.INHERIT])
    fields = serializers.ListField(
        child=serializers.ChoiceField(SHAREABLE_FIELDS), required=False, default=list, max_length=10
    )


class AccountSharingRuleView(TenantAPIView):
    """GET: what your side shares and what is shared with you (staff: `?partner=` for one
    partner's overrides and what it shares). POST: set one cell (vendor admin: a default or
    an override; partner admin: its own). `level` "inherit" removes the rule."""

    required_perm = "account_sharing.view"

    @extend_schema(parameters=[PARTNER_PARAM], responses=MatrixSerializer)
    def get(self, request):
        member = self.member
        if member.role in STAFF_ROLES:
            partner = None
            if request.query_params.get("partner"):
                partner = _view(member, request).partner
            ours = visibility.cells(Side.VENDOR, partner, with_implicit_custom=True)
            theirs = visibility.cells(Side.PARTNER, partner) if partner else []
            side = Side.VENDOR
        else:
            partner = member.partner
            ours = visibility.cells(Side.PARTNER, partner, with_implicit_custom=True)
            theirs = visibility.cells(Side.VENDOR, partner)
            side = Side.PARTNER
        return Response(
            {
                "side": side,
                "partner": partner.pk if partner else None,
                "we_share": [_cell_out(c) for c in ours],
                "shared_with_us": [_cell_out(c) for c in theirs if c.level != Level.HIDDEN],
            }
        )

    @extend_schema(
        request=AccountSharingRuleSetSerializer, responses={200: AccountSharingCellSerializer}
    )
    def post(self, request):
        member = self.member
        ser = AccountSharingRuleSetSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if member.role in STAFF_ROLES:
            if not has_perm(member.role, "account_sharing.manage_vendor"):
                raise exceptions.PermissionDenied()
            side = Side.VENDOR
            partner = None
            if data["partner"] is not None:
                partner = Partner.objects.filter(pk=data["partner"]).first()
                if partner is None:
                    raise exceptions.ValidationError({"partner": [_("No such partner.")]})
        else:
            if not has_perm(member.role, "account_sharing.manage_partner"):
                raise exceptions.PermissionDenied()
            side, partner = Side.PARTNER, member.partner
        population = None
        if data["population"] is not None:
            population = Population.objects.filter(pk=data["population"]).first()
            if population is None:
                raise exceptions.ValidationError({"population": [_("No such population.")]})
        sharing.sharing_rule_set(
            by=member,
            side=side,
            partner=partner,
            status=data.get("status", ""),
            population=population,
            level=data["level"],
            fields=data["fields"],
        )
        status_ = data.get("status", "")
        key = f"status:{status_}" if status_ else f"population:{population.pk}"
        cell = next(
            c for c in visibility.cells(side, partner, with_implicit_custom=True) if c.key == key
        )
        return Response(_cell_out(cell))


router = SimpleRouter(trailing_slash=True)
router.register("account-overlaps", AccountOverlapViewSet, basename="api-account-overlap")
router.register("greenfield-accounts", GreenfieldAccountViewSet, basename="api-greenfield-account")
router.register("account-intros", AccountIntroViewSet, basename="api-account-intro")

urlpatterns = [
    path(
        "account-sharing-rules/", AccountSharingRuleView.as_view(), name="api-account-sharing-rules"
    ),
    *router.urls,
]
