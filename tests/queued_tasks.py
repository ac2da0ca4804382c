"""Run, in the test's own process and transaction, the tasks the code under test queued on the
real broker.

Tests that do not start a Celery worker keep their rows in an uncommitted transaction, which a
worker could not see. Work that a service queues after its commit (an e-mail a move queues on
the e-mail queue, say) is therefore taken off the broker here and run in the test: the message
is the one the product sent (this test process's own Redis database, prm.devstack test), read
back with its arguments; nothing is faked."""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.test import TestCase

from prm.celery import app


def run_queued(task_name: str, *, tenant) -> list:
    """Run every queued `task_name` message for `tenant` (others are left in the queue) and
    return their results. The mails they send go out (on-commit callbacks run)."""
    queue = settings.CELERY_TASK_ROUTES[task_name]["queue"]
    found = []
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        for raw in client.lrange(queue, 0, -1):
            message = json.loads(raw)
            if message["headers"]["task"] != task_name:
                continue
            _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            if kwargs.get("tenant_id") != tenant.pk:
                continue
            client.lrem(queue, 1, raw)
            found.append(kwargs)
    task = app.tasks[task_name]
    results = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        for kwargs in reversed(found):  # the list is pushed on the left: oldest last
            results.append(task(**kwargs))
    return results


def send_deal_mails(tenant) -> list:
    """The e-mails deal moves queued (dealreg.notify), sent now."""
    return run_queued("dealreg.notify", tenant=tenant)
