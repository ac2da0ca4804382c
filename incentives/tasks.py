"""Celery tasks of incentives: computing what a won deal, an accepted lead or a certificate
earns, taking a lost deal's earnings back, partner referral rewards, and the daily release
of lines whose clawback window passed. Each loads by id, re-enters the tenant and calls one
service; each is safe to run twice (every line has a unique key)."""

from __future__ import annotations

from celery import shared_task

from incentives import services
from incentives.models import IncentiveProgram
from partners.models import Partner
from prm.models import Member
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="incentives.compute_deal", time_limit=300, soft_time_limit=270)
def compute_deal(*, tenant, deal_id: int) -> int:
    return len(services.earnings_compute_for_deal(deal_id=deal_id))


@shared_task(base=TenantTask, name="incentives.reverse_deal", time_limit=300, soft_time_limit=270)
def reverse_deal(*, tenant, deal_id: int) -> int:
    return services.earnings_reverse_for_deal(deal_id=deal_id)


@shared_task(
    base=TenantTask, name="incentives.compute_direct_deal", time_limit=300, soft_time_limit=270
)
def compute_direct_deal(*, tenant, direct_deal_id: int) -> int:
    return len(services.earnings_compute_for_direct_deal(direct_deal_id=direct_deal_id))


@shared_task(
    base=TenantTask, name="incentives.reverse_direct_deal", time_limit=300, soft_time_limit=270
)
def reverse_direct_deal(*, tenant, direct_deal_id: int) -> int:
    return services.earnings_reverse_for_direct_deal(direct_deal_id=direct_deal_id)


@shared_task(base=TenantTask, name="incentives.compute_lead", time_limit=120, soft_time_limit=100)
def compute_lead(*, tenant, deal_id: int) -> int:
    return len(services.earnings_compute_for_lead(deal_id=deal_id))


@shared_task(
    base=TenantTask, name="incentives.compute_certificate", time_limit=120, soft_time_limit=100
)
def compute_certificate(*, tenant, certificate_id: int, member_id: int) -> int:
    return len(
        services.earnings_compute_for_certificate(
            certificate_id=certificate_id, member_id=member_id
        )
    )


@shared_task(
    base=TenantTask, name="incentives.partner_referral", time_limit=120, soft_time_limit=100
)
def partner_referral(*, tenant, referrer_id: int, referred_id: int) -> int:
    referrer = Partner.objects.filter(pk=referrer_id).first()
    referred = Partner.objects.filter(pk=referred_id).first()
    if referrer is None or referred is None:
        return 0
    return len(services.partner_referral_reward(referrer=referrer, referred=referred))


@shared_task(
    base=TenantTask, name="incentives.recompute_program", time_limit=3600, soft_time_limit=3500
)
def recompute_program(*, tenant, program_id: int, member_id: int | None = None) -> int:
    """Staff asked for a commission program's lines to be recomputed (set-based)."""
    program = IncentiveProgram.objects.filter(pk=program_id).first()
    if program is None or not program.is_active or program.kind != "commission":
        return 0
    by = Member.objects.filter(pk=member_id).select_related("user").first() if member_id else None
    return services.program_recompute(program=program, by=by)


@shared_task(base=TenantTask, name="incentives.release", time_limit=600, soft_time_limit=540)
def release(*, tenant) -> int:
    return services.earnings_release()


@shared_task(name="incentives.release_all", time_limit=60)
def release_all() -> int:
    """Beat, daily: one release task per active tenant."""
    return for_each_tenant(release)
