"""One search box for long lists: `q` in the query string, icontains over a few fields."""

from __future__ import annotations

from django.db.models import Q, QuerySet

MAX_QUERY = 100


def search_term(request) -> str:
    """The visitor's search text, trimmed and capped (a long query is never an error)."""
    return (request.GET.get("q") or "").strip()[:MAX_QUERY]


def search(qs: QuerySet, term: str, fields: tuple[str, ...]) -> QuerySet:
    """Rows where any of `fields` contains `term` (case-insensitive); all rows if no term.

    `distinct()` only when a field crosses a to-many relation, so ordinary lists keep their
    plain query."""
    if not term:
        return qs
    cond = Q()
    for field in fields:
        cond |= Q(**{f"{field}__icontains": term})
    qs = qs.filter(cond)
    return qs.distinct() if any("_set__" in f for f in fields) else qs
