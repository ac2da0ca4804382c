"""The state machines of fund requests and claims, declared once (prm.states).

Services check every move here (`REQUEST_MACHINE.check(req, member, "approve")`, or
`check_move` for the system's moves); portal views hand `allowed(obj, member)` to the
templates, which offer exactly those actions; the API answers with the same checks and lists
the same names in `allowed_actions`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mdf.models import Claim, ClaimStatus, RequestStatus
from prm.roles import has_perm
from prm.states import StateMachine, action


def _can(capability: str):
    def guard(_obj, member) -> bool:
        return has_perm(member.role, capability)

    return guard


def _own(obj, member) -> bool:
    """A person of the partner company the request or claim belongs to."""
    return (
        has_perm(member.role, "mdf.use")
        and member.partner_id is not None
        and member.partner_id == obj.partner_id
    )


def _own_or_staff(obj, member) -> bool:
    return _own(obj, member) or has_perm(member.role, "mdf.review")


def has_live_claim(req) -> bool:
    """A claim that is not rejected (at most one per request). Views that already loaded the
    claims set `req.live_claim` (None or the claim), querysets may annotate `has_live_claim_db`,
    to spare the query."""
    if hasattr(req, "live_claim"):
        return req.live_claim is not None
    if hasattr(req, "has_live_claim_db"):  # annotated by the API's queryset
        return req.has_live_claim_db
    return Claim.objects.filter(request_id=req.pk).exclude(status=ClaimStatus.REJECTED).exists()


def _cancellable(req, _member) -> bool:
    return req.status != RequestStatus.APPROVED or not has_live_claim(req)


def _unclaimed(req, _member) -> bool:
    return not has_live_claim(req)


def _second_approver(claim, member) -> bool:
    return has_perm(member.role, "mdf.admin") and member.pk != claim.first_approved_by_id


def _rejecter(claim, member) -> bool:
    # At the second approval only an admin decides; before that, any reviewer.
    needed = "mdf.admin" if claim.status == ClaimStatus.SECOND_APPROVAL else "mdf.review"
    return has_perm(member.role, needed)


S = RequestStatus
REQUEST_MACHINE = StateMachine(
    actions=[
        action("edit", _("Change"), [S.SUBMITTED, S.RETURNED], who=_own),
        action("resubmit", _("Resubmit"), [S.RETURNED], S.SUBMITTED, who=_own),
        action("approve", _("Approve"), [S.SUBMITTED], S.APPROVED, who=_can("mdf.review")),
        action(
            "reject", _("Reject"), [S.SUBMITTED], S.REJECTED, who=_can("mdf.review"), reason=True
        ),
        action(
            "return",
            _("Return for changes"),
            [S.SUBMITTED],
            S.RETURNED,
            who=_can("mdf.review"),
            reason=True,
        ),
        action(
            "cancel",
            _("Cancel request"),
            [S.SUBMITTED, S.RETURNED, S.APPROVED],
            S.CANCELLED,
            who=_own_or_staff,
            when=_cancellable,
            confirm=True,
            refusal=_("A claim has been filed for this request; it can no longer be cancelled."),
        ),
        action(
            "claim",
            _("File the claim"),
            [S.APPROVED],
            who=_own,
            when=_unclaimed,
            refusal=_("This request already has a claim."),
        ),
        # The request's claim was approved: its commitment is used up or released.
        action("complete", _("Complete"), [S.APPROVED], S.COMPLETED, system=True),
    ]
)

C = ClaimStatus
CLAIM_MACHINE = StateMachine(
    actions=[
        action("edit", _("Change"), [C.SUBMITTED, C.INFO_REQUESTED], who=_own),
        action("add_documents", _("Add a document"), [C.SUBMITTED, C.INFO_REQUESTED], who=_own),
        action("resubmit", _("Answer and resubmit"), [C.INFO_REQUESTED], C.SUBMITTED, who=_own),
        action("approve", _("Approve"), [C.SUBMITTED], C.APPROVED, who=_can("mdf.review")),
        # An approval above the program's threshold waits for a second admin.
        action(
            "escalate",
            _("Ask for a second approval"),
            [C.SUBMITTED],
            C.SECOND_APPROVAL,
            system=True,
        ),
        action(
            "second_approve",
            _("Second approval"),
            [C.SECOND_APPROVAL],
            C.APPROVED,
            who=_second_approver,
        ),
        action(
            "reject",
            _("Reject"),
            [C.SUBMITTED, C.SECOND_APPROVAL],
            C.REJECTED,
            who=_rejecter,
            reason=True,
        ),
        action(
            "request_info",
            _("Ask for more information"),
            [C.SUBMITTED],
            C.INFO_REQUESTED,
            who=_can("mdf.review"),
            reason=True,
        ),
        action("pay", _("Mark as paid"), [C.APPROVED], C.PAID, who=_can("mdf.admin"), confirm=True),
    ]
)

# Derived, for readers and tests: the statuses each status may move to.
REQUEST_TRANSITIONS = {s: REQUEST_MACHINE.targets(s) for s in RequestStatus.values}
CLAIM_TRANSITIONS = {s: CLAIM_MACHINE.targets(s) for s in ClaimStatus.values}
