"""The MDF notice task may run twice (a redelivered message): each person still gets one
notification and one e-mail, whether or not the notice has an outbox event."""

from __future__ import annotations

import pytest
from django.core import mail

from mdf import services as mdf_services
from mdf import tasks as mdf_tasks
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.mdf.test_mdf_support import claim_fields, make_program, pdf_upload, request_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def submitted_claim(world, documents=True):
    with tenant_context(world.tenant):
        program = make_program(world)
        mdf_services.allocation_add(program=program, partner=world.partner, amount="20000", by=None)
        req = mdf_services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = mdf_services.request_transition(request=req, to="approved", by=world.channel_manager)
        return mdf_services.claim_submit(
            request=req,
            by=world.partner_admin,
            documents=[("invoice", pdf_upload())] if documents else [],
            **claim_fields(req),
        )


def run_twice(world, kind, obj, capture):
    for _ in range(2):
        with capture(execute=True):
            mdf_tasks.notify(tenant_id=world.tenant.pk, kind=kind, object_id=obj.pk)


def notes_of(member, event_type) -> list[Notification]:
    with tenant_context(member.tenant):
        return list(Notification.objects.filter(member=member, event_type=event_type))


def mails_to(member, subject_part):
    return [m for m in mail.outbox if member.user.email in m.to and subject_part in m.subject]


def test_a_notice_without_an_event_is_made_and_mailed_once(
    world, django_capture_on_commit_callbacks
):
    claim = submitted_claim(world)
    run_twice(world, "claim.submitted", claim, django_capture_on_commit_callbacks)
    [note] = notes_of(world.channel_manager, "mdf.claim.submitted")
    assert note.event_id is None and note.key.startswith(f"mdf.claim.submitted:{claim.pk}:")
    assert len(mails_to(world.channel_manager, "New MDF claim")) == 1


def test_a_decision_with_an_event_is_mailed_once(world, django_capture_on_commit_callbacks):
    claim = submitted_claim(world)
    with tenant_context(world.tenant):
        claim = mdf_services.claim_transition(claim=claim, to="approved", by=world.channel_manager)
    run_twice(world, "claim.approved", claim, django_capture_on_commit_callbacks)
    [note] = notes_of(world.partner_admin, "mdf.claim.approved")
    assert note.event_id is not None and note.key == ""
    assert len(mails_to(world.partner_admin, "claim was approved")) == 1


def test_a_claim_submitted_again_is_a_new_notice(world, django_capture_on_commit_callbacks):
    claim = submitted_claim(world, documents=False)
    run_twice(world, "claim.submitted", claim, django_capture_on_commit_callbacks)
    with tenant_context(world.tenant):
        claim = mdf_services.claim_transition(
            claim=claim, to="info_requested", by=world.channel_manager, reason="Add the invoice"
        )
        claim = mdf_services.claim_transition(claim=claim, to="submitted", by=world.partner_admin)
    run_twice(world, "claim.submitted", claim, django_capture_on_commit_callbacks)
    assert len(notes_of(world.channel_manager, "mdf.claim.submitted")) == 2
    assert len(mails_to(world.channel_manager, "New MDF claim")) == 2


def test_a_to_review_notice_is_not_sent_once_the_claim_was_decided(
    world, django_capture_on_commit_callbacks
):
    """The notice task runs after the commit, in the worker: a claim decided in between (the
    demo seed does it in one go) waits for no reviewer, so nobody is told to review it."""
    claim = submitted_claim(world)
    with tenant_context(world.tenant):
        claim = mdf_services.claim_transition(claim=claim, to="approved", by=world.channel_manager)
    run_twice(world, "claim.submitted", claim, django_capture_on_commit_callbacks)
    assert notes_of(world.channel_manager, "mdf.claim.submitted") == []
    assert mails_to(world.channel_manager, "New MDF claim") == []
