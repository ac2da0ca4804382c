"""The marketing home card (registered in MarketingConfig.ready()): for partner people, the
assets published for them since their last visit to the library."""

from __future__ import annotations

from marketing import selectors


def new_assets(member) -> dict | None:
    if selectors.is_staff(member):
        return None
    qs = selectors.new_assets(member)
    count = qs.count()
    if not count:
        return None
    return {"count": count, "assets": list(qs.order_by("-published_at", "-id")[:3])}
