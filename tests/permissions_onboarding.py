"""Permission rows for onboarding: applications, workflows, agreements (portal and API).

The objects a row points at are made on first use, per world, through the services (so the
matrix exercises the same paths as the product)."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from prm.tenancy import tenant_context
from tests.permissions import PROGRAM, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _once(w, name: str, make):
    if not hasattr(w, name):
        with tenant_context(w.tenant):
            setattr(w, name, make(w))
    return getattr(w, name)


def application(w):
    from onboarding import services

    return _once(
        w,
        "onb_application",
        lambda w: services.application_submit(
            tenant=w.tenant,
            company_name=f"Applicant of {w.tenant.slug}",
            website=f"https://applicant-{w.tenant.slug}.example",
            country="DE",
            partner_type="reseller",
            specialties=[],
            size_band="10-49",
            expected_revenue=Decimal("1000"),
            contact_name="Pat Applicant",
            contact_email=f"pat@applicant-{w.tenant.slug}.example",
            contact_phone="+49 30 123456",
        ),
    )


def template(w):
    from onboarding import services

    return _once(
        w,
        "onb_template",
        lambda w: services.workflow_template_save(
            by=w.admin,
            name="Reseller onboarding",
            partner_type="reseller",
            steps=[
                {"kind": "manual", "title": "Kick-off"},
                {"kind": "upload_document", "title": "Certificate"},
            ],
        ),
    )


def workflow(w):
    from onboarding import services

    template(w)
    return _once(w, "onb_workflow", lambda w: services.workflow_start(partner=w.partner))


def manual_step(w):
    return _once(w, "onb_manual_step", lambda w: workflow(w).steps.get(kind="manual"))


def upload_step(w):
    """The open upload step of the world's partner (nobody has uploaded yet)."""
    from onboarding.models import WorkflowStep

    return _once(
        w,
        "onb_upload_step",
        lambda w: WorkflowStep.objects.get(workflow=workflow(w), kind="upload_document"),
    )


def step_template(w):
    return _once(w, "onb_step_template", lambda w: template(w).steps.first())


def document_step(w):
    from onboarding import services
    from onboarding.models import WorkflowStep

    def make(w):
        step = WorkflowStep.objects.select_related("workflow").get(
            workflow=workflow(w), kind="upload_document"
        )
        upload = SimpleUploadedFile("cert.pdf", PDF_BYTES, content_type="application/pdf")
        return services.step_upload_document(step=step, by=w.partner_admin, upload=upload)

    return _once(w, "onb_document_step", make)


def agreement(w):
    from onboarding import services

    return _once(
        w,
        "onb_agreement",
        lambda w: services.agreement_publish(
            by=w.admin, partner_type="reseller", title="Reseller agreement", body="# Terms\n"
        ),
    )


def acceptance(w):
    from onboarding import services

    def make(w):
        a = agreement(w)
        return services.agreement_accept(
            agreement=a,
            by=w.partner_admin,
            signer_name="Ada Admin",
            signer_title="CEO",
            text_sha256=a.text_sha256,
        )

    return _once(w, "onb_acceptance", make)


def accept_form(w):
    a = agreement(w)
    return {
        "agreement": a.pk,
        "text_sha256": a.text_sha256,
        "signer_name": "Ada Admin",
        "signer_title": "CEO",
        "confirm": "on",
    }


def accept_api(w):
    return {
        "signer_name": "Ada Admin",
        "signer_title": "CEO",
        "text_sha256": agreement(w).text_sha256,
    }


ENDPOINTS = [
    # Portal: staff
    Endpoint("application-list", lambda w: "/applications/", STAFF),
    Endpoint(
        "application-detail",
        lambda w: f"/applications/{application(w).pk}/",
        STAFF,
        stranger_url=lambda w, s: f"/applications/{application(s).pk}/",
    ),
    # One URL per action of onboarding.states.APPLICATION; the world's application is
    # submitted, so `reopen` is refused with a message (and a redirect) for the allowed roles.
    *(
        Endpoint(
            f"application-{name}",
            lambda w, name=name: f"/applications/{application(w).pk}/{name}/",
            STAFF,
            method="post",
            data=lambda w: {"reason": "Not a fit"},
            stranger_url=lambda w, s, name=name: f"/applications/{application(s).pk}/{name}/",
        )
        for name in ("review", "approve", "reject", "reopen")
    ),
    # Approve and reject ask first: a GET of their URL is the confirmation page.
    *(
        Endpoint(
            f"application-{name}",
            lambda w, name=name: f"/applications/{application(w).pk}/{name}/",
            STAFF,
            stranger_url=lambda w, s, name=name: f"/applications/{application(s).pk}/{name}/",
        )
        for name in ("approve", "reject")
    ),
    Endpoint("onboarding-board", lambda w: "/onboarding/", STAFF),
    Endpoint(
        "onboarding-partner",
        lambda w: f"/onboarding/partners/{workflow(w).partner_id}/",
        STAFF,
        stranger_url=lambda w, s: f"/onboarding/partners/{s.partner.pk}/",
    ),
    # One URL per action: start a partner's onboarding, check a step off.
    Endpoint(
        "onboarding-start",
        lambda w: f"/onboarding/partners/{workflow(w).partner_id}/start/",
        STAFF,
        method="post",
        stranger_url=lambda w, s: f"/onboarding/partners/{s.partner.pk}/start/",
    ),
    Endpoint(
        "onboarding-step-check-off",
        lambda w: f"/onboarding/steps/{manual_step(w).pk}/check-off/",
        STAFF,
        method="post",
        stranger_url=lambda w, s: f"/onboarding/steps/{manual_step(s).pk}/check-off/",
    ),
    Endpoint(
        "onboarding-document",
        lambda w: f"/onboarding/documents/{document_step(w).pk}/",
        PROGRAM,
        stranger_url=lambda w, s: f"/onboarding/documents/{document_step(s).pk}/",
    ),
    Endpoint("agreement-list", lambda w: "/agreements/", STAFF),
    # Publishing a new version: admins only (channel managers see the list, may not publish).
    Endpoint(
        "agreement-list",
        lambda w: "/agreements/",
        {"admin"},
        method="post",
        data=lambda w: {
            "partner_type": "msp",
            "title": "MSP agreement",
            "body": "# Terms for MSPs\n",
        },
        expect={302},
    ),
    Endpoint(
        "agreement-detail",
        lambda w: f"/agreements/{agreement(w).pk}/",
        STAFF,
        stranger_url=lambda w, s: f"/agreements/{agreement(s).pk}/",
    ),
    Endpoint(
        "agreement-pdf",
        lambda w: f"/agreements/signed/{acceptance(w).pk}.pdf",
        PROGRAM,
        stranger_url=lambda w, s: f"/agreements/signed/{acceptance(s).pk}.pdf",
    ),
    # Portal: admin
    Endpoint("onboarding-settings", lambda w: "/program/onboarding/", {"admin"}),
    Endpoint("workflow-list", lambda w: "/program/onboarding/workflows/", {"admin"}),
    Endpoint(
        "workflow-list",
        lambda w: "/program/onboarding/workflows/",
        {"admin"},
        method="post",
        data=lambda w: {"name": "MSP onboarding", "partner_type": "msp", "is_active": "on"},
        expect={302},
    ),
    Endpoint(
        "workflow-edit",
        lambda w: f"/program/onboarding/workflows/{template(w).pk}/",
        {"admin"},
        stranger_url=lambda w, s: f"/program/onboarding/workflows/{template(s).pk}/",
    ),
    Endpoint(
        "onboarding-ipp-save",
        lambda w: "/program/onboarding/profile/",
        {"admin"},
        method="post",
        data=lambda w: {"ipp-weight_geography": "10"},
    ),
    Endpoint(
        "onboarding-rules-save",
        lambda w: "/program/onboarding/rules/",
        {"admin"},
        method="post",
        data=lambda w: {"rules-reminder_days_before": "5"},
    ),
    Endpoint(
        "workflow-save",
        lambda w: f"/program/onboarding/workflows/{template(w).pk}/save/",
        {"admin"},
        method="post",
        data=lambda w: {"t-name": "Reseller plan", "t-partner_type": "reseller"},
        stranger_url=lambda w, s: f"/program/onboarding/workflows/{template(s).pk}/save/",
    ),
    Endpoint(
        "workflow-step-add",
        lambda w: f"/program/onboarding/workflows/{template(w).pk}/steps/",
        {"admin"},
        method="post",
        data=lambda w: {"s-kind": "manual", "s-due_days": "5"},
        stranger_url=lambda w, s: f"/program/onboarding/workflows/{template(s).pk}/steps/",
    ),
    Endpoint(
        "workflow-step-remove",
        lambda w: f"/program/onboarding/workflow-steps/{step_template(w).pk}/remove/",
        {"admin"},
        method="post",
        stranger_url=lambda w, s: (
            f"/program/onboarding/workflow-steps/{step_template(s).pk}/remove/"
        ),
    ),
    Endpoint(
        "workflow-delete",
        lambda w: f"/program/onboarding/workflows/{template(w).pk}/delete/",
        {"admin"},
        method="post",
        stranger_url=lambda w, s: f"/program/onboarding/workflows/{template(s).pk}/delete/",
    ),
    # Deleting asks first: a GET of the URL is the confirmation page (prm/confirm.py).
    Endpoint(
        "workflow-delete",
        lambda w: f"/program/onboarding/workflows/{template(w).pk}/delete/",
        {"admin"},
        stranger_url=lambda w, s: f"/program/onboarding/workflows/{template(s).pk}/delete/",
    ),
    Endpoint(
        "workflow-step-remove",
        lambda w: f"/program/onboarding/workflow-steps/{step_template(w).pk}/remove/",
        {"admin"},
        stranger_url=lambda w, s: (
            f"/program/onboarding/workflow-steps/{step_template(s).pk}/remove/"
        ),
    ),
    # Portal: partner
    Endpoint("my-onboarding", lambda w: "/getting-started/", PARTNER_ROLES),
    Endpoint(
        "my-onboarding-upload",
        lambda w: f"/getting-started/steps/{upload_step(w).pk}/upload/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: {
            "document": SimpleUploadedFile("cert.pdf", PDF_BYTES, content_type="application/pdf")
        },
        stranger_url=lambda w, s: f"/getting-started/steps/{upload_step(s).pk}/upload/",
    ),
    Endpoint("my-agreement", lambda w: "/agreement/", PARTNER_ROLES),
    Endpoint(
        "agreement-accept",
        lambda w: "/agreement/accept/",
        {"partner_admin"},
        method="post",
        data=accept_form,
    ),
    # API
    Endpoint("api-application-list", lambda w: "/api/v1/applications/", STAFF, api=True),
    Endpoint(
        "api-application-detail",
        lambda w: f"/api/v1/applications/{application(w).pk}/",
        STAFF,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/applications/{application(s).pk}/",
    ),
    Endpoint(
        "api-application-approve",
        lambda w: f"/api/v1/applications/{application(w).pk}/approve/",
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/applications/{application(s).pk}/approve/",
    ),
    Endpoint(
        "api-application-reject",
        lambda w: f"/api/v1/applications/{application(w).pk}/reject/",
        STAFF,
        method="post",
        api=True,
        data=lambda w: {"reason": "Not a fit for now."},
        stranger_url=lambda w, s: f"/api/v1/applications/{application(s).pk}/reject/",
    ),
    Endpoint(
        "api-application-start-review",
        lambda w: f"/api/v1/applications/{application(w).pk}/start-review/",
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/applications/{application(s).pk}/start-review/",
    ),
    Endpoint(
        "api-application-reopen",
        lambda w: f"/api/v1/applications/{application(w).pk}/reopen/",
        STAFF,
        method="post",
        api=True,
        expect={400},  # allowed, but the application is not rejected
        stranger_url=lambda w, s: f"/api/v1/applications/{application(s).pk}/reopen/",
    ),
    Endpoint(
        "api-workflow-template-list", lambda w: "/api/v1/workflow-templates/", {"admin"}, api=True
    ),
    Endpoint(
        "api-workflow-template-list",
        lambda w: "/api/v1/workflow-templates/",
        {"admin"},
        method="post",
        api=True,
        data=lambda w: {
            "name": "MSP onboarding",
            "partner_type": "msp",
            "steps": [{"kind": "accept_agreement", "due_days": 7}],
        },
    ),
    Endpoint(
        "api-workflow-template-detail",
        lambda w: f"/api/v1/workflow-templates/{template(w).pk}/",
        {"admin"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/workflow-templates/{template(s).pk}/",
    ),
    Endpoint(
        "api-onboarding-progress-list", lambda w: "/api/v1/onboarding-progress/", PROGRAM, api=True
    ),
    Endpoint(
        "api-onboarding-progress-detail",
        lambda w: f"/api/v1/onboarding-progress/{workflow(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/onboarding-progress/{workflow(s).pk}/",
    ),
    Endpoint(
        "api-onboarding-progress-complete-step",
        lambda w: f"/api/v1/onboarding-progress/{workflow(w).pk}/complete-step/",
        STAFF,
        method="post",
        api=True,
        data=lambda w: {"step": manual_step(w).pk},
        stranger_url=lambda w, s: f"/api/v1/onboarding-progress/{workflow(s).pk}/complete-step/",
    ),
    Endpoint("api-agreement-list", lambda w: "/api/v1/agreements/", PROGRAM, api=True),
    Endpoint(
        "api-agreement-list",
        lambda w: "/api/v1/agreements/",
        {"admin"},
        method="post",
        api=True,
        data=lambda w: {"partner_type": "isv", "title": "ISV agreement", "body": "Terms."},
    ),
    Endpoint(
        "api-agreement-detail",
        lambda w: f"/api/v1/agreements/{agreement(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/agreements/{agreement(s).pk}/",
    ),
    Endpoint(
        "api-agreement-accept",
        lambda w: f"/api/v1/agreements/{agreement(w).pk}/accept/",
        {"partner_admin"},
        method="post",
        api=True,
        data=accept_api,
        stranger_url=lambda w, s: f"/api/v1/agreements/{agreement(s).pk}/accept/",
    ),
    Endpoint(
        "api-agreement-acceptance-list",
        lambda w: "/api/v1/agreement-acceptances/",
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-agreement-acceptance-detail",
        lambda w: f"/api/v1/agreement-acceptances/{acceptance(w).pk}/",
        PROGRAM,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/agreement-acceptances/{acceptance(s).pk}/",
    ),
]

# The application form and its thank-you page are public by design (anonymous, tenant host).
PUBLIC_URL_NAMES = {"apply", "apply-thanks"}
