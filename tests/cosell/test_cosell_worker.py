"""The daily reminder of tasks coming due, run by the real Celery worker, and the workspace
page's query count, which does not grow with its comments and tasks."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cosell import services, tasks
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.conftest import build_world, portal_client, wait_for
from tests.cosell.support import workspace


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_worker_reminds_the_owner_of_a_task_due_tomorrow(celery_worker):
    world = build_world("remind")
    opp = workspace(world)
    with tenant_context(world.tenant):
        services.task_add(
            opportunity=opp,
            by=world.partner_admin,
            title="Send the proposal",
            owner_id=world.partner_user.pk,
            due_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    tasks.send_task_reminders_all.delay()

    def reminded():
        with tenant_context(world.tenant):
            return Notification.objects.filter(
                member=world.partner_user, event_type="cosell.task_due"
            ).first()

    note = wait_for(reminded, timeout=20)
    assert note.url.startswith(f"/shared/{opp.pk}/#task-")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_workspace_page_reads_the_same_number_of_queries_for_many_rows(world):
    opp = workspace(world)
    client = portal_client(world.tenant, world.partner_user)
    url = f"/shared/{opp.pk}/"

    def add(n):
        with tenant_context(world.tenant):
            for i in range(n):
                services.comment_add(
                    opportunity=opp,
                    by=world.partner_admin,
                    body=f"Note {i} @{world.partner_user.user.email}",
                )
                services.task_add(
                    opportunity=opp,
                    by=world.partner_admin,
                    title=f"Task {i}",
                    owner_id=world.partner_user.pk,
                )

    add(1)
    one = _queries(client, url)
    add(6)
    assert _queries(client, url) == one
