"""Demo data for analytics: a year of won and lost deals, influencers, portal activity and
program costs, then health snapshots back-filled over the year (weekly, daily for the last 30
days) and quarterly rollups, so every chart has a shape. StackForge is the partner whose
health is falling: it stopped registering deals and signing in, and its big deal left the
90-day window, so its pipeline is down against the previous 90 days. Review times vary (some
decisions miss the 48-hour target), some deals are rejected and partner people answer the
quarterly survey, so approval SLA, approval rate, velocity and PSAT have a shape too."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from analytics import services
from analytics.models import AnalyticsSettings, MemberActivity, ProgramCost, SurveyResponse
from dealreg.models import Deal, DealInfluencer, DealStatus
from partners.models import Tier, TierChange, TierChangeStatus
from prm.models import Member

CUSTOMERS = [
    "Contoso",
    "Globex",
    "Umbrella",
    "Hooli",
    "Soylent",
    "Wayne",
    "Stark",
    "Tyrell",
    "Cyberdyne",
    "Aperture",
    "Vandelay",
    "Wonka",
]


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC)


def _deal(
    tenant,
    partner,
    *,
    n: int,
    submitted: datetime.date,
    amount: int,
    status,
    closed=None,
    decide_hours: int = 24,
):
    name = f"{CUSTOMERS[n % len(CUSTOMERS)]} {partner.name.split()[0]} {n}"
    return Deal.objects.create(
        tenant=tenant,
        partner=partner,
        customer_name=name,  # its derived name columns are Deal's own (Deal.save)
        status=status,
        amount=Decimal(amount),
        currency="USD",
        partner_role="resell" if partner.partner_type == "reseller" else "referral",
        created_at=_at(submitted),
        submitted_at=_at(submitted),
        decided_at=_at(submitted) + datetime.timedelta(hours=decide_hours),
        protected_until=(submitted + datetime.timedelta(days=90)) if status == "approved" else None,
        closed_at=closed,
        won_amount=Decimal(amount) if status == DealStatus.WON else None,
    )


def seed(*, tenant, partners: dict) -> None:
    rng = random.Random(7)  # noqa: S311 - demo data, not security
    config = AnalyticsSettings.for_tenant(tenant)
    config.gross_margin_pct = Decimal("65")
    config.at_risk_drop = 10  # this program wants an early warning
    config.save()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=365)
    northwind = partners["Northwind Resellers"]
    bluepeak = partners["BluePeak Integrators"]
    stackforge = partners["StackForge"]
    # (partner, first day offset, last day offset, every n days, amount range)
    plans = [
        (northwind, 0, 360, 12, (20_000, 60_000)),  # steady and growing
        (bluepeak, 20, 350, 21, (40_000, 120_000)),
        (stackforge, 0, 280, 14, (15_000, 45_000)),  # stops ~3 months ago
    ]
    n = 0
    for partner, first, last, every, (lo, hi) in plans:
        for offset in range(first, last, every):
            n += 1
            submitted = start + datetime.timedelta(days=offset)
            growth = 1 + offset / 365 if partner is northwind else 1
            amount = int(rng.randint(lo, hi) * growth) // 100 * 100
            age = (today - submitted).days
            if rng.random() < 0.1:
                status, closed = DealStatus.REJECTED, None
            elif age > 60:
                status = DealStatus.WON if rng.random() < 0.6 else DealStatus.LOST
                closed = submitted + datetime.timedelta(days=rng.randint(25, 55))
            else:
                status, closed = DealStatus.APPROVED, None
            deal = _deal(
                tenant,
                partner,
                n=n,
                submitted=submitted,
                amount=amount,
                status=status,
                closed=closed,
                # Reviews get slower for StackForge's deals: SLA attainment has a shape.
                decide_hours=rng.randint(2, 40)
                if partner is not stackforge
                else rng.randint(20, 90),
            )
            if partner is northwind and status == DealStatus.WON and n % 3 == 0:
                DealInfluencer.objects.create(tenant=tenant, deal=deal, partner=bluepeak)
    # StackForge's one big deal, which now falls out of the 90-day window.
    n += 1
    _deal(
        tenant,
        stackforge,
        n=n,
        submitted=today - datetime.timedelta(days=92),
        amount=180_000,
        status=DealStatus.APPROVED,
    )
    _activity(tenant, partners, today=today, rng=rng)
    _surveys(tenant, today=today, rng=rng, falling=stackforge)
    tiers = list(Tier.objects.order_by("rank"))
    if tiers:
        for q in services.quarters_back(today, 4):
            ProgramCost.objects.create(
                tenant=tenant,
                tier=tiers[-1],
                incurred_on=q + datetime.timedelta(days=40),
                amount=Decimal("6000.00"),
                currency="USD",
                description="Top-tier partner summit",
            )
    ProgramCost.objects.create(
        tenant=tenant,
        partner=northwind,
        incurred_on=today - datetime.timedelta(days=20),
        amount=Decimal("2500.00"),
        currency="USD",
        description="Joint sales enablement day",
    )
    placements_since_activation()
    # History: weekly snapshots for the year, daily for the last 30 days.
    days = [start + datetime.timedelta(days=d) for d in range(0, 335, 7)]
    days += [today - datetime.timedelta(days=d) for d in range(30, -1, -1)]
    for day in sorted(set(days)):
        services.health_compute(tenant=tenant, today=day, notify=day == today)
    services.rollups_compute(tenant=tenant, periods=services.quarters_back(today, 5))


def placements_since_activation() -> None:
    """The demo's history is back-dated (partners activated months ago, a year of deals), so
    are the partners' first tier placements: the nightly evaluation places a partner the day
    after its activation. Left at the seeding moment, every quarter before it counted under
    "No tier" on the program dashboard (rollups use the tier held at each quarter's end).
    The demo runs it again after its last tier evaluation, which places the partners later
    seeds added (predict's history)."""
    seen = set()
    for change in (
        TierChange.objects.filter(status=TierChangeStatus.APPLIED)
        .order_by("partner_id", "decided_at", "id")
        .select_related("partner")
    ):
        if change.partner_id in seen:
            continue
        seen.add(change.partner_id)
        activated = change.partner.activated_at
        placed = activated + datetime.timedelta(days=1) if activated else None
        if change.from_tier_id is None and placed and placed < change.decided_at:
            change.created_at = change.decided_at = placed
            change.save(update_fields=["created_at", "decided_at"])


def _activity(tenant, partners: dict, *, today: datetime.date, rng: random.Random) -> None:
    """Sign-ins per member per day: StackForge's people stopped coming 25 days ago."""
    rows = []
    for member in Member.objects.filter(partner__isnull=False, is_active=True):
        stackforge = member.partner_id == partners["StackForge"].pk
        for d in range(365):
            day = today - datetime.timedelta(days=d)
            if (stackforge and d < 25) or rng.random() < 0.6:
                continue
            rows.append(
                MemberActivity(
                    tenant=tenant,
                    member=member,
                    partner_id=member.partner_id,
                    day=day,
                    sign_ins=1,
                    actions=rng.randint(1, 12),
                )
            )
    MemberActivity.objects.bulk_create(rows, ignore_conflicts=True)


def _surveys(tenant, *, today: datetime.date, rng: random.Random, falling) -> None:
    """PSAT answers for the last four quarters; the falling partner grows less satisfied."""
    rows = []
    for member in Member.objects.filter(partner__isnull=False, is_active=True):
        for i, period in enumerate(services.quarters_back(today, 4)):
            score = max(1, 4 - i) if member.partner_id == falling.pk else rng.randint(3, 5)
            rows.append(
                SurveyResponse(
                    tenant=tenant,
                    partner_id=member.partner_id,
                    member=member,
                    period_start=period,
                    score=score,
                    comment="",
                )
            )
    SurveyResponse.objects.bulk_create(rows, ignore_conflicts=True)
