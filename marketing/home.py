"""The marketing home cards (registered in MarketingConfig.ready()): for partner people, the
assets published for them since their last visit to the library and their company's running
campaigns; for staff, campaigns launched and the leads they made."""

from __future__ import annotations

from marketing import campaign_selectors, selectors


def new_assets(member) -> dict | None:
    if selectors.is_staff(member):
        return None
    qs = selectors.new_assets(member)
    count = qs.count()
    if not count:
        return None
    return {"count": count, "assets": list(qs.order_by("-published_at", "-id")[:3])}


def partner_campaigns(member) -> dict | None:
    """The partner's running campaigns, page views to date and leads this month (None for
    staff, or before its first launch)."""
    if selectors.is_staff(member) or member.partner_id is None:
        return None
    data = campaign_selectors.partner_campaigns_home(member)
    return data if data["campaigns"] else None


def staff_campaigns(member) -> dict | None:
    if not selectors.is_staff(member):
        return None
    return campaign_selectors.staff_campaigns_home()
