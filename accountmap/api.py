"""Account mapping's API: each side's own accounts (staff: the vendor's, the CRM upserting
them by its own id; a partner's people: their company's), custom populations, and the raw
overlap list for the vendor's staff only (what a partner may see of the vendor's side is
the sharing matrix's: accountmap/visibility.py).

PUT /api/v1/accounts/{external_id}/ creates or updates one account (201, then 200; the same
values again change nothing); POST /api/v1/accounts/bulk/ upserts up to 1,000 at once, all
or nothing (a 400 names each item at fault: `accounts[3].domain`)."""

from __future__ import annotations

import django_filters
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accountmap import selectors, services
from accountmap.models import Account, AccountSource, AccountStatus, Population
from dealreg.serializers import EnumChoiceField
from prm.api.base import TenantViewSet
from prm.api.errors import Conflict
from prm.errors import DomainError


def _field_errors(exc: DomainError, prefix: str = "") -> dict:
    errors = getattr(exc, "errors", None) or {exc.field or "non_field_errors": exc.message}
    return {f"{prefix}{k}": [v] for k, v in errors.items()}


# --- Accounts --------------------------------------------------------------------------------


def _side_perm(view, staff_read: str) -> str:
    """The capability of the caller's own side: reading (staff) or managing its accounts."""
    member = view.request._request.member
    if member is None or not member.is_staff_role:
        return "partner_accounts.manage"
    if view.request.method in ("GET", "HEAD", "OPTIONS"):
        return staff_read
    return "vendor_accounts.manage"


class AccountSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(AccountStatus.choices, enum_name="AccountStatus", read_only=True)
    source = EnumChoiceField(AccountSource.choices, enum_name="AccountSource", read_only=True)
    owner_member = serializers.IntegerField(
        source="owner_member_id",
        read_only=True,
        allow_null=True,
        help_text=_("The member whose e-mail is the owner's, when one is."),
    )
    deal = serializers.IntegerField(
        source="deal_id",
        read_only=True,
        allow_null=True,
        help_text=_("The partner's deal registration this account comes from, if any."),
    )

    class Meta:
        model = Account
        fields = [
            "id", "external_id", "name", "domain", "status", "owner_name", "owner_email",
            "owner_member", "industry", "region", "country", "employees", "source", "deal",
            "is_active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class AccountWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=AccountStatus.choices, required=False)
    owner_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    owner_email = serializers.EmailField(required=False, allow_blank=True)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text=_("ISO 3166 code or name.")
    )
    employees = serializers.IntegerField(
        min_value=0, max_value=services.MAX_EMPLOYEES, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)


class AccountBulkItemSerializer(AccountWriteSerializer):
    external_id = serializers.CharField(max_length=100)


class AccountBulkSerializer(serializers.Serializer):
    accounts = AccountBulkItemSerializer(many=True, allow_empty=False)

    def validate_accounts(self, value):
        if len(value) > services.BULK_LIMIT:
            raise serializers.ValidationError(
                _("At most %(n)s accounts per batch.") % {"n": services.BULK_LIMIT}
            )
        return value


class AccountFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AccountStatus.choices)
    source = django_filters.ChoiceFilter(choices=AccountSource.choices)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the name or domain.")
    population = django_filters.NumberFilter(
        method="filter_population", help_text="A custom population's id."
    )

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))

    def filter_population(self, queryset, name, value):
        member = self.request._request.member
        population = selectors.populations_visible_to(member).filter(pk=value).first()
        if population is None:
            return queryset.none()
        return queryset.filter(selectors.population_filter(population))


class AccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet
):
    """The accounts of the caller's own side, by external (CRM) id."""

    model = Account
    serializer_class = AccountSerializer
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    filterset_class = AccountFilter
    ordering_fields = ["name", "updated_at", "id"]
    ordering = ["name"]

    @property
    def required_perm(self) -> str:
        return _side_perm(self, "vendor_accounts.view")

    def scoped_queryset(self):
        return selectors.accounts_visible_to(self.member)

    @extend_schema(summary="Remove the account with this external id (your side's)")
    def destroy(self, request, external_id=None):
        account = self.get_object()
        try:
            with transaction.atomic():
                services.account_delete(by=self.member, account=account)
        except DomainError as exc:
            raise serializers.ValidationError(_field_errors(exc))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _out(self, account, created: bool):
        account = self.scoped_queryset().get(pk=account.pk)
        return Response(
            AccountSerializer(account).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=AccountWriteSerializer,
        responses={200: AccountSerializer, 201: AccountSerializer},
        summary="Create or update the account with this external id (your side's)",
        description=(
            "Staff write the vendor's accounts, a partner's people their company's. 201 the "
            "first time, 200 after; values left out keep what the account has, and the same "
            "values again change nothing. Overlaps are recomputed after the change."
        ),
    )
    def update(self, request, external_id=None):
        ser = AccountWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                account, created = services.account_upsert(
                    by=self.member,
                    external_id=external_id,
                    source=AccountSource.CRM if self.member.is_staff_role else AccountSource.API,
                    **ser.validated_data,
                )
        except IntegrityError:  # the same id created concurrently
            raise Conflict(_("A concurrent change got there first; try again."))
        except DomainError as exc:
            raise serializers.ValidationError(_field_errors(exc))
        return self._out(account, created)

    @extend_schema(
        request=AccountBulkSerializer,
        responses={
            200: inline_serializer(
                "AccountBulkResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "accounts": AccountSerializer(many=True),
                },
            )
        },
        summary="Create or update up to 1,000 accounts by external id, all or nothing",
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk(self, request):
        ser = AccountBulkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                results = services.accounts_bulk_upsert(
                    by=self.member,
                    items=ser.validated_data["accounts"],
                    source=AccountSource.CRM if self.member.is_staff_role else AccountSource.API,
                )
        except IntegrityError:
            raise Conflict(_("A concurrent change got there first; try again."))
        except DomainError as exc:
            item_errors = getattr(exc, "item_errors", None)
            if not item_errors:
                raise serializers.ValidationError(_field_errors(exc))
            errors = {}
            for index, fields in item_errors.items():
                for field, message in fields.items():
                    errors[f"accounts[{index}].{field}"] = [message]
            raise serializers.ValidationError(errors)
        ids = [account.pk for account, _created in results]
        accounts = {a.pk: a for a in self.scoped_queryset().filter(pk__in=ids)}
        return Response(
            {
                "created": sum(1 for _a, created in results if created),
                "updated": sum(1 for _a, created in results if not created),
                "accounts": AccountSerializer([accounts[i] for i in ids], many=True).data,
            }
        )


# --- Populations -----------------------------------------------------------------------------


class PopulationSerializer(serializers.ModelSerializer):
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=AccountStatus.choices), required=False
    )
    industries = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    countries = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    min_employees = serializers.IntegerField(
        min_value=0, max_value=services.MAX_EMPLOYEES, required=False, allow_null=True
    )
    max_employees = serializers.IntegerField(
        min_value=0, max_value=services.MAX_EMPLOYEES, required=False, allow_null=True
    )
    accounts = serializers.SerializerMethodField()

    class Meta:
        model = Population
        fields = [
            "id", "name", "statuses", "industries", "regions", "countries", "min_employees",
            "max_employees", "accounts", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "accounts", "created_at"]

    def get_accounts(self, obj) -> int:
        """Active accounts in the population."""
        counts = self.context.get("counts")
        if counts is None or obj.pk not in counts:
            counts = selectors.population_counts([obj])
        return counts[obj.pk]


class PopulationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """Custom populations of the caller's own side: saved filters over its accounts."""

    model = Population
    serializer_class = PopulationSerializer
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    @property
    def required_perm(self) -> str:
        return _side_perm(self, "vendor_accounts.view")

    def scoped_queryset(self):
        return selectors.populations_visible_to(self.member)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        counts = selectors.population_counts(page)  # one query for the page's counts
        return self.get_paginated_response(
            PopulationSerializer(page, many=True, context={"counts": counts}).data
        )

    def _save(self, call):
        try:
            with transaction.atomic():
                return call()
        except DomainError as exc:
            raise serializers.ValidationError(_field_errors(exc))

    @extend_schema(request=PopulationSerializer, responses={201: PopulationSerializer})
    def create(self, request):
        ser = PopulationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        population = self._save(
            lambda: services.population_create(by=self.member, **ser.validated_data)
        )
        return Response(PopulationSerializer(population).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PopulationSerializer, responses={200: PopulationSerializer})
    def partial_update(self, request, pk=None):
        population = self.get_object()
        ser = PopulationSerializer(population, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        population = self._save(
            lambda: services.population_update(
                by=self.member, population=population, **ser.validated_data
            )
        )
        return Response(PopulationSerializer(population).data)

    def perform_destroy(self, instance):
        services.population_delete(by=self.member, population=instance)


# Overlaps are read through accountmap.visibility only (api_sharing.py): even the vendor's
# staff see a partner's accounts only as that partner shares them.


router = SimpleRouter(trailing_slash=True)
router.register("accounts", AccountViewSet, basename="api-account")
router.register("account-populations", PopulationViewSet, basename="api-account-population")
urlpatterns = router.urls
