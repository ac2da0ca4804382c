"""Global search providers of MDF: fund requests and claims, registered from
MdfConfig.ready(). Partner people find only their own company's."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mdf.selectors import claims_visible_to, requests_visible_to
from prm import global_search
from prm.global_search import Hit, number_in
from prm.templatetags.prm_l10n import format_money


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _numbered(qs, term: str, prefix: str, cond: Q, limit: int, hit) -> list[Hit]:
    """The exact number (FR-7 / CL-7 / 7) first, then the text matches, newest first."""
    hits = []
    pk = number_in(term, prefix)
    if pk is not None:
        hits = [hit(o, True) for o in qs.filter(pk=pk)]
        qs = qs.exclude(pk=pk)
    return hits + [hit(o, False) for o in qs.filter(cond).order_by("-id")[: limit - len(hits)]]


def fund_requests(member, term: str, limit: int) -> list[Hit]:
    cond = (
        Q(title__icontains=term)
        | Q(campaign_code__icontains=term)
        | Q(partner__name__icontains=term)
    )
    return _numbered(
        requests_visible_to(member),
        term,
        "FR",
        cond,
        limit,
        lambda r, exact: Hit(
            label=f"{r.number} {r.title}",
            detail=_join(
                r.partner.name,
                r.get_status_display(),
                format_money(r.requested_amount, r.program.currency),
            ),
            url=reverse("mdf-request-detail", args=[r.pk]),
            exact=exact,
        ),
    )


def claims(member, term: str, limit: int) -> list[Hit]:
    cond = (
        Q(request__title__icontains=term)
        | Q(payment_reference__icontains=term)
        | Q(partner__name__icontains=term)
    )
    return _numbered(
        claims_visible_to(member),
        term,
        "CL",
        cond,
        limit,
        lambda c, exact: Hit(
            label=f"{c.number} {c.request.title}",
            detail=_join(
                c.partner.name, c.get_status_display(), format_money(c.amount_claimed, c.currency)
            ),
            url=reverse("mdf-claim-detail", args=[c.pk]),
            exact=exact,
        ),
    )


def _list(name: str):
    return lambda term: f"{reverse(name)}?{urlencode({'q': term})}"


def register() -> None:
    global_search.register(
        50,
        "fund_requests",
        _("MDF requests"),
        fund_requests,
        capability="mdf.view",
        see_all=_list("mdf-request-list"),
        see_all_capability="mdf.use",
    )
    global_search.register(
        51,
        "claims",
        _("MDF claims"),
        claims,
        capability="mdf.view",
        see_all=_list("mdf-claim-list"),
        see_all_capability="mdf.use",
    )
