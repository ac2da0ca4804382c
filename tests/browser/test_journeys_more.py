"""The remaining main journeys (1, 3, 4 and 5 of issue #11), driven through the portal.

Like test_journeys.py: only what a journey does not cover itself is set up with factories
and services (a program, a course, tiers); everything the journey is about happens by
clicking buttons and links by their accessible names and filling fields by their labels.
Screenshots of the key steps go to docs/screenshots/journeys/<journey>-<n>-<step>.png.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mdf import services as mdf_services
from mdf.models import Claim, FundRequest
from onboarding import services as onboarding_services
from onboarding.models import Application, Workflow
from partners import services as partner_services
from partners.models import Partner, PartnerMetrics, PartnerStatus, Tier
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.browser.conftest import Shots, download, fill_application, menu_link
from tests.conftest import build_world, wait_for
from tests.mdf.test_mdf_support import make_program
from training import services as training_services
from training.models import Certificate

pytestmark = [pytest.mark.celery_worker]

NEW_PASSWORD = "Cobalt-Harbour-2031!"


def nav(page, name: str):
    menu_link(page, name).click()


def button(page, name: str):
    page.get_by_role("button", name=name, exact=True).click()


def invoice_pdf() -> bytes:
    """A small, real PDF (what a partner's accounting system would produce)."""
    from weasyprint import HTML

    return HTML(string="<h1>Invoice 2031-17</h1><p>Customer roadshow: 3,200.00 USD</p>").write_pdf()


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": invoice_pdf()}


# --- 1. Apply -> approved -> invitation -> agreement and its PDF -> checklist complete ----


def test_journey_apply_approve_invite_agreement_and_checklist(site, mailoutbox):
    world = build_world("apply")
    with tenant_context(world.tenant):
        onboarding_services.workflow_template_save(
            by=world.admin,
            name="Reseller onboarding",
            partner_type="reseller",
            steps=[
                {"kind": "accept_agreement", "due_days": 7},
                {"kind": "complete_profile", "due_days": 14},
                {"kind": "upload_document", "title": "Reseller licence", "due_days": 21},
            ],
        )
        onboarding_services.agreement_publish(
            by=world.admin,
            partner_type="reseller",
            title="Reseller agreement",
            body="# Terms\n\nResell in good faith and register your deals.\n",
        )
    shot = Shots("apply")

    # The applicant, not signed in, on the tenant's public page.
    applicant = site.new_page()
    applicant.goto(site.url(world.tenant, "/apply/"))
    fill_application(
        applicant,
        company="Cobalt Systems",
        website="https://cobalt-systems.example",
        contact="Carla Cobalt",
        email="carla@cobalt-systems.example",
    )
    shot(applicant, "application-form")
    button(applicant, "Send application")
    expect(applicant).to_have_url(re.compile(r"/apply/thanks/$"))

    # The channel manager approves it from the review queue.
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    nav(manager, "Applications")
    manager.get_by_role("link", name="Cobalt Systems").click()
    shot(manager, "application-review")
    # Approving e-mails an invitation: it asks first (prm/confirm.py).
    manager.get_by_role("link", name="Approve and invite the contact").click()
    button(manager.get_by_role("dialog"), "Approve and invite")
    expect(manager.get_by_text("Approved. The partner is onboarding")).to_be_visible()

    # The invitation arrives by e-mail; the contact follows its link and sets a password.
    link = re.compile(r"/invitations/[^/\s]+/")
    invitation = next(
        m for m in mailoutbox if "carla@cobalt-systems.example" in m.to and link.search(m.body)
    )
    path = link.search(invitation.body).group(0)
    admin = site.new_page()
    admin.goto(site.url(world.tenant, path))
    admin.get_by_label("Full name").fill("Carla Cobalt")
    admin.get_by_label(re.compile(r"^\s*Password")).fill(NEW_PASSWORD)
    admin.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    shot(admin, "invitation")
    button(admin, "Create account and join")
    expect(admin.get_by_text("Welcome to Apply Cloud.")).to_be_visible()

    # Click-wrap acceptance of the agreement, then its signed PDF.
    nav(admin, "Agreement")
    admin.get_by_label("Your full name").fill("Carla Cobalt")
    admin.get_by_label("Your job title").fill("Managing director")
    admin.get_by_label("I have read this agreement and accept it on behalf of my company.").check()
    button(admin, "Accept")
    expect(admin.get_by_text("Accepted by Carla Cobalt (Managing director)")).to_be_visible()
    shot(admin, "agreement-accepted")
    pdf = download(admin, admin.get_by_role("link", name="Download the signed PDF").click)
    assert pdf.startswith(b"%PDF-")

    # The rest of the checklist: the company profile and the licence document.
    nav(admin, "Getting started")
    expect(admin.get_by_text("1 of 3 required steps done")).to_be_visible()
    admin.get_by_role("link", name="Complete your company profile").click()
    admin.get_by_label("Legal name").fill("Cobalt Systems GmbH")
    button(admin, "Save")
    nav(admin, "Getting started")
    admin.get_by_label("Document").set_input_files(pdf_file("licence.pdf"))
    button(admin, "Upload")
    expect(admin.get_by_text("Onboarding complete — welcome aboard!")).to_be_visible()
    expect(admin.get_by_text("3 of 3 required steps done")).to_be_visible()
    shot(admin, "checklist-complete")

    with tenant_context(world.tenant):
        application = Application.objects.get(company_name="Cobalt Systems")
        assert application.status == "approved"
        partner = Partner.objects.get(pk=application.partner_id)
        assert partner.status == PartnerStatus.ACTIVE
        assert partner.legal_name == "Cobalt Systems GmbH"
        assert Workflow.objects.get(partner=partner).status == "completed"
        assert AuditEvent.objects.filter(action="agreement.accepted").exists()


# --- 3. A course: fail the quiz, pass it, certificate PDF, public verification -------------


def test_journey_course_quiz_certificate_and_verification(site):
    world = build_world("learn")
    with tenant_context(world.tenant):
        course = training_services.course_save(
            by=world.admin,
            code="SEC-101",
            title="Selling security",
            summary="How to position the security suite.",
            quiz_pass_mark=100,
            quiz_max_attempts=0,
            quiz_cooldown_hours=0,  # a failed attempt may be retried at once
        )
        training_services.lesson_save(
            by=world.admin, course=course, title="Why customers buy", body="Risk and audits."
        )
        training_services.lesson_save(
            by=world.admin, course=course, title="Handling objections", body="Price, effort."
        )
        training_services.question_save(
            by=world.admin,
            course=course,
            text="What do customers buy first?",
            kind="single",
            options=[("Peace of mind for the audit", True), ("A bigger logo", False)],
        )
        training_services.question_save(
            by=world.admin,
            course=course,
            text="Which objections come up most?",
            kind="multiple",
            options=[("Price", True), ("Effort", True), ("Colour", False)],
        )
        training_services.course_set_status(by=world.admin, course=course, to="published")
        training_services.certification_save(
            by=world.admin,
            code="SEC-CERT",
            name="Certified Security Seller",
            validity_months=24,
            courses=[course],
        )
    shot = Shots("course")

    learner = site.sign_in(world.tenant, world.partner_user.user.email)
    nav(learner, "Training")
    learner.get_by_role("link", name="Selling security").first.click()
    button(learner, "Enrol in this course")
    learner.get_by_role("link", name="Start the first lesson").click()
    button(learner, "Done — next lesson")
    shot(learner, "lesson")
    button(learner, "Done — finish")
    learner.get_by_role("link", name="Take the quiz").click()

    # First attempt: one answer wrong, so below the 100 % pass mark.
    button(learner, "Start an attempt")
    learner.get_by_label("A bigger logo").check()
    learner.get_by_label("Price").check()
    learner.get_by_label("Effort").check()
    button(learner, "Submit your answers")
    expect(learner.get_by_text("Not passed: the pass mark is 100%.")).to_be_visible()
    shot(learner, "quiz-failed")

    # No cool-down on this course: straight back in, all right this time.
    learner.get_by_role("link", name="Back to the quiz").click()
    button(learner, "Start an attempt")
    learner.get_by_label("Peace of mind for the audit").check()
    learner.get_by_label("Price").check()
    learner.get_by_label("Effort").check()
    button(learner, "Submit your answers")
    expect(learner.get_by_text("Passed (pass mark 100%).")).to_be_visible()
    shot(learner, "quiz-passed")

    learner.get_by_role("link", name="Back to the course").click()
    expect(learner.get_by_text("passed", exact=True)).to_be_visible()
    nav(learner, "Training")
    learner.get_by_role("navigation", name="Learning").get_by_role(
        "link", name="Certificates"
    ).click()
    row = learner.get_by_role("row").filter(has_text="Certified Security Seller")
    expect(row).to_contain_text("valid")
    shot(learner, "certificates")
    pdf = download(learner, row.get_by_role("link", name=re.compile(r"^Download PDF")).click)
    assert pdf.startswith(b"%PDF-")

    # The verification page is public: anyone with the code (here a fresh browser) sees it.
    code = row.get_by_role("link", name="Verification page").get_attribute("href")
    assert code.startswith("/verify/")
    verifier = site.new_page()
    verifier.goto(site.url(world.tenant, code))
    expect(verifier.get_by_text("This certificate is valid.")).to_be_visible()
    facts = verifier.get_by_role("definition")
    expect(facts.filter(has_text="Certified Security Seller")).to_be_visible()
    shot(verifier, "verified")

    with tenant_context(world.tenant):
        cert = Certificate.objects.get(member=world.partner_user)
        assert code == f"/verify/{cert.code}"


# --- 4. MDF: request, partial approval, claim with a PDF, two approvals, paid, remittance --


def test_journey_mdf_request_claim_payment_and_remittance(site, celery_worker):
    world = build_world("funds")
    with tenant_context(world.tenant):
        # Claims above 1,000 USD need a second approval by an admin.
        program = make_program(world, name="Q-current", threshold="1000")
        mdf_services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("10000"), by=None
        )
    start = program.start_date + datetime.timedelta(days=2)
    end = start + datetime.timedelta(days=1)
    shot = Shots("mdf")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    nav(partner, "Requests and claims")  # inside the Marketing funds group
    partner.get_by_role("link", name="Request funds").first.click()
    partner.get_by_label("Program").select_option(label="Q-current")
    partner.get_by_label("Activity type").select_option(label="Event")
    partner.get_by_label("Title").fill("Customer roadshow")
    partner.get_by_label("Description").fill("Half-day event for IT leads in Berlin.")
    partner.get_by_label("Target audience").fill("IT leads")
    partner.get_by_label("Activity starts").fill(start.isoformat())
    partner.get_by_label("Activity ends").fill(end.isoformat())
    partner.get_by_label("Planned total cost").fill("4000")
    partner.get_by_label("Amount requested").fill("2000")
    partner.get_by_label("Expected leads").fill("25")
    partner.get_by_label("Expected pipeline").fill("80000")
    shot(partner, "request-form")
    button(partner, "Submit request")
    expect(partner.get_by_text("Request submitted.")).to_be_visible()

    # The channel manager approves less than requested.
    manager = site.sign_in(world.tenant, world.channel_manager.user.email)
    nav(manager, "MDF review")  # inside the Marketing funds group
    manager.get_by_role("link", name=re.compile(r"Customer roadshow")).click()
    manager.get_by_label("Amount to approve").fill("1500")
    manager.get_by_label("Message to the partner").fill("Approved for the venue and catering.")
    shot(manager, "partial-approval")
    button(manager, "Approve")
    with tenant_context(world.tenant):
        req = FundRequest.objects.get(title="Customer roadshow")
        assert req.status == "approved"
        assert req.approved_amount == Decimal("1500.00")

    # After the event the partner files the claim with the invoice attached.
    partner.reload()
    partner.get_by_role("link", name="File the claim").click()
    partner.get_by_label("Activity started").fill(start.isoformat())
    partner.get_by_label("Activity ended").fill(end.isoformat())
    partner.get_by_label("Actual total cost").fill("3200")
    partner.get_by_label("Amount claimed").fill("1500")
    partner.get_by_label("Attendees").fill("48")
    partner.get_by_label("Leads").fill("19")
    partner.get_by_label("Invoice", exact=True).set_input_files(pdf_file("invoice-2031-17.pdf"))
    shot(partner, "claim-form")
    button(partner, "Submit claim")
    expect(partner.get_by_role("link", name="invoice-2031-17.pdf")).to_be_visible()
    claim_url = partner.url

    # The manager approves; above the threshold, an admin approves as well and pays.
    nav(manager, "MDF review")
    manager.get_by_role("link", name="Claims to review").click()
    manager.get_by_role("link", name=re.compile(r"Customer roadshow")).click()
    button(manager, "Approve")
    expect(manager.get_by_text("Waiting for a second approval by another admin.")).to_be_visible()

    admin = site.sign_in(world.tenant, world.admin.user.email)
    nav(admin, "MDF review")
    admin.get_by_role("link", name="Claims to review").click()
    admin.get_by_role("link", name=re.compile(r"Customer roadshow")).click()
    button(admin, "Approve")
    shot(admin, "approved-twice")
    admin.get_by_label("Payment reference").fill("PAY-2031-0042")
    button(admin, "Mark as paid")
    expect(admin.get_by_text("PAY-2031-0042")).to_be_visible()

    # The partner downloads the remittance advice (rendered by the worker, or on demand).
    partner.goto(claim_url)
    shot(partner, "paid")
    pdf = download(
        partner,
        partner.get_by_role("link", name="Download the remittance advice (PDF)").click,
    )
    assert pdf.startswith(b"%PDF-")

    with tenant_context(world.tenant):
        claim = Claim.objects.get(request=req)
        assert claim.status == "paid"
        assert claim.approved_amount == Decimal("1500.00")
        assert claim.first_approved_by_id == world.channel_manager.pk
        assert claim.second_approved_by_id == world.admin.pk


# --- 5. Tier threshold edited with a preview; evaluation moves the partner; it sees it -----


def test_journey_tier_threshold_preview_save_and_evaluation(site, celery_worker):
    world = build_world("tiers")
    with tenant_context(world.tenant):
        partner_services.tier_save(by=world.admin, name="Registered", rank=0)
        gold = partner_services.tier_save(
            by=world.admin,
            name="Gold",
            rank=1,
            min_won_revenue_12m=Decimal("100000"),
            discount_pct=Decimal("20"),
            mdf_allocation=Decimal("15000"),
        )
        # What the nightly rollups measured (a precondition, not part of the journey).
        for company, revenue in ((world.partner, "60000"), (world.other_partner, "20000")):
            PartnerMetrics.objects.update_or_create(
                tenant=world.tenant,
                partner=company,
                defaults={"won_revenue_12m": Decimal(revenue), "won_deals_12m": 3},
            )
        partner_services.tiers_evaluate(tenant=world.tenant)
        assert Partner.objects.get(pk=world.partner.pk).tier.name == "Registered"
    shot = Shots("tiers")

    partner = site.sign_in(world.tenant, world.partner_admin.user.email)
    nav(partner, "My tier")
    expect(partner.get_by_role("heading", level=1)).to_have_text("You are Registered")
    shot(partner, "before")

    admin = site.sign_in(world.tenant, world.admin.user.email)
    nav(admin, "Tiers and benefits")
    admin.get_by_role("link", name="Gold", exact=True).click()
    threshold = admin.get_by_label(re.compile(r"^\s*Won revenue"))
    threshold.fill("50000")
    button(admin, "Preview who would move")
    preview = admin.get_by_role("region", name="Preview: who would move")
    expect(preview).to_contain_text("1 would move up, 0 would move down")
    mover = preview.get_by_role("row").filter(has_text=world.partner.name)
    expect(mover).to_contain_text("Registered")
    expect(mover).to_contain_text("Gold")
    expect(preview.get_by_role("row").filter(has_text=world.other_partner.name)).to_have_count(0)
    expect(threshold).to_have_value("50000")  # the edit survives the preview
    shot(admin, "what-if-preview")
    with tenant_context(world.tenant):  # a preview saves nothing
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("100000")

    button(admin, "Save tier")
    expect(admin.get_by_text("Tier saved.")).to_be_visible()
    button(admin, "Evaluate all partners now")
    expect(admin.get_by_text("Evaluation started")).to_be_visible()

    def moved():
        with tenant_context(world.tenant):
            return Partner.objects.get(pk=world.partner.pk).tier_id == gold.pk

    wait_for(moved, timeout=30)  # the evaluation runs in the Celery worker
    admin.reload()
    shot(admin, "tiers-after")

    partner.reload()
    expect(partner.get_by_role("heading", level=1)).to_have_text("You are Gold")
    benefits = partner.get_by_role("heading", name="Your benefits").locator("..")
    expect(benefits.get_by_role("definition").filter(has_text="20 %")).to_be_visible()
    shot(partner, "after")
    with tenant_context(world.tenant):
        assert Tier.objects.get(pk=gold.pk).min_won_revenue_12m == Decimal("50000")
        assert Partner.objects.get(pk=world.other_partner.pk).tier.name == "Registered"
        assert AuditEvent.objects.filter(action="tier.updated").exists()
        assert AuditEvent.objects.filter(action="tiers.evaluation_requested").exists()
