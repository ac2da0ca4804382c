"""Fund requests: submission rules, the transitions table, decisions, campaign codes, audit and
e-mail after commit."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from mdf import services, tasks
from mdf.models import FundRequest, RequestStatus
from mdf.states import REQUEST_TRANSITIONS
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.mdf.test_mdf_support import claim_fields, make_program, request_fields

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def funded(world):
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
    return world, program


def submit(world, program, **overrides):
    return services.request_submit(
        program=program, by=world.partner_admin, **request_fields(program, **overrides)
    )


@pytest.fixture
def run_tasks_now(monkeypatch):
    """Run the tasks a service queues, right after commit, in this process (no worker)."""

    def dispatch_now(task, *, tenant=None, countdown=None, **kwargs):
        transaction.on_commit(lambda: task(tenant_id=tenant.pk, **kwargs))

    monkeypatch.setattr(services._common, "dispatch", dispatch_now)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"activity_type": "webinar"}, "activity_type"),
        ({"requested_amount": D("2000.01")}, "requested_amount"),  # over 50 % of 4,000
        ({"planned_cost": D("20000"), "requested_amount": D("5000.01")}, "requested_amount"),
        ({"start_date": datetime.date(2000, 1, 1)}, "start_date"),
        ({"title": ""}, "title"),
    ],
)
def test_submission_rules_name_the_field_at_fault(funded, overrides, field):
    world, program = funded
    with tenant_context(world.tenant):
        with pytest.raises((DomainError, ValidationError)) as exc:
            submit(world, program, **overrides)
        err = exc.value
        fields = [err.field] if isinstance(err, DomainError) else list(err.message_dict)
        assert field in fields
        assert not FundRequest.objects.exists()


def test_end_before_start_is_refused(funded):
    world, program = funded
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            submit(
                world,
                program,
                start_date=program.start_date + datetime.timedelta(days=5),
                end_date=program.start_date + datetime.timedelta(days=4),
            )
        assert exc.value.field == "end_date"


def test_staff_cannot_submit_requests(funded):
    world, program = funded
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.request_submit(
            program=program, by=world.channel_manager, **request_fields(program)
        )


def test_approval_issues_a_campaign_code_and_the_claim_deadline(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_transition(
            request=submit(world, program), to="approved", by=world.channel_manager
        )
        assert re.fullmatch(r"MDF-[2-9A-HJ-NP-Z]{5}", req.campaign_code)
        assert req.approved_amount == D("1000")
        assert req.claim_deadline == req.end_date + datetime.timedelta(days=60)
        assert req.decided_by == world.channel_manager
        codes = {
            services.request_transition(
                request=submit(world, program, requested_amount=D("100")),
                to="approved",
                by=world.channel_manager,
            ).campaign_code
            for _ in range(10)
        }
        assert len(codes | {req.campaign_code}) == 11


def test_partial_approval_commits_the_approved_amount_only(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_transition(
            request=submit(world, program), to="approved", by=world.admin, amount="600.50"
        )
        assert req.approved_amount == D("600.50")
        assert req.entries.get().amount == D("600.50")


def test_approving_more_than_requested_is_refused(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = submit(world, program)
        with pytest.raises(DomainError) as exc:
            services.request_transition(request=req, to="approved", by=world.admin, amount="1001")
        assert exc.value.field == "amount"
        req.refresh_from_db()
        assert req.status == "submitted" and not req.entries.exists()


def test_approval_beyond_the_available_balance_is_refused(funded):
    world, program = funded
    with tenant_context(world.tenant):
        reqs = [submit(world, program, requested_amount=D("2000")) for _ in range(3)]
        for r in reqs[:2]:
            services.request_transition(request=r, to="approved", by=world.admin)
        with pytest.raises(DomainError, match="1000.00 USD is available"):
            services.request_transition(request=reqs[2], to="approved", by=world.admin)
        services.request_transition(request=reqs[2], to="approved", by=world.admin, amount="1000")


def test_every_move_outside_the_transitions_table_is_refused(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = submit(world, program)
        services.request_transition(request=req, to="rejected", by=world.admin, reason="No.")
        assert REQUEST_TRANSITIONS[RequestStatus.REJECTED] == set()
        for to in ("approved", "returned", "cancelled", "submitted", "completed"):
            with pytest.raises(DomainError) as exc:
                services.request_transition(request=req, to=to, by=world.admin, reason="x")
            assert exc.value.field == "status"


def test_completed_is_reached_only_through_the_claim(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_transition(
            request=submit(world, program), to="approved", by=world.admin
        )
        with pytest.raises(DomainError):
            services.request_transition(request=req, to="completed", by=world.admin)


@pytest.mark.parametrize("to", ["rejected", "returned"])
def test_reject_and_return_need_a_reason(funded, to):
    world, program = funded
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.request_transition(
                request=submit(world, program), to=to, by=world.admin, reason="  "
            )
        assert exc.value.field == "reason"


@pytest.mark.parametrize("role", ["partner_admin", "partner_user"])
def test_partners_cannot_decide_requests(funded, role):
    world, program = funded
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.request_transition(
            request=submit(world, program), to="approved", by=world.member(role)
        )


def test_returned_request_is_edited_and_resubmitted_by_the_partner(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = submit(world, program)
        services.request_transition(
            request=req, to="returned", by=world.channel_manager, reason="Add the agenda."
        )
        with pytest.raises(PermissionDenied):
            services.request_update(request=req, by=world.other_partner_user, title="Mine now")
        with pytest.raises(PermissionDenied):
            services.request_update(request=req, by=world.channel_manager, title="Staff edit")
        req = services.request_update(
            request=req, by=world.partner_user, description="Agenda: keynote, demo, Q&A."
        )
        assert req.status == "submitted"
        assert req.description.startswith("Agenda")
        actions = list(
            AuditEvent.objects.filter(object_id=str(req.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "mdf.request.submitted",
            "mdf.request.returned",
            "mdf.request.updated",
            "mdf.request.submitted",
        ]


def test_approved_request_with_a_claim_cannot_be_cancelled(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_transition(
            request=submit(world, program), to="approved", by=world.admin
        )
        services.claim_submit(request=req, by=world.partner_admin, **claim_fields(req))
        with pytest.raises(DomainError, match="claim"):
            services.request_transition(request=req, to="cancelled", by=world.partner_admin)


def test_another_partner_cannot_cancel(funded):
    world, program = funded
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.request_transition(
            request=submit(world, program), to="cancelled", by=world.other_partner_user
        )


def test_decisions_are_audited_with_before_and_after(funded):
    world, program = funded
    with tenant_context(world.tenant):
        req = services.request_transition(
            request=submit(world, program), to="approved", by=world.admin, amount="750"
        )
        event = AuditEvent.objects.get(action="mdf.request.approved")
        assert event.object_id == str(req.pk) and event.object_type == "mdf.fundrequest"
        assert event.before["status"] == "submitted"
        assert event.after["status"] == "approved"
        assert event.after["approved_amount"] == "750.00"
        assert event.after["campaign_code"] == req.campaign_code


def test_the_partner_is_emailed_after_commit(
    funded, django_capture_on_commit_callbacks, run_tasks_now
):
    world, program = funded
    with tenant_context(world.tenant):
        req = submit(world, program)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            req = services.request_transition(request=req, to="approved", by=world.admin)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert world.partner_admin.user.email in message.to
        assert req.campaign_code in message.body
        assert f"/mdf/requests/{req.pk}/" in message.body


def test_nothing_is_emailed_when_the_decision_fails(funded, django_capture_on_commit_callbacks):
    world, program = funded
    with tenant_context(world.tenant):
        req = submit(world, program)
        with django_capture_on_commit_callbacks() as callbacks:
            with pytest.raises(DomainError):
                services.request_transition(request=req, to="approved", by=world.admin, amount="0")
        assert callbacks == []


def test_new_requests_notify_the_partners_channel_manager(
    funded, run_tasks_now, django_capture_on_commit_callbacks
):
    world, program = funded
    with tenant_context(world.tenant):
        world.partner.owner = world.channel_manager
        world.partner.save(update_fields=["owner"])
        req = submit(world, program)
        mail.outbox.clear()
        # The e-mail leaves after the task's transaction commits (prm.notifications).
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.notify(
                tenant_id=world.tenant.pk, kind="request.submitted", object_id=req.pk
            )
        assert mail.outbox[0].to == [world.channel_manager.user.email]
        assert world.partner.name in mail.outbox[0].body
