"""Celery beat that sends each scheduled job once per slot, even if two beats run.

Two beat processes (a deploy that overlaps, a second `make run`, an operator's mistake)
would otherwise both send every scheduled job. Before sending, each beat claims the job's
current schedule slot with an atomic Redis `SET NX` (Django's `cache.add`); the loser skips
that slot. The lock is per slot, not per process, so when one beat dies the other carries on
at the next slot. The scheduled jobs are idempotent as well; this keeps them from doing the
same work twice at the same moment.
"""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler, Scheduler
from celery.schedules import crontab
from django.core.cache import cache

log = logging.getLogger(__name__)

KEY_PREFIX = "prm:beat-slot"


def slot_length(entry) -> int:
    """Seconds per schedule slot: the interval of an interval schedule, a minute for
    crontab (its finest resolution)."""
    schedule = entry.schedule
    if isinstance(schedule, crontab):
        return 60
    run_every = getattr(schedule, "run_every", None)
    if run_every is not None:
        return max(1, int(run_every.total_seconds()))
    return 60


def claim_slot(entry, now: float | None = None) -> bool:
    """True if this process may send `entry` for the slot that contains `now`."""
    step = slot_length(entry)
    slot = int((time.time() if now is None else now) // step)
    try:
        return bool(cache.add(f"{KEY_PREFIX}:{entry.name}:{slot}", 1, timeout=2 * step))
    except Exception:  # Redis down: sending would fail too; let the send report it.
        log.warning("beat lock unavailable; sending %s unlocked", entry.name, exc_info=True)
        return True


class SlotLockMixin:
    def apply_entry(self, entry, producer=None):
        if not claim_slot(entry):
            log.info("beat: %s already sent for this slot by another beat", entry.name)
            return None
        return super().apply_entry(entry, producer=producer)


class LockedScheduler(SlotLockMixin, PersistentScheduler):
    """The scheduler `celery beat` uses (settings.CELERY_BEAT_SCHEDULER)."""


class LockedMemoryScheduler(SlotLockMixin, Scheduler):
    """Same, without the on-disk schedule file (tests)."""
