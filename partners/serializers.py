"""Serializers of the partners API. Input serializers only validate; every write is one
service call in partners/api.py. Output serializers read what the viewsets prefetch."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.domains import registrable_domain
from partners.models import (
    DomainProposal,
    Partner,
    PartnerMetrics,
    PartnerStatus,
    PartnerType,
    Product,
    ProgramSettings,
    Region,
    SizeBand,
    Specialty,
    Tier,
    TierChange,
)
from partners.states import PARTNER_STATUS
from partners.tiering import WhatIfTier
from prm import iso
from prm.api.fields import AllowedActionsMixin, TenantPrimaryKeyField
from prm.models import Member
from prm.roles import STAFF_ROLES

# --- Shared pieces ------------------------------------------------------------------------


class TierRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StaffMemberField(TenantPrimaryKeyField):
    """An active admin or channel manager of this tenant (a partner's owner)."""

    def __init__(self, **kwargs):
        super().__init__(Member, **kwargs)

    def get_queryset(self):
        return Member.objects.filter(role__in=list(STAFF_ROLES), is_active=True)


class ActiveProductField(TenantPrimaryKeyField):
    """A product of the catalogue that is still offered."""

    def __init__(self, **kwargs):
        super().__init__(Product, **kwargs)

    def get_queryset(self):
        return Product.objects.filter(is_active=True)


# --- Partners -----------------------------------------------------------------------------


class PartnerMetricsSerializer(serializers.Serializer):
    won_revenue_12m = serializers.DecimalField(max_digits=16, decimal_places=2)
    won_deals_12m = serializers.IntegerField()
    certified_people = serializers.IntegerField()
    health_score = serializers.IntegerField(allow_null=True)


# A partner without a metrics row has won nothing yet (tier evaluation reads it the same way).
NO_METRICS = {
    "won_revenue_12m": Decimal("0"),
    "won_deals_12m": 0,
    "certified_people": 0,
    "health_score": None,
}


class PartnerSerializer(AllowedActionsMixin, serializers.ModelSerializer):
    machine = PARTNER_STATUS
    """A partner as the API shows it. Expects `tier` and `metrics` selected and `domain_set`,
    `specialties` and `products` prefetched, so a list costs the same at any length."""

    domains = serializers.SerializerMethodField()
    tier = TierRefSerializer(read_only=True, allow_null=True)
    metrics = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=_(
            "The status actions the requesting member may take on this partner now (approve, "
            "activate, suspend, reactivate, reonboard, offboard), each at "
            "`POST /partners/{id}/<action>/`. Other actions answer 403, or 400 when only the "
            "partner's status stands in the way."
        )
    )

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "legal_name",
            "partner_type",
            "status",
            "status_reason",
            "website",
            "domains",
            "country",
            "region",
            "size_band",
            "specialties",
            "products",
            "owner",
            "tier",
            "metrics",
            "approved_at",
            "activated_at",
            "first_deal_at",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_domains(self, partner: Partner) -> list[str]:
        return sorted(partner.domains)

    @extend_schema_field(PartnerMetricsSerializer)
    def get_metrics(self, partner: Partner) -> dict:
        try:
            metrics = partner.metrics
        except PartnerMetrics.DoesNotExist:
            metrics = NO_METRICS
        return PartnerMetricsSerializer(metrics).data


class PartnerUpdateSerializer(serializers.Serializer):
    """What a PATCH may change. Status and tier are not here: they move only through
    `transition` and tier evaluation. Partner admins get this serializer without the
    staff-only fields, so owner, type and the invitation exception they send are ignored."""

    STAFF_ONLY = ("partner_type", "owner", "allow_any_email_domain")

    name = serializers.CharField(max_length=200)
    legal_name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    website = serializers.URLField(max_length=200, allow_blank=True, required=False)
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253),
        required=False,
        help_text=_("Website and e-mail domains of the company, e.g. northwind.com."),
    )
    country = serializers.CharField(
        max_length=100, allow_blank=True, required=False, help_text=iso.COUNTRY_HELP
    )
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, required=False)
    size_band = serializers.ChoiceField(choices=SizeBand.choices, allow_blank=True, required=False)
    specialties = TenantPrimaryKeyField(Specialty, many=True, required=False)
    products = ActiveProductField(many=True, required=False)
    owner = StaffMemberField(
        allow_null=True, required=False, help_text=_("Member id of the channel manager")
    )
    allow_any_email_domain = serializers.BooleanField(required=False)

    def __init__(self, *args, staff: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            for name in self.STAFF_ONLY:
                self.fields.pop(name, None)

    def validate_country(self, value: str) -> str:
        return iso.parse_country(value)

    def validate_domains(self, value: list[str]) -> list[str]:
        out: list[str] = []
        for raw in value:
            domain = registrable_domain(raw)
            if not domain:
                raise serializers.ValidationError(
                    _("%(v)s is not a domain or e-mail address.") % {"v": raw}
                )
            if domain not in out:
                out.append(domain)
        return out


class PartnerCreateSerializer(PartnerUpdateSerializer):
    specialties = None  # set afterwards with PATCH
    products = None
    status = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (PartnerStatus.APPLICANT, PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE)
        ],
        default=PartnerStatus.APPLICANT,
        help_text=_("The status the partner starts in."),
    )


class PartnerActionSerializer(serializers.Serializer):
    """Input of a status action that takes an optional note."""

    reason = serializers.CharField(
        max_length=500, allow_blank=True, required=False, default="", help_text=_("Optional.")
    )


class PartnerReasonActionSerializer(serializers.Serializer):
    """Input of a status action that records why (suspend, offboard)."""

    reason = serializers.CharField(max_length=500, help_text=_("Why (kept in the audit trail)."))


class PartnerTierSetSerializer(serializers.Serializer):
    tier = TenantPrimaryKeyField(
        Tier, allow_null=True, help_text=_("The tier to place the partner in; null: no tier.")
    )
    reason = serializers.CharField(max_length=300, help_text=_("Why (kept in the audit trail)."))


class OpenItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()


# --- Tiers --------------------------------------------------------------------------------


class TierSerializer(serializers.ModelSerializer):
    """Output, and input of create/PATCH (model validators apply; the service checks the
    rest and refuses duplicate names or ranks)."""

    class Meta:
        model = Tier
        fields = [
            "id",
            "name",
            "rank",
            *Tier.REQUIREMENT_FIELDS,
            "discount_pct",
            "protection_days",
            "mdf_allocation",
            "mdf_accrual_pct",
            "lead_priority",
            "benefits_text",
        ]
        read_only_fields = ["id"]


class WhatIfTierInputSerializer(serializers.Serializer):
    """Proposed values for one stored tier. A field left out keeps the stored value; a
    requirement sent as null is not required."""

    id = serializers.IntegerField()
    min_won_revenue_12m = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), allow_null=True, required=False
    )
    min_won_deals_12m = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    min_certified_people = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    min_health_score = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False
    )
    discount_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
    )
    mdf_allocation = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False
    )
    mdf_accrual_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
    )


# Tier field (the input's name) -> WhatIfTier attribute.
WHAT_IF_FIELDS = {
    "min_won_revenue_12m": "min_rev",
    "min_won_deals_12m": "min_deals",
    "min_certified_people": "min_certs",
    "min_health_score": "min_health",
    "discount_pct": "discount_pct",
    "mdf_allocation": "mdf_allocation",
    "mdf_accrual_pct": "mdf_accrual_pct",
}


class WhatIfSerializer(serializers.Serializer):
    """Validates to `tiers`: every stored tier as a WhatIfTier, with the proposed values
    applied (tiers not listed keep their stored values)."""

    tiers = WhatIfTierInputSerializer(many=True, required=False, default=list)

    def validate_tiers(self, value: list[dict]) -> list[WhatIfTier]:
        ids = [t["id"] for t in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("List each tier once."))
        stored = list(Tier.objects.order_by("rank"))
        unknown = set(ids) - {t.pk for t in stored}
        if unknown:
            raise serializers.ValidationError(
                _("Unknown tier: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))}
            )
        proposed = {t["id"]: t for t in value}
        out = []
        for tier in stored:
            values = {attr: getattr(tier, field) for field, attr in WHAT_IF_FIELDS.items()}
            for field, attr in WHAT_IF_FIELDS.items():
                if field in proposed.get(tier.pk, {}):
                    values[attr] = proposed[tier.pk][field]
            out.append(WhatIfTier(id=tier.pk, rank=tier.rank, name=tier.name, **values))
        return out


class WhatIfMoveSerializer(serializers.Serializer):
    partner_id = serializers.IntegerField()
    name = serializers.CharField()
    now = serializers.CharField(help_text=_("The tier held today ('—': none)."))
    without_change = serializers.CharField(
        source="without",
        help_text=_("Where the next evaluation puts the partner under the tiers as stored."),
    )
    with_change = serializers.CharField(
        source="with_edit", help_text=_("... and under the proposed tiers.")
    )
    direction = serializers.ChoiceField(
        choices=["up", "down", "stays"],
        help_text=_("Against the tier held today."),
    )
    why = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The requirements that decide it, each with the partner's figure."),
    )


class WhatIfResultSerializer(serializers.Serializer):
    """The two-part preview (partners.tiering_preview), as on the portal's what-if page."""

    because = WhatIfMoveSerializer(
        many=True,
        help_text=_(
            "Partners whose outcome differs between the stored and the proposed tiers: they "
            "move (or stop moving) because of the proposed values."
        ),
    )
    anyway = WhatIfMoveSerializer(
        many=True,
        help_text=_(
            "Partners the next evaluation moves under the stored tiers, where the proposed "
            "tiers agree: not caused by the proposed values."
        ),
    )
    because_up = serializers.IntegerField()
    because_down = serializers.IntegerField()
    anyway_up = serializers.IntegerField()
    anyway_down = serializers.IntegerField()
    total = serializers.IntegerField(help_text=_("Active partners evaluated"))
    discount_change = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        help_text=_("Under the proposed tiers, against today (trailing 12-month revenue)."),
    )
    mdf_change = serializers.DecimalField(
        max_digits=None, decimal_places=2, help_text=_("Under the proposed tiers, against today.")
    )


class TierEvaluationQueuedSerializer(serializers.Serializer):
    status = serializers.CharField()


class TierChangeSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    from_tier = TierRefSerializer(read_only=True, allow_null=True)
    to_tier = TierRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TierChange
        fields = [
            "id",
            "partner",
            "from_tier",
            "to_tier",
            "direction",
            "status",
            "metrics",
            "reason",
            "created_at",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields


class DomainProposalSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    domains = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DomainProposal
        fields = [
            "id",
            "partner",
            "domains",
            "status",
            "proposed_by",
            "created_at",
            "decided_by",
            "decided_at",
            "reason",
        ]
        read_only_fields = fields


class DomainProposalDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class TierChangeDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


# --- Catalogue and program settings -------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "sku", "is_active"]
        read_only_fields = ["id"]


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["id", "name"]
        read_only_fields = ["id"]


class ProgramSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramSettings
        fields = ["tier_upgrade_requires_approval", "tier_downgrade_grace_days"]
