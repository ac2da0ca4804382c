"""Builders shared by the MDF tests and the MDF permission rows (no tests in here)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from prm.tenancy import tenant_context
from tests.factories import DealFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_program(world, *, budget="100000", threshold=None, start=None, **kwargs):
    """A quarter program that started 30 days ago, funding events (50 %, invoice needed)."""
    from mdf import services

    start = start or timezone.localdate() - datetime.timedelta(days=30)
    program = services.program_create(
        tenant=world.tenant,
        by=None,
        name=kwargs.pop("name", "Current quarter"),
        period="quarter",
        start_date=start,
        currency=kwargs.pop("currency", "USD"),
        budget=Decimal(budget),
        second_approval_threshold=None if threshold is None else Decimal(threshold),
        **kwargs,
    )
    services.rule_set(
        program=program,
        by=None,
        activity_type="event",
        max_reimbursable_pct=Decimal("50"),
        required_proofs=["invoice"],
        claim_deadline_days=60,
    )
    return program


def request_fields(program, **overrides) -> dict:
    fields = {
        "activity_type": "event",
        "title": "Customer roadshow",
        "description": "Half-day event for IT leads.",
        "start_date": program.start_date + datetime.timedelta(days=1),
        "end_date": program.start_date + datetime.timedelta(days=2),
        "planned_cost": Decimal("4000"),
        "requested_amount": Decimal("1000"),
        "expected_leads": 20,
        "expected_pipeline": Decimal("50000"),
        "target_audience": "IT leads in the region",
    }
    return fields | overrides


def claim_fields(req, **overrides) -> dict:
    fields = {
        "activity_start": req.start_date,
        "activity_end": req.end_date,
        "actual_cost": Decimal("3000"),
        "amount_claimed": Decimal("1000"),
        "currency": req.program.currency,
        "leads": 12,
        "attendees": 40,
        "impressions": 0,
    }
    return fields | overrides


def mdf_objects(world) -> SimpleNamespace:
    """Once per world: a program with 20,000 allocated to world.partner, and requests and
    claims in each state the rows need."""
    existing = getattr(world, "_mdf", None)
    if existing is not None:
        return existing
    from mdf import services
    from mdf.models import ExchangeRate

    pa, cm, admin = world.partner_admin, world.channel_manager, world.admin
    with tenant_context(world.tenant):
        program = make_program(world)
        services.allocation_add(
            program=program, partner=world.partner, amount=Decimal("20000"), by=None
        )

        def approved(title):
            req = services.request_submit(
                program=program, by=pa, **request_fields(program, title=title)
            )
            return services.request_transition(request=req, to="approved", by=cm)

        def claimed(title, documents=True):
            req = approved(title)
            return services.claim_submit(
                request=req,
                by=pa,
                documents=[("invoice", pdf_upload())] if documents else [],
                **claim_fields(req),
            )

        submitted = services.request_submit(program=program, by=pa, **request_fields(program))
        approved_unclaimed = approved("Webinar series")
        claim_submitted = claimed("Trade show booth")
        claim_info = claimed("Partner summit", documents=False)
        claim_info = services.claim_transition(
            claim=claim_info, to="info_requested", by=cm, reason="Attach the invoice."
        )
        claim_approved = claimed("Lunch and learn")
        claim_approved = services.claim_transition(claim=claim_approved, to="approved", by=cm)
        claim_paid = claimed("Security workshop")
        claim_paid = services.claim_transition(claim=claim_paid, to="approved", by=cm)
        claim_paid = services.claim_transition(
            claim=claim_paid,
            to="paid",
            by=admin,
            payment_reference="PAY-1",
            paid_on=timezone.localdate(),
        )
        rate = services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate=Decimal("1.1"),
            valid_from=program.start_date,
        )
        objs = SimpleNamespace(
            program=program,
            submitted=submitted,
            approved_unclaimed=approved_unclaimed,
            claim_submitted=claim_submitted,
            claim_info=claim_info,
            claim_approved=claim_approved,
            claim_paid=claim_paid,
            document=claim_submitted.documents.first(),
            rate=ExchangeRate.objects.get(pk=rate.pk),
        )
    world._mdf = objs
    return objs


def mdf_second_approval(world):
    """Once per world: a claim waiting for a second approval, approved first by the channel
    manager (so the world's admin may give the second one)."""
    existing = getattr(world, "_mdf_second", None)
    if existing is not None:
        return existing
    from mdf import services
    from mdf.models import Program

    m = mdf_objects(world)
    pa, cm = world.partner_admin, world.channel_manager
    with tenant_context(world.tenant):
        program = m.program
        req = services.request_submit(
            program=program, by=pa, **request_fields(program, title="Customer dinner")
        )
        req = services.request_approve(request=req, by=cm)
        claim = services.claim_submit(
            request=req, by=pa, documents=[("invoice", pdf_upload())], **claim_fields(req)
        )
        Program.objects.filter(pk=program.pk).update(second_approval_threshold=Decimal("500"))
        claim = services.claim_approve(claim=claim, by=cm)
        Program.objects.filter(pk=program.pk).update(second_approval_threshold=None)
    assert claim.status == "second_approval"
    world._mdf_second = claim
    return claim


def make_deal(world, *, status, amount=None, won_amount=None, closed_at=None, code="", **kw):
    """A deal row as deal registration would leave it (created directly for MDF tests)."""

    name = kw.pop("customer_name", f"Customer {status}")
    return DealFactory(
        tenant=world.tenant,
        partner=kw.pop("partner", world.partner),
        status=status,
        customer_name=name,
        customer_name_normalised=name.lower(),
        amount=None if amount is None else Decimal(amount),
        won_amount=None if won_amount is None else Decimal(won_amount),
        closed_at=closed_at,
        currency=kw.pop("currency", "USD"),
        mdf_campaign_code=code,
        **kw,
    )
