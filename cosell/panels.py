"""The "Shared opportunity" panel on a deal registration's and a direct deal's page
(prm.panels): a link to the workspace for those on it, a button to open one for those who
may, nothing for anyone else."""

from __future__ import annotations

from cosell.models import SharedOpportunity
from cosell.selectors import opportunities_visible_to
from cosell.services import may_open_as_vendor
from prm.roles import has_perm


def _panel(request, *, filters: dict, may_open: bool, open_url_name: str, pk: int):
    member = getattr(request, "member", None)
    if member is None or not has_perm(member.role, "cosell.use"):
        return None
    opp = opportunities_visible_to(member).filter(**filters).first()
    exists = opp is not None or SharedOpportunity.objects.filter(**filters).exists()
    if opp is None and (exists or not may_open):
        return None
    return {"opportunity": opp, "open_url_name": open_url_name, "source_pk": pk}


def deal_panel(request, deal):
    member = request.member
    may_open = may_open_as_vendor(member, deal=deal) or (
        member.partner_id is not None and member.partner_id == deal.partner_id
    )
    return _panel(
        request,
        filters={"deal_id": deal.pk},
        may_open=may_open,
        open_url_name="cosell-open-deal",
        pk=deal.pk,
    )


def direct_deal_panel(request, deal):
    return _panel(
        request,
        filters={"direct_deal_id": deal.pk},
        may_open=may_open_as_vendor(request.member, direct_deal=deal),
        open_url_name="cosell-open-direct",
        pk=deal.pk,
    )
