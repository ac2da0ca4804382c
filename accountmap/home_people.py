"""The home card of people mapping: a rep's accounts and the partners that know them."""

from __future__ import annotations

from accountmap import people, visibility


def my_accounts_home(member) -> dict | None:
    """For anyone with accounts to sell; a sales rep sees the card even before they have
    any (it says who assigns them)."""
    total = people.my_accounts(member).count()
    if not total and not member.is_sales_rep:
        return None
    if member.partner_id is not None:
        # A partner's people: how many of their accounts the vendor shares with them.
        known = (
            visibility.overlaps(visibility.view_for(member))
            .filter(partner_account_id__in=people.my_accounts(member).order_by().values("pk"))
            .order_by()
            .values("own_id")
            .distinct()
            .count()
        )
        return {"total": total, "vendor_side": False, "known": known}
    partners = visibility.partners_knowing_mine(member) if total else []
    return {
        "total": total,
        "vendor_side": True,
        "opportunities": sum(p["opportunities"] for p in partners),
        "partners": partners[:5],
    }
