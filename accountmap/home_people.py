"""The home card of people mapping: a rep's accounts and the partners that know them."""

from __future__ import annotations

from accountmap import people


def my_accounts_home(member) -> dict | None:
    """For anyone with accounts to sell; a sales rep sees the card even before they have
    any (it says who assigns them)."""
    total = people.my_accounts(member).count()
    if not total and not member.is_sales_rep:
        return None
    partners = people.my_overlaps_by_partner(member) if total else []
    return {
        "total": total,
        "opportunities": sum(p["opportunities"] for p in partners),
        "partners": partners[:5],
    }
