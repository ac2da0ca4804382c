"""The vendor's direct deals in the API. The CRM keeps them in step by its own id:
PUT /api/v1/crm/direct-deals/{external_id}/ creates or updates one, with the partners that
influenced it (`influencers`), who are credited with influenced revenue when it is won.
Staff read every direct deal; partner people those their company is credited on."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dealreg import selectors, services
from dealreg.models import DirectDeal, InfluencerRole
from dealreg.serializers import EnumChoiceField
from partners.serializers import PartnerRefSerializer
from prm import iso
from prm.api.base import TenantViewSet
from prm.api.errors import Conflict
from prm.errors import DomainError

# A role may be left unset (""), as on a partner deal's influencer.
ROLE_CHOICES = [("", ""), *InfluencerRole.choices]


class DirectDealInfluencerSerializer(serializers.Serializer):
    partner = PartnerRefSerializer(read_only=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True)
    claim = serializers.IntegerField(
        source="claim_id",
        read_only=True,
        allow_null=True,
        help_text=_("The approved influence claim that credited the partner, if one did."),
    )


class DirectDealSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(
        DirectDeal.Status.choices, enum_name="DirectDealStatus", read_only=True
    )
    influencers = serializers.SerializerMethodField()

    class Meta:
        model = DirectDeal
        fields = [
            "id",
            "external_id",
            "customer_name",
            "customer_domain",
            "amount",
            "currency",
            "status",
            "closed_at",
            "created_at",
            "updated_at",
            "influencers",
        ]
        read_only_fields = fields

    @extend_schema_field(DirectDealInfluencerSerializer(many=True))
    def get_influencers(self, obj) -> list[dict]:
        return DirectDealInfluencerSerializer(obj.shown_influencers, many=True).data


class InfluencerInSerializer(serializers.Serializer):
    partner = serializers.IntegerField(help_text=_("The influencing partner's id."))
    weight = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        default=Decimal("1"),
    )
    role = serializers.ChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("si, isv, advisor or referral (empty: not set)."),
    )


class DirectDealWriteSerializer(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200)
    customer_domain = serializers.CharField(
        max_length=253, required=False, default="", allow_blank=True
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("ISO 4217 code; the tenant's default currency when left out."),
    )
    status = serializers.ChoiceField(choices=DirectDeal.Status.choices, default="open")
    closed_at = serializers.DateField(required=False, allow_null=True, default=None)
    influencers = InfluencerInSerializer(
        many=True,
        required=False,
        help_text=_(
            "Replaces the influencers the CRM set before (those credited by an approved "
            "influence claim stay). Left out: the influencers are kept as they are."
        ),
    )

    def validate_currency(self, value: str) -> str:
        return iso.parse_currency(value)


class DirectDealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The vendor's direct deals by CRM id, with the partners that influenced them."""

    model = DirectDeal
    serializer_class = DirectDealSerializer
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    required_perms = {"update": "deals.review"}
    required_perm = "deals.view"
    ordering_fields = ["id", "closed_at", "updated_at"]
    ordering = ["-id"]

    def scoped_queryset(self):
        return selectors.direct_deals_visible_to(self.member)

    @extend_schema(
        request=DirectDealWriteSerializer,
        responses={200: DirectDealSerializer, 201: DirectDealSerializer},
        summary="Create or update the CRM's direct deal with this id (staff)",
        description=(
            "201 the first time, 200 after; sending the same values again answers 200 and "
            "changes nothing. The influencers of a won direct deal get influenced revenue "
            "(analytics attribution); no partner gets sourced revenue for it."
        ),
    )
    def update(self, request, external_id=None):
        ser = DirectDealWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                deal, created = services.direct_deal_upsert(
                    by=self.member, external_id=external_id, **ser.validated_data
                )
        except IntegrityError:  # the same CRM id created concurrently
            raise Conflict(gettext("A concurrent change got there first; try again."))
        except DomainError as exc:
            errors = getattr(exc, "errors", None) or {exc.field or "non_field_errors": exc.message}
            raise serializers.ValidationError(errors)
        deal = self.scoped_queryset().get(pk=deal.pk)
        return Response(
            DirectDealSerializer(deal, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


router = SimpleRouter(trailing_slash=True)
router.register("crm/direct-deals", DirectDealViewSet, basename="api-direct-deal")
urlpatterns = router.urls
