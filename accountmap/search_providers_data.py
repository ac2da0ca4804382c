"""Global search of account mapping's data: each side's own accounts (the vendor's for staff,
a partner's own for its people), read through accountmap.selectors.accounts_visible_to, so
another side's accounts are never found (what is shared across sides is the sharing part's).
Registered from AccountmapConfig.ready()."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountmap import selectors
from prm import global_search
from prm.global_search import Hit


def accounts(member, term: str, limit: int) -> list[Hit]:
    """By name or domain (as the account list's search), an exact external id first."""
    qs = selectors.accounts_visible_to(member)
    exact = list(qs.filter(external_id__iexact=term)[:1])
    found = (
        qs.exclude(pk__in=[a.pk for a in exact])
        .filter(Q(name__icontains=term) | Q(domain__icontains=term))
        .order_by("name", "pk")[: limit - len(exact)]
    )
    return [
        Hit(
            label=a.name,
            detail=" · ".join(p for p in (a.domain, str(a.get_status_display())) if p),
            url=reverse("account-detail", args=[a.pk]),
            exact=a in exact,
        )
        for a in [*exact, *found]
    ]


def register() -> None:
    global_search.register(
        45,
        "accounts",
        _("Accounts"),
        accounts,
        capability="portal.use",
        see_all=lambda term: f"{reverse('account-list')}?{urlencode({'q': term})}",
    )
