"""Telling reps of new overlaps on open opportunities: each side hears of an overlap only when
the other side shares it (overlapping accounts or all; counts only and hidden tell nobody:
a notice about one account would reveal the record), once per overlap, tenant by tenant."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from accountmap import overlaps, people
from accountmap.models import Overlap
from accountmap.people_notify import overlaps_notify
from prm import events
from prm.models import Notification
from prm.tenancy import tenant_context
from tests.accountmap.people_helpers import account, overlap, share
from tests.conftest import build_world


def _setup(world, *, vendor_status="opportunity", partner_status="customer", shared=True):
    """A vendor account owned by the sales rep, the partner's account of the same company
    owned by the partner user, and their overlap; `shared`: both sides share overlapping
    accounts of every standard population (by default only counts are shared)."""
    with tenant_context(world.tenant):
        if shared:
            for status in ("customer", "prospect", "opportunity"):
                share(world.tenant, side="vendor", status=status, level="overlaps")
                share(
                    world.tenant,
                    side="partner",
                    partner=world.partner,
                    status=status,
                    level="overlaps",
                )
        v = account(world.tenant, "Initech", status=vendor_status, owner_member=world.sales_rep)
        p = account(
            world.tenant,
            "Initech",
            partner=world.partner,
            status=partner_status,
            owner_member=world.partner_user,
        )
        return overlap(v, p)


def _notes(member):
    with tenant_context(member.tenant):
        return list(Notification.objects.filter(member=member).order_by("id"))


def _tell(world, o, capture):
    with tenant_context(world.tenant), capture(execute=True):
        return overlaps_notify(partner_id=o.partner_id, overlap_ids=[o.pk])


def test_both_reps_hear_with_each_others_contact_when_both_sides_share(
    world, django_capture_on_commit_callbacks
):
    o = _setup(world)
    with tenant_context(world.tenant):
        share(world.tenant, side="vendor", status="opportunity", level="overlaps")
        share(world.tenant, side="partner", partner=world.partner, status="customer", level="all")
    told = _tell(world, o, django_capture_on_commit_callbacks)
    assert told == {"overlaps": 1, "vendor": 1, "partner": 1}

    [rep_note] = _notes(world.sales_rep)
    assert "Initech" in rep_note.title
    assert world.partner.name in rep_note.title
    assert world.partner_user.user.email in rep_note.title
    [partner_note] = _notes(world.partner_user)
    assert "Initech" in partner_note.title
    assert world.sales_rep.user.email in partner_note.title

    to_rep = [m for m in mail.outbox if m.to == [world.sales_rep.user.email]]
    assert len(to_rep) == 1 and world.partner_user.user.email in to_rep[0].body


def test_a_side_that_shares_only_counts_tells_the_other_side_nothing(
    world, django_capture_on_commit_callbacks
):
    o = _setup(world)
    with tenant_context(world.tenant):
        # The vendor shows the partner its open opportunities; the partner keeps counts only.
        share(world.tenant, side="vendor", status="opportunity", level="all")
        share(
            world.tenant, side="partner", partner=world.partner, status="customer", level="counts"
        )
    _tell(world, o, django_capture_on_commit_callbacks)

    assert _notes(world.sales_rep) == []
    assert [m for m in mail.outbox if m.to == [world.sales_rep.user.email]] == []
    [partner_note] = _notes(world.partner_user)
    assert world.sales_rep.user.email in partner_note.title


def test_nobody_hears_of_an_overlap_the_other_side_hides(world, django_capture_on_commit_callbacks):
    o = _setup(world)
    with tenant_context(world.tenant):
        share(world.tenant, side="vendor", status="opportunity", level="hidden")
        share(
            world.tenant, side="partner", partner=world.partner, status="customer", level="hidden"
        )
    _tell(world, o, django_capture_on_commit_callbacks)
    assert _notes(world.sales_rep) == [] and _notes(world.partner_user) == []
    assert mail.outbox == []


def test_without_rules_counts_are_the_default_and_nobody_is_told(
    world, django_capture_on_commit_callbacks
):
    o = _setup(world, shared=False)
    _tell(world, o, django_capture_on_commit_callbacks)
    assert _notes(world.sales_rep) == [] and _notes(world.partner_user) == []
    assert mail.outbox == []


def test_a_partner_override_beats_the_vendor_default(world, django_capture_on_commit_callbacks):
    o = _setup(world)
    with tenant_context(world.tenant):
        share(world.tenant, side="vendor", status="opportunity", level="all")
        share(
            world.tenant,
            side="vendor",
            partner=world.partner,
            status="opportunity",
            level="counts",
        )
    _tell(world, o, django_capture_on_commit_callbacks)
    assert _notes(world.partner_user) == []
    assert len(_notes(world.sales_rep)) == 1


def test_an_overlap_is_told_once(world, django_capture_on_commit_callbacks):
    o = _setup(world)
    _tell(world, o, django_capture_on_commit_callbacks)
    again = _tell(world, o, django_capture_on_commit_callbacks)
    assert again == {"overlaps": 0, "vendor": 0, "partner": 0}
    assert len(_notes(world.sales_rep)) == 1
    assert len(_notes(world.partner_user)) == 1


def test_overlaps_without_an_open_opportunity_are_not_told(
    world, django_capture_on_commit_callbacks
):
    o = _setup(world, vendor_status="customer", partner_status="prospect")
    told = _tell(world, o, django_capture_on_commit_callbacks)
    assert told["overlaps"] == 0
    assert _notes(world.sales_rep) == []


def test_a_partner_opportunity_tells_the_territory_reps_and_else_the_partner_admins(
    world, django_capture_on_commit_callbacks
):
    with tenant_context(world.tenant):
        v = account(world.tenant, "Globex", status="customer", country="DE")
        p = account(world.tenant, "Globex", partner=world.partner, status="opportunity")
        o = overlap(v, p)
        share(world.tenant, side="vendor", status="customer", level="overlaps")
        share(
            world.tenant, side="partner", partner=world.partner, status="opportunity", level="all"
        )
        t = people.territory_create(by=world.admin, data={"name": "DE", "countries": ["DE"]})
        people.territory_rep_add(by=world.admin, territory=t, member_id=world.sales_rep.pk)
    told = _tell(world, o, django_capture_on_commit_callbacks)
    assert told == {"overlaps": 1, "vendor": 1, "partner": 1}
    assert len(_notes(world.sales_rep)) == 1
    assert len(_notes(world.partner_admin)) == 1  # no owner, no territory: the admins
    assert _notes(world.partner_user) == []


def test_overlap_ids_of_another_partner_or_tenant_are_ignored(
    world, stranger, django_capture_on_commit_callbacks
):
    theirs = _setup(stranger)
    mine = _setup(world)
    with tenant_context(world.tenant), django_capture_on_commit_callbacks(execute=True):
        told = overlaps_notify(partner_id=world.other_partner.pk, overlap_ids=[mine.pk])
        assert told["overlaps"] == 0
        told = overlaps_notify(partner_id=theirs.partner_id, overlap_ids=[theirs.pk])
        assert told["overlaps"] == 0
    assert _notes(stranger.sales_rep) == []


# --- Through the event and the real worker -------------------------------------------------


def _both_told_once(world) -> None:
    """Wait (up to 30 s) for the worker to tell both reps, then check each was told once."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if _notes(world.sales_rep) and _notes(world.partner_user):
            break
        time.sleep(0.3)
    assert len(_notes(world.sales_rep)) == 1
    assert len(_notes(world.partner_user)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_overlaps_found_event_tells_both_reps_on_the_worker(celery_worker):
    world = build_world("pnotify")
    o = _setup(world)
    with tenant_context(world.tenant):
        events.emit(
            "accountmap.overlaps_found",
            {"partner_id": world.partner.pk, "overlap_ids": [o.pk]},
            tenant=world.tenant,
        )
    _both_told_once(world)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_a_full_computation_tells_the_reps_through_one_batched_task(celery_worker):
    world = build_world("pnbatch")
    o = _setup(world)
    with tenant_context(world.tenant):
        Overlap.objects.filter(pk=o.pk).delete()  # the computation finds it anew
        result = overlaps.overlaps_compute_full(world.tenant)
    assert result.created_count == 1
    _both_told_once(world)
