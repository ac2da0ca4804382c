"""Deal registration's home sections (registered in DealregConfig.ready()): what a partner and
a reviewer need to act on now. Each reads through the app's selectors, scoped to the member,
with a fixed number of aggregate queries."""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from dealreg.models import ACTIVE_STATUSES, DealStatus, RulesVersion, protection_today
from dealreg.selectors import deals_visible_to, expiring_soon, review_queue
from partners.selectors import manages_partners

# A protection ending within this many days is shown as ending soon.
ENDING_SOON_DAYS = 30
# Rows listed on a card; the numbers link to the full lists.
LISTED = 5


def _ending(qs, today: datetime.date) -> list[dict]:
    return [
        {"deal": d, "days_left": (d.protected_until - today).days}
        for d in qs.order_by("protected_until")[:LISTED]
    ]


def partner_home(member) -> dict:
    """A partner's registrations: what waits for a decision, what is protected, and which
    protections end soon (with the days left). Two queries."""
    today = protection_today()
    soon = today + datetime.timedelta(days=ENDING_SOON_DAYS)
    deals = deals_visible_to(member)
    counts = deals.aggregate(
        submitted=Count("id", filter=Q(status=DealStatus.SUBMITTED)),
        under_review=Count("id", filter=Q(status=DealStatus.UNDER_REVIEW)),
        protected=Count("id", filter=Q(status=DealStatus.APPROVED, protected_until__gte=today)),
        ending=Count(
            "id",
            filter=Q(
                status=DealStatus.APPROVED, protected_until__gte=today, protected_until__lte=soon
            ),
        ),
        drafts=Count("id", filter=Q(status=DealStatus.DRAFT)),
    )
    ending = deals.filter(
        status=DealStatus.APPROVED, protected_until__gte=today, protected_until__lte=soon
    )
    return {"counts": counts, "ending": _ending(ending, today), "soon_days": ENDING_SOON_DAYS}


def staff_home(member) -> dict:
    """The review queue with its SLA clock, the open pipeline and protections ending soon. A
    channel manager's numbers are for the partners they manage when they manage any. Four
    queries."""
    now = timezone.now()
    queue = review_queue()
    mine = manages_partners(member)
    if mine:
        queue = queue.filter(partner__owner=member)
    waiting = queue.order_by().aggregate(
        total=Count("id"),
        past_sla=Count("id", filter=Q(sla_due_at__lt=now)),
        over_two_days=Count("id", filter=Q(submitted_at__lt=now - datetime.timedelta(days=2))),
        oldest=Min("submitted_at"),
    )
    today = protection_today()
    ending = expiring_soon(days=14)
    pipeline_qs = deals_visible_to(member).filter(status__in=ACTIVE_STATUSES, amount__isnull=False)
    if mine:
        ending = ending.filter(partner__owner=member)
        pipeline_qs = pipeline_qs.filter(partner__owner=member)
    pipeline = list(
        pipeline_qs.order_by()
        .values("currency")
        .annotate(amount=Sum("amount"), deals=Count("id"))
        .order_by("-amount")[:3]
    )
    return {
        "mine": mine,
        "waiting": waiting,
        "ending_count": ending.count(),
        "ending": _ending(ending, today),
        "pipeline": pipeline,
    }


def has_own_rules(tenant) -> bool:
    """The admin has published rules of engagement (version 1, the defaults, is written by
    the system the first time any rules are read)."""
    return RulesVersion.objects.filter(created_by__isnull=False).exists()
