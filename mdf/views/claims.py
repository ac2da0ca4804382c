"""A claim's page and its actions, one URL each (mdf.states.CLAIM_MACHINE)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mdf import selectors, services
from mdf.forms import ClaimDecisionForm, ClaimForm, DocumentForm, PaymentForm, SecondApprovalForm
from mdf.models import CLAIM_FIELDS, Claim
from mdf.states import CLAIM_MACHINE
from mdf.views.common import confirmed_action, take_action
from prm.decorators import member_required
from prm.roles import has_perm

DECISIONS = ("approve", "request_info")


def _visible(request, pk: int) -> Claim:
    return get_object_or_404(
        selectors.claims_visible_to(request.member).select_related(
            "first_approved_by__user", "second_approved_by__user", "paid_by__user"
        ),
        pk=pk,
    )


def _checks_for(claim: Claim) -> list:
    return selectors.checks_by_claim([claim])[claim.pk]


def _checks_failed(claim: Claim) -> bool:
    return bool(selectors.failed_checks(_checks_for(claim)))


def _page(request, claim: Claim, **bound):
    member = request.member
    allowed = CLAIM_MACHINE.allowed(claim, member)
    staff = has_perm(member.role, "mdf.review")
    checks = _checks_for(claim) if staff else []
    failed = selectors.failed_checks(checks)
    offers = {
        "decision_form": (
            bool(allowed.intersection(DECISIONS)),
            lambda: ClaimDecisionForm(checks_failed=bool(failed)),
        ),
        "second_form": ("second_approve" in allowed, lambda: SecondApprovalForm()),
        "payment_form": ("pay" in allowed, lambda: PaymentForm()),
        "respond_form": (
            "resubmit" in allowed,
            lambda: ClaimForm(
                initial={f: getattr(claim, f) for f in CLAIM_FIELDS}, with_files=False
            ),
        ),
        "document_form": ("add_documents" in allowed, lambda: DocumentForm()),
    }
    forms = {
        key: bound.get(key) or (make() if offered else None)
        for key, (offered, make) in offers.items()
    }
    return render(
        request,
        "mdf/claim_detail.html",
        {
            "claim": claim,
            "req": claim.request,
            "staff": staff,
            "own": member.partner_id == claim.partner_id,
            "allowed": allowed,
            "checks": checks,
            "failed_checks": failed,
            "documents": claim.documents.all(),
            "evidence_rows": selectors.campaign_evidence_rows(claim.campaign_evidence),
            **forms,
        },
    )


@require_safe
@member_required("mdf.view")
def claim_detail(request, pk: int):
    return _page(request, _visible(request, pk))


def _act(request, pk: int, name: str, *, form_class, form_key: str, run, done: str, files=False):
    claim = _visible(request, pk)
    if form_class is ClaimForm:
        form = ClaimForm(request.POST, with_files=False)
    elif form_class is ClaimDecisionForm:
        form = ClaimDecisionForm(request.POST, checks_failed=_checks_failed(claim))
    else:
        form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    return take_action(
        request,
        machine=CLAIM_MACHINE,
        obj=claim,
        name=name,
        form=form,
        run=lambda d: run(claim, form, d),
        page=lambda f: _page(request, claim, **{form_key: f}),
        done=done,
        back=claim.get_absolute_url(),
    )


@require_POST
@member_required("mdf.review")
def claim_approve(request, pk: int):
    return _act(
        request,
        pk,
        "approve",
        form_class=ClaimDecisionForm,
        form_key="decision_form",
        run=lambda claim, _f, d: services.claim_approve(
            claim=claim,
            by=request.member,
            amount=d["amount"],
            reason=d["reason"],
            override_reason=d.get("override_reason", ""),
        ),
        done=_("Decision saved."),
    )


@require_POST
@member_required("mdf.review")
def claim_request_info(request, pk: int):
    return _act(
        request,
        pk,
        "request_info",
        form_class=ClaimDecisionForm,
        form_key="decision_form",
        run=lambda claim, _f, d: services.claim_request_info(
            claim=claim, by=request.member, reason=d["reason"]
        ),
        done=_("Decision saved."),
    )


def _reject(request, pk: int, confirm: str):
    claim = _visible(request, pk)
    return confirmed_action(
        request,
        machine=CLAIM_MACHINE,
        obj=claim,
        name="reject",
        confirm=confirm,
        run=lambda d: services.claim_reject(claim=claim, by=request.member, reason=d["reason"]),
        done=_("Claim rejected; the partner is told."),
        back=claim.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@member_required("mdf.review")
def claim_reject(request, pk: int):
    """Rejected from review; GET: the confirmation page, which asks for the reason."""
    return _reject(request, pk, "mdf-claim-reject")


@require_http_methods(["GET", "POST"])
@member_required("mdf.admin")
def claim_second_reject(request, pk: int):
    """Rejected at the second approval (an admin); GET: the confirmation page."""
    return _reject(request, pk, "mdf-claim-second-reject")


@require_POST
@member_required("mdf.admin")
def claim_second_approve(request, pk: int):
    return _act(
        request,
        pk,
        "second_approve",
        form_class=SecondApprovalForm,
        form_key="second_form",
        run=lambda claim, _f, d: services.claim_second_approve(
            claim=claim, by=request.member, reason=d["reason"]
        ),
        done=_("Decision saved."),
    )


@require_POST
@member_required("mdf.admin")
def claim_pay(request, pk: int):
    return _act(
        request,
        pk,
        "pay",
        form_class=PaymentForm,
        form_key="payment_form",
        run=lambda claim, _f, d: services.claim_pay(claim=claim, by=request.member, **d),
        done=_("Marked as paid; the partner is told by e-mail."),
    )


@require_POST
@member_required("mdf.use")
def claim_respond(request, pk: int):
    return _act(
        request,
        pk,
        "resubmit",
        form_class=ClaimForm,
        form_key="respond_form",
        run=lambda claim, form, _d: services.claim_update(
            claim=claim, by=request.member, **form.values()
        ),
        done=_("Claim sent back for review."),
    )


@require_POST
@member_required("mdf.use")
def claim_add_document(request, pk: int):
    return _act(
        request,
        pk,
        "add_documents",
        form_class=DocumentForm,
        form_key="document_form",
        files=True,
        run=lambda claim, _f, d: services.claim_add_documents(
            claim=claim, by=request.member, documents=[(d["kind"], d["file"])]
        ),
        done=_("Document added."),
    )
