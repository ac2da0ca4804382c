"""Global search provider of marketing assets (registered from MarketingConfig.ready()): by
title, description or tag, through the member's visible assets (partner people find only
what their type and tier may see, never a draft or an expired asset)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketing.selectors import assets_visible_to
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


def register() -> None:
    global_search.register(
        62, "marketing_assets", _("Marketing assets"), assets, capability="marketing.view"
    )
