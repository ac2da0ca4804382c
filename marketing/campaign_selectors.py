"""Reads of campaigns. Staff see every kit and every campaign; a partner's people see the
published kits and their own company's campaigns only; everyone else nothing. The funnel
(views, clicks, form fills, leads, registrations, won revenue) is one set-based query over any
set of campaigns."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from analytics.models import AnalyticsSettings
from marketing.campaign_models import Campaign, CampaignKit, CampaignLead, KitStatus
from marketing.selectors import assets_visible_to, brand_kit, is_staff
from prm.models import Member


def kits_visible_to(member: Member) -> QuerySet[CampaignKit]:
    if is_staff(member):
        return CampaignKit.objects.all()
    if member.partner_id is None:
        return CampaignKit.objects.none()
    return CampaignKit.objects.filter(status=KitStatus.PUBLISHED)


def kits(
    member: Member, *, q: str = "", language: str = "", status: str = ""
) -> QuerySet[CampaignKit]:
    """The kits this member sees, narrowed by words of the name or description, the kit's
    language and (for staff, who see every status) its status."""
    return kit_filter(kits_visible_to(member), q=q, language=language, status=status)


def kit_filter(qs, *, q: str = "", language: str = "", status: str = "") -> QuerySet[CampaignKit]:
    """Kits narrowed by words of the name or description, language and status."""
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if language:
        qs = qs.filter(language=language)
    if status:
        qs = qs.filter(status=status)
    return qs


def kit_detail(member: Member, pk: int) -> CampaignKit | None:
    return kits_visible_to(member).filter(pk=pk).first()


def kit_assets(member: Member, kit: CampaignKit):
    """The kit's assets this member may see (a partner: what its type and tier may see)."""
    return assets_visible_to(member).filter(pk__in=kit.assets.values("pk"))


def campaigns_visible_to(member: Member) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("kit", "partner")
    if is_staff(member):
        return qs
    if member.partner_id is None:
        return qs.none()
    return qs.filter(partner_id=member.partner_id)


def campaign_detail(member: Member, pk: int) -> Campaign | None:
    return campaigns_visible_to(member).filter(pk=pk).first()


def own_campaign(member: Member, kit: CampaignKit) -> Campaign | None:
    if member.partner_id is None:
        return None
    return Campaign.objects.filter(kit=kit, partner_id=member.partner_id).first()


def is_partners_campaign(*, partner_id: int, code: str) -> bool:
    """Whether `code` is one of this partner's campaigns (MDF asks before a fund request may
    fund it)."""
    return Campaign.objects.filter(partner_id=partner_id, code=code).exists()


def partner_slug(partner) -> str:
    return name_slug(partner.name)


def name_slug(name: str) -> str:
    """The partner's part of its campaign pages' paths, from its name."""
    return slugify(name)[:60] or "partner"


def landing_path(campaign: Campaign) -> str:
    return landing_path_of(campaign.partner.name, campaign.code)


def landing_path_of(partner_name: str, code: str) -> str:
    return f"/c/{name_slug(partner_name)}/{code}/"


def tracked_path(campaign: Campaign, target: str = "page") -> str:
    return f"/t/{campaign.code}/{target}/"


def _public_campaigns() -> QuerySet[Campaign]:
    """Campaigns whose pages are public: any campaign of a kit that is not a draft (a retired
    kit's running campaigns keep their pages)."""
    return Campaign.objects.select_related("kit", "partner").exclude(kit__status=KitStatus.DRAFT)


def public_campaign(code: str) -> Campaign | None:
    return _public_campaigns().filter(code=code.upper()).first()


def public_campaign_by_id(campaign_id: int) -> Campaign | None:
    return _public_campaigns().filter(pk=campaign_id).first()


def partner_website(campaign: Campaign) -> str:
    kit = brand_kit(campaign.partner)
    return (kit.website if kit else "") or campaign.partner.website


# Leads a landing page made; registrations: deals registered with the campaign's code or
# made from its leads (each deal once); won revenue: those deals won, in the program's
# reporting currency (analytics' settings), each converted as analytics converts revenue: the
# won amount at mdf's exchange rate in force on the closing day, rounded per deal; a deal in a
# currency without a rate yet is left out, as in ROPI.
# A campaign's funnel, to date or over a period (an MDF activity's dates): page views,
# clicks and form fills are the campaign's running totals, or the sum of its days in the
# period; leads are those consented in the period; registrations and won revenue follow the
# deals registered with the campaign's code or from its leads (from the period's first day on:
# a deal closes after the activity that made it).
FUNNEL_SQL = """
WITH deals AS (
    SELECT c.id AS campaign_id, d.id AS deal_id, d.status,
           COALESCE(d.won_amount, d.amount, 0) AS amount, d.currency, d.closed_at
    FROM marketing_campaign c
    JOIN dealreg_deal d ON d.tenant_id = c.tenant_id AND d.mdf_campaign_code = c.code
    WHERE c.tenant_id = %(tenant)s AND c.id = ANY(%(ids)s)
      AND (%(from)s::timestamptz IS NULL OR d.submitted_at >= %(from)s)
    UNION
    SELECT c.id, d.id, d.status, COALESCE(d.won_amount, d.amount, 0), d.currency, d.closed_at
    FROM marketing_campaign c
    JOIN marketing_campaignlead cl ON cl.tenant_id = c.tenant_id AND cl.campaign_id = c.id
    JOIN dealreg_lead l ON l.tenant_id = c.tenant_id AND l.id = cl.lead_id
    JOIN dealreg_deal d ON d.tenant_id = c.tenant_id AND d.id = l.deal_id
    WHERE c.tenant_id = %(tenant)s AND c.id = ANY(%(ids)s)
      AND (%(from)s::timestamptz IS NULL OR d.submitted_at >= %(from)s)
), converted AS (
    SELECT deals.*, CASE WHEN deals.currency = %(cur)s THEN 1::numeric ELSE (
        SELECT x.rate FROM mdf_exchangerate x
        WHERE x.tenant_id = %(tenant)s AND x.from_currency = deals.currency
          AND x.to_currency = %(cur)s AND x.valid_from <= deals.closed_at
        ORDER BY x.valid_from DESC LIMIT 1) END AS rate
    FROM deals
), leads AS (
    SELECT campaign_id, COUNT(*) AS n FROM marketing_campaignlead
    WHERE tenant_id = %(tenant)s AND campaign_id = ANY(%(ids)s)
      AND (%(from)s::timestamptz IS NULL OR consented_at >= %(from)s)
      AND (%(to)s::timestamptz IS NULL OR consented_at < %(to)s)
    GROUP BY campaign_id
), regs AS (
    SELECT campaign_id, COUNT(*) FILTER (WHERE status <> 'draft') AS n,
           COALESCE(SUM(ROUND(amount * rate, 2))
                    FILTER (WHERE status = 'won' AND rate IS NOT NULL), 0) AS won,
           COUNT(*) FILTER (WHERE status = 'won' AND rate IS NOT NULL) AS won_n
    FROM converted GROUP BY campaign_id
), days AS (
    SELECT campaign_id, SUM(views)::bigint AS views, SUM(clicks)::bigint AS clicks,
           SUM(form_fills)::bigint AS form_fills
    FROM marketing_campaignday
    WHERE %(first)s::date IS NOT NULL AND tenant_id = %(tenant)s
      AND campaign_id = ANY(%(ids)s) AND day BETWEEN %(first)s AND %(last)s
    GROUP BY campaign_id
)
SELECT c.id,
       CASE WHEN %(first)s::date IS NULL THEN c.views ELSE COALESCE(days.views, 0) END,
       CASE WHEN %(first)s::date IS NULL THEN c.clicks ELSE COALESCE(days.clicks, 0) END,
       CASE WHEN %(first)s::date IS NULL THEN c.form_fills ELSE COALESCE(days.form_fills, 0) END,
       COALESCE(leads.n, 0), COALESCE(regs.n, 0), COALESCE(regs.won, 0), COALESCE(regs.won_n, 0)
FROM marketing_campaign c
LEFT JOIN leads ON leads.campaign_id = c.id
LEFT JOIN regs ON regs.campaign_id = c.id
LEFT JOIN days ON days.campaign_id = c.id
WHERE c.tenant_id = %(tenant)s AND c.id = ANY(%(ids)s)
"""


def _period_bounds(first: datetime.date | None, last: datetime.date | None) -> dict:
    """The query's bounds for days first..last of the tenant's calendar (the current zone),
    both included; None: to date."""
    if first is None:
        return {"first": None, "last": None, "from": None, "to": None}
    last = last or datetime.date.max - datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return {"first": first, "last": last, "from": start, "to": end}


def funnel(campaigns, *, first: datetime.date | None = None, last=None) -> dict[int, dict]:
    """campaign id -> its funnel, for a list of campaigns (one query): to date, or over the
    days first..last (FUNNEL_SQL says what a period counts). Won revenue is in the program's
    reporting currency ("" while nothing is won)."""
    campaigns = list(campaigns)
    if not campaigns:
        return {}
    tenant_id = campaigns[0].tenant_id
    currency = AnalyticsSettings.for_tenant(campaigns[0].tenant).currency
    with connection.cursor() as cur:
        cur.execute(
            FUNNEL_SQL,
            {
                "tenant": tenant_id,
                "ids": [c.pk for c in campaigns],
                "cur": currency,
                **_period_bounds(first, last),
            },
        )
        rows = cur.fetchall()
    out = {}
    for pk, views, clicks, fills, leads, regs, won, won_n in rows:
        out[pk] = {
            "views": views,
            "clicks": clicks,
            "form_fills": fills,
            "leads": leads,
            "registrations": regs,
            "won_revenue": won,
            "currency": currency if won_n else "",
        }
    return out


def campaign_figures(
    *,
    partner_id: int,
    code: str,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> dict | None:
    """The funnel of this partner's campaign with `code`, JSON-ready, for MDF proof (asked
    through partners.questions "campaign.figures"): over the activity's days first..last when
    given (FUNNEL_SQL says what a period counts), else to date. None when the code is not one
    of the partner's campaigns, so one partner's figures never prove another's claim."""
    code = (code or "").strip().upper()
    if not code:
        return None
    campaign = (
        Campaign.objects.select_related("kit", "partner")
        .filter(partner_id=partner_id, code=code)
        .first()
    )
    if campaign is None:
        return None
    figures = funnel([campaign], first=first, last=last)[campaign.pk]
    return {
        "campaign": campaign.kit.name,
        "code": campaign.code,
        "launched_at": campaign.launched_at.isoformat(),
        "as_of": timezone.now().isoformat(),
        "first_day": first.isoformat() if first else "",
        "last_day": last.isoformat() if last else "",
        "views": figures["views"],
        "clicks": figures["clicks"],
        "form_fills": figures["form_fills"],
        "leads": figures["leads"],
        "registrations": figures["registrations"],
        "won_revenue": str(figures["won_revenue"]),
        "currency": figures["currency"],
    }


def month_start():
    """The first moment of this month in the tenant's time zone (the home cards' month)."""
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def partner_campaigns_home(member: Member, *, limit: int = 5) -> dict:
    """A partner's running campaigns (kits not retired) with page views to date and leads
    this month: two queries."""
    since = month_start()
    qs = (
        campaigns_visible_to(member)
        .exclude(kit__status=KitStatus.RETIRED)
        .annotate(leads_month=Count("leads", filter=Q(leads__consented_at__gte=since)))
        .order_by("-launched_at", "-id")
    )
    rows = list(qs[: limit + 1])
    return {"campaigns": rows[:limit], "more": len(rows) > limit}


def staff_campaigns_home() -> dict:
    """Campaigns launched and leads they made, this month and in all: two queries."""
    since = month_start()
    launched = Campaign.objects.aggregate(
        total=Count("id"), month=Count("id", filter=Q(launched_at__gte=since))
    )
    leads = CampaignLead.objects.aggregate(
        total=Count("id"), month=Count("id", filter=Q(consented_at__gte=since))
    )
    return {"launched": launched, "leads": leads}
