"""GET /api/v1/search/?q=: the portal's global search (prm.global_search), same answer."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from prm import global_search
from prm.api.base import TenantAPIView


class SearchHitSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True, help_text="Status, owner, amount")
    url = serializers.CharField(read_only=True, help_text="The object's portal page (a path)")
    exact = serializers.BooleanField(read_only=True, help_text="The number or code matched")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(source="key", read_only=True)
    label = serializers.CharField(read_only=True)
    hits = SearchHitSerializer(many=True, read_only=True)
    more = serializers.BooleanField(read_only=True, help_text="More hits than shown")
    see_all_url = serializers.CharField(
        read_only=True, allow_null=True, help_text="The portal list filtered by the term"
    )


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField(read_only=True)
    groups = SearchGroupSerializer(many=True, read_only=True)


class SearchView(TenantAPIView):
    """Deals (by number or customer), partners, people, courses, MDF requests and claims,
    direct deals and leads the caller may see; at most 8 per kind, exact numbers first."""

    required_perm = "portal.use"

    @extend_schema(
        responses=SearchResultSerializer,
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description=f"At least {global_search.MIN_TERM} characters; longer text is "
                f"cut at {global_search.MAX_TERM}",
            )
        ],
        summary="Search everything the caller may see",
    )
    def get(self, request):
        term = global_search.clean_term(request.query_params.get("q"))
        if not global_search.is_searchable(term):
            raise serializers.ValidationError(
                {"q": [_("Enter at least %(n)d characters.") % {"n": global_search.MIN_TERM}]}
            )
        groups = global_search.search_all(self.member, term)
        return Response(SearchResultSerializer({"q": term, "groups": groups}).data)
