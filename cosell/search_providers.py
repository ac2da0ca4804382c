"""Global search provider of shared opportunities: workspaces by customer name or deal
number, read through the visibility selector (a partner finds only the ones it is on)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cosell.selectors import opportunities_visible_to
from prm import global_search
from prm.global_search import Hit, number_in


def opportunities(member, term: str, limit: int) -> list[Hit]:
    qs = opportunities_visible_to(member)
    cond = Q(title__icontains=term) | Q(direct_deal__external_id__iexact=term)
    pk = number_in(term, "DR")
    if pk is not None:
        cond |= Q(deal_id=pk)
    return [
        Hit(
            label=o.title,
            detail=" · ".join(p for p in (o.source_label, o.get_status_display()) if p),
            url=reverse("cosell-detail", args=[o.pk]),
            exact=pk is not None and o.deal_id == pk,
        )
        for o in qs.filter(cond).order_by("-updated_at", "-id")[:limit]
    ]


def register() -> None:
    global_search.register(
        35,
        "shared_opportunities",
        _("Shared opportunities"),
        opportunities,
        capability="cosell.use",
    )
