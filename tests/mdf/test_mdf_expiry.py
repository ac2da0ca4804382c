"""Unused funds expire at the end of the period plus the grace period, through the daily
sweep, as expiry ledger entries (idempotently), after a warning e-mail sent once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from mdf import selectors, services, tasks
from mdf.models import ExpiryWarning, FundRequest, LedgerEntry, Program
from prm.errors import DomainError
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.mdf.test_mdf_support import make_program, request_fields

pytestmark = pytest.mark.django_db

D = Decimal
UTC = datetime.UTC


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 9, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def run_tasks_now(monkeypatch):
    def dispatch_now(task, *, tenant=None, countdown=None, **kwargs):
        transaction.on_commit(lambda: task(tenant_id=tenant.pk, **kwargs))

    monkeypatch.setattr(services._common, "dispatch", dispatch_now)


@pytest.fixture
def q1(world):
    """Q1 2030 (ends 31 March), 30 days' grace: funds expire on 30 April, warning from the
    16th. world.partner: 5,000 allocated, 1,000 committed; the other partner: 1,000."""
    with at(2030, 1, 15), tenant_context(world.tenant):
        program = make_program(world, start=datetime.date(2030, 1, 1), expiry_warning_days=14)
        assert program.end_date == datetime.date(2030, 3, 31)
        assert program.expires_on == datetime.date(2030, 4, 30)
        services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        services.allocation_add(
            program=program, partner=world.other_partner, amount="1000", by=None
        )
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        services.request_transition(request=req, to="approved", by=world.admin)
        services.request_submit(program=program, by=world.partner_admin, **request_fields(program))
    return world, program


def sweep(world):
    return tasks.daily(tenant_id=world.tenant.pk)


def expiries(program):
    return sorted(
        LedgerEntry.objects.filter(program=program, kind="expiry").values_list(
            "partner__name", "amount"
        )
    )


def test_nothing_expires_during_the_grace_period(q1):
    world, program = q1
    with at(2030, 4, 29):
        sweep(world)
    with tenant_context(world.tenant):
        assert expiries(program) == []
        assert Program.objects.get(pk=program.pk).expired_at is None


def test_available_funds_expire_when_the_grace_period_ends(q1):
    world, program = q1
    with at(2030, 4, 30):
        assert sweep(world)["expired"] == "1"
    with tenant_context(world.tenant):
        assert expiries(program) == [
            (world.partner.name, D("4000.00")),
            (world.other_partner.name, D("1000.00")),
        ]
        b = selectors.balance_for(program=program, partner=world.partner)
        assert (b["available"], b["committed"], b["expired"]) == (D("0"), D("1000"), D("4000"))
        assert Program.objects.get(pk=program.pk).expired_at is not None


def test_expiry_is_idempotent(q1):
    world, program = q1
    with at(2030, 4, 30):
        sweep(world)
        with tenant_context(world.tenant):
            assert services.program_expire(program=program) == {"partners": 0, "total": D("0")}
    with at(2030, 5, 1):
        sweep(world)
    with tenant_context(world.tenant):
        assert len(expiries(program)) == 2


def test_expiry_cannot_run_early(q1):
    world, program = q1
    with at(2030, 4, 29), tenant_context(world.tenant), pytest.raises(DomainError):
        services.program_expire(program=program)


def test_after_expiry_no_funds_are_committed_or_allocated(q1):
    world, program = q1
    with at(2030, 4, 30):
        sweep(world)
    with at(2030, 5, 2), tenant_context(world.tenant):
        pending = FundRequest.objects.get(status="submitted")
        with pytest.raises(DomainError, match="expired"):
            services.request_transition(request=pending, to="approved", by=world.admin)
        with pytest.raises(DomainError, match="expired"):
            services.allocation_add(
                program=program, partner=world.partner, amount="100", by=world.admin
            )


def test_funds_released_after_expiry_expire_at_once(q1):
    world, program = q1
    with at(2030, 4, 30):
        sweep(world)
    with at(2030, 5, 3), tenant_context(world.tenant):
        approved = FundRequest.objects.get(status="approved")
        services.request_transition(request=approved, to="cancelled", by=world.partner_admin)
        kinds = list(
            LedgerEntry.objects.filter(request=approved)
            .order_by("id")
            .values_list("kind", "amount")
        )
        assert kinds == [
            ("commit", D("1000.00")),
            ("release", D("1000.00")),
            ("expiry", D("1000.00")),
        ]
        assert selectors.available(program_id=program.pk, partner_id=world.partner.pk) == 0


def test_partner_admins_are_warned_once_before_funds_expire(
    q1, run_tasks_now, django_capture_on_commit_callbacks
):
    world, program = q1
    mail.outbox.clear()
    with at(2030, 4, 15), django_capture_on_commit_callbacks(execute=True):
        sweep(world)
    assert mail.outbox == []
    with at(2030, 4, 16), django_capture_on_commit_callbacks(execute=True):
        assert sweep(world)["warned"] == "2"
    with tenant_context(world.tenant):
        warned = dict(ExpiryWarning.objects.values_list("partner_id", "amount"))
    assert warned == {world.partner.pk: D("4000.00"), world.other_partner.pk: D("1000.00")}
    # Only world.partner has a partner admin to e-mail.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.partner_admin.user.email]
    assert "$4,000.00" in mail.outbox[0].body and "30 Apr 2030" in mail.outbox[0].body
    with at(2030, 4, 17), django_capture_on_commit_callbacks(execute=True):
        assert sweep(world)["warned"] == "0"
    assert len(mail.outbox) == 1


def test_partners_without_available_funds_are_not_warned(q1):
    world, program = q1
    with at(2030, 4, 1), tenant_context(world.tenant):
        services.allocation_add(
            program=program, partner=world.other_partner, amount="-1000", by=None
        )
    with at(2030, 4, 20):
        sweep(world)
    with tenant_context(world.tenant):
        assert list(ExpiryWarning.objects.values_list("partner_id", flat=True)) == [
            world.partner.pk
        ]


def test_the_beat_sweep_fans_out_one_task_per_active_tenant(world, stranger, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.daily, "delay", lambda **kw: sent.append(kw["tenant_id"]))
    Tenant.objects.filter(pk=stranger.tenant.pk).update(is_active=False)
    assert tasks.daily_all() == 1
    assert sent == [world.tenant.pk]


def test_the_beat_schedule_runs_the_sweep_daily():
    from prm.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "mdf.daily_all"]
    assert len(entries) == 1
