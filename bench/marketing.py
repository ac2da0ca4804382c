"""Benchmark: campaigns (issue #21) on the big tenant.

1. Landing-page views and tracked clicks per second on this machine: a campaign is launched
   for the run (committed, removed afterwards) and its tracked link (`/t/<code>/page/`, found
   and counted in one statement) and public landing page (`/c/<partner>/<code>/`, rendered
   co-branded, one counting statement) are requested over HTTP from 16 client threads, without
   sign-in, on the tenant's host, from the product served by gunicorn with one worker per CPU
   (bench.load.served; middleware and RLS included). Every click and view must be counted.
   Target >= 500 requests/s for each (the page a visitor gets is kept per content, see
   marketing.campaign_public; each view is still counted). The same two pages through
   Django's test client in this one process (no HTTP, no second worker) are recorded as
   `*_one_process`.
2. The funnel rollup (`marketing.campaign_selectors.funnel`, one statement) for 10,000
   campaigns (5 kits x 2,000 partners, each with counters and a lead on every tenth) timed
   against a hand-written set-based SQL of the same figures (without the rollup's currency
   conversion of won revenue, so the rollup does more work than it); every figure
   must be equal and the rollup within 1.5x of the hand query.

Everything runs in one transaction that is rolled back, so the bench database keeps nothing.
"""

from __future__ import annotations

import statistics
import time

from bench.common import HOST, big_tenant, samples, target, write
from bench.load import http_load, served

RUNS = samples(3, 1)
REQUESTS = samples(300, 100)
CLIENTS = 16
CAMPAIGNS = 10_000

HAND_SQL = """
WITH deals AS (
    SELECT c.id AS cid, d.id AS did
    FROM marketing_campaign c
    JOIN dealreg_deal d ON d.tenant_id = c.tenant_id AND d.mdf_campaign_code = c.code
    WHERE c.tenant_id = %(t)s AND c.id = ANY(%(ids)s) AND d.status <> 'draft'
    UNION
    SELECT cl.campaign_id, d.id
    FROM marketing_campaignlead cl
    JOIN dealreg_lead l ON l.tenant_id = cl.tenant_id AND l.id = cl.lead_id
    JOIN dealreg_deal d ON d.tenant_id = cl.tenant_id AND d.id = l.deal_id
    WHERE cl.tenant_id = %(t)s AND cl.campaign_id = ANY(%(ids)s) AND d.status <> 'draft'
), leads AS (
    SELECT campaign_id, count(*) AS n FROM marketing_campaignlead
    WHERE tenant_id = %(t)s AND campaign_id = ANY(%(ids)s) GROUP BY campaign_id
), regs AS (
    SELECT cid, count(*) AS n FROM deals GROUP BY cid
)
SELECT c.id, c.views, c.clicks, c.form_fills, COALESCE(leads.n, 0), COALESCE(regs.n, 0)
FROM marketing_campaign c
LEFT JOIN leads ON leads.campaign_id = c.id
LEFT JOIN regs ON regs.cid = c.id
WHERE c.tenant_id = %(t)s AND c.id = ANY(%(ids)s)
"""


class _Undo(Exception):
    pass


def _rate(client, path: str, n: int, status: int) -> float:
    start = time.perf_counter()
    for _i in range(n):
        resp = client.get(path, HTTP_HOST=HOST)
        assert resp.status_code == status, (path, resp.status_code)
    return round(n / (time.perf_counter() - start), 1)


def _served_rates(tenant, scale: str) -> dict:
    """Clicks and landing-page views per second over HTTP (part 1 of the docstring)."""
    from marketing import campaign_selectors, campaign_services
    from marketing.campaign_models import Campaign, CampaignKit
    from prm.models import Member
    from prm.roles import Role
    from prm.tenancy import tenant_context

    seconds = samples(8 if scale == "small" else 15, 3)
    with tenant_context(tenant):
        staff = Member.objects.filter(role=Role.ADMIN).first()
        admin = Member.objects.filter(role=Role.PARTNER_ADMIN).exclude(partner=None).first()
        kit = campaign_services.campaign_kit_create(
            by=staff,
            name=f"Bench HTTP kit {time.time_ns()}",
            landing_headline="Bench landing",
            landing_body="<p>{{ partner.name }} {{ partner.contact }}</p>",
            social_posts=["Bench {link}"],
        )
        kit = campaign_services.campaign_kit_publish(kit=kit, by=staff)
        campaign = campaign_services.campaign_launch(kit=kit, by=admin)
    try:
        with served() as port:
            base = {"Host": HOST}
            clicks = http_load(port, f"/t/{campaign.code}/page/", base, None, seconds, CLIENTS)
            views = http_load(
                port, campaign_selectors.landing_path(campaign), base, None, seconds, CLIENTS
            )
        with tenant_context(tenant):
            campaign.refresh_from_db()
            by_day = sum(campaign.days.values_list("clicks", flat=True))
    finally:
        with tenant_context(tenant):
            Campaign.objects.filter(pk=campaign.pk).delete()
            CampaignKit.objects.filter(pk=kit.pk).delete()
    for name, phase in (("clicks", clicks), ("views", views)):
        if phase["errors"]:
            raise AssertionError(f"{name}: {phase['status_codes']}")
    return {
        "clients": CLIENTS,
        "clicks_per_s": clicks["rps"],
        "clicks_ms_p95": clicks["ms_p95"],
        "views_per_s": views["rps"],
        "views_ms_p95": views["ms_p95"],
        "clicks_requested": clicks["requests"],
        "clicks_counted": campaign.clicks,
        "clicks_counted_by_day": by_day,
        "views_requested": views["requests"],
        "views_counted": campaign.views,
    }


def bench_marketing(scale: str) -> dict:
    from django.db import connection, transaction
    from django.test import Client

    from marketing import campaign_selectors, campaign_services
    from marketing.campaign_models import Campaign
    from prm.models import Member
    from prm.roles import Role
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    numbers: dict = _served_rates(tenant, scale)
    try:
        with tenant_context(tenant), transaction.atomic():
            staff = Member.objects.filter(role=Role.ADMIN).first()
            admin = Member.objects.filter(role=Role.PARTNER_ADMIN).exclude(partner=None).first()
            kits = []
            for i in range(5):
                kit = campaign_services.campaign_kit_create(
                    by=staff,
                    name=f"Bench kit {i}",
                    landing_headline="Bench landing",
                    landing_body="<p>{{ partner.name }} {{ partner.contact }}</p>",
                    social_posts=["Bench {link}"],
                )
                kits.append(campaign_services.campaign_kit_publish(kit=kit, by=staff))
            campaign = campaign_services.campaign_launch(kit=kits[0], by=admin)
            landing = campaign_selectors.landing_path(campaign)
            client = Client()
            views = [_rate(client, landing, REQUESTS, 200) for _r in range(RUNS)]
            clicks = [
                _rate(client, f"/t/{campaign.code}/page/", REQUESTS, 302) for _r in range(RUNS)
            ]
            campaign.refresh_from_db()
            numbers["views_per_s_one_process"] = statistics.median(views)
            numbers["clicks_per_s_one_process"] = statistics.median(clicks)

            # 10,000 campaigns: each kit x the first 2,000 partners, with counters.
            with connection.cursor() as cur:
                cur.execute(
                    """
                    INSERT INTO marketing_campaign (tenant_id, kit_id, partner_id, code,
                      launched_at, views, clicks, form_fills, sequence_status)
                    SELECT %(t)s, k.id, p.id, 'B' || k.id || 'X' || p.id, now(),
                      (p.id * 7) %% 1000, (p.id * 3) %% 300, (p.id) %% 20, 'not_started'
                    FROM marketing_campaignkit k
                    CROSS JOIN LATERAL (
                      SELECT id FROM partners_partner WHERE tenant_id = %(t)s
                      ORDER BY id LIMIT %(per_kit)s) p
                    WHERE k.id = ANY(%(kits)s)
                    ON CONFLICT DO NOTHING
                    """,
                    {"t": tenant.pk, "kits": [k.pk for k in kits], "per_kit": CAMPAIGNS // 5},
                )
                cur.execute("ANALYZE marketing_campaign")
            campaigns = list(Campaign.objects.filter(kit__in=kits))
            ids = [c.pk for c in campaigns]
            numbers["campaigns"] = len(campaigns)
            rollup, hand = [], []
            for _r in range(RUNS):
                start = time.perf_counter()
                figures = campaign_selectors.funnel(campaigns)
                rollup.append(time.perf_counter() - start)
                start = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute(HAND_SQL, {"t": tenant.pk, "ids": ids})
                    rows = cur.fetchall()
                hand.append(time.perf_counter() - start)
            diff = sum(
                1
                for pk, v, c, f, leads, regs in rows
                if (v, c, f, leads, regs)
                != tuple(
                    figures[pk][k]
                    for k in ("views", "clicks", "form_fills", "leads", "registrations")
                )
            )
            numbers["rollup_ms"] = round(statistics.median(rollup) * 1000, 1)
            numbers["hand_ms"] = round(statistics.median(hand) * 1000, 1)
            numbers["rollup_vs_hand"] = round(
                statistics.median(rollup) / max(statistics.median(hand), 1e-6), 2
            )
            numbers["figures_differing"] = diff
            raise _Undo
    except _Undo:
        pass
    targets = {
        "clicks_per_s": target(numbers["clicks_per_s"], ">=", 500),
        "clicks_lost": target(numbers["clicks_requested"] - numbers["clicks_counted"], "<=", 0),
        "views_per_s": target(numbers["views_per_s"], ">=", 500),
        "views_lost": target(numbers["views_requested"] - numbers["views_counted"], "<=", 0),
        "rollup_vs_hand": target(numbers["rollup_vs_hand"], "<=", 1.5),
        "figures_differing": target(numbers["figures_differing"], "<=", 0),
    }
    return write("marketing", scale, numbers, targets)
