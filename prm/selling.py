"""Who sells a deal's customer on the vendor's side: a registry the app that maps accounts to
reps (accountmap, people mapping) fills from its AppConfig.ready(), read by the apps that let
a vendor rep into a deal's work (cosell) without importing the sibling.

A provider is a `deals_sold_by(member) -> {"deal": ids, "direct_deal": ids}` callable whose
values are querysets of primary keys (`values("pk")`, so callers can use them as subqueries):
the deal registrations and the vendor's direct deals whose customer is one of the member's
accounts. With no provider registered, a member sells nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def register(provider: Callable) -> None:
    """Add a provider (idempotent)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def deals_sold_by(member) -> dict[str, list]:
    """{"deal": [id querysets...], "direct_deal": [...]}, one entry per provider."""
    out: dict[str, list] = {"deal": [], "direct_deal": []}
    for provider in _PROVIDERS:
        found = provider(member)
        for key in out:
            if found.get(key) is not None:
                out[key].append(found[key])
    return out


def sells(member, *, deal=None, direct_deal=None) -> bool:
    """True when `member` sells the customer of this deal registration or direct deal."""
    key, obj = ("deal", deal) if deal is not None else ("direct_deal", direct_deal)
    if obj is None:
        return False
    return any(ids.filter(pk=obj.pk).exists() for ids in deals_sold_by(member)[key])
