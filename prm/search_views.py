"""The global search page: every kind the member may search, grouped (prm.global_search)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from prm import global_search
from prm.decorators import member_required


@require_safe
@member_required("portal.use")
def global_search_page(request):
    term = global_search.clean_term(request.GET.get("q"))
    groups = global_search.search_all(request.member, term)
    return render(
        request,
        "prm/search.html",
        {
            "q": term,
            "searched": bool(term),
            "too_short": bool(term) and not global_search.is_searchable(term),
            "min_term": global_search.MIN_TERM,
            "groups": groups,
        },
    )
