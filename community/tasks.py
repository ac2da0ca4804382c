"""Celery tasks of the community: publishing scheduled announcements (beat, every five
minutes, one run per tenant). Safe to run twice: each announcement is locked and re-checked."""

from __future__ import annotations

from celery import shared_task

from community.services import announcements
from prm.tasks import TenantTask, for_each_tenant


@shared_task(base=TenantTask, name="community.publish_due", time_limit=120, soft_time_limit=100)
def publish_due(*, tenant) -> int:
    return announcements.announcements_publish_due(tenant=tenant)


@shared_task(name="community.publish_due_all", time_limit=60)
def publish_due_all() -> int:
    return for_each_tenant(publish_due)
