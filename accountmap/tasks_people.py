"""Celery task of people mapping: telling reps of new overlaps (after the computation's
commit, so the overlaps are there to read)."""

from __future__ import annotations

from celery import shared_task

from accountmap.people_notify import overlaps_notify
from prm.tasks import TenantTask


@shared_task(
    base=TenantTask, name="accountmap.people_notify_overlaps", time_limit=300, soft_time_limit=280
)
def notify_overlaps(*, tenant, partner_id: int, overlap_ids: list[int]) -> dict:
    """Idempotent: an overlap already told (OverlapNotice) is skipped."""
    return overlaps_notify(partner_id=partner_id, overlap_ids=overlap_ids)
