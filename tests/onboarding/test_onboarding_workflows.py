"""Onboarding workflows: templates, steps completing on their events, documents, manual
check-off, auto-activation with the welcome pack, reminders and the stuck board."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding import selectors, services, tasks
from onboarding.models import Workflow, WorkflowStep, WorkflowTemplate
from partners import services as partner_services
from partners.models import Partner
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory, PartnerFactory
from tests.onboarding_helpers import (
    PDF,
    PNG,
    TEXT,
    accept,
    make_template,
    publish,
    reload,
    start,
    submit,
    upload,
)

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def onboarding_partner(world):
    """world.partner moved back to onboarding (approved), with a reseller template of every
    step kind, its workflow started at T0."""
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="onboarding", legal_name="")
    make_template(
        world,
        [
            {"kind": "accept_agreement", "due_days": 7},
            {"kind": "complete_profile", "due_days": 14},
            {"kind": "complete_course", "ref": "SALES-101", "due_days": 30},
            {"kind": "upload_document", "title": "Certificate", "due_days": 21},
            {"kind": "manual", "title": "Kick-off call", "due_days": 10},
            {"kind": "register_first_deal", "due_days": 90, "required": False},
        ],
    )
    with time_machine.travel(T0, tick=False):
        workflow = start(world)
    return workflow


def step(world, kind) -> WorkflowStep:
    with tenant_context(world.tenant):
        return WorkflowStep.objects.select_related("workflow").get(
            workflow__partner=world.partner, kind=kind
        )


def done_kinds(world) -> set[str]:
    with tenant_context(world.tenant):
        return set(
            WorkflowStep.objects.filter(
                workflow__partner=world.partner, completed_at__isnull=False
            ).values_list("kind", flat=True)
        )


# --- Templates ----------------------------------------------------------------------------


def test_admins_build_templates_in_the_portal(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        "/program/onboarding/workflows/",
        {"name": "MSP plan", "partner_type": "msp", "is_active": "on"},
    )
    with tenant_context(world.tenant):
        template = WorkflowTemplate.objects.get(name="MSP plan")
    assert resp.status_code == 302 and resp["Location"].endswith(f"/{template.pk}/")
    url = f"/program/onboarding/workflows/{template.pk}/"
    bad = client.post(url + "steps/", {"s-kind": "teleport", "s-due_days": "-1"})
    assert bad.status_code == 200
    assert {"kind", "due_days"} <= set(bad.context["step_form"].errors)
    ok = client.post(url + "steps/", {"s-kind": "manual", "s-due_days": "5", "s-required": "on"})
    assert ok.status_code == 302
    with tenant_context(world.tenant):
        (s,) = template.steps.all()
        assert s.title == "Checked off by the channel manager" and s.due_days == 5
    remove = f"/program/onboarding/workflow-steps/{s.pk}/remove/"
    assert client.get(remove).status_code == 200  # the confirmation page (prm/confirm.py)
    with tenant_context(world.tenant):
        assert template.steps.filter(pk=s.pk).exists()
    assert client.post(remove).status_code == 302
    assert client.post(remove).status_code == 404  # gone
    dup = client.post(
        "/program/onboarding/workflows/",
        {"name": "MSP plan 2", "partner_type": "msp", "is_active": "on"},
    )
    assert dup.status_code == 200 and dup.context["form"].errors


def test_admins_manage_templates_through_the_api(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/workflow-templates/",
        {
            "name": "Reseller plan",
            "partner_type": "reseller",
            "steps": [
                {"kind": "accept_agreement", "due_days": 7},
                {"kind": "complete_course", "ref": "SALES-101", "title": "Sales 101"},
            ],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert [(s["order"], s["kind"]) for s in body["steps"]] == [
        (0, "accept_agreement"),
        (1, "complete_course"),
    ]
    assert body["steps"][0]["title"] == "Accept the partner agreement"
    pk = body["id"]
    patched = client.patch(
        f"/api/v1/workflow-templates/{pk}/", {"steps": [{"kind": "manual"}]}, format="json"
    )
    assert patched.status_code == 200 and len(patched.json()["steps"]) == 1
    assert patched.json()["name"] == "Reseller plan"
    bad = client.post(
        "/api/v1/workflow-templates/",
        {"name": "X", "partner_type": "reseller", "steps": [{"kind": "dance"}]},
        format="json",
    )
    assert bad.status_code == 400 and "steps" in bad.json()["errors"]
    second = client.post(
        "/api/v1/workflow-templates/",
        {"name": "Another", "partner_type": "reseller"},
        format="json",
    )
    assert second.status_code == 400 and second.json()["type"] == "validation_error"
    assert client.delete(f"/api/v1/workflow-templates/{pk}/").status_code == 204
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="workflow_template.deleted").exists()


def test_channel_managers_cannot_change_templates(world):
    client = api_client(world.tenant, world.channel_manager)
    assert client.get("/api/v1/workflow-templates/").status_code == 403
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.workflow_template_save(by=world.channel_manager, name="x", partner_type="msp")


# --- Starting a workflow ------------------------------------------------------------------


def test_a_workflow_copies_the_template_with_due_dates(world, onboarding_partner):
    with tenant_context(world.tenant):
        steps = list(onboarding_partner.steps.all())
    assert [s.kind for s in steps][:2] == ["accept_agreement", "complete_profile"]
    assert steps[0].due_at == T0 + datetime.timedelta(days=7)
    assert steps[-1].required is False
    # Editing the template later leaves running workflows alone.
    with tenant_context(world.tenant):
        template = WorkflowTemplate.objects.get()
        services.workflow_template_save(
            by=world.admin, obj=template, name=template.name, partner_type="reseller", steps=[]
        )
        assert onboarding_partner.steps.count() == 6


def test_starting_twice_returns_the_same_workflow_and_no_template_means_none(world):
    assert start(world) is None
    make_template(world, [{"kind": "manual"}])
    first = start(world)
    assert start(world).pk == first.pk


def test_a_partner_moved_to_onboarding_by_hand_gets_its_workflow(world):
    make_template(world, [{"kind": "manual"}])
    partner = PartnerFactory(tenant=world.tenant, status="applicant")
    with tenant_context(world.tenant):
        partner_services.partner_transition(
            partner=partner, by=world.channel_manager, to="onboarding"
        )
        assert Workflow.objects.get(partner=partner).status == "running"


def test_offboarding_cancels_a_running_workflow(world, onboarding_partner):
    with tenant_context(world.tenant):
        partner_services.partner_transition(
            partner=world.partner, by=world.admin, to="offboarded", reason="Left"
        )
        assert Workflow.objects.get(pk=onboarding_partner.pk).status == "cancelled"


def test_past_events_complete_steps_at_start(world):
    agreement = publish(world)
    accept(world, agreement)
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(
            legal_name="A Ltd",
            website="https://a.example",
            country="DE",
            region="emea",
            size_band="10-49",
        )
    make_template(
        world, [{"kind": "accept_agreement"}, {"kind": "complete_profile"}, {"kind": "manual"}]
    )
    start(world)
    assert done_kinds(world) == {"accept_agreement", "complete_profile"}


# --- Steps completing on their events -----------------------------------------------------


def test_accepting_the_agreement_completes_its_step(world, onboarding_partner):
    accept(world, publish(world))
    assert done_kinds(world) == {"accept_agreement"}
    s = step(world, "accept_agreement")
    assert s.completed_via == "event" and s.completed_by_id == world.partner_admin.pk


def test_completing_the_profile_completes_its_step(world, onboarding_partner):
    with tenant_context(world.tenant):
        partner = Partner.objects.get(pk=world.partner.pk)
        partner_services.partner_update(
            partner=partner,
            by=world.partner_admin,
            legal_name="Own Partner A Ltd",
            website="https://own-a.example",
            country="DE",
            region="emea",
        )
    assert "complete_profile" not in done_kinds(world)  # size still missing
    with tenant_context(world.tenant):
        partner_services.partner_update(
            partner=Partner.objects.get(pk=world.partner.pk),
            by=world.partner_admin,
            size_band="10-49",
        )
    assert "complete_profile" in done_kinds(world)


def test_a_course_step_needs_its_course_and_ignores_others(world, onboarding_partner):
    with tenant_context(world.tenant):
        assert services.step_complete_for_event(world.partner, "complete_course", "OTHER-1") == []
        assert services.step_complete_for_event(world.partner, "complete_course") == []
        (done,) = services.step_complete_for_event(
            world.partner, "complete_course", ref="sales-101"
        )
        assert done.kind == "complete_course"
        # A repeat finds nothing open.
        assert services.step_complete_for_event(world.partner, "complete_course", "SALES-101") == []


def test_the_first_deal_is_recorded_once_and_completes_the_step(world, onboarding_partner):
    with time_machine.travel(T0 + datetime.timedelta(days=40), tick=False):
        with tenant_context(world.tenant):
            partner_services.partner_first_deal_record(partner=world.partner, deal_id=1)
    with time_machine.travel(T0 + datetime.timedelta(days=50), tick=False):
        with tenant_context(world.tenant):
            partner_services.partner_first_deal_record(partner=world.partner, deal_id=2)
    partner = reload(world.partner)
    assert partner.first_deal_at == T0 + datetime.timedelta(days=40)
    assert "register_first_deal" in done_kinds(world)


def test_the_partners_first_deal_event_completes_the_step_once(world, onboarding_partner):
    """partners.services.partner_first_deal_record emits partner.first_deal_recorded, which
    onboarding subscribes to (deal registration calls it; onboarding is not called)."""
    with time_machine.travel(T0 + datetime.timedelta(days=40), tick=False):
        with tenant_context(world.tenant):
            assert partner_services.partner_first_deal_record(partner=world.partner, deal_id=7)
    with tenant_context(world.tenant):
        assert not partner_services.partner_first_deal_record(partner=world.partner, deal_id=8)
        step = WorkflowStep.objects.get(workflow__partner=world.partner, kind="register_first_deal")
        assert step.completed_at is not None and step.completed_via == "event"
        assert AuditEvent.objects.filter(action="partner.first_deal_recorded").count() == 1
    assert reload(world.partner).first_deal_at == T0 + datetime.timedelta(days=40)


def test_the_first_deal_is_recorded_even_without_a_workflow(world):
    with tenant_context(world.tenant):
        assert partner_services.partner_first_deal_record(partner=world.partner, deal_id=1)
    assert reload(world.partner).first_deal_at is not None


def test_unknown_events_are_refused(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            services.step_complete_for_event(world.partner, "dance")
        with pytest.raises(DomainError):
            services.step_complete_for_event(world.partner, "upload_document")


def test_channel_managers_check_off_manual_steps_but_not_the_agreement(world, onboarding_partner):
    client = portal_client(world.tenant, world.channel_manager)
    url = f"/onboarding/partners/{world.partner.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Kick-off call" in page.content.decode()
    check_off = "/onboarding/steps/{}/check-off/".format
    # A button for the steps a channel manager may tick; none for the partner's agreement.
    assert check_off(step(world, "manual").pk) in page.content.decode()
    assert check_off(step(world, "accept_agreement").pk) not in page.content.decode()
    resp = client.post(check_off(step(world, "manual").pk))
    assert resp.status_code == 302 and "manual" in done_kinds(world)
    refused = client.post(check_off(step(world, "accept_agreement").pk), follow=True)
    assert "Only the partner can complete this step." in refused.content.decode()
    assert client.post(check_off(999999)).status_code == 404
    partner_client = portal_client(world.tenant, world.partner_admin)
    assert partner_client.post(check_off(step(world, "manual").pk)).status_code == 403


def test_api_complete_step_for_staff(world, onboarding_partner):
    client = api_client(world.tenant, world.channel_manager)
    url = f"/api/v1/onboarding-progress/{onboarding_partner.pk}/complete-step/"
    resp = client.post(url, {"step": step(world, "manual").pk}, format="json")
    assert resp.status_code == 200 and resp.json()["progress"]["done"] == 1
    again = client.post(url, {"step": step(world, "manual").pk}, format="json")
    assert again.status_code == 400
    assert client.post(url, {"step": 999999}, format="json").json()["errors"] == {
        "step": ["No such step in this onboarding."]
    }
    assert client.post(url, {"step": "x"}, format="json").status_code == 400


# --- Documents ----------------------------------------------------------------------------


def test_partners_upload_a_checked_document_that_completes_its_step(world, onboarding_partner):
    client = portal_client(world.tenant, world.partner_user)
    s = step(world, "upload_document")
    page = client.get("/getting-started/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert "<progress" in page.content.decode() and "style=" not in page.content.decode()
    assert f"/getting-started/steps/{s.pk}/upload/" in page.content.decode()
    resp = client.post(
        f"/getting-started/steps/{s.pk}/upload/", {"document": upload("My Cert.pdf", PDF)}
    )
    assert resp.status_code == 302
    s = step(world, "upload_document")
    assert s.completed_via == "upload" and s.document_name == "My Cert.pdf"
    assert s.document_content_type == "application/pdf" and s.document_size == len(PDF)
    assert s.document.name.startswith(f"onboarding/{world.tenant.pk}/documents/")
    assert not s.document.name.endswith("My Cert.pdf")


def test_documents_are_typed_from_their_bytes_not_their_name(world, onboarding_partner):
    client = portal_client(world.tenant, world.partner_admin)
    s = step(world, "upload_document")
    url = f"/getting-started/steps/{s.pk}/upload/"
    resp = client.post(url, {"document": upload("x.pdf", TEXT)})
    assert resp.status_code == 200
    assert "Upload a PDF, PNG or JPEG file." in resp.content.decode()
    assert step(world, "upload_document").completed_at is None
    png = client.post(url, {"document": upload("scan.png", PNG, "application/octet-stream")})
    assert png.status_code == 302
    assert step(world, "upload_document").document_content_type == "image/png"


def test_documents_over_10_mb_are_refused(world, onboarding_partner):
    s = step(world, "upload_document")
    big = upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    resp = portal_client(world.tenant, world.partner_admin).post(
        f"/getting-started/steps/{s.pk}/upload/", {"document": big}
    )
    assert resp.status_code == 200 and "larger than 10 MB" in resp.content.decode()
    with tenant_context(world.tenant):
        with pytest.raises(DomainError):
            services.step_upload_document(
                step=s, by=world.partner_admin, upload=upload("big.pdf", PDF + b"0" * (11 << 20))
            )


def test_uploading_to_another_partners_step_is_404(world, onboarding_partner):
    s = step(world, "upload_document")
    resp = portal_client(world.tenant, world.other_partner_user).post(
        f"/getting-started/steps/{s.pk}/upload/", {"document": upload()}
    )
    assert resp.status_code == 404
    with tenant_context(world.tenant):
        with pytest.raises(PermissionDenied):
            services.step_upload_document(step=s, by=world.other_partner_user, upload=upload())


def test_documents_download_as_attachments_for_the_partner_and_staff_only(
    world, onboarding_partner
):
    s = step(world, "upload_document")
    with tenant_context(world.tenant):
        services.step_upload_document(step=s, by=world.partner_admin, upload=upload("c.pdf"))
    url = f"/onboarding/documents/{s.pk}/"
    for member in (world.partner_user, world.channel_manager, world.admin):
        resp = portal_client(world.tenant, member).get(url)
        assert resp.status_code == 200
        assert resp["Content-Disposition"] == 'attachment; filename="c.pdf"'
        assert resp["Content-Type"] == "application/pdf"
        assert resp["X-Content-Type-Options"] == "nosniff"
        assert b"".join(resp.streaming_content) == PDF
    assert portal_client(world.tenant, world.other_partner_user).get(url).status_code == 404
    assert (
        portal_client(world.tenant, world.admin).get("/onboarding/documents/999999/").status_code
        == 404
    )


# --- Activation and the welcome pack ------------------------------------------------------


def test_finishing_the_required_steps_activates_the_partner_and_sends_the_welcome_pack(
    world, onboarding_partner, django_capture_on_commit_callbacks
):
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(
            owner=world.channel_manager, approved_at=T0
        )
    accept(world, publish(world))
    with tenant_context(world.tenant):
        partner = Partner.objects.get(pk=world.partner.pk)
        partner_services.partner_update(
            partner=partner,
            by=world.partner_admin,
            legal_name="A Ltd",
            website="https://a.example",
            country="DE",
            region="emea",
            size_band="10-49",
        )
        services.step_complete_for_event(world.partner, "complete_course", "SALES-101")
        services.step_upload_document(
            step=step(world, "upload_document"), by=world.partner_admin, upload=upload()
        )
    assert reload(world.partner).status == "onboarding"  # the kick-off is still open
    mail.outbox.clear()
    with time_machine.travel(T0 + datetime.timedelta(days=12), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            with tenant_context(world.tenant):
                services.step_check_off(step=step(world, "manual"), by=world.channel_manager)
    partner = reload(world.partner)
    assert partner.status == "active"
    assert partner.activated_at == T0 + datetime.timedelta(days=12)
    assert reload(onboarding_partner).status == "completed"
    (welcome,) = [m for m in mail.outbox if "Welcome" in m.subject]
    assert sorted(welcome.to) == sorted(
        [world.partner_admin.user.email, world.partner_user.user.email]
    )
    assert world.channel_manager.user.email in welcome.body
    assert "/getting-started/" in welcome.body
    ((name, content, mimetype),) = welcome.attachments
    assert name == "welcome-pack.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    with tenant_context(world.tenant):
        event = AuditEvent.objects.filter(action="partner.status_changed").latest("id")
        assert event.after["status"] == "active" and event.actor_id is None
        ttv = selectors.time_to_value()
    assert ttv["to_activation"] == 12


def test_optional_steps_do_not_hold_up_activation(world):
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=world.partner.pk).update(status="onboarding")
    make_template(world, [{"kind": "manual"}, {"kind": "register_first_deal", "required": False}])
    workflow = start(world)
    with tenant_context(world.tenant):
        services.step_check_off(step=step(world, "manual"), by=world.admin)
    assert reload(world.partner).status == "active"
    assert reload(workflow).status == "completed"


def test_an_approved_application_with_nothing_required_activates_at_once(
    world, django_capture_on_commit_callbacks
):
    make_template(world, [], partner_type="system_integrator")
    with django_capture_on_commit_callbacks(execute=True):
        app = submit(world)
        with tenant_context(world.tenant):
            app = services.application_approve(application=app, by=world.admin)
    with tenant_context(world.tenant):
        assert Partner.objects.get(pk=app.partner_id).status == "active"
    welcome = [m for m in mail.outbox if "Welcome" in m.subject]
    assert welcome and welcome[0].to == ["gill@globex.example"]


# --- Reminders ----------------------------------------------------------------------------


def test_reminders_go_out_once_before_the_due_date(world, onboarding_partner):
    """accept_agreement is due T0+7d; reminders go 3 days ahead (the default)."""
    step(world, "accept_agreement")
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        assert tasks.send_reminders(tenant_id=world.tenant.pk) == 0
    with time_machine.travel(T0 + datetime.timedelta(days=4, hours=1), tick=False):
        with tenant_context(world.tenant):
            sent = services.reminders_send(tenant=world.tenant)
    assert sent == 1
    reminded = step(world, "accept_agreement")
    assert reminded.reminder_sent_at == T0 + datetime.timedelta(days=4, hours=1)
    with time_machine.travel(T0 + datetime.timedelta(days=5), tick=False):
        assert tasks.send_reminders(tenant_id=world.tenant.pk) == 0
    with tenant_context(world.tenant):
        event = AuditEvent.objects.get(action="onboarding.reminder_sent")
        assert event.after["steps"] == [reminded.pk]


def test_reminder_mail_lists_the_steps_and_goes_to_partner_admins(
    world, onboarding_partner, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0 + datetime.timedelta(days=12), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            with tenant_context(world.tenant):
                assert services.reminders_send(tenant=world.tenant) == 3
    (msg,) = mail.outbox
    assert msg.to == [world.partner_admin.user.email]
    assert "Accept the partner agreement" in msg.body and "overdue since" in msg.body
    assert "Kick-off call" in msg.body and "/getting-started/" in msg.body


def test_completed_steps_and_stopped_workflows_are_not_reminded(world, onboarding_partner):
    with tenant_context(world.tenant):
        services.step_check_off(step=step(world, "manual"), by=world.admin)
    accept(world, publish(world))
    with time_machine.travel(T0 + datetime.timedelta(days=12), tick=False):
        with tenant_context(world.tenant):
            assert services.reminders_send(tenant=world.tenant) == 1  # the profile
            Workflow.objects.filter(pk=onboarding_partner.pk).update(status="cancelled")
    with time_machine.travel(T0 + datetime.timedelta(days=40), tick=False):
        with tenant_context(world.tenant):
            assert services.reminders_send(tenant=world.tenant) == 0


def test_a_partner_nobody_has_joined_yet_is_reminded_later(world, onboarding_partner):
    with tenant_context(world.tenant):
        from prm.models import Member

        Member.objects.filter(partner=world.partner).update(is_active=False)
    with time_machine.travel(T0 + datetime.timedelta(days=12), tick=False):
        with tenant_context(world.tenant):
            assert services.reminders_send(tenant=world.tenant) == 0
        MemberFactory(tenant=world.tenant, role="partner_admin", partner=world.partner)
        with tenant_context(world.tenant):
            assert services.reminders_send(tenant=world.tenant) == 3


def test_the_sweep_fans_out_one_task_per_active_tenant(world, stranger, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_reminders, "delay", lambda **kw: queued.append(kw))
    stranger.tenant.is_active = False
    stranger.tenant.save(update_fields=["is_active"])
    assert tasks.send_reminders_all() == 1
    assert queued == [{"tenant_id": world.tenant.pk}]


def test_reminders_stay_in_their_tenant(world, stranger, onboarding_partner):
    with time_machine.travel(T0 + datetime.timedelta(days=12), tick=False):
        assert tasks.send_reminders(tenant_id=stranger.tenant.pk) == 0
        assert tasks.send_reminders(tenant_id=world.tenant.pk) == 3


# --- Board and progress -------------------------------------------------------------------


def test_the_board_shows_who_is_stuck_and_for_how_long(world, onboarding_partner):
    other = PartnerFactory(tenant=world.tenant, name="Fresh Partner", status="onboarding")
    with time_machine.travel(T0 + datetime.timedelta(days=15), tick=False):
        start(world, other)
    with time_machine.travel(T0 + datetime.timedelta(days=20), tick=False):
        resp = portal_client(world.tenant, world.channel_manager).get("/onboarding/")
    assert resp.status_code == 200
    rows = resp.context["rows"]
    assert [r["workflow"].partner_id for r in rows] == [world.partner.pk, other.pk]
    stuck = rows[0]
    assert stuck["workflow"].overdue == 3  # agreement (7d), kick-off (10d), profile (14d)
    assert stuck["stuck_days"] == 13
    assert stuck["workflow"].done == 0 and stuck["workflow"].total == 5
    assert rows[1]["stuck_days"] is None
    assert "13 days" in resp.content.decode()


def test_the_board_lists_onboarding_partners_without_a_checklist(world):
    PartnerFactory(tenant=world.tenant, name="No Plan Partner", status="onboarding")
    resp = portal_client(world.tenant, world.admin).get("/onboarding/")
    assert "No Plan Partner" in resp.content.decode()
    assert "No partner is onboarding right now" in resp.content.decode()


def test_the_board_query_count_does_not_grow_with_partners(world):
    make_template(world, [{"kind": "manual"}, {"kind": "accept_agreement"}])
    client = portal_client(world.tenant, world.channel_manager)
    start(world, PartnerFactory(tenant=world.tenant, status="onboarding"))
    client.get("/onboarding/")
    with CaptureQueriesContext(connection) as one:
        client.get("/onboarding/")
    for _ in range(4):
        start(world, PartnerFactory(tenant=world.tenant, status="onboarding"))
    with CaptureQueriesContext(connection) as many:
        client.get("/onboarding/")
    assert len(many) == len(one)


def test_partners_see_their_own_progress_only(world, onboarding_partner):
    make_template(world, [{"kind": "manual"}], partner_type="isv", name="ISV plan")
    other = PartnerFactory(tenant=world.tenant, partner_type="isv", status="onboarding")
    start(world, other)
    mine = api_client(world.tenant, world.partner_user).get("/api/v1/onboarding-progress/")
    assert [w["partner"] for w in mine.json()["results"]] == [world.partner.pk]
    assert mine.json()["results"][0]["progress"] == {"done": 0, "total": 5, "percent": 0}
    staff = api_client(world.tenant, world.channel_manager).get("/api/v1/onboarding-progress/")
    assert len(staff.json()["results"]) == 2
    theirs = Workflow.objects
    with tenant_context(world.tenant):
        other_wf = theirs.get(partner=other)
    resp = api_client(world.tenant, world.partner_user).get(
        f"/api/v1/onboarding-progress/{other_wf.pk}/"
    )
    assert resp.status_code == 404
    assert portal_client(world.tenant, world.partner_user).get("/onboarding/").status_code == 403


def test_a_partner_without_a_workflow_sees_what_to_do_next(world):
    resp = portal_client(world.tenant, world.partner_user).get("/getting-started/")
    assert resp.status_code == 200
    assert "You have no onboarding checklist" in resp.content.decode()


def test_staff_start_a_missing_workflow_from_the_partner_page(world):
    partner = PartnerFactory(tenant=world.tenant, status="onboarding")
    client = portal_client(world.tenant, world.channel_manager)
    url = f"/onboarding/partners/{partner.pk}/"
    assert f"{url}start/" in client.get(url).content.decode()
    resp = client.post(f"{url}start/", follow=True)
    assert "no active onboarding template" in resp.content.decode()
    make_template(world, [{"kind": "manual"}])
    client.post(f"{url}start/")
    with tenant_context(world.tenant):
        assert Workflow.objects.filter(partner=partner).exists()


# --- The workflow and step machines (onboarding.states) -------------------------------------


def test_the_step_machine_offers_check_off_and_upload_to_the_right_people(
    world, onboarding_partner
):
    from onboarding.states import STEP

    with tenant_context(world.tenant):
        manual = WorkflowStep.objects.select_related("workflow").get(
            workflow=onboarding_partner, kind="manual"
        )
        document = WorkflowStep.objects.select_related("workflow").get(
            workflow=onboarding_partner, kind="upload_document"
        )
        assert STEP.allowed(manual, world.channel_manager) == {"check_off"}
        assert STEP.allowed(manual, world.partner_admin) == frozenset()
        assert STEP.allowed(document, world.partner_user) == {"upload"}
        assert STEP.allowed(document, world.channel_manager) == frozenset()
        assert STEP.allowed(document, world.other_partner_user) == frozenset()
    # A stopped onboarding offers nothing, and the service refuses.
    with tenant_context(world.tenant):
        services.workflow_cancel(partner=world.partner)
        manual = WorkflowStep.objects.select_related("workflow").get(pk=manual.pk)
        assert STEP.allowed(manual, world.channel_manager) == frozenset()
        with pytest.raises(DomainError):
            services.step_check_off(step=manual, by=world.channel_manager)
    page = portal_client(world.tenant, world.channel_manager).get(
        f"/onboarding/partners/{world.partner.pk}/"
    )
    assert "/check-off/" not in page.content.decode()


def test_checking_off_a_step_of_a_visible_partner_as_a_partner_is_403(world, onboarding_partner):
    manual = step(world, "manual")
    resp = portal_client(world.tenant, world.partner_user).post(
        f"/onboarding/steps/{manual.pk}/check-off/"
    )
    assert resp.status_code == 403
    assert "manual" not in done_kinds(world)


def test_uploading_to_a_step_that_takes_no_document_is_refused(world, onboarding_partner):
    manual = step(world, "manual")
    client = portal_client(world.tenant, world.partner_admin)
    url = f"/getting-started/steps/{manual.pk}/upload/"
    resp = client.post(url, {"document": upload()}, follow=True)
    assert "This step does not take a document." in resp.content.decode()
    assert "manual" not in done_kinds(world)
    # Another partner's step is not theirs to see: 404.
    other = portal_client(world.tenant, world.other_partner_user)
    assert other.post(url, {"document": upload()}).status_code == 404
