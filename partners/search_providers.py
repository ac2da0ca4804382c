"""Global search provider of partners (staff: the directory's own filter), registered from
PartnersConfig.ready()."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.selectors import partners_visible_to
from prm import global_search
from prm.global_search import Hit


def partners(member, term: str, limit: int) -> list[Hit]:
    """By name, legal name or registrable domain; an exact name first."""
    found = (
        partners_visible_to(member)
        .select_related("tier")
        .filter(
            Q(name__icontains=term)
            | Q(legal_name__icontains=term)
            | Q(domain_set__domain__icontains=term)
        )
        .distinct()
        .order_by("name", "id")[:limit]
    )
    return [
        Hit(
            label=p.name,
            detail=" · ".join(
                str(x) for x in (p.get_partner_type_display(), p.get_status_display(), p.tier) if x
            ),
            url=reverse("partner-detail", args=[p.pk]),
            exact=p.name.lower() == term.lower(),
        )
        for p in found
    ]


def register() -> None:
    global_search.register(
        20,
        "partners",
        _("Partners"),
        partners,
        capability="partners.view",
        see_all=lambda term: f"{reverse('partner-list')}?{urlencode({'q': term})}",
    )
