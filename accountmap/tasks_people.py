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


@shared_task(
    base=TenantTask,
    name="accountmap.people_notify_overlaps_batch",
    time_limit=600,
    soft_time_limit=570,
)
def notify_overlaps_batch(*, tenant, items: list) -> dict:
    """`notify_overlaps` for several partners at once: items are [partner id, overlap ids]
    (queued together by `people_notify.on_overlaps_found`). Idempotent like it."""
    told = {"overlaps": 0, "vendor": 0, "partner": 0}
    for partner_id, overlap_ids in items:
        for key, n in overlaps_notify(partner_id=partner_id, overlap_ids=overlap_ids).items():
            told[key] += n
    return told
