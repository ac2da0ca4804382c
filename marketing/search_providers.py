"""Global search providers of marketing (registered from MarketingConfig.ready()): assets by
title, description or tag, through the member's visible assets (partner people find only
what their type and tier may see, never a draft or an expired asset); campaign kits by name
or description (partner people: published kits only); campaigns by code or kit name, and by
partner for staff (partner people find only their own company's campaigns)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketing.campaign_selectors import campaigns_visible_to, kits_visible_to
from marketing.selectors import assets_visible_to, is_staff
from prm import global_search
from prm.global_search import Hit


def assets(member, term: str, limit: int) -> list[Hit]:
    qs = assets_visible_to(member).filter(
        Q(title__icontains=term) | Q(description__icontains=term) | Q(tags_text__icontains=term)
    )
    return [
        Hit(
            label=a.title,
            detail=" · ".join(
                x
                for x in [str(a.get_kind_display()), str(a.get_language_display()), a.product_label]
                if x
            ),
            url=reverse("marketing-asset-detail", args=[a.pk]),
        )
        for a in qs.order_by("-published_at", "-id")[:limit]
    ]


def kits(member, term: str, limit: int) -> list[Hit]:
    qs = kits_visible_to(member).filter(Q(name__icontains=term) | Q(description__icontains=term))
    return [
        Hit(
            label=k.name,
            detail=str(k.get_status_display()) if is_staff(member) else "",
            url=reverse("marketing-kit-detail", args=[k.pk]),
        )
        for k in qs.order_by("name", "id")[:limit]
    ]


def campaigns(member, term: str, limit: int) -> list[Hit]:
    match = Q(code__iexact=term) | Q(kit__name__icontains=term)
    if is_staff(member):
        match |= Q(partner__name__icontains=term)
    qs = campaigns_visible_to(member).filter(match)
    return [
        Hit(
            label=f"{c.kit.name} · {c.code}",
            detail=c.partner.name,
            url=reverse("marketing-campaign-detail", args=[c.pk]),
        )
        for c in qs.order_by("-launched_at", "-id")[:limit]
    ]


def register() -> None:
    global_search.register(
        62, "marketing_assets", _("Marketing assets"), assets, capability="marketing.view"
    )
    global_search.register(
        63, "marketing_campaigns", _("Campaigns"), campaigns, capability="marketing.view"
    )
    global_search.register(
        64, "marketing_kits", _("Campaign kits"), kits, capability="marketing.view"
    )
