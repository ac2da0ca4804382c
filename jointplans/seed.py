"""Demo data for joint business plans: Northwind's plan for this quarter, signed by both
sides and running, with goals on the figures the demo's own deals, funds and certifications
give (the targets are set around them, so some goals are on track and one is behind), and
BluePeak's plan proposed and waiting for its signature. Runs inside the demo tenant's context
after the other apps' seeds (manage.py seed_demo)."""

from __future__ import annotations

import datetime
from decimal import ROUND_UP, Decimal

from django.utils import timezone

from jointplans import metrics, services
from jointplans.models import InitiativeStatus, PeriodKind, period_end
from prm.models import Member
from prm.roles import Role


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _round_up(value: Decimal, step: int) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=ROUND_UP) * step


def seed(*, tenant, partners: dict) -> None:
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    people = {
        m.user.email: m
        for m in Member.objects.filter(partner__isnull=False).select_related("user", "partner")
    }
    ada, ben = people["ada@northwind.example"], people["ben@northwind.example"]
    carla = people["carla@bluepeak.example"]
    today = timezone.localdate()
    start = _quarter_start(today)
    end = period_end(PeriodKind.QUARTER, start)
    currency = tenant.default_currency
    northwind = partners["Northwind Resellers"]

    plan = services.plan_create(
        partner=northwind,
        title=f"Northwind × Acme: Q{(start.month - 1) // 3 + 1} {start.year} growth plan",
        period_kind=PeriodKind.QUARTER,
        start_date=start,
        review_date=end - datetime.timedelta(days=7),
        summary=(
            "Grow registered pipeline in the mid-market, certify the new account executives "
            "and run one co-funded event."
        ),
        by=manager,
    )

    def now(metric: str) -> Decimal:
        value = metrics.actual(
            metric, partner_id=northwind.pk, start=start, end=end, currency=currency
        )
        return value or Decimal(0)

    goals = [
        # On track or reached: targets near what the quarter already shows.
        ("sourced_pipeline", max(_round_up(now("sourced_pipeline") * 5 / 4, 10_000), 50_000)),
        ("certified_people", now("certified_people") + 1),
        ("mdf_paid", max(_round_up(now("mdf_paid") * 3 / 2, 1_000), 2_000)),
        # Behind: a stretch goal.
        ("sourced_revenue", max(_round_up(now("sourced_revenue") * 4, 10_000), 150_000)),
    ]
    for metric, target in goals:
        services.goal_add(
            plan=plan,
            by=manager,
            metric=metric,
            target=target,
            currency=currency if metrics.is_money(metric) else "",
        )
    for title, owner, due, status in [
        ("Mid-market webinar series with Acme solution engineers", manager, 30, "in_progress"),
        ("Two account executives certified on Acme Platform", ada, 45, "planned"),
        ("Customer roadshow (MDF-funded)", ben, 20, "done"),
    ]:
        services.initiative_add(
            plan=plan,
            by=manager,
            title=title,
            owner=owner,
            due_date=min(end, start + datetime.timedelta(days=due)),
            status=InitiativeStatus.PLANNED,
        )
        if status != InitiativeStatus.PLANNED:
            item = plan.initiatives.get(title=title)
            services.initiative_update(
                initiative=item,
                by=manager,
                title=item.title,
                due_date=item.due_date,
                owner=item.owner,
                description=item.description,
                status=status,
            )
    services.plan_propose(plan=plan, by=manager)
    services.plan_sign(plan=plan, by=ada)
    services.plan_sign(plan=plan, by=manager)  # signed by both: running (this quarter)

    bluepeak = services.plan_create(
        partner=partners["BluePeak Integrators"],
        title=f"BluePeak × Acme: {start.year} implementation plan",
        period_kind=PeriodKind.HALF if start.month in (1, 7) else PeriodKind.QUARTER,
        start_date=start,
        by=manager,
    )
    services.goal_add(
        plan=bluepeak, by=manager, metric="registrations", target=Decimal(6), currency=""
    )
    services.initiative_add(
        plan=bluepeak,
        by=manager,
        title="Reference architecture for Acme on BluePeak's stack",
        owner=carla,
        due_date=end,
    )
    services.plan_propose(plan=bluepeak, by=manager)
