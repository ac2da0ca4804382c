"""The API's filter backend: django-filter's, without building a form when nothing is filtered."""

from __future__ import annotations

from django_filters import FilterSet
from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that skips the FilterSet when the query string names none of its
    filters. Binding and validating the FilterSet's form on every request cost 0.6 ms of a
    deal list's ~12 ms, for a queryset it then returns unchanged (an absent value filters
    nothing). Skipped only where that is certain: no filter is required, and the FilterSet
    does not override how it builds or filters its queryset."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and _filters_nothing(filterset_class, request):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _filters_nothing(filterset_class: type[FilterSet], request) -> bool:
    for name in ("__init__", "qs", "filter_queryset", "is_valid", "errors"):
        if getattr(filterset_class, name) is not getattr(FilterSet, name):
            return False
    filters = filterset_class.base_filters
    if any(f.extra.get("required") for f in filters.values()):
        return False
    # Range and other multi-value filters read `<name>_<suffix>` parameters: a prefix match.
    return not any(key.startswith(name) for key in request.query_params for name in filters)
