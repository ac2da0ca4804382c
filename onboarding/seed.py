"""Demo data for onboarding: the IPP, agreements (accepted by the demo partners), workflow
templates, two pending applications and a partner part-way through onboarding. Everything
goes through the services, as a person would do it. Runs inside the demo tenant's context."""

from __future__ import annotations

import datetime
from decimal import Decimal

from onboarding import selectors, services
from onboarding.models import StepKind, Workflow, WorkflowStep
from partners.models import Partner, PartnerType, Region, SizeBand, Specialty
from prm.models import Member
from prm.roles import Role

AGREEMENT_TEXT = """\
## 1. Purpose

This agreement sets out how **{company}** ("the Vendor") and the partner work together in the
{label} program.

## 2. The partner's commitments

- Represent the Vendor's products accurately and lawfully.
- Keep at least one person certified on the current product line.
- Register opportunities in the partner portal before engaging the customer.

## 3. The Vendor's commitments

- Protect approved deal registrations for the period set by the partner's tier.
- Provide training, marketing funds and support as described in the program guide.

## 4. Confidentiality

Each party keeps the other's confidential information confidential for three years after
this agreement ends.

## 5. Term

This agreement runs for one year and renews automatically unless either party ends it with
30 days' notice.
"""

TEMPLATES = {
    PartnerType.RESELLER: (
        "Reseller onboarding",
        [
            (StepKind.ACCEPT_AGREEMENT, "Accept the reseller agreement", "", 7, True),
            (StepKind.MANUAL, "Kick-off call with your channel manager", "", 10, True),
            (StepKind.COMPLETE_PROFILE, "Complete your company profile", "", 14, True),
            (
                StepKind.UPLOAD_DOCUMENT,
                "Upload your business registration certificate",
                "",
                21,
                True,
            ),
            (StepKind.COMPLETE_COURSE, "Acme Sales Foundations", "SALES-101", 30, True),
            (StepKind.REGISTER_FIRST_DEAL, "Register your first deal", "", 90, False),
        ],
    ),
    PartnerType.SYSTEM_INTEGRATOR: (
        "System integrator onboarding",
        [
            (StepKind.ACCEPT_AGREEMENT, "Accept the integrator agreement", "", 7, True),
            (StepKind.COMPLETE_PROFILE, "Complete your company profile", "", 14, True),
            (StepKind.UPLOAD_DOCUMENT, "Upload your certificate of insurance", "", 21, True),
            (StepKind.COMPLETE_COURSE, "Acme Implementation Fundamentals", "IMPL-201", 45, True),
            (StepKind.MANUAL, "Technical enablement workshop", "", 45, True),
            (StepKind.REGISTER_FIRST_DEAL, "Register your first deal", "", 120, False),
        ],
    ),
}


def seed(*, tenant, partners: dict) -> None:
    admin = Member.objects.filter(role=Role.ADMIN).select_related("user").first()
    manager = Member.objects.filter(role=Role.CHANNEL_MANAGER).first()
    specialties = {s.name: s for s in Specialty.objects.all()}

    services.ideal_profile_update(
        by=admin,
        countries=["US", "CA", "DE", "GB"],
        regions=[Region.NORTH_AMERICA, Region.EMEA],
        partner_types=[PartnerType.RESELLER, PartnerType.SYSTEM_INTEGRATOR, PartnerType.MSP],
        specialties=[
            specialties[n]
            for n in ("Cloud migration", "Security", "Data & analytics")
            if n in specialties
        ],
        size_bands=[SizeBand.SMALL, SizeBand.MEDIUM, SizeBand.LARGE],
        revenue_min=Decimal("50000"),
        revenue_max=Decimal("2000000"),
        weight_geography=20,
        weight_type=25,
        weight_specialties=20,
        weight_size=15,
        weight_revenue=20,
    )

    for value, label in PartnerType.choices:
        services.agreement_publish(
            by=admin,
            partner_type=value,
            title=f"{label} partner agreement",
            body=AGREEMENT_TEXT.format(company=tenant.name, label=str(label).lower()),
        )
    for partner in partners.values():
        signer = (
            Member.objects.filter(partner=partner, role=Role.PARTNER_ADMIN)
            .select_related("user")
            .first()
        )
        if signer is None:
            continue
        current = selectors.current_agreement(partner.partner_type)
        services.agreement_accept(
            agreement=current,
            by=signer,
            signer_name=signer.user.full_name or signer.user.email,
            signer_title=signer.title or "Partner admin",
            text_sha256=current.text_sha256,
        )

    for partner_type, (name, steps) in TEMPLATES.items():
        services.workflow_template_save(
            by=admin,
            name=name,
            partner_type=partner_type,
            steps=[
                {"kind": k, "title": t, "ref": r, "due_days": d, "required": req}
                for k, t, r, d, req in steps
            ],
        )

    def apply(**fields):
        return services.application_submit(
            tenant=tenant,
            specialties=[specialties[n] for n in fields.pop("specialty_names") if n in specialties],
            **fields,
        )

    apply(
        company_name="Adatum Systems",
        website="https://www.adatum.example",
        country="DE",
        partner_type=PartnerType.SYSTEM_INTEGRATOR,
        specialty_names=["Cloud migration", "Security"],
        size_band=SizeBand.MEDIUM,
        expected_revenue=Decimal("450000"),
        contact_name="Dana Adatum",
        contact_email="dana@adatum.example",
        contact_phone="+49 30 1234567",
    )
    apply(
        company_name="Northwind Resellers EMEA",
        website="https://emea.northwind.example",
        country="GB",
        partner_type=PartnerType.RESELLER,
        specialty_names=["Managed services"],
        size_band=SizeBand.SMALL,
        expected_revenue=Decimal("80000"),
        contact_name="Nora North",
        contact_email="nora@northwind.example",
        contact_phone="+44 20 7946 0000",
    )

    # A partner three weeks into onboarding, with its kick-off done and one step overdue.
    proseware = apply(
        company_name="Proseware Solutions",
        website="https://proseware.example",
        country="US",
        partner_type=PartnerType.RESELLER,
        specialty_names=["Cloud migration", "DevOps"],
        size_band=SizeBand.MEDIUM,
        expected_revenue=Decimal("250000"),
        contact_name="Pat Proseware",
        contact_email="pat@proseware.example",
        contact_phone="+1 415 555 0100",
    )
    proseware = services.application_approve(application=proseware, by=manager)
    workflow = Workflow.objects.get(partner=proseware.partner)
    kickoff = workflow.steps.get(kind=StepKind.MANUAL)
    services.step_check_off(step=kickoff, by=manager)
    # Demo history: move the start three weeks back so the board shows a stuck step.
    shift = datetime.timedelta(days=21)
    for step in WorkflowStep.objects.filter(workflow=workflow):
        step.due_at -= shift
        if step.completed_at:
            step.completed_at -= shift - datetime.timedelta(days=5)  # done on day 5
        step.save(update_fields=["due_at", "completed_at"])
    workflow.started_at -= shift
    workflow.save(update_fields=["started_at"])
    Partner.objects.filter(pk=proseware.partner_id).update(
        approved_at=workflow.started_at, status_changed_at=workflow.started_at
    )
