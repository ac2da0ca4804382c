"""Global search providers of deal registration: deals, direct deals, leads.

Each reads through the app's visibility selector, so a partner finds only its own company's
deals (and the direct deals it is credited on); registered from DealregConfig.ready().
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dealreg import selectors
from dealreg.services.accounts import deal_search_filter
from prm import global_search
from prm.global_search import Hit, number_in
from prm.templatetags.prm_l10n import format_money


def _list_url(name: str, term: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': term})}"


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _deal_hit(deal, *, exact: bool = False) -> Hit:
    money = format_money(deal.amount, deal.currency) if deal.amount is not None else ""
    return Hit(
        label=f"{deal.number} {deal.customer_name}",
        detail=_join(deal.partner.name, deal.customer_domain, deal.get_status_display(), money),
        url=reverse("deal-detail", args=[deal.pk]),
        exact=exact,
    )


def deals(member, term: str, limit: int) -> list[Hit]:
    """By number (DR-42 or 42) first, then by customer name or domain, newest first (the
    deal list's own filter and order, so "see all" shows the same rows)."""
    qs = selectors.deals_visible_to(member)
    hits = []
    pk = number_in(term, "DR")
    if pk is not None:
        hits = [_deal_hit(d, exact=True) for d in qs.filter(pk=pk)]
        qs = qs.exclude(pk=pk)
    found = qs.filter(deal_search_filter(term)).order_by("-created_at")[: limit - len(hits)]
    return hits + [_deal_hit(d) for d in found]


def direct_deals(member, term: str, limit: int) -> list[Hit]:
    qs = selectors.direct_deals_visible_to(member)
    found = qs.filter(
        Q(customer_name__icontains=term)
        | Q(customer_domain__icontains=term)
        | Q(external_id__iexact=term)
    ).order_by("-id")[:limit]
    return [
        Hit(
            label=d.customer_name,
            detail=_join(
                d.customer_domain, d.get_status_display(), format_money(d.amount, d.currency)
            ),
            url=reverse("direct-deal-detail", args=[d.pk]),
            exact=d.external_id.lower() == term.lower(),
        )
        for d in found
    ]


def leads(member, term: str, limit: int) -> list[Hit]:
    """Staff only (leads.manage); a lead has no page of its own, so a hit opens the lead
    list filtered to its company."""
    found = (
        selectors.leads()
        .prefetch_related(None)
        .filter(
            Q(company__icontains=term)
            | Q(domain__icontains=term)
            | Q(contact_name__icontains=term)
            | Q(contact_email__icontains=term)
        )[:limit]
    )
    return [
        Hit(
            label=lead.company,
            detail=_join(lead.domain, lead.contact_name, lead.get_status_display()),
            url=_list_url("lead-list", lead.company),
        )
        for lead in found
    ]


def register() -> None:
    global_search.register(
        10,
        "deals",
        _("Deal registrations"),
        deals,
        capability="deals.view",
        see_all=lambda term: _list_url("deal-list", term),
    )
    global_search.register(
        60,
        "direct_deals",
        _("Direct deals"),
        direct_deals,
        capability="deals.view",
    )
    global_search.register(
        61,
        "leads",
        _("Leads"),
        leads,
        capability="leads.manage",
        see_all=lambda term: _list_url("lead-list", term),
    )
