"""A fund request's page and its actions, one URL each (mdf.states.REQUEST_MACHINE)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mdf import selectors, services
from mdf.forms import CancelForm, RequestDecisionForm
from mdf.models import ActivityRule, ClaimStatus
from mdf.states import REQUEST_MACHINE
from mdf.views.common import confirmed_action, take_action
from prm.decorators import member_required
from prm.roles import has_perm

DECISIONS = ("approve", "reject", "return")


def _visible(request, pk: int):
    return get_object_or_404(
        selectors.requests_visible_to(request.member).select_related("program", "partner"),
        pk=pk,
    )


def _page(request, req, *, decision_form=None, cancel_form=None):
    member = request.member
    claims = list(req.claims.all().order_by("-submitted_at"))
    req.live_claim = next((c for c in claims if c.status != ClaimStatus.REJECTED), None)
    allowed = REQUEST_MACHINE.allowed(req, member)
    staff = has_perm(member.role, "mdf.review")
    if decision_form is None and allowed.intersection(DECISIONS):
        decision_form = RequestDecisionForm()
    if cancel_form is None and "cancel" in allowed:
        cancel_form = CancelForm()
    rule = ActivityRule.objects.filter(
        program_id=req.program_id, activity_type=req.activity_type
    ).first()
    return render(
        request,
        "mdf/request_detail.html",
        {
            "req": req,
            "rule": rule,
            "staff": staff,
            "allowed": allowed,
            "claims": claims,
            "live_claim": req.live_claim,
            "decision_form": decision_form,
            "cancel_form": cancel_form,
            "balance": selectors.balance_for(program=req.program_id, partner=req.partner_id)
            if staff
            else None,
            "entries": selectors.ledger(request_id=req.pk)[:50] if staff else [],
        },
    )


@require_safe
@member_required("mdf.view")
def request_detail(request, pk: int):
    return _page(request, _visible(request, pk))


def _decide(request, pk: int, name: str, service):
    req = _visible(request, pk)
    return take_action(
        request,
        machine=REQUEST_MACHINE,
        obj=req,
        name=name,
        form=RequestDecisionForm(request.POST),
        run=lambda d: service(req, d),
        page=lambda form: _page(request, req, decision_form=form),
        done=_("Decision saved; the partner is told by e-mail."),
        back=req.get_absolute_url(),
    )


@require_POST
@member_required("mdf.review")
def request_approve(request, pk: int):
    return _decide(
        request,
        pk,
        "approve",
        lambda req, d: services.request_approve(
            request=req, by=request.member, amount=d["amount"], reason=d["reason"]
        ),
    )


@require_http_methods(["GET", "POST"])
@member_required("mdf.review")
def request_reject(request, pk: int):
    """GET: the confirmation page, which asks for the reason; POST: reject."""
    req = _visible(request, pk)
    return confirmed_action(
        request,
        machine=REQUEST_MACHINE,
        obj=req,
        name="reject",
        confirm="mdf-request-reject",
        run=lambda d: services.request_reject(request=req, by=request.member, reason=d["reason"]),
        done=_("Decision saved; the partner is told by e-mail."),
        back=req.get_absolute_url(),
    )


@require_POST
@member_required("mdf.review")
def request_return(request, pk: int):
    return _decide(
        request,
        pk,
        "return",
        lambda req, d: services.request_return(request=req, by=request.member, reason=d["reason"]),
    )


@require_http_methods(["GET", "POST"])
@member_required("mdf.view")
def request_cancel(request, pk: int):
    """GET: the confirmation page (with the optional reason); POST: cancel."""
    req = _visible(request, pk)
    return confirmed_action(
        request,
        machine=REQUEST_MACHINE,
        obj=req,
        name="cancel",
        confirm="mdf-request-cancel",
        run=lambda d: services.request_cancel(
            request=req, by=request.member, reason=d.get("reason", "")
        ),
        done=_("Request cancelled."),
        back=req.get_absolute_url(),
    )
