"""Deal e-mails leave the move that causes them: the move queues dealreg.notify (the e-mail
queue) after its commit, and the task tells people once however often it is delivered."""

from __future__ import annotations

import pytest
from django.core import mail

from dealreg import services
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.dealreg.test_dealreg import register, register_and_tell
from tests.queued_tasks import send_deal_mails

pytestmark = pytest.mark.django_db


def test_a_decision_queues_its_mail_instead_of_sending_it(world):
    deal = register(world)  # approved automatically; its transaction never commits here
    assert deal.status == "approved"
    with tenant_context(world.tenant):
        assert not Notification.objects.filter(object_id=deal.pk).exists()
    assert mail.outbox == []


def test_the_queued_mail_reaches_the_partner_through_the_email_queue(world):
    deal = register_and_tell(world)
    with tenant_context(world.tenant):
        notes = list(
            Notification.objects.filter(object_id=deal.pk).values_list("member_id", "event_type")
        )
    assert notes == [(world.partner_admin.pk, "deal.approved")]
    assert [m.to for m in mail.outbox] == [[world.partner_admin.user.email]]


def test_a_mail_task_delivered_twice_tells_nobody_twice(world):
    deal = register(world)
    with tenant_context(world.tenant):
        for _ in range(2):
            services.deal_mail_send(deal_id=deal.pk, kind="expiring", context={}, key="k-1")
        assert Notification.objects.filter(object_id=deal.pk, event_type="deal.notice").count() == 1
    # A second reminder (queued with its own key) is a notice of its own.
    with tenant_context(world.tenant):
        services.deal_mail_send(deal_id=deal.pk, kind="expiring", context={}, key="k-2")
        assert Notification.objects.filter(object_id=deal.pk, event_type="deal.notice").count() == 2


def test_a_mail_about_a_deal_that_is_gone_is_dropped(world):
    with tenant_context(world.tenant):
        assert services.deal_mail_send(deal_id=10**9, kind="approved", context={}) == {}


def test_nothing_else_is_sent_by_the_helper(world):
    register_and_tell(world)
    assert send_deal_mails(world.tenant) == []  # the queue holds nothing more for this tenant
