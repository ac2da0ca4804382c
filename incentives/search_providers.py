"""Global search providers of incentives (registered from IncentivesConfig.ready()): earning
lines by number ("E-123") or by their deal (number "DR-42", customer, a direct deal's CRM id),
and programs by name. Earnings read through `earnings_visible_to`, so a partner finds only
its own company's lines; programs are the admins' (their pages are)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incentives import selectors
from prm import global_search
from prm.global_search import Hit, number_in
from prm.templatetags.prm_l10n import format_money


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _earning_hit(e, *, exact: bool = False) -> Hit:
    cause = ""
    if e.deal_id:
        cause = f"DR-{e.deal_id} {e.deal.customer_name}"
    elif e.direct_deal_id:
        cause = f"{e.direct_deal.external_id} {e.direct_deal.customer_name}"
    return Hit(
        label=f"{e.number} {e.get_kind_display()}",
        detail=_join(
            e.partner.name,
            cause,
            e.program.name,
            e.get_status_display(),
            format_money(e.amount, e.currency),
        ),
        url=reverse("incentives-earning-detail", args=[e.pk]),
        exact=exact,
    )


def earnings(member, term: str, limit: int) -> list[Hit]:
    """The line with that number first, then the lines of the deal with that number, then
    lines whose deal's customer (or direct deal's CRM id) matches, newest first."""
    qs = selectors.earnings_visible_to(member)
    hits = []
    pk = number_in(term, "E")
    if pk is not None:
        hits = [_earning_hit(e, exact=True) for e in qs.filter(pk=pk)]
        qs = qs.exclude(pk=pk)
    match = Q(deal__customer_name__icontains=term) | Q(direct_deal__customer_name__icontains=term)
    match |= Q(direct_deal__external_id__iexact=term)
    deal_pk = number_in(term, "DR")
    if deal_pk is not None:
        match |= Q(deal_id=deal_pk)
    found = qs.filter(match).order_by("-earned_on", "-id")[: max(limit - len(hits), 0)]
    return hits + [_earning_hit(e) for e in found]


def programs(member, term: str, limit: int) -> list[Hit]:
    found = selectors.programs().filter(name__icontains=term)[:limit]
    return [
        Hit(
            label=p.name,
            detail=_join(p.get_kind_display(), p.currency),
            url=reverse("incentives-program-detail", args=[p.pk]),
            exact=p.name.lower() == term.lower(),
        )
        for p in found
    ]


def register() -> None:
    global_search.register(70, "earnings", _("Earnings"), earnings, capability="incentives.view")
    global_search.register(
        71, "incentive_programs", _("Incentive programs"), programs, capability="incentives.admin"
    )
