"""Serializers of the deal registration API. Input serializers only validate; every write is
one service call in dealreg/api.py. Output serializers read what the viewsets prefetch.

Partner roles never see another partner's identity: a deal's matches reach them as the
`partner_reason` alone, and the influencers of a deal are shown to staff only. Serializers
decide that from `context["staff"]`, which must be exactly True to show staff-only data."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from dealreg.models import (
    Deal,
    DealEvent,
    DealInfluencer,
    DealSource,
    DealStatus,
    DealType,
    ExtensionRequest,
    InfluencerRole,
    Lead,
    LeadOffer,
    LeadStatus,
    MatchKind,
    NamedAccount,
    PartnerRole,
    RulesVersion,
)
from dealreg.states import DEAL
from partners.freemail import validate_company_domain
from partners.models import Partner, PartnerStatus, Region, Specialty, Tier
from partners.serializers import ActiveProductField, PartnerRefSerializer
from prm import iso
from prm.api.fields import AllowedActionsMixin, TenantPrimaryKeyField

MONEY = {"max_digits": 14, "decimal_places": 2}
OUTCOMES = [("won", _("Won")), ("lost", _("Lost"))]

# --- Shared pieces ------------------------------------------------------------------------


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component, whatever the field is called:
    `status` and `kind` name different choice sets across the apps, and the schema must not
    have to guess names for them."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "dealreg.serializers.EnumChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        name = f"{field.enum_name}Enum"
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "\n".join(
                    f"* `{v}` - {label}" for v, label in field.choices.items()
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC (`...Z`), whatever time zone is active for the request."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(**kwargs)


class _OutputSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }


class _RowsMixin:
    """Read-only output without DRF's per-field bookkeeping: the fields' sources are looked up
    once per serializer, then each row is plain attribute access plus each field's
    `to_representation`. Same output as `Serializer.to_representation` for attribute sources
    (a missing link on the way gives None, as the `default=None` of such fields does); a list
    of 50 deals spent a third of its request time in that bookkeeping.

    A class that sets `context_free = True` in its own body (not inherited: a subclass may add
    fields that read the context, as DealSerializer's method fields do) promises that no field
    reads the context, the request or the parent serializer; its fields are then built once per
    process instead of once per request (building a ModelSerializer's fields took as long as
    representing 50 rows)."""

    context_free = False

    def to_representation(self, instance):
        plan = self.__dict__.get("_row_plan")
        if plan is None:
            plan = self._row_plan = self._shared_plan() or self._build_plan()
        out = {}
        for name, attrs, field in plan:
            value = instance
            for attr in attrs:
                value = getattr(value, attr)
                if value is None:
                    break
            out[name] = None if value is None else field.to_representation(value)
        return out

    def _build_plan(self) -> list:
        return [(f.field_name, f.source_attrs, f) for f in self._readable_fields]

    @classmethod
    def _shared_plan(cls) -> list | None:
        if not cls.__dict__.get("context_free"):
            return None
        plan = cls.__dict__.get("_class_plan")
        if plan is None:
            # Bound to a serializer of its own, so no request's rows or context are kept.
            plan = cls._class_plan = cls(context={})._build_plan()
        return plan


def _is_staff(serializer) -> bool:
    return serializer.context.get("staff") is True


# --- Deals: output ------------------------------------------------------------------------


class DealMatchSerializer(serializers.Serializer):
    """One conflict found for a deal. Partner roles get `partner_reason` only."""

    partner_reason = serializers.CharField(
        read_only=True, help_text=_("Why it matters, without naming anyone.")
    )
    kind = EnumChoiceField(
        MatchKind.choices, enum_name="DealMatchKind", required=False, help_text=_("Staff only.")
    )
    score = serializers.DecimalField(
        max_digits=4, decimal_places=3, required=False, help_text=_("Staff only.")
    )
    reason = serializers.CharField(
        required=False, help_text=_("Staff only: names the other registration or account.")
    )
    matched_deal = serializers.IntegerField(
        source="matched_deal_id", allow_null=True, required=False, help_text=_("Staff only.")
    )
    matched_account = serializers.IntegerField(
        source="matched_account_id", allow_null=True, required=False, help_text=_("Staff only.")
    )

    STAFF_ONLY = ("kind", "score", "reason", "matched_deal", "matched_account")

    def get_fields(self):
        fields = super().get_fields()
        if not _is_staff(self):
            for name in self.STAFF_ONLY:
                fields.pop(name)
        return fields


class DealEventSerializer(_OutputSerializer):
    class Meta:
        model = DealEvent
        fields = ["id", "at", "kind", "message", "actor_label", "staff_only"]
        read_only_fields = fields


class DealInfluencerSerializer(_OutputSerializer):
    partner = PartnerRefSerializer(read_only=True)
    status = EnumChoiceField(
        DealInfluencer.Status.choices, enum_name="DealInfluencerStatus", read_only=True
    )

    class Meta:
        model = DealInfluencer
        fields = ["id", "partner", "status", "weight", "role", "created_at"]
        read_only_fields = fields


class DealExtensionRequestSerializer(_OutputSerializer):
    status = EnumChoiceField(
        ExtensionRequest.Status.choices, enum_name="DealExtensionStatus", read_only=True
    )

    class Meta:
        model = ExtensionRequest
        fields = ["id", "status", "reason", "created_at", "decided_at"]
        read_only_fields = fields


class DealListSerializer(_RowsMixin, _OutputSerializer):
    """A deal in a list. Expects `partner` and `rules_version` selected and the product ids
    annotated as `product_ids` (see dealreg.api.deals_for), so a list costs the same at any
    length."""

    context_free = True
    # For prm.api.rows (the list from values()): the columns these Deal properties read.
    values_sources = {"number": ("id",), "current_status": ("status", "protected_until")}

    number = serializers.CharField(read_only=True)
    products = serializers.ListField(
        child=serializers.IntegerField(), source="product_ids", read_only=True
    )
    partner = PartnerRefSerializer(read_only=True)
    status = EnumChoiceField(
        DealStatus.choices,
        enum_name="DealStatus",
        source="current_status",
        read_only=True,
        help_text=_(
            "An approved deal whose protection has ended is shown as expired at once, "
            "before the expiry sweep records the move."
        ),
    )
    source = EnumChoiceField(DealSource.choices, enum_name="DealSource", read_only=True)
    deal_type = EnumChoiceField(DealType.choices, enum_name="DealType", read_only=True)
    partner_role = EnumChoiceField(PartnerRole.choices, enum_name="DealPartnerRole", read_only=True)
    rules_version = serializers.IntegerField(
        source="rules_version.version",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_("The rules version that decided the deal."),
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "number",
            "partner",
            "status",
            "source",
            "customer_name",
            "customer_domain_input",
            "customer_domain",
            "country",
            "region",
            "contact_name",
            "contact_email",
            "contact_phone",
            "products",
            "amount",
            "currency",
            "expected_close_date",
            "deal_type",
            "partner_role",
            "notes",
            "mdf_campaign_code",
            "external_id",
            "has_conflicts",
            "created_at",
            "submitted_at",
            "sla_due_at",
            "decided_at",
            "decision_reason",
            "rules_version",
            "protected_until",
            "extensions_used",
            "won_amount",
            "closed_at",
            "lost_reason",
        ]
        read_only_fields = fields


class DealSerializer(AllowedActionsMixin, DealListSerializer):
    """A deal with its matches, timeline, influencers and pending extension request.
    Expects the prefetches of dealreg.api.deal_details()."""

    machine = DEAL
    matches = serializers.SerializerMethodField(
        help_text=_("Conflicts found. Partner roles get `partner_reason` only.")
    )
    timeline = serializers.SerializerMethodField(
        help_text=_("Oldest first; staff-only notes are shown to staff only.")
    )
    influencers = serializers.SerializerMethodField(
        help_text=_("Partners that influenced the deal. Staff only: empty for partner roles.")
    )
    pending_extension = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=_(
            "What the requesting member may do with this deal now, by action name (submit, "
            "withdraw, approve, reject, recheck, win, lose, extend, edit, add_influencer). "
            "Other actions answer 403, or 400 when only the deal's status stands in the way."
        )
    )

    class Meta(DealListSerializer.Meta):
        fields = [
            *DealListSerializer.Meta.fields,
            "matches",
            "timeline",
            "influencers",
            "pending_extension",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(DealMatchSerializer(many=True, context={"staff": True}))
    def get_matches(self, deal: Deal) -> list[dict]:
        context = {"staff": _is_staff(self)}
        return DealMatchSerializer(deal.matches.all(), many=True, context=context).data

    @extend_schema_field(DealEventSerializer(many=True))
    def get_timeline(self, deal: Deal) -> list[dict]:
        events = deal.visible_events  # staff-only events were left out for partner roles
        return DealEventSerializer(events, many=True).data

    @extend_schema_field(DealInfluencerSerializer(many=True))
    def get_influencers(self, deal: Deal) -> list[dict]:
        if not _is_staff(self):
            return []
        return DealInfluencerSerializer(deal.influencers.all(), many=True).data

    @extend_schema_field(DealExtensionRequestSerializer(allow_null=True))
    def get_pending_extension(self, deal: Deal) -> dict | None:
        pending = deal.pending_extensions
        return DealExtensionRequestSerializer(pending[0]).data if pending else None


# --- Deals: input -------------------------------------------------------------------------


class DealWriteSerializer(serializers.Serializer):
    """A registration as the partner enters it (dealreg.services.EDITABLE_FIELDS, products,
    and whether to submit it now). A draft may be incomplete; submitting checks the rest."""

    customer_name = serializers.CharField(max_length=200)
    customer_domain_input = serializers.CharField(
        max_length=300,
        allow_blank=True,
        required=False,
        help_text=_(
            "The customer's website or an e-mail address at its domain; a free-mail "
            "provider's domain (gmail.com, outlook.com, ...) is refused. Left empty, the "
            "domain of contact_email is used unless it is a free-mail provider's."
        ),
        validators=[validate_company_domain],
    )
    country = serializers.CharField(
        max_length=100, allow_blank=True, required=False, help_text=iso.COUNTRY_HELP
    )
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, required=False)
    contact_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    contact_email = serializers.EmailField(allow_blank=True, required=False)
    contact_phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    amount = serializers.DecimalField(
        **MONEY, min_value=Decimal("0"), allow_null=True, required=False
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text=_("ISO 4217 code; the tenant's default currency when left out."),
    )
    expected_close_date = serializers.DateField(allow_null=True, required=False)
    deal_type = EnumChoiceField(DealType.choices, enum_name="DealType", required=False)
    partner_role = EnumChoiceField(PartnerRole.choices, enum_name="DealPartnerRole", required=False)
    notes = serializers.CharField(allow_blank=True, required=False)
    mdf_campaign_code = serializers.CharField(max_length=40, allow_blank=True, required=False)
    products = ActiveProductField(many=True, required=False)
    submit = serializers.BooleanField(
        default=False, help_text=_("Submit for approval now instead of saving a draft.")
    )

    def validate_country(self, value: str) -> str:
        return iso.parse_country(value)

    def validate_currency(self, value: str) -> str:
        return iso.parse_currency(value)


class DealReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class DealRequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DecisionField(serializers.BooleanField):
    """Required in form-encoded bodies too, where DRF would read a missing boolean as false
    (an unticked checkbox): a decision is never implied."""

    default_empty_html = empty


class DealExtensionDecisionSerializer(serializers.Serializer):
    approve = DecisionField()


class DealCloseSerializer(serializers.Serializer):
    outcome = EnumChoiceField(OUTCOMES, enum_name="DealOutcome")
    amount = serializers.DecimalField(
        **MONEY,
        min_value=Decimal("0"),
        allow_null=True,
        required=False,
        help_text=_("The final amount, in the deal's currency (required when won)."),
    )
    closed_at = serializers.DateField(
        allow_null=True, required=False, help_text=_("Close date; today when left out.")
    )
    reason = serializers.CharField(
        max_length=500,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Why the deal was lost (required when lost)."),
    )


class DealSyncSerializer(DealCloseSerializer):
    external_id = serializers.CharField(max_length=100, help_text=_("The deal's id in the CRM."))
    deal = TenantPrimaryKeyField(
        Deal,
        required=False,
        allow_null=True,
        help_text=_("The deal to link the CRM id to; needed only the first time."),
    )


class ActivePartnerField(TenantPrimaryKeyField):
    def __init__(self, **kwargs):
        super().__init__(Partner, **kwargs)

    def get_queryset(self):
        return Partner.objects.filter(status=PartnerStatus.ACTIVE)


class DealInfluencerCreateSerializer(serializers.Serializer):
    partner = ActivePartnerField(help_text=_("An active partner other than the deal's own."))


class DealInfluencerSettingsSerializer(serializers.Serializer):
    weight = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The influencer's share under weighted attribution."),
    )
    role = serializers.ChoiceField(
        choices=[("", "")] + list(InfluencerRole.choices),
        required=False,
        default="",
        allow_blank=True,
        help_text=_("si, isv, advisor or referral (empty: not set)."),
    )


class DealPreCheckSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain_input = serializers.CharField(
        max_length=300, allow_blank=True, required=False, validators=[validate_company_domain]
    )
    products = ActiveProductField(many=True, required=False)


class DealPreCheckResultSerializer(serializers.Serializer):
    result = EnumChoiceField(
        [
            ("likely_available", _("Likely available")),
            ("possible_conflict", _("Possible conflict")),
        ],
        enum_name="DealPreCheckResult",
    )
    reasons = serializers.ListField(child=serializers.CharField())


# --- Named accounts -----------------------------------------------------------------------


class NamedAccountSerializer(_OutputSerializer):
    context_free = True  # no field reads the context: the list is written from values()

    kind = EnumChoiceField(NamedAccount.Kind.choices, enum_name="NamedAccountKind", read_only=True)

    class Meta:
        model = NamedAccount
        fields = ["id", "kind", "name", "domain", "owner", "external_id", "is_active", "created_at"]
        read_only_fields = fields


class NamedAccountWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(
        max_length=253,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("Website or domain"),
    )
    kind = EnumChoiceField(
        NamedAccount.Kind.choices, enum_name="NamedAccountKind", required=False, default="named"
    )
    owner = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default="", help_text=_("Account owner")
    )
    external_id = serializers.CharField(
        max_length=100,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("CRM id: an account with this id is updated instead of added."),
    )
    is_active = serializers.BooleanField(required=False, default=True)


# --- Rules --------------------------------------------------------------------------------

RULE_FIELDS = [
    "default_protection_days",
    "use_tier_protection_days",
    "max_extensions",
    "extension_days",
    "auto_approve",
    "auto_approve_max_amount",
    "auto_approve_tier_ids",
    "require_current_agreement",
    "auto_reject_named_accounts",
    "name_similarity_threshold",
    "review_sla_hours",
    "auto_approve_on_sla_timeout",
    "lead_response_hours",
    "influence_review_hours",
    "notes",
]


class RulesVersionSerializer(_OutputSerializer):
    class Meta:
        model = RulesVersion
        fields = ["id", "version", "effective_from", *RULE_FIELDS, "created_at", "created_by"]
        read_only_fields = fields


class RulesPublishSerializer(serializers.ModelSerializer):
    """A new rules version. Values left out keep those of the rules in force."""

    auto_approve_tier_ids = TenantPrimaryKeyField(
        Tier,
        many=True,
        required=False,
        help_text=_("Tiers eligible for auto-approval (none = all)"),
    )
    effective_from = serializers.DateTimeField(
        allow_null=True, required=False, help_text=_("When the rules apply; now when left out.")
    )

    class Meta:
        model = RulesVersion
        fields = [*RULE_FIELDS, "effective_from"]
        extra_kwargs = {name: {"required": False} for name in RULE_FIELDS}

    def validate_auto_approve_tier_ids(self, value: list[Tier]) -> list[int]:
        return sorted({t.pk for t in value})


# --- Leads --------------------------------------------------------------------------------


class LeadOfferSerializer(_OutputSerializer):
    """An offer as staff see it on a lead."""

    partner = PartnerRefSerializer(read_only=True)
    status = EnumChoiceField(LeadOffer.Status.choices, enum_name="LeadOfferStatus", read_only=True)
    explanation = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = LeadOffer
        fields = [
            "id",
            "partner",
            "status",
            "score",
            "explanation",
            "offered_at",
            "respond_by",
            "responded_at",
            "decline_reason",
        ]
        read_only_fields = fields


class LeadSerializer(_OutputSerializer):
    """Expects `specialties` and `offers__partner` prefetched."""

    status = EnumChoiceField(LeadStatus.choices, enum_name="LeadStatus", read_only=True)
    offers = LeadOfferSerializer(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "company",
            "domain",
            "country",
            "region",
            "contact_name",
            "contact_email",
            "specialties",
            "amount",
            "currency",
            "notes",
            "status",
            "external_id",
            "deal",
            "offers",
            "created_at",
        ]
        read_only_fields = fields


class LeadWriteSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, allow_blank=True, required=False)
    country = serializers.CharField(
        max_length=100, allow_blank=True, required=False, help_text=iso.COUNTRY_HELP
    )
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, required=False)
    contact_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    contact_email = serializers.EmailField(allow_blank=True, required=False)
    amount = serializers.DecimalField(
        **MONEY, min_value=Decimal("0"), allow_null=True, required=False
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text=_("ISO 4217 code; the tenant's default currency when left out."),
    )
    specialties = TenantPrimaryKeyField(Specialty, many=True, required=False)
    notes = serializers.CharField(allow_blank=True, required=False)
    external_id = serializers.CharField(max_length=100, allow_blank=True, required=False)

    def validate_country(self, value: str) -> str:
        return iso.parse_country(value)

    def validate_currency(self, value: str) -> str:
        return iso.parse_currency(value)

    def validate_external_id(self, value: str) -> str:
        return value.strip()


class LeadSummarySerializer(serializers.Serializer):
    """What a partner sees of an offered lead (the contact comes with the deal on accepting)."""

    company = serializers.CharField()
    domain = serializers.CharField()
    country = serializers.CharField()
    region = serializers.CharField()
    amount = serializers.DecimalField(**MONEY, allow_null=True)
    currency = serializers.CharField()
    notes = serializers.CharField()


class PartnerLeadOfferSerializer(_OutputSerializer):
    """An offer as the partner it was made to sees it. Expects `lead` selected."""

    lead = LeadSummarySerializer(read_only=True)
    status = EnumChoiceField(LeadOffer.Status.choices, enum_name="LeadOfferStatus", read_only=True)
    explanation = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("Why the lead came to you.")
    )
    deal = serializers.SerializerMethodField(help_text=_("Your deal, once you accepted."))

    class Meta:
        model = LeadOffer
        fields = [
            "id",
            "lead",
            "status",
            "score",
            "explanation",
            "offered_at",
            "respond_by",
            "responded_at",
            "decline_reason",
            "deal",
        ]
        read_only_fields = fields

    def get_deal(self, offer: LeadOffer) -> int | None:
        # Only an accepted offer's deal is this partner's; a lead declined here may have
        # become another partner's deal.
        return offer.lead.deal_id if offer.status == LeadOffer.Status.ACCEPTED else None


class LeadOfferDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text=_("Why you decline, so the vendor can route better.")
    )
