"""Joint business plans: the state machine, who may take each move, signatures that reset
when the plan changes, audit and notices to the other side."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from jointplans import services
from jointplans.models import JointPlan, PlanStatus
from prm.audit import AuditEvent
from prm.models import OutboxEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import PartnerMetricsFactory
from tests.html_helpers import find, find_all
from tests.jointplans.helpers import draft, proposed, signed

pytestmark = pytest.mark.django_db


def _plan(world, pk) -> JointPlan:
    with tenant_context(world.tenant):
        return JointPlan.objects.get(pk=pk)


def _actions(world, plan) -> list[str]:
    with tenant_context(world.tenant):
        return list(
            AuditEvent.objects.filter(object_type="jointplans.jointplan", object_id=str(plan.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )


def test_manager_drafts_a_plan_in_the_portal(world):
    client = portal_client(world.tenant, world.channel_manager)
    start = datetime.date.today().replace(day=1, month=1)
    resp = client.post(
        "/plans/new/",
        {
            "partner": world.partner.pk,
            "title": "FY plan",
            "period_kind": "year",
            "start_date": start.isoformat(),
        },
    )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        plan = JointPlan.objects.get(title="FY plan")
    assert (plan.status, plan.end_date, plan.review_date) == (
        PlanStatus.DRAFT,
        start.replace(month=12, day=31),
        start.replace(month=12, day=31),
    )
    assert _actions(world, plan) == ["jointplan.created"]


def test_a_period_not_starting_on_a_quarter_is_a_form_error_and_nothing_is_saved(world):
    client = portal_client(world.tenant, world.channel_manager)
    resp = client.post(
        "/plans/new/",
        {
            "partner": world.partner.pk,
            "title": "Odd plan",
            "period_kind": "quarter",
            "start_date": "2026-02-15",
        },
    )
    assert resp.status_code == 200
    assert find(resp, "div", id="id_start_date_field").attrs["class"].count("has-error") == 1
    with tenant_context(world.tenant):
        assert not JointPlan.objects.exists()


def test_a_draft_is_the_vendors_own_until_proposed(world):
    plan = draft(world)
    client = portal_client(world.tenant, world.partner_admin)
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    with tenant_context(world.tenant):
        services.plan_propose(plan=plan, by=world.channel_manager)
    assert client.get(f"/plans/{plan.pk}/").status_code == 200


def test_a_plan_without_goals_cannot_be_proposed(world):
    plan = draft(world, goals=())
    resp = portal_client(world.tenant, world.channel_manager).post(f"/plans/{plan.pk}/propose/")
    assert resp.status_code == 302
    assert _plan(world, plan.pk).status == PlanStatus.DRAFT


def test_both_sides_sign_and_the_plan_runs(world):
    plan = proposed(world)
    resp = portal_client(world.tenant, world.partner_admin).post(f"/plans/{plan.pk}/sign/")
    assert resp.status_code == 302
    plan = _plan(world, plan.pk)
    assert (plan.status, plan.partner_signed_by_id, plan.vendor_signed_at) == (
        PlanStatus.PROPOSED,
        world.partner_admin.pk,
        None,
    )
    portal_client(world.tenant, world.channel_manager).post(f"/plans/{plan.pk}/sign/")
    plan = _plan(world, plan.pk)
    # This quarter's plan: signed, and at once running since its period has begun.
    assert plan.status == PlanStatus.ACTIVE
    assert _actions(world, plan)[-4:] == [
        "jointplan.signed_partner",
        "jointplan.signed_vendor",
        "jointplan.signed",
        "jointplan.activated",
    ]
    with tenant_context(world.tenant):
        types = list(
            OutboxEvent.objects.filter(payload__plan_id=plan.pk)
            .order_by("id")
            .values_list("event_type", flat=True)
        )
    assert types == [
        "jointplan.proposed",
        "jointplan.signature_added",
        "jointplan.signed",
        "jointplan.activated",
    ]


def test_each_move_tells_the_other_side(world, django_capture_on_commit_callbacks):
    plan = draft(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        services.plan_propose(plan=plan, by=world.channel_manager)
    assert [m.to for m in mail.outbox] == [[world.partner_admin.user.email]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        services.plan_sign(plan=plan, by=world.partner_admin)
    assert [m.to for m in mail.outbox] == [[world.channel_manager.user.email]]


def test_a_change_after_one_signature_clears_it_and_is_audited(world):
    plan = proposed(world)
    with tenant_context(world.tenant):
        services.plan_sign(plan=plan, by=world.partner_admin)
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/plans/{plan.pk}/goals/", {"metric": "health_score", "target": "70"}
    )
    assert resp.status_code == 302
    plan = _plan(world, plan.pk)
    assert (plan.status, plan.partner_signed_at, plan.partner_signed_by) == (
        PlanStatus.PROPOSED,
        None,
        None,
    )
    assert "jointplan.signatures_reset" in _actions(world, plan)


def test_a_change_to_a_signed_plan_reopens_it_for_both_signatures(world):
    plan = proposed(world, start_date=datetime.date(2099, 1, 1))  # not begun: stays signed
    with tenant_context(world.tenant):
        services.plan_sign(plan=plan, by=world.partner_admin)
        plan = services.plan_sign(plan=plan, by=world.channel_manager)
    assert plan.status == PlanStatus.SIGNED
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/plans/{plan.pk}/initiatives/",
        {"title": "Case study", "due_date": "2099-02-01", "status": "planned"},
    )
    assert resp.status_code == 302
    plan = _plan(world, plan.pk)
    assert (plan.status, plan.signatures) == (PlanStatus.PROPOSED, 0)
    with tenant_context(world.tenant):
        assert OutboxEvent.objects.filter(
            event_type="jointplan.reopened", payload__plan_id=plan.pk
        ).exists()


def test_moving_an_initiative_in_a_running_plan_keeps_the_signatures(world):
    plan = signed(world)
    with tenant_context(world.tenant):
        item = plan.initiatives.get()
    resp = portal_client(world.tenant, world.partner_user).post(
        f"/plans/{plan.pk}/initiatives/{item.pk}/status/", {"status": "in_progress"}
    )
    assert resp.status_code == 302
    plan = _plan(world, plan.pk)
    with tenant_context(world.tenant):
        item.refresh_from_db()
    assert (item.status, plan.status, plan.signatures) == ("in_progress", PlanStatus.ACTIVE, 2)


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        ("partner_user", "sign", 403),  # only the partner's admin signs for it
        ("partner_admin", "propose", 403),
        ("partner_admin", "activate", 403),
        ("partner_user", "edit", 403),
    ],
)
def test_moves_are_refused_to_people_who_may_not_take_them(world, role, url, expected):
    plan = proposed(world)
    client = portal_client(world.tenant, world.member(role))
    resp = client.post(f"/plans/{plan.pk}/{url}/", {"title": "x"})
    assert resp.status_code == expected
    assert _plan(world, plan.pk).signatures == 0


def test_another_partners_people_do_not_see_the_plan(world):
    plan = proposed(world)
    client = portal_client(world.tenant, world.other_partner_user)
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/plans/{plan.pk}/sign/").status_code == 404


def test_a_side_signs_once(world):
    plan = proposed(world)
    client = portal_client(world.tenant, world.partner_admin)
    client.post(f"/plans/{plan.pk}/sign/")
    client.post(f"/plans/{plan.pk}/sign/")
    assert _actions(world, plan).count("jointplan.signed_partner") == 1


def test_an_initiative_owner_from_another_partner_is_a_form_error(world):
    plan = draft(world, initiative=False)
    resp = portal_client(world.tenant, world.channel_manager).post(
        f"/plans/{plan.pk}/initiatives/",
        {
            "title": "Webinar",
            "due_date": "2026-12-01",
            "status": "planned",
            "owner": world.other_partner_user.pk,
        },
    )
    assert resp.status_code == 200
    assert find_all(resp, "div", class_="has-error")
    with tenant_context(world.tenant):
        assert not plan.initiatives.exists()


def test_closing_keeps_the_final_figures(world):
    plan = signed(world)
    with tenant_context(world.tenant):
        PartnerMetricsFactory(tenant=world.tenant, partner=world.partner, certified_people=3)
    resp = portal_client(world.tenant, world.channel_manager).post(f"/plans/{plan.pk}/close/")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        plan = JointPlan.objects.get(pk=plan.pk)
        goal = plan.goals.get()
        world.partner.metrics.certified_people = 9
        world.partner.metrics.save()
    assert (plan.status, goal.final_actual) == (PlanStatus.CLOSED, Decimal("3.00"))
    page = portal_client(world.tenant, world.partner_admin).get(f"/plans/{plan.pk}/")
    row = find(page, "li", data_metric="certified_people")
    assert row.text().startswith("Certified people")
    assert find(page, "span", data_actual=True).text().strip() == "3"
