"""Plans built through the services, as people build them."""

from __future__ import annotations

from decimal import Decimal

from jointplans import services
from jointplans.models import JointPlan
from prm.tenancy import tenant_context
from tests.factories import JointPlanFactory


def draft(world, *, goals=(("certified_people", "4", ""),), initiative=True, **kwargs) -> JointPlan:
    """A draft plan of world.partner (managed by world.channel_manager) for this quarter."""
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save(update_fields=["owner"])
        plan = JointPlanFactory(
            tenant=world.tenant, partner=world.partner, created_by=world.channel_manager, **kwargs
        )
        for metric, target, currency in goals:
            services.goal_add(
                plan=plan,
                by=world.channel_manager,
                metric=metric,
                target=Decimal(target),
                currency=currency,
            )
        if initiative:
            services.initiative_add(
                plan=plan,
                by=world.channel_manager,
                title="Joint webinar",
                owner=world.partner_admin,
                due_date=plan.end_date,
            )
        plan.refresh_from_db()
    return plan


def proposed(world, **kwargs) -> JointPlan:
    plan = draft(world, **kwargs)
    with tenant_context(world.tenant):
        return services.plan_propose(plan=plan, by=world.channel_manager)


def signed(world, **kwargs) -> JointPlan:
    """Signed by both sides (and active: its period, this quarter, has begun)."""
    plan = proposed(world, **kwargs)
    with tenant_context(world.tenant):
        services.plan_sign(plan=plan, by=world.partner_admin)
        return services.plan_sign(plan=plan, by=world.channel_manager)
