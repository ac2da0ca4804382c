"""Celery tasks for deal registration: approval rules, expiry, reminders, SLA, leads."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, DealStatus
from dealreg.services import deals_evaluate_queued, leads
from prm.tasks import TenantTask, for_each_tenant

log = logging.getLogger(__name__)


@shared_task(base=TenantTask, name="dealreg.evaluate_deal", time_limit=60, soft_time_limit=50)
def evaluate_deal(*, tenant, deal_id: int) -> int:
    """Decide the deal, and the registrations queued behind it (deals_evaluate_queued).
    Returns how many were decided."""
    return len(deals_evaluate_queued(deal_id=deal_id))


@shared_task(base=TenantTask, name="dealreg.notify", time_limit=60)
def notify(*, tenant, deal_id: int, kind: str, context: dict, key: str = "") -> dict:
    """Send a deal e-mail a move queued (dealreg.services.DEAL_MAILS), on the e-mail queue."""
    return services.deal_mail_send(deal_id=deal_id, kind=kind, context=context, key=key)


@shared_task(base=TenantTask, name="dealreg.daily_sweep", time_limit=600, soft_time_limit=540)
def daily_sweep(*, tenant) -> dict:
    keys = services.name_keys_check(tenant=tenant, repair=True)
    if not keys.consistent:
        log.warning("dealreg: name keys out of step in tenant %s, repaired: %s", tenant.pk, keys)
    return {
        "expired": services.deals_expire(tenant=tenant),
        "reminded": services.deals_remind_expiring(tenant=tenant),
        "escalated": services.deals_escalate_overdue(tenant=tenant),
        "lead_timeouts": leads.leads_time_out(tenant=tenant),
        "name_keys_repaired": keys.deals_with_wrong_keys + keys.names_out_of_step,
    }


@shared_task(base=TenantTask, name="dealreg.expire_protections", time_limit=120)
def expire_protections(*, tenant) -> int:
    """Protections that ended become expired within minutes (beat, every few minutes); pages
    and the API also show them expired before this runs (Deal.protection_ended)."""
    return services.deals_expire(tenant=tenant)


@shared_task(name="dealreg.expire_all", time_limit=60)
def expire_all() -> int:
    return for_each_tenant(expire_protections)


@shared_task(name="dealreg.sweep_all", time_limit=60)
def sweep_all() -> int:
    return for_each_tenant(daily_sweep)


@shared_task(base=TenantTask, name="dealreg.sweep_pending", time_limit=120)
def sweep_pending(*, tenant) -> int:
    """Re-queue submitted deals whose evaluation was lost (broker down at commit time)."""
    stale = timezone.now() - datetime.timedelta(minutes=2)
    ids = list(
        Deal.objects.filter(status=DealStatus.SUBMITTED, submitted_at__lt=stale).values_list(
            "pk", flat=True
        )[:1000]
    )
    for deal_id in ids:
        evaluate_deal.delay(tenant_id=tenant.pk, deal_id=deal_id)
    return len(ids)


@shared_task(name="dealreg.sweep_pending_all", time_limit=60)
def sweep_pending_all() -> int:
    return for_each_tenant(sweep_pending)
