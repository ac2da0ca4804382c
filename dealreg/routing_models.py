"""Where lead routing's ranking comes from: the fixed-weight score (dealreg's own SQL in
services.leads), unless a higher app registered a model whose hold-out figures beat that
score (predict fills this in its ready()). A provider returns None while it is not in
charge; the fixed weights are the fallback. Rows answer like the rule's: partner_id, name,
score (Decimal), explanation (reasons in words)."""

from __future__ import annotations

from collections.abc import Callable

PROVIDERS: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def ranked(*, lead, specialties: list[int], exclude: list[int], limit: int) -> list[dict] | None:
    """A registered model's ranking of eligible partners for `lead`, or None (the rule)."""
    for provider in PROVIDERS:
        rows = provider(lead=lead, specialties=specialties, exclude=exclude, limit=limit)
        if rows is not None:
            return rows
    return None
