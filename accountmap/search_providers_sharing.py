"""Global search of mapped accounts, through accountmap.visibility: partner people find the
vendor's accounts only as the vendor shares them (overlaps at `overlaps` or more, other
accounts at `all`); staff find the vendor's own accounts, linked to who knows them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountmap import visibility
from accountmap.models import Account
from prm import global_search
from prm.global_search import Hit
from prm.roles import STAFF_ROLES


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def shared_accounts(member, term: str, limit: int) -> list[Hit]:
    if member.role in STAFF_ROLES:
        found = (
            Account.objects.filter(partner__isnull=True, is_active=True)
            .filter(Q(name__icontains=term) | Q(domain__icontains=term))
            .order_by(Lower("name"), "pk")[:limit]
        )
        return [
            Hit(
                label=a.name,
                detail=_join(a.domain, a.get_status_display()),
                url=reverse("account-partners", args=[a.pk]),
            )
            for a in found
        ]
    view = visibility.view_for(member)
    matches = Q(other_name__icontains=term) | Q(other_domain__icontains=term)
    overlap_url = f"{reverse('account-overlaps')}?{urlencode({'q': term})}"
    hits = [
        Hit(
            label=row["other_name"],
            detail=_join(
                row["other_domain"], _("Overlap with your account %(a)s") % {"a": row["own_name"]}
            ),
            url=overlap_url,
        )
        for row in visibility.overlaps(view)
        .filter(matches)
        .order_by(Lower("other_name"), "id")[:limit]
    ]
    green_url = f"{reverse('account-greenfield')}?{urlencode({'q': term})}"
    hits += [
        Hit(
            label=row["other_name"],
            detail=_join(row["other_domain"], _("Not on your list yet")),
            url=green_url,
        )
        for row in visibility.greenfield(view)
        .filter(matches)
        .order_by(Lower("other_name"), "id")[: max(limit - len(hits), 0)]
    ]
    return hits[:limit]


def register() -> None:
    global_search.register(
        60,
        "shared-accounts",
        _("Mapped accounts"),
        shared_accounts,
        capability="account_overlaps.view",
    )
