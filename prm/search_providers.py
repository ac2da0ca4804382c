"""Global search provider of the core: people (members), registered from PrmConfig.ready()."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm import global_search
from prm.global_search import Hit
from prm.selectors import members_visible_to


def members(member, term: str, limit: int) -> list[Hit]:
    """By name or e-mail, among the people this member may see (a partner admin: their own
    company's)."""
    found = members_visible_to(member).filter(
        Q(user__full_name__icontains=term) | Q(user__email__icontains=term)
    )[:limit]
    return [
        Hit(
            label=m.user.display_name,
            detail=" · ".join(str(x) for x in (m.user.email, m.get_role_display(), m.partner) if x),
            url=reverse("member-detail", args=[m.pk]),
            exact=m.user.email.lower() == term.lower(),
        )
        for m in found
    ]


def register() -> None:
    global_search.register(
        30,
        "members",
        _("People"),
        members,
        capability="members.view",
        see_all=lambda term: f"{reverse('members')}?{urlencode({'q': term})}",
    )
