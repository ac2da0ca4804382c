"""Tasks go to separate queues (approvals, rollups, fresh, email, integrations, default), and every
worker this project starts consumes all of them, so no task is ever stranded."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from prm import devstack
from prm.celery import app
from prm.tasks import HEARTBEAT_KEY, heartbeat
from tests.conftest import wait_for

INTENDED = {
    "dealreg.evaluate_deal": "approvals",
    "dealreg.sweep_pending": "approvals",
    "dealreg.sweep_pending_all": "approvals",
    "dealreg.daily_sweep": "approvals",  # expiry and lead-routing time-outs
    "dealreg.sweep_all": "approvals",
    "dealreg.expire_protections": "approvals",  # protections end on time (issue #17)
    "dealreg.expire_all": "approvals",
    "mdf.daily": "approvals",
    "mdf.daily_all": "approvals",
    "analytics.nightly": "rollups",
    "analytics.nightly_all": "rollups",
    "analytics.run_rollups": "rollups",
    "analytics.refresh_rollups": "fresh",
    "analytics.refresh_rollups_sweep": "fresh",
    "analytics.refresh_rollups_sweep_all": "fresh",
    "analytics.build_review": "rollups",
    "partners.evaluate_tiers": "rollups",
    "partners.evaluate_tiers_all": "rollups",
    "mdf.accrue_program": "rollups",
    "prm.notifications.digest_all": "email",
    "prm.notifications.digest_tenant": "email",
    "partners.notify_tier_event": "email",
    "mdf.notify": "email",
    "dealreg.notify": "email",
    "analytics.notify_at_risk": "email",
    "onboarding.send_reminders": "email",
    "onboarding.send_reminders_all": "email",
    "marketing.send_sequences": "email",
    "marketing.send_sequences_all": "email",
    "prm.webhooks.relay_all": "integrations",
    "prm.webhooks.relay_tenant": "integrations",
    "prm.tasks.heartbeat": "celery",
    "prm.tasks.purge_idempotency_records": "celery",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize("task_name", sorted(INTENDED))
def test_each_task_resolves_to_its_intended_queue(task_name):
    app.loader.import_default_modules()
    assert task_name in app.tasks, f"{task_name} is not a registered task any more"
    assert queue_of(task_name) == INTENDED[task_name]


def test_every_registered_task_goes_to_a_queue_the_workers_consume():
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) >= len(INTENDED)
    stranded = {n: queue_of(n) for n in ours if queue_of(n) not in settings.PRM_CELERY_QUEUES}
    assert stranded == {}


def test_workers_are_started_on_every_queue():
    assert tuple(devstack.WORKER_QUEUES) == tuple(settings.PRM_CELERY_QUEUES)
    # A worker started without -Q consumes exactly the declared queues.
    assert set(app.conf.task_queues) == set(settings.PRM_CELERY_QUEUES)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "queue", ["celery", "approvals", "rollups", "fresh", "email", "integrations"]
)
def test_a_task_sent_to_each_queue_is_executed_by_the_test_worker(celery_worker, queue):
    assert queue in settings.PRM_CELERY_QUEUES
    cache.delete(HEARTBEAT_KEY)
    heartbeat.apply_async(queue=queue)
    wait_for(lambda: cache.get(HEARTBEAT_KEY), timeout=20)
