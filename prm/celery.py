"""The Celery app. Settings come from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.local")

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "prm.tasks.heartbeat", "schedule": 30.0},
    # The outbox relay (integrations/tasks.py; the task name predates the app and is kept).
    "webhooks-relay": {"task": "prm.webhooks.relay_all", "schedule": 10.0},
    "notifications-daily-digest": {
        "task": "prm.notifications.digest_all",
        "schedule": crontab(hour=6, minute=0),
    },
    "evaluate-tiers-nightly": {
        "task": "partners.evaluate_tiers_all",
        "schedule": crontab(hour=2, minute=5),
    },
    "deal-sweeps-hourly": {
        # Expiry, 7-day reminders, review-target escalation and lead time-outs.
        "task": "dealreg.sweep_all",
        "schedule": crontab(minute=7),
    },
    "deal-protection-expiry": {
        # Protections past their end become expired within five minutes (pages and the API
        # show them expired before that already).
        "task": "dealreg.expire_all",
        "schedule": crontab(minute="*/5"),
    },
    "deal-evaluations-retry": {"task": "dealreg.sweep_pending_all", "schedule": 120.0},
    "mdf-daily-sweep": {
        "task": "mdf.daily_all",
        "schedule": crontab(hour=3, minute=15),
    },
    "purge-expired-idempotency-records": {
        "task": "prm.tasks.purge_idempotency_records_all",
        "schedule": crontab(minute=17),
    },
    "onboarding-step-reminders": {
        "task": "onboarding.send_reminders_all",
        "schedule": crontab(minute=23),
    },
    "analytics-nightly": {
        # Portal activity, health snapshots, at-risk episodes, then attribution/ROPI rollups.
        "task": "analytics.nightly_all",
        "schedule": crontab(hour=1, minute=45),  # before tier evaluation (2:05)
    },
    "analytics-refresh-sweep": {
        # Rollups marked changed whose refresh task was lost (broker down at commit time).
        "task": "analytics.refresh_rollups_sweep_all",
        "schedule": 120.0,
    },
    "custom-domain-checks": {
        # Pending domains until their DNS record shows up; verified ones daily (suspended
        # with a notice to the admins when the record is gone). See prm.hosts.
        "task": "prm.hosts.recheck_all",
        "schedule": crontab(minute="*/10"),
    },
    "campaign-email-sequences": {
        # Due steps of running campaign e-mail sequences, within each tenant's rate limit.
        "task": "marketing.send_sequences_all",
        "schedule": 60.0,
    },
    "training-certificate-sweep": {
        # Expire certificates, remind holders 30 and 7 days ahead, recount certified people.
        "task": "training.sweep_certificates_all",
        "schedule": crontab(hour=4, minute=35),
    },
}
