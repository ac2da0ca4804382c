"""Claims: submission limits, each automatic check, partial and second approvals, currency
conversion at the rate locked on approval, payment and the remittance advice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from mdf import selectors, services
from mdf.models import ActivityRule, Claim, LedgerEntry
from prm.errors import DomainError, PermissionDenied
from prm.tenancy import tenant_context
from tests.factories import MemberFactory
from tests.mdf.test_mdf_support import claim_fields, make_program, pdf_upload, request_fields

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def approved(world):
    """An approved request for 1,000 USD (events: 50 % of cost, invoice required)."""
    with tenant_context(world.tenant):
        program = make_program(world, threshold="5000")
        services.allocation_add(program=program, partner=world.partner, amount="20000", by=None)
        req = services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        req = services.request_transition(request=req, to="approved", by=world.channel_manager)
    return world, program, req


def submit(world, req, documents=None, **overrides):
    """A claim with the invoice the program's rule requires unless `documents` says else."""
    if documents is None:
        documents = [("invoice", pdf_upload())]
    return services.claim_submit(
        request=req, by=world.partner_user, documents=documents, **claim_fields(req, **overrides)
    )


def checks_of(claim) -> dict[str, bool | None]:
    claim = Claim.objects.select_related("request", "program").get(pk=claim.pk)
    rule = ActivityRule.objects.get(program=claim.program, activity_type="event")
    return {c.label: c.ok for c in selectors.claim_checks(claim, rule=rule)}


# --- Submission limits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_claimed": D("3000.01"), "actual_cost": D("3000")}, "more than the actual"),
        ({"amount_claimed": D("900.01"), "actual_cost": D("1800")}, "50"),
        ({"amount_claimed": D("1000.01"), "actual_cost": D("5000")}, "approved"),
    ],
)
def test_claims_above_the_limits_are_refused(approved, overrides, message):
    world, _program, req = approved
    with tenant_context(world.tenant):
        with pytest.raises(DomainError, match=message) as exc:
            submit(world, req, **overrides)
        assert exc.value.field == "amount_claimed"
        assert not Claim.objects.exists()


def test_only_the_partner_of_the_request_can_claim(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        for member in (world.other_partner_user, world.channel_manager):
            with pytest.raises(PermissionDenied):
                services.claim_submit(request=req, by=member, **claim_fields(req))


def test_one_live_claim_per_request_but_a_new_one_after_rejection(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        first = submit(world, req)
        with pytest.raises(DomainError, match="already has a claim"):
            submit(world, req)
        services.claim_transition(claim=first, to="rejected", by=world.admin, reason="Wrong.")
        assert submit(world, req).status == "submitted"


# --- Automatic checks ---------------------------------------------------------------------


def test_a_clean_claim_passes_every_check(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, documents=[("invoice", pdf_upload())])
        checks = checks_of(claim)
        assert len(checks) == 5 and all(checks.values()), checks


def test_activity_outside_the_approved_window_fails_the_dates_check(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(
            world,
            req,
            documents=[("invoice", pdf_upload())],
            activity_end=req.end_date + datetime.timedelta(days=1),
        )
        checks = checks_of(claim)
        assert checks["Activity dates within the approved window"] is False
        assert sum(1 for ok in checks.values() if not ok) == 1


def test_a_claim_after_the_deadline_fails_the_deadline_check(approved):
    world, _program, req = approved
    late = timezone.now() + datetime.timedelta(days=200)
    with time_machine.travel(late, tick=False), tenant_context(world.tenant):
        claim = submit(world, req, documents=[("invoice", pdf_upload())])
        checks = checks_of(claim)
    assert checks["Claimed before the deadline"] is False
    assert sum(1 for ok in checks.values() if not ok) == 1


def test_missing_required_proof_fails_the_proof_check(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, documents=[("photos", pdf_upload("photo.pdf"))])
        checks = checks_of(claim)
        assert checks["Required proof present"] is False
        assert sum(1 for ok in checks.values() if not ok) == 1


def test_over_the_percentage_of_actual_cost_fails_the_share_check(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, documents=[("invoice", pdf_upload())])
        # The rule tightened after submission: 25 % of 3,000 = 750 < 1,000 claimed.
        ActivityRule.objects.filter(program=req.program).update(max_reimbursable_pct=D("25"))
        checks = checks_of(claim)
        assert checks["Within 25.00% of the actual cost"] is False
        assert sum(1 for ok in checks.values() if not ok) == 1


def test_amount_check_converts_foreign_currency_and_flags_a_missing_rate(approved):
    world, program, req = approved
    with tenant_context(world.tenant):
        claim = submit(
            world,
            req,
            documents=[("invoice", pdf_upload())],
            currency="EUR",
            amount_claimed=D("950"),
        )
        assert checks_of(claim)["Within the approved amount"] is None  # no EUR rate yet
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.1",
            valid_from=program.start_date,
        )
        # 950 EUR = 1,045 USD > 1,000 approved
        assert checks_of(claim)["Within the approved amount"] is False


# --- Decisions ----------------------------------------------------------------------------


def test_partial_approval_records_the_claim_and_releases_the_rest(approved):
    world, program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req)
        claim = services.claim_transition(
            claim=claim, to="approved", by=world.channel_manager, amount="640.25"
        )
        assert claim.status == "approved"
        assert claim.approved_amount == D("640.25") and claim.exchange_rate == D("1")
        entries = list(
            LedgerEntry.objects.filter(claim=claim).order_by("id").values_list("kind", "amount")
        )
        assert entries == [("claim_approved", D("640.25")), ("release", D("359.75"))]


def test_approving_more_than_was_claimed_is_refused(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, amount_claimed=D("800"))
        with pytest.raises(DomainError) as exc:
            services.claim_transition(claim=claim, to="approved", by=world.admin, amount="800.01")
        assert exc.value.field == "amount"


def test_claims_above_the_threshold_need_a_second_approval_by_another_admin(world):
    with tenant_context(world.tenant):
        program = make_program(world, threshold="5000")
        services.allocation_add(program=program, partner=world.partner, amount="20000", by=None)
        req = services.request_submit(
            program=program,
            by=world.partner_admin,
            **request_fields(program, planned_cost=D("14000"), requested_amount=D("7000")),
        )
        req = services.request_transition(request=req, to="approved", by=world.admin)
        claim = submit(world, req, actual_cost=D("14000"), amount_claimed=D("6000"))
        claim = services.claim_transition(claim=claim, to="approved", by=world.admin)
        assert claim.status == "second_approval"
        assert not LedgerEntry.objects.filter(claim=claim).exists()
        with pytest.raises(PermissionDenied):
            services.claim_transition(claim=claim, to="approved", by=world.admin)
        with pytest.raises(PermissionDenied):
            services.claim_transition(claim=claim, to="approved", by=world.channel_manager)
        second_admin = MemberFactory(tenant=world.tenant, role="admin")
        claim = services.claim_transition(claim=claim, to="approved", by=second_admin)
        assert claim.status == "approved" and claim.second_approved_by == second_admin
        assert set(LedgerEntry.objects.filter(claim=claim).values_list("kind", "amount")) == {
            ("claim_approved", D("6000.00")),
            ("release", D("1000.00")),
        }


def test_claims_up_to_the_threshold_need_one_approval(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = services.claim_transition(
            claim=submit(world, req), to="approved", by=world.channel_manager
        )
        assert claim.status == "approved" and claim.second_approved_by is None


def test_conversion_uses_the_rate_locked_at_approval(approved):
    world, program, req = approved
    with tenant_context(world.tenant):
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.08",
            valid_from=program.start_date,
        )
        claim = submit(world, req, currency="EUR", amount_claimed=D("900"))
        claim = services.claim_transition(claim=claim, to="approved", by=world.channel_manager)
        assert claim.exchange_rate == D("1.08")
        assert claim.approved_amount == D("900")
        assert claim.approved_amount_program == D("972.00")
        # A new rate afterwards changes nothing for this claim, including its payment.
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.50",
            valid_from=timezone.localdate(),
        )
        claim = services.claim_transition(
            claim=claim,
            to="paid",
            by=world.admin,
            payment_reference="WIRE-9",
            paid_on=timezone.localdate(),
        )
        claim.refresh_from_db()
        assert claim.exchange_rate == D("1.08")
        assert LedgerEntry.objects.get(claim=claim, kind="payment").amount == D("972.00")
        assert LedgerEntry.objects.get(claim=claim, kind="release").amount == D("28.00")


def test_approval_without_an_exchange_rate_is_refused(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, currency="GBP", amount_claimed=D("500"))
        with pytest.raises(DomainError, match="no exchange rate from GBP to USD"):
            services.claim_transition(claim=claim, to="approved", by=world.admin)


def test_converted_amount_above_the_commitment_is_refused(approved):
    world, program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, currency="EUR", amount_claimed=D("950"))
        services.exchange_rate_set(
            tenant=world.tenant,
            by=None,
            from_currency="EUR",
            to_currency="USD",
            rate="1.1",
            valid_from=program.start_date,
        )
        with pytest.raises(DomainError, match="1045.00 USD"):
            services.claim_transition(claim=claim, to="approved", by=world.admin)
        # 950 EUR claimed fails the amount check: approving 909 of it needs the override.
        claim = services.claim_transition(
            claim=claim,
            to="approved",
            by=world.admin,
            amount="909",
            override_reason="Approved in part, within the commitment.",
        )
        assert claim.approved_amount_program == D("999.90")


def test_information_request_and_resubmission(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = submit(world, req, documents=[])
        with pytest.raises(DomainError):
            services.claim_transition(claim=claim, to="info_requested", by=world.admin)
        claim = services.claim_transition(
            claim=claim, to="info_requested", by=world.admin, reason="Attach the invoice."
        )
        claim = services.claim_update(
            claim=claim,
            by=world.partner_admin,
            documents=[("invoice", pdf_upload())],
            notes="Invoice attached.",
        )
        assert claim.status == "submitted"
        assert claim.documents.get().kind == "invoice"
        assert all(checks_of(claim).values())


def test_payment_needs_a_reference_and_a_date_not_in_the_future(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = services.claim_transition(claim=submit(world, req), to="approved", by=world.admin)
        with pytest.raises(DomainError) as exc:
            services.claim_transition(
                claim=claim, to="paid", by=world.admin, paid_on=timezone.localdate()
            )
        assert exc.value.field == "payment_reference"
        with pytest.raises(DomainError) as exc:
            services.claim_transition(
                claim=claim,
                to="paid",
                by=world.admin,
                payment_reference="X",
                paid_on=timezone.localdate() + datetime.timedelta(days=1),
            )
        assert exc.value.field == "paid_on"
        with pytest.raises(PermissionDenied):
            services.claim_transition(
                claim=claim,
                to="paid",
                by=world.channel_manager,
                payment_reference="X",
                paid_on=timezone.localdate(),
            )


def test_remittance_advice_is_a_pdf_stored_once(approved):
    world, _program, req = approved
    with tenant_context(world.tenant):
        claim = services.claim_transition(claim=submit(world, req), to="approved", by=world.admin)
        with pytest.raises(DomainError):
            services.claim_render_remittance(claim=claim)
        claim = services.claim_transition(
            claim=claim,
            to="paid",
            by=world.admin,
            payment_reference="WIRE-42",
            paid_on=timezone.localdate(),
        )
        name = services.claim_render_remittance(claim=claim)
        assert name.startswith(f"mdf/{world.tenant.pk}/remittances/") and name.endswith(".pdf")
        assert services.claim_render_remittance(claim=claim) == name
        claim.refresh_from_db()
        with claim.remittance_pdf.open("rb") as f:
            assert f.read(5) == b"%PDF-"
