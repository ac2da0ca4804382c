"""Shared opportunities through their services: who is on a workspace, mentions that tell only
the people on it, tasks and their reminders, every change audited and on the timeline."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cosell import selectors, services
from cosell.models import Activity, Comment, Participant, Task
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent, Notification, OutboxEvent
from prm.states import ActionNotAllowed
from prm.tenancy import tenant_context
from tests.cosell.support import deal_of, with_other_partner, workspace
from tests.factories import MemberFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_opening_a_deals_workspace_puts_its_partner_and_channel_manager_on_it(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        parts = list(opp.participants.all())
        assert [(p.partner_id, p.role, p.is_owner) for p in parts] == [
            (world.partner.pk, "reseller", True)
        ]
        assert list(opp.team.values_list("member_id", flat=True)) == [world.channel_manager.pk]
        assert AuditEvent.objects.filter(action="cosell.opportunity_opened").count() == 1
        assert Activity.objects.filter(opportunity=opp, kind="opened").exists()


def test_opening_twice_returns_the_same_workspace(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        again, created = services.opportunity_open(by=world.admin, deal=opp.deal)
    assert (again.pk, created) == (opp.pk, False)


def test_a_partner_cannot_open_another_partners_deal(world):
    deal = deal_of(world)
    with tenant_context(world.tenant), pytest.raises(DomainError):
        services.opportunity_open(by=world.other_partner_user, deal=deal)


def test_only_participants_see_a_workspace(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        assert selectors.opportunities_visible_to(world.partner_user).filter(pk=opp.pk).exists()
        assert (
            not selectors.opportunities_visible_to(world.other_partner_user)
            .filter(pk=opp.pk)
            .exists()
        )
        assert selectors.opportunities_visible_to(world.admin).filter(pk=opp.pk).exists()
    with_other_partner(world, opp)
    with tenant_context(world.tenant):
        assert (
            selectors.opportunities_visible_to(world.other_partner_user).filter(pk=opp.pk).exists()
        )


def test_inviting_a_partner_is_audited_emitted_and_tells_its_people(world):
    opp = workspace(world)
    mail.outbox.clear()
    with_other_partner(world, opp, role="isv")
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="cosell.partner_added").count() == 1
        event = OutboxEvent.objects.get(event_type="cosell.participant_added")
        assert event.payload["participant_partner_id"] == world.other_partner.pk
        assert event.payload["opportunity_id"] == opp.pk
        notes = Notification.objects.filter(member=world.other_partner_user)
        assert [n.url for n in notes] == [f"/shared/{opp.pk}/"]


def test_an_invited_partner_may_not_invite_others(world):
    opp = workspace(world)
    with_other_partner(world, opp)
    third = PartnerFactory(tenant=world.tenant)
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.participant_add(
            opportunity=opp, by=world.other_partner_user, partner_id=third.pk, role="si"
        )


def test_the_registering_partner_cannot_be_removed(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        owner = opp.participants.get(is_owner=True)
        with pytest.raises(DomainError):
            services.participant_remove(opportunity=opp, by=world.admin, participant=owner)


def test_removing_a_partner_hides_the_workspace_and_frees_its_tasks(world):
    opp = workspace(world)
    part = with_other_partner(world, opp)
    with tenant_context(world.tenant):
        task = services.task_add(
            opportunity=opp,
            by=world.partner_admin,
            title="Demo",
            owner_id=world.other_partner_user.pk,
        )
        services.participant_remove(opportunity=opp, by=world.partner_admin, participant=part)
        assert not Participant.objects.filter(pk=part.pk).exists()
        assert Task.objects.get(pk=task.pk).owner_id is None
        assert not selectors.opportunities_visible_to(world.other_partner_user).exists()
        assert AuditEvent.objects.filter(action="cosell.partner_removed").count() == 1


def test_a_mention_tells_the_mentioned_participant_with_a_link_to_the_comment(
    world, django_capture_on_commit_callbacks
):
    opp = workspace(world)
    mail.outbox.clear()
    with tenant_context(world.tenant), django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(
            opportunity=opp,
            by=world.channel_manager,
            body=f"@{world.partner_user.user.email} can you book the demo?",
        )
        assert list(comment.mentions.values_list("member_id", flat=True)) == [world.partner_user.pk]
        note = Notification.objects.get(
            member=world.partner_user, event_type="cosell.comment_added"
        )
        assert note.url == f"/shared/{opp.pk}/#comment-{comment.pk}"
    assert [m.to for m in mail.outbox] == [[world.partner_user.user.email]]


def test_mentions_of_people_not_on_the_workspace_tell_nobody(
    world, stranger, django_capture_on_commit_callbacks
):
    opp = workspace(world)
    mail.outbox.clear()
    with tenant_context(world.tenant), django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(
            opportunity=opp,
            by=world.partner_admin,
            body=f"@{world.other_partner_user.user.email} @{stranger.admin.user.email} hi",
            mention_ids=[world.other_partner_user.pk, stranger.admin.pk],
        )
        assert not comment.mentions.exists()
        assert not Notification.objects.filter(event_type="cosell.comment_added").exists()
    assert mail.outbox == []


def test_the_picker_mentions_by_id(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        comment = services.comment_add(
            opportunity=opp,
            by=world.partner_user,
            body="See the plan.",
            mention_ids=[world.channel_manager.pk],
        )
        assert list(comment.mentions.values_list("member_id", flat=True)) == [
            world.channel_manager.pk
        ]


def test_an_empty_or_overlong_comment_is_refused_and_nothing_is_written(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        for body in ("   ", "x" * (services.MAX_COMMENT + 1)):
            with pytest.raises(DomainError) as exc:
                services.comment_add(opportunity=opp, by=world.partner_user, body=body)
            assert exc.value.field == "body"
        assert not Comment.objects.exists()


def test_only_the_author_edits_or_deletes_a_comment_and_both_are_audited(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        comment = services.comment_add(opportunity=opp, by=world.partner_user, body="First")
        with pytest.raises(PermissionDenied):
            services.comment_edit(comment=comment, by=world.partner_admin, body="Hijack")
        services.comment_edit(comment=comment, by=world.partner_user, body="Second")
        services.comment_delete(comment=comment, by=world.partner_user)
        comment.refresh_from_db()
        assert comment.body == "" and comment.deleted_at is not None
        actions = list(
            AuditEvent.objects.filter(action__startswith="cosell.comment").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == [
            "cosell.comment_added",
            "cosell.comment_deleted",
            "cosell.comment_edited",
        ]


def test_a_vendor_person_who_comments_joins_the_workspace(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        services.comment_add(opportunity=opp, by=world.admin, body="Joining in")
        assert opp.team.filter(member=world.admin).exists()
        assert selectors.is_person_of(opp, world.admin)


def test_a_task_owner_must_be_on_the_workspace(world):
    opp = workspace(world)
    with tenant_context(world.tenant), pytest.raises(DomainError) as exc:
        services.task_add(
            opportunity=opp, by=world.partner_admin, title="x", owner_id=world.other_partner_user.pk
        )
    assert exc.value.field == "owner"


def test_assigning_and_ticking_a_task_tells_owner_and_creator(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        task = services.task_add(
            opportunity=opp,
            by=world.partner_admin,
            title="Send the quote",
            owner_id=world.channel_manager.pk,
            due_on=timezone.localdate(),
        )
        assert Notification.objects.filter(
            member=world.channel_manager, event_type="cosell.task_assigned"
        ).exists()
        services.task_set_done(task=task, by=world.channel_manager, done=True)
        assert Notification.objects.filter(
            member=world.partner_admin, event_type="cosell.task_done"
        ).exists()
        with pytest.raises(ActionNotAllowed):
            services.task_set_done(task=task, by=world.channel_manager, done=True)
        services.task_set_done(task=task, by=world.channel_manager, done=False)
        task.refresh_from_db()
        assert task.done_at is None
        assert set(OutboxEvent.objects.values_list("event_type", flat=True)) >= {
            "cosell.task_assigned",
            "cosell.task_done",
        }


def test_overdue_is_an_open_task_past_its_due_date(world):
    opp = workspace(world)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with tenant_context(world.tenant):
        task = services.task_add(
            opportunity=opp, by=world.partner_admin, title="x", due_on=yesterday
        )
        assert task.is_overdue
        services.task_set_done(task=task, by=world.partner_admin, done=True)
        task.refresh_from_db()
        assert not task.is_overdue


def test_reminders_go_once_per_due_date_to_owners_of_tasks_coming_due(world):
    opp = workspace(world)
    today = timezone.localdate()
    with tenant_context(world.tenant):
        soon = services.task_add(
            opportunity=opp,
            by=world.partner_admin,
            title="Soon",
            owner_id=world.partner_user.pk,
            due_on=today + datetime.timedelta(days=1),
        )
        services.task_add(
            opportunity=opp,
            by=world.partner_admin,
            title="Later",
            owner_id=world.partner_user.pk,
            due_on=today + datetime.timedelta(days=9),
        )
        assert services.task_reminders_send() == 1
        assert services.task_reminders_send() == 0
        assert (
            Notification.objects.filter(
                member=world.partner_user, event_type="cosell.task_due"
            ).count()
            == 1
        )
        services.task_update(
            task=soon, by=world.partner_admin, due_on=today + datetime.timedelta(days=2)
        )
        assert services.task_reminders_send() == 1


def test_a_closed_workspace_takes_no_comments_until_reopened(world):
    opp = workspace(world)
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.opportunity_close(opportunity=opp, by=world.partner_admin)
        services.opportunity_close(opportunity=opp, by=world.channel_manager)
        with pytest.raises(ActionNotAllowed):
            services.comment_add(opportunity=opp, by=world.partner_user, body="late")
        services.opportunity_reopen(opportunity=opp, by=world.channel_manager)
        services.comment_add(opportunity=opp, by=world.partner_user, body="on time")


def test_vendor_people_can_be_added_and_removed_by_name(world):
    opp = workspace(world)
    rep = MemberFactory(tenant=world.tenant, role="channel_manager")
    with tenant_context(world.tenant):
        row = services.team_member_add(opportunity=opp, by=world.partner_admin, member_id=rep.pk)
        assert Notification.objects.filter(
            member=rep, event_type="cosell.participant_added"
        ).exists()
        with pytest.raises(DomainError):
            services.team_member_add(
                opportunity=opp, by=world.partner_admin, member_id=world.other_partner_user.pk
            )
        with pytest.raises(PermissionDenied):
            services.team_member_remove(opportunity=opp, by=world.partner_admin, team_member=row)
        services.team_member_remove(opportunity=opp, by=world.channel_manager, team_member=row)
        assert not opp.team.filter(member=rep).exists()
        assert AuditEvent.objects.filter(action="cosell.person_removed").count() == 1
