"""Analytics' home sections (registered in AnalyticsConfig.ready()): a channel manager's
partners at risk and their trend this quarter against the last; the program's KPIs for the
tenant admin. Read from the rollups and risk episodes (aggregates, a few queries each)."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.utils import timezone

from analytics import risk_models
from analytics.selectors import rollups
from analytics.services.periods import quarter_start
from partners.models import Partner, PartnerStatus
from prm.roles import Role

LISTED = 5
TREND_SUMS = {
    "registered": Sum("funnel_submitted"),
    "won_deals": Sum("won_deals"),
    "won": Sum("sourced_revenue"),
}


def _quarter_sums(qs, start: datetime.date) -> dict:
    row = qs.filter(period_start=start).aggregate(**TREND_SUMS)
    return {k: v or 0 for k, v in row.items()}


def manager_home(member) -> dict:
    """At-risk partners (a channel manager: the ones they manage) and the registrations and
    won revenue of their partners this quarter against last quarter. Four queries."""
    mine = member.role == Role.CHANNEL_MANAGER
    risk = risk_models.at_risk(manager=member if mine else None)
    this_q = quarter_start(timezone.localdate())
    last_q = quarter_start(this_q - datetime.timedelta(days=1))
    qs = rollups(manager=member.pk if mine else None)
    return {
        "mine": mine,
        "at_risk_count": len(risk) if isinstance(risk, list) else risk.count(),
        "at_risk": list(risk[:LISTED]),
        "this_quarter": _quarter_sums(qs, this_q),
        "last_quarter": _quarter_sums(qs, last_q),
        "currency": member.tenant.default_currency,
    }


def program_home(member) -> dict:
    """Program KPIs for the admin: active partners, and this year's won revenue and return on
    partner investment from the rollups. Two queries."""
    year = timezone.localdate().year
    sums = rollups(year=year).aggregate(
        won=Sum("sourced_revenue"),
        influenced=Sum("influenced_revenue"),
        returned=Sum("return_amount"),
        invested=Sum("investment"),
    )
    invested = sums["invested"] or 0
    ropi = ((sums["returned"] or 0) - invested) / invested if invested else None
    return {
        "year": year,
        "active_partners": Partner.objects.filter(status=PartnerStatus.ACTIVE).count(),
        "won": sums["won"] or 0,
        "influenced": sums["influenced"] or 0,
        "ropi": ropi,
        "currency": member.tenant.default_currency,
    }
