"""Reminders before a plan's review date: 14 and 3 days before, to both sides, once each."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from jointplans import services, tasks
from jointplans.models import JointPlan, PlanReminder
from prm.outbox_models import Notification
from prm.tenancy import tenant_context
from tests.conftest import wait_for
from tests.jointplans.helpers import signed


def _review_in(world, plan, days: int) -> None:
    with tenant_context(world.tenant):
        JointPlan.objects.filter(pk=plan.pk).update(
            review_date=timezone.localdate() + datetime.timedelta(days=days)
        )


@pytest.mark.django_db
def test_each_reminder_goes_to_both_sides_once(world, django_capture_on_commit_callbacks):
    plan = signed(world)
    _review_in(world, plan, 14)
    mail.outbox.clear()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        assert services.reminders_send(tenant=world.tenant, today=today) == 1
        assert services.reminders_send(tenant=world.tenant, today=today) == 0
        # the next days until 3 days before: nothing new
        for n in range(1, 11):
            services.reminders_send(tenant=world.tenant, today=today + datetime.timedelta(days=n))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.channel_manager.user.email, world.partner_admin.user.email]
    )
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        at_3 = today + datetime.timedelta(days=11)
        assert services.reminders_send(tenant=world.tenant, today=at_3) == 1
        assert services.reminders_send(tenant=world.tenant, today=at_3) == 0
    assert len(mail.outbox) == 4
    assert "review" in mail.outbox[-1].subject.lower()


@pytest.mark.django_db
def test_a_review_three_days_away_gets_one_reminder_not_two(world):
    plan = signed(world)
    _review_in(world, plan, 3)
    with tenant_context(world.tenant):
        assert services.reminders_send(tenant=world.tenant) == 1
        assert list(PlanReminder.objects.values_list("days_before", flat=True)) == [3]


@pytest.mark.django_db
def test_no_reminder_for_a_review_that_is_far_or_past(world):
    plan = signed(world)
    with tenant_context(world.tenant):
        for days in (30, -1):
            _review_in(world, plan, days)
            assert services.reminders_send(tenant=world.tenant) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_daily_sweep_on_the_worker_reminds_once(world, celery_worker):
    plan = signed(world)
    _review_in(world, plan, 3)

    def notices() -> int:
        with tenant_context(world.tenant):
            return Notification.objects.filter(event_type="jointplan.review_due").count()

    tasks.daily_all.delay()
    assert wait_for(notices, timeout=30) == 2  # the channel manager and the partner's admin
    tasks.daily_all.delay()  # the beat's next day: nothing more
    with tenant_context(world.tenant):
        wait_for(lambda: PlanReminder.objects.filter(plan=plan).count() == 1)
    time.sleep(3)
    assert notices() == 2
