"""Claims: submit, change, documents, decisions, payment, remittance advice."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf import selectors
from mdf.files import clean_name, sha256_of, sniff_proof
from mdf.models import (
    CLAIM_FIELDS,
    Claim,
    ClaimStatus,
    FundRequest,
    LedgerKind,
    ProofDocument,
    ProofKind,
)
from mdf.pdf import render_campaign_report, render_remittance
from mdf.services._common import (
    CENT,
    ZERO,
    _entry,
    _lock_funds,
    _notify,
    _queue,
    _release,
    _rule,
    local_today,
    parse_money,
)
from mdf.services.fund_requests import request_complete
from mdf.states import CLAIM_MACHINE, REQUEST_MACHINE
from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.models import Member

# --- Claims -------------------------------------------------------------------------------

CLAIM_AUDIT_FIELDS = [
    "status",
    "approved_amount",
    "exchange_rate",
    "approved_amount_program",
    "decision_reason",
    "check_override_reason",
    "info_request",
    "payment_reference",
    "paid_on",
]


def _validate_documents(
    documents: Iterable[tuple[str, object]],
) -> list[tuple[str, object, str, str]]:
    out = []
    for kind, upload in documents:
        if kind not in ProofKind.values:
            raise DomainError(_("Choose what the document proves."), field="kind")
        try:
            content_type, ext = sniff_proof(upload)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="file")
        out.append((kind, upload, content_type, ext))
    return out


def _store_documents(claim: Claim, checked, by: Member) -> list[ProofDocument]:
    docs = []
    for kind, upload, content_type, ext in checked:
        doc = ProofDocument(
            tenant_id=claim.tenant_id,
            claim=claim,
            kind=kind,
            original_name=clean_name(getattr(upload, "name", "")),
            content_type=content_type,
            ext=ext,
            size=upload.size,
            sha256=sha256_of(upload),
            uploaded_by=by,
        )
        upload.seek(0)
        doc.file.save(f"proof.{ext}", upload, save=False)
        doc.save()
        docs.append(doc)
        log_action(
            "mdf.claim.document_added",
            obj=claim,
            after={"document": doc.pk, "kind": kind, "name": doc.original_name, "size": doc.size},
        )
    return docs


def _validate_claim(claim: Claim, req: FundRequest) -> None:
    claim.currency = (claim.currency or "").upper()
    claim.full_clean(
        exclude=["tenant", "request", "program", "partner"], validate_constraints=False
    )
    if claim.activity_end < claim.activity_start:
        raise DomainError(_("The activity must end on or after its start."), field="activity_end")
    parse_money(claim.actual_cost, field="actual_cost")
    parse_money(claim.amount_claimed, field="amount_claimed")
    if claim.amount_claimed > claim.actual_cost:
        raise DomainError(_("You cannot claim more than the actual cost."), field="amount_claimed")
    rule = _rule(req.program_id, req.activity_type)
    if rule is not None:
        limit = (claim.actual_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
        if claim.amount_claimed > limit:
            raise DomainError(
                _("At most %(p)s%% of the actual cost can be reimbursed: %(l)s %(c)s.")
                % {"p": rule.max_reimbursable_pct, "l": limit, "c": claim.currency},
                field="amount_claimed",
            )
    rate = selectors.rate_for(claim.currency, req.program.currency, local_today())
    if rate is not None:
        converted = selectors.convert(claim.amount_claimed, rate)
        if converted > (req.approved_amount or ZERO):
            raise DomainError(
                _("You can claim at most the approved %(a)s %(c)s (this is %(v)s %(c)s).")
                % {"a": req.approved_amount, "c": req.program.currency, "v": converted},
                field="amount_claimed",
            )


@transaction.atomic
def claim_submit(
    *,
    request: FundRequest,
    by: Member,
    documents: Iterable[tuple[str, object]] = (),
    **fields,
) -> Claim:
    """The partner claims reimbursement for an approved request after the activity, with
    proof files as (kind, uploaded file) pairs. Missing proof does not block the claim: the
    reviewer sees it among the automatic checks.

    When the request funded one of the partner's own marketing campaigns (its campaign code),
    the campaign's figures are asked of marketing now and stored on the claim as its evidence
    (a snapshot, never re-read); leads and impressions not given are taken from them, and a
    campaign performance report (PDF) rendered from the snapshot is attached as a results
    report."""
    _person(by)
    unknown = set(fields) - set(CLAIM_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    req = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("program", "partner")
        .get(pk=request.pk)
    )
    REQUEST_MACHINE.check(req, by, "claim")
    fields.setdefault("currency", req.program.currency)
    evidence = selectors.campaign_figures_for(req) or {}
    if evidence:
        fields.setdefault("leads", evidence["leads"])
        fields.setdefault("impressions", min(evidence["views"], 2**31 - 1))
    claim = Claim(
        tenant_id=req.tenant_id,
        request=req,
        program=req.program,
        partner_id=req.partner_id,
        submitted_by=by,
        status=ClaimStatus.SUBMITTED,
        submitted_at=timezone.now(),
        campaign_evidence=evidence,
        **fields,
    )
    _validate_claim(claim, req)
    checked = _validate_documents(documents)
    claim.save()
    log_action(
        "mdf.claim.submitted",
        obj=claim,
        after=snapshot(claim, ["status", *CLAIM_FIELDS, "campaign_evidence"]),
    )
    if evidence:
        report = ContentFile(
            render_campaign_report(claim=claim, evidence=evidence),
            name=f"campaign-report-{evidence['code']}.pdf",
        )
        checked.extend(_validate_documents([(ProofKind.RESULTS_REPORT, report)]))
    _store_documents(claim, checked, by)
    _notify("claim.submitted", claim)
    return claim


@transaction.atomic
def claim_add_documents(
    *, claim: Claim, by: Member, documents: Iterable[tuple[str, object]]
) -> list[ProofDocument]:
    """More proof for a claim that is still with the partner or in review."""
    _person(by)
    claim = _lock_claim(claim.pk)
    CLAIM_MACHINE.check(claim, by, "add_documents")
    checked = _validate_documents(documents)
    if not checked:
        raise DomainError(_("Choose a file."), field="file")
    return _store_documents(claim, checked, by)


@transaction.atomic
def claim_update(
    *, claim: Claim, by: Member, documents: Iterable[tuple[str, object]] = (), **changes
) -> Claim:
    """The partner answers a request for more information (changes and/or documents); the
    claim goes back to review."""
    _person(by)
    unknown = set(changes) - set(CLAIM_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    claim = _lock_claim(claim.pk)
    CLAIM_MACHINE.check(claim, by, "edit")
    before = snapshot(claim, CLAIM_FIELDS)
    for name, value in changes.items():
        setattr(claim, name, value)
    _validate_claim(claim, claim.request)
    checked = _validate_documents(documents)
    b, a = diff(before, snapshot(claim, CLAIM_FIELDS))
    if a:
        claim.save(update_fields=list(a))
        log_action("mdf.claim.updated", obj=claim, before=b, after=a)
    _store_documents(claim, checked, by)
    if claim.status == ClaimStatus.INFO_REQUESTED:
        claim = _move(claim, "resubmit", by=by)
    return claim


def _lock_claim(claim_pk: int) -> Claim:
    """Lock the claim's request row, then the claim row: the same order as every other
    writer that touches both (request first), so they cannot deadlock."""
    request_id = Claim.objects.filter(pk=claim_pk).values_list("request_id", flat=True).get()
    list(FundRequest.objects.select_for_update().filter(pk=request_id).values_list("pk"))
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("program", "request__program", "partner")
        .get(pk=claim_pk)
    )


def _final_approve(claim: Claim, req: FundRequest, by: Member) -> None:
    """Money side of a claim's final approval: the approved amount moves from committed to
    claimed, and what is left of the commitment is released."""
    program = _lock_funds(claim.program_id, claim.partner_id)
    open_commitment = selectors.request_open_commitment(req.pk)
    amount = claim.approved_amount_program
    if amount > open_commitment:
        raise DomainError(
            _("Only %(a)s %(c)s is still committed to this request.")
            % {"a": open_commitment, "c": program.currency},
            field="amount",
        )
    _entry(
        program=program,
        partner_id=claim.partner_id,
        kind=LedgerKind.CLAIM_APPROVED,
        amount=amount,
        by=by,
        request=req,
        claim=claim,
        memo=f"{claim.number} {req.title}",
    )
    _release(
        program=program,
        request=req,
        amount=open_commitment - amount,
        by=by,
        claim=claim,
        memo=_("Not claimed by %(c)s") % {"c": claim.number},
    )
    request_complete(request=req, by=by)


def _person(by: Member | None) -> None:
    if by is None:
        raise PermissionDenied()


def claim_approve(
    *, claim: Claim, by: Member, amount=None, reason: str = "", override_reason: str = ""
) -> Claim:
    """Approve in full or in part: `amount` in the claim currency (defaults to the amount
    claimed). The exchange rate in force today is stored on the claim with the converted
    amount. Above the program's threshold the claim then waits for an admin's second
    approval; otherwise the ledger records the approved claim and releases the unclaimed rest
    of the commitment. A claim whose automatic check failed is approved only with an
    `override_reason`, which is stored on the claim and audited with the failed checks."""
    return _move(
        claim, "approve", by=by, amount=amount, reason=reason, override_reason=override_reason
    )


def claim_second_approve(*, claim: Claim, by: Member, reason: str = "") -> Claim:
    """An admin other than the first approver confirms an approval above the threshold."""
    return _move(claim, "second_approve", by=by, reason=reason)


def claim_reject(*, claim: Claim, by: Member, reason: str) -> Claim:
    """Reject with a reason (at the second approval, an admin)."""
    return _move(claim, "reject", by=by, reason=reason)


def claim_request_info(*, claim: Claim, by: Member, reason: str) -> Claim:
    """Ask the partner for more information; the claim waits for its answer (claim_update)."""
    return _move(claim, "request_info", by=by, reason=reason)


def claim_pay(
    *, claim: Claim, by: Member, payment_reference: str, paid_on: datetime.date | None
) -> Claim:
    """Record the payment; the remittance advice PDF is rendered after commit."""
    return _move(claim, "pay", by=by, payment_reference=payment_reference, paid_on=paid_on)


def claim_transition(
    *,
    claim: Claim,
    to: str,
    by: Member | None,
    amount=None,
    reason: str = "",
    payment_reference: str = "",
    paid_on: datetime.date | None = None,
    override_reason: str = "",
) -> Claim:
    """Generic entry by target status (scripts and tests); callers with a verb use the
    claim_<verb> services. `approved` is the first or the second approval, by the status."""
    if to not in ClaimStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if to == ClaimStatus.SECOND_APPROVAL:
        raise DomainError(_("Approve the claim; the second approval follows from the amount."))
    current = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True).get()
    name = {
        ClaimStatus.APPROVED: "second_approve"
        if current == ClaimStatus.SECOND_APPROVAL
        else "approve",
        ClaimStatus.REJECTED: "reject",
        ClaimStatus.INFO_REQUESTED: "request_info",
        ClaimStatus.SUBMITTED: "resubmit",
        ClaimStatus.PAID: "pay",
    }[to]
    return _move(
        claim,
        name,
        by=by,
        amount=amount,
        reason=reason,
        payment_reference=payment_reference,
        paid_on=paid_on,
        override_reason=override_reason,
    )


def _check_override(claim: Claim, now, override_reason: str) -> list[str]:
    """A failed automatic check needs the reviewer's reason to approve anyway."""
    rule = _rule(claim.program_id, claim.request.activity_type)
    failed = selectors.failed_checks(
        selectors.claim_checks(claim, rule=rule, today=timezone.localdate(now))
    )
    override_reason = (override_reason or "").strip()[:1000]
    if failed and not override_reason:
        raise DomainError(
            _("Say why you approve despite the failed checks."), field="override_reason"
        )
    if failed:
        claim.check_override_reason = override_reason
        log_action(
            "mdf.claim.checks_overridden",
            obj=claim,
            after={"reason": override_reason, "failed_checks": failed},
        )
    return ["check_override_reason"] if failed else []


def _approved_amount(claim: Claim, amount, now) -> tuple:
    """Checks of a first approval: (amount in the claim currency, rate, amount in the program
    currency)."""
    req, program = claim.request, claim.program
    amount = parse_money(claim.amount_claimed if amount in (None, "") else amount, field="amount")
    if amount > claim.amount_claimed:
        raise DomainError(
            _("You can approve at most the amount claimed (%(a)s %(c)s).")
            % {"a": claim.amount_claimed, "c": claim.currency},
            field="amount",
        )
    rule = _rule(claim.program_id, req.activity_type)
    if rule is not None:
        limit = (claim.actual_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
        if amount > limit:
            raise DomainError(
                _("At most %(p)s%% of the actual cost can be reimbursed: %(l)s %(c)s.")
                % {"p": rule.max_reimbursable_pct, "l": limit, "c": claim.currency},
                field="amount",
            )
    rate = selectors.rate_for(claim.currency, program.currency, timezone.localdate(now))
    if rate is None:
        raise DomainError(
            _(
                "There is no exchange rate from %(f)s to %(t)s; an admin adds one under "
                "Exchange rates."
            )
            % {"f": claim.currency, "t": program.currency},
            field="amount",
        )
    in_program = selectors.convert(amount, rate)
    open_commitment = selectors.request_open_commitment(req.pk)
    if in_program > open_commitment:
        raise DomainError(
            _("That is %(v)s %(c)s, more than the %(a)s %(c)s committed to the request.")
            % {"v": in_program, "a": open_commitment, "c": program.currency},
            field="amount",
        )
    return amount, rate, in_program


# Each step applies one action's side effects to the locked claim and returns the status it
# ends in, the audit action, and the fields it changed (besides the status).


def _step_approve(claim, by, now, *, amount, reason, override_reason="", **_kw):
    amount, rate, in_program = _approved_amount(claim, amount, now)
    overridden = _check_override(claim, now, override_reason)
    claim.approved_amount = amount
    claim.exchange_rate = rate
    claim.approved_amount_program = in_program
    claim.first_approved_by = by
    claim.first_approved_at = now
    claim.decision_reason = reason
    changed = [
        "approved_amount",
        "exchange_rate",
        "approved_amount_program",
        "first_approved_by",
        "first_approved_at",
        "decision_reason",
        *overridden,
    ]
    threshold = claim.program.second_approval_threshold
    if threshold is not None and in_program > threshold:
        return CLAIM_MACHINE["escalate"].target, "first_approved", changed
    claim.decided_at = now
    _final_approve(claim, claim.request, by)
    return ClaimStatus.APPROVED, ClaimStatus.APPROVED, [*changed, "decided_at"]


def _step_second_approve(claim, by, now, **_kw):
    claim.second_approved_by = by
    claim.second_approved_at = now
    claim.decided_at = now
    _final_approve(claim, claim.request, by)
    changed = ["second_approved_by", "second_approved_at", "decided_at"]
    return ClaimStatus.APPROVED, ClaimStatus.APPROVED, changed


def _step_reject(claim, by, now, *, reason, **_kw):
    claim.decision_reason = reason
    claim.decided_at = now
    return ClaimStatus.REJECTED, ClaimStatus.REJECTED, ["decision_reason", "decided_at"]


def _step_request_info(claim, by, now, *, reason, **_kw):
    claim.info_request = reason
    return ClaimStatus.INFO_REQUESTED, ClaimStatus.INFO_REQUESTED, ["info_request"]


def _step_resubmit(claim, by, now, **_kw):
    claim.submitted_at = now
    return ClaimStatus.SUBMITTED, ClaimStatus.SUBMITTED, ["submitted_at"]


def _step_pay(claim, by, now, *, payment_reference, paid_on, **_kw):
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise DomainError(_("Enter the payment reference."), field="payment_reference")
    if len(payment_reference) > 100:
        raise DomainError(_("At most 100 characters."), field="payment_reference")
    if paid_on is None:
        raise DomainError(_("Enter the payment date."), field="paid_on")
    if paid_on > timezone.localdate(now):
        raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
    if claim.decided_at and paid_on < timezone.localdate(claim.decided_at):
        raise DomainError(_("The payment date is before the approval."), field="paid_on")
    claim.payment_reference = payment_reference
    claim.paid_on = paid_on
    claim.paid_by = by
    _entry(
        program=claim.program,
        partner_id=claim.partner_id,
        kind=LedgerKind.PAYMENT,
        amount=claim.approved_amount_program,
        by=by,
        request=claim.request,
        claim=claim,
        memo=_("Payment %(r)s") % {"r": payment_reference},
    )
    # local: mdf.tasks imports mdf.services, and so this module
    from mdf import tasks

    _queue(tasks.render_remittance, tenant=claim.tenant, claim_id=claim.pk)
    return ClaimStatus.PAID, ClaimStatus.PAID, ["payment_reference", "paid_on", "paid_by"]


_STEPS = {
    "approve": _step_approve,
    "second_approve": _step_second_approve,
    "reject": _step_reject,
    "request_info": _step_request_info,
    "resubmit": _step_resubmit,
    "pay": _step_pay,
}


@transaction.atomic
def _move(
    claim: Claim,
    name: str,
    *,
    by: Member | None,
    amount=None,
    reason: str = "",
    payment_reference: str = "",
    paid_on: datetime.date | None = None,
    override_reason: str = "",
) -> Claim:
    """The one way a claim changes status (mdf.states.CLAIM_MACHINE). Locks the row, checks
    the action, applies its step, audits, and e-mails after commit."""
    _person(by)
    claim = _lock_claim(claim.pk)
    act = CLAIM_MACHINE[name]
    if claim.status not in act.sources:
        raise DomainError(
            _("A claim cannot move from %(a)s to %(b)s.")
            % {"a": ClaimStatus(claim.status).label, "b": ClaimStatus(act.target).label},
            field="status",
        )
    CLAIM_MACHINE.check(claim, by, name)
    reason = (reason or "").strip()[:1000]
    if act.reason and not reason:
        raise DomainError(_("Tell the partner why."), field="reason")
    before = snapshot(claim, CLAIM_AUDIT_FIELDS)
    to, audit_action, changed = _STEPS[name](
        claim,
        by,
        timezone.now(),
        amount=amount,
        reason=reason,
        payment_reference=payment_reference,
        paid_on=paid_on,
        override_reason=override_reason,
    )
    claim.status = to
    claim.save(update_fields=["status", *changed])
    b, a = diff(before, snapshot(claim, CLAIM_AUDIT_FIELDS))
    log_action(f"mdf.claim.{audit_action}", obj=claim, before=b, after=a)
    if f"mdf.claim.{to}" in events.EVENTS:  # decisions and payments
        events.emit(f"mdf.claim.{to}", claim)
    _notify(f"claim.{to}", claim)
    return claim


def claim_render_remittance(*, claim: Claim, force: bool = False) -> str:
    """Render (once) the remittance advice PDF of a paid claim and store it privately."""
    claim = Claim.objects.select_related("program", "partner", "request").get(pk=claim.pk)
    if claim.status != ClaimStatus.PAID:
        raise DomainError(_("Only paid claims have a remittance advice."))
    if claim.remittance_pdf and not force:
        return claim.remittance_pdf.name
    pdf = render_remittance(claim)
    name = f"mdf/{claim.tenant_id}/remittances/{claim.number}-{secrets.token_hex(8)}.pdf"
    stored = claim.remittance_pdf.storage.save(name, ContentFile(pdf))
    Claim.objects.filter(pk=claim.pk).update(remittance_pdf=stored)
    log_action("mdf.claim.remittance_rendered", obj=claim, after={"file": stored})
    return stored
