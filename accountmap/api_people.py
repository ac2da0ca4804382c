"""API of people mapping: territories and their reps (admins for the vendor's, partner
admins for their company's), account owners, and a rep's own accounts. Included from
prm/api/urls.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accountmap import people, visibility
from accountmap.models import Account
from accountmap.models_people import Territory
from prm.api.base import TenantViewSet

# --- Serializers (names prefixed People for a unique schema) ------------------------------


class PeopleRepSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.user.display_name")
    email = serializers.EmailField(source="member.user.email")


class PeopleTerritorySerializer(serializers.ModelSerializer):
    reps = PeopleRepSerializer(many=True, read_only=True)

    class Meta:
        model = Territory
        fields = ["id", "name", "countries", "regions", "industries", "reps", "updated_at"]


class PeopleTerritoryInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    countries = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    industries = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )


class PeopleTerritoryPatchSerializer(PeopleTerritoryInputSerializer):
    name = serializers.CharField(max_length=80, required=False)


class PeopleMemberInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)


class PeopleOwnerInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, allow_null=True)


class PeoplePartnerKnowsSerializer(serializers.Serializer):
    partner_id = serializers.IntegerField(
        allow_null=True, help_text="The partner; null for the vendor (to a partner's people)."
    )
    partner_name = serializers.CharField(source="name")
    population = serializers.CharField(source="status", help_text="Empty when not shared.")
    owner = serializers.CharField(help_text="Their rep; empty when not shared.")
    owner_email = serializers.CharField(help_text="Their rep's e-mail; empty when not shared.")


class PeopleAccountSerializer(serializers.ModelSerializer):
    owner_member = serializers.IntegerField(source="owner_member_id", allow_null=True)
    partners = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "domain",
            "status",
            "industry",
            "region",
            "country",
            "owner_name",
            "owner_email",
            "owner_member",
            "partners",
        ]

    @extend_schema(responses=PeoplePartnerKnowsSerializer(many=True))
    def get_partners(self, obj) -> list[dict]:
        knows = self.context.get("knows", {}).get(obj.pk, [])
        return PeoplePartnerKnowsSerializer(knows, many=True).data


# --- Views --------------------------------------------------------------------------------


class TerritoryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """Territories of your side: the vendor's for admins, your company's for partner
    admins. Accounts fall in a territory by country or region (and industry, if named)."""

    model = Territory
    serializer_class = PeopleTerritorySerializer
    required_perm = "territories.manage"

    def scoped_queryset(self):
        return people.territories_visible_to(self.member).prefetch_related("reps__member__user")

    def _out(self, territory, code=status.HTTP_200_OK):
        territory = self.scoped_queryset().get(pk=territory.pk)
        return Response(PeopleTerritorySerializer(territory).data, status=code)

    @extend_schema(
        request=PeopleTerritoryInputSerializer,
        responses={201: PeopleTerritorySerializer},
        summary="Create a territory",
    )
    def create(self, request):
        ser = PeopleTerritoryInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        territory = people.territory_create(by=self.member, data=ser.validated_data)
        return self._out(territory, status.HTTP_201_CREATED)

    @extend_schema(
        request=PeopleTerritoryPatchSerializer,
        responses=PeopleTerritorySerializer,
        summary="Change a territory",
    )
    def partial_update(self, request, pk=None):
        territory = self.get_object()
        ser = PeopleTerritoryPatchSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = {
            "name": territory.name,
            "countries": territory.countries,
            "regions": territory.regions,
            "industries": territory.industries,
            **ser.validated_data,
        }
        territory = people.territory_update(by=self.member, territory=territory, data=data)
        return self._out(territory)

    @extend_schema(summary="Delete a territory (its accounts and reps stay)")
    def destroy(self, request, pk=None):
        people.territory_delete(by=self.member, territory=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=PeopleMemberInputSerializer,
        responses=PeopleTerritorySerializer,
        summary="Assign a rep to the territory",
    )
    @action(detail=True, methods=["post"], url_path="assign", url_name="assign")
    def assign(self, request, pk=None):
        territory = self.get_object()
        ser = PeopleMemberInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        people.territory_rep_add(
            by=self.member, territory=territory, member_id=ser.validated_data["member"]
        )
        return self._out(territory)

    @extend_schema(
        request=PeopleMemberInputSerializer,
        responses=PeopleTerritorySerializer,
        summary="Take a rep off the territory",
    )
    @action(detail=True, methods=["post"], url_path="unassign", url_name="unassign")
    def unassign(self, request, pk=None):
        territory = self.get_object()
        ser = PeopleMemberInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        people.territory_rep_remove(
            by=self.member, territory=territory, member_id=ser.validated_data["member"]
        )
        return self._out(territory)


class AccountOwnerViewSet(mixins.ListModelMixin, TenantViewSet):
    """The accounts of your side with their owners (admins: the vendor's; partner admins:
    your company's); assign an owner with `owner`."""

    model = Account
    serializer_class = PeopleAccountSerializer
    required_perm = "territories.manage"

    def scoped_queryset(self):
        return people.side_accounts_for_owners(self.member)

    @extend_schema(
        request=PeopleOwnerInputSerializer,
        responses=PeopleAccountSerializer,
        summary="Make a member of the account's side its owner (null: nobody)",
    )
    @action(detail=True, methods=["post"], url_path="owner", url_name="owner")
    def owner(self, request, pk=None):
        account = self.get_object()
        ser = PeopleOwnerInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        account = people.account_owner_assign(
            by=self.member, account=account, member_id=ser.validated_data["member"]
        )
        return Response(PeopleAccountSerializer(account, context={"knows": {}}).data)


class MyAccountViewSet(mixins.ListModelMixin, TenantViewSet):
    """The accounts you sell (owned, or in your territories), each with who on the other side
    knows it and shares it with you: the partners (vendor people) or the vendor (a partner's
    people)."""

    model = Account
    serializer_class = PeopleAccountSerializer
    required_perm = "accounts.mine"

    def scoped_queryset(self):
        return people.my_accounts(self.member)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["knows"] = getattr(self, "_knows", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self._knows = visibility.known_by_other_side(self.member, rows)
        return page


router = SimpleRouter(trailing_slash=True)
router.register("territories", TerritoryViewSet, basename="api-territory")
router.register("account-owners", AccountOwnerViewSet, basename="api-account-owner")
router.register("my-accounts", MyAccountViewSet, basename="api-my-account")
urlpatterns = router.urls
