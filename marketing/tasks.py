"""Celery tasks of the marketing app: the campaign e-mail sender. Beat runs `send_sequences_all`
every minute; it queues one `send_sequences` per active tenant, which re-enters the tenant and
calls the one service. Safe to run twice at once or in a row: each (contact, step) is claimed
once (marketing.sequence_services)."""

from __future__ import annotations

from celery import shared_task

from marketing.sequence_services import sequences_send_due
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="marketing.send_sequences", time_limit=300, soft_time_limit=270)
def send_sequences(*, tenant) -> int:
    return sequences_send_due(tenant=tenant)


@shared_task(name="marketing.send_sequences_all", time_limit=60)
def send_sequences_all() -> int:
    """Beat, every minute: one sender run per active tenant."""
    return for_each_tenant(send_sequences)
