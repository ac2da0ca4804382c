"""Fund requests: submit, change, decide, cancel."""

from __future__ import annotations

import datetime
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mdf import selectors
from mdf.models import (
    REQUEST_FIELDS,
    ActivityRule,
    FundRequest,
    LedgerKind,
    Program,
    RequestStatus,
)
from mdf.services._common import (
    CENT,
    CODE_ALPHABET,
    _entry,
    _lock_funds,
    _notify,
    _release,
    _rule,
    local_today,
    parse_money,
    program_is_open_for_funds,
)
from mdf.states import REQUEST_MACHINE
from partners import questions
from partners.models import Partner, PartnerStatus
from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import has_perm

# --- Requests -----------------------------------------------------------------------------

REQUEST_AUDIT_FIELDS = [
    "status",
    "approved_amount",
    "campaign_code",
    "claim_deadline",
    "decision_reason",
]


def _validate_request(req: FundRequest, *, today: datetime.date) -> ActivityRule:
    program = req.program
    if program.is_expired or today > program.end_date:
        raise DomainError(_("This program no longer takes requests."), field="program")
    rule = _rule(program.pk, req.activity_type)
    if rule is None:
        raise DomainError(
            _("This program does not fund this activity type."), field="activity_type"
        )
    req.title = (req.title or "").strip()
    req.target_audience = (req.target_audience or "").strip()
    req.full_clean(exclude=["tenant", "program", "partner"], validate_constraints=False)
    if req.end_date < req.start_date:
        raise DomainError(_("The activity must end on or after its start."), field="end_date")
    if req.start_date < program.start_date or req.end_date > program.end_date:
        raise DomainError(
            _("The activity must take place within the program period (%(a)s – %(b)s).")
            % {"a": program.start_date, "b": program.end_date},
            field="start_date",
        )
    _check_funded_campaign(req)
    parse_money(req.planned_cost, field="planned_cost")
    parse_money(req.requested_amount, field="requested_amount")
    limit = (req.planned_cost * rule.max_reimbursable_pct / 100).quantize(CENT)
    if req.requested_amount > limit:
        raise DomainError(
            _("At most %(p)s%% of the planned cost can be funded: %(l)s %(c)s.")
            % {"p": rule.max_reimbursable_pct, "l": limit, "c": program.currency},
            field="requested_amount",
        )
    avail = selectors.available(program_id=program.pk, partner_id=req.partner_id)
    if req.requested_amount > avail:
        raise DomainError(
            _("You have %(a)s %(c)s available in this program.")
            % {"a": avail, "c": program.currency},
            field="requested_amount",
        )
    return rule


def _check_funded_campaign(req: FundRequest) -> None:
    """A request may fund one of its own partner's marketing campaigns (the marketing app
    answers whose code it is), and each campaign is funded by one request at a time: its code
    becomes that request's campaign code on approval. One message whether the code is
    unknown or another partner's, so it says nothing about other partners' campaigns."""
    code = (req.funded_campaign_code or "").strip().upper()
    req.funded_campaign_code = code
    if not code:
        return
    if not questions.ask("partner.marketing_campaign_of", partner_id=req.partner_id, code=code):
        raise DomainError(
            _("This is not the code of one of your company's campaigns."),
            field="funded_campaign_code",
        )
    taken = (
        FundRequest.objects.filter(
            Q(campaign_code=code)
            | Q(funded_campaign_code=code)
            & ~Q(status__in=[RequestStatus.REJECTED, RequestStatus.CANCELLED])
        )
        .exclude(pk=req.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            _("Another fund request already pays for this campaign."),
            field="funded_campaign_code",
        )


@transaction.atomic
def request_submit(*, program: Program, by: Member, **fields) -> FundRequest:
    """A partner person asks for funds for one activity of its own company."""
    if by is None or not has_perm(by.role, "mdf.use") or not by.partner_id:
        raise PermissionDenied()
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    partner = Partner.objects.get(pk=by.partner_id)
    if partner.status != PartnerStatus.ACTIVE:
        raise DomainError(_("Only active partners can request funds."))
    now = timezone.now()
    req = FundRequest(
        tenant_id=program.tenant_id,
        program=program,
        partner=partner,
        submitted_by=by,
        status=RequestStatus.SUBMITTED,
        created_at=now,
        submitted_at=now,
        **fields,
    )
    _validate_request(req, today=timezone.localdate(now))
    req.save()
    log_action("mdf.request.submitted", obj=req, after=snapshot(req, ["status", *REQUEST_FIELDS]))
    _notify("request.submitted", req)
    return req


@transaction.atomic
def request_update(*, request: FundRequest, by: Member, **changes) -> FundRequest:
    """The partner edits its request while it is submitted or returned for changes; a
    returned request goes back to the review queue."""
    unknown = set(changes) - set(REQUEST_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(f)s.") % {"f": sorted(unknown)[0]})
    if by is None:
        raise PermissionDenied()
    req = FundRequest.objects.select_for_update().select_related("program").get(pk=request.pk)
    REQUEST_MACHINE.check(req, by, "edit")
    before = snapshot(req, REQUEST_FIELDS)
    for name, value in changes.items():
        setattr(req, name, value)
    _validate_request(req, today=local_today())
    b, a = diff(before, snapshot(req, REQUEST_FIELDS))
    if a:
        req.save(update_fields=list(a))
        log_action("mdf.request.updated", obj=req, before=b, after=a)
    if req.status == RequestStatus.RETURNED:
        req = _move(req, "resubmit", by=by)
    return req


def _new_campaign_code() -> str:
    for _attempt in range(20):
        code = "MDF-" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(5))
        if not FundRequest.objects.filter(campaign_code=code).exists():
            return code
    raise DomainError(_("Could not issue a campaign code; try again."))


def request_approve(*, request: FundRequest, by: Member, amount=None, reason: str = ""):
    """Approve in full or in part: `amount` defaults to the amount requested. Commits the
    funds under the partner's funds lock after re-checking the derived balance, and issues
    the campaign code."""
    return _move(request, "approve", by=by, amount=amount, reason=reason)


def request_reject(*, request: FundRequest, by: Member, reason: str) -> FundRequest:
    """Reject with a reason, which the partner is shown."""
    return _move(request, "reject", by=by, reason=reason)


def request_return(*, request: FundRequest, by: Member, reason: str) -> FundRequest:
    """Return to the partner for changes, with a reason."""
    return _move(request, "return", by=by, reason=reason)


def request_cancel(*, request: FundRequest, by: Member, reason: str = "") -> FundRequest:
    """The partner or staff cancel; an approved request's commitment is released (only while
    it has no live claim)."""
    return _move(request, "cancel", by=by, reason=reason)


def request_complete(*, request: FundRequest, by: Member | None) -> FundRequest:
    """System move when the request's claim is approved (see mdf.services.claims)."""
    return _move(request, "complete", by=by, system=True)


_VERB_TO = {
    RequestStatus.APPROVED: "approve",
    RequestStatus.REJECTED: "reject",
    RequestStatus.RETURNED: "return",
    RequestStatus.CANCELLED: "cancel",
    RequestStatus.SUBMITTED: "resubmit",
    RequestStatus.COMPLETED: "complete",
}


def request_transition(
    *,
    request: FundRequest,
    to: str,
    by: Member | None,
    amount=None,
    reason: str = "",
) -> FundRequest:
    """Generic entry by target status (scripts and tests); callers with a verb use the
    request_<verb> services. Moves the machine does not declare are refused by status."""
    if to not in RequestStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    name = _VERB_TO[to]
    return _move(request, name, by=by, amount=amount, reason=reason)


def _commit_approval(req: FundRequest, by: Member | None, amount, now) -> list[str]:
    """Money side of an approval: checks the amount, commits the funds under the partner's
    funds lock after re-checking the derived balance, sets the claim deadline and issues the
    campaign code. Returns the fields it changed."""
    amount = parse_money(req.requested_amount if amount in (None, "") else amount, field="amount")
    if amount > req.requested_amount:
        raise DomainError(
            _("You can approve at most the amount requested (%(a)s).")
            % {"a": req.requested_amount},
            field="amount",
        )
    rule = _rule(req.program_id, req.activity_type)
    if rule is None:
        raise DomainError(
            _("The program no longer funds this activity type."), field="activity_type"
        )
    program = _lock_funds(req.program_id, req.partner_id)
    program_is_open_for_funds(program, timezone.localdate(now))
    avail = selectors.available(program_id=program.pk, partner_id=req.partner_id)
    if amount > avail:
        raise DomainError(
            _("Only %(a)s %(c)s is available to this partner; approve less or add funds.")
            % {"a": avail, "c": program.currency},
            field="amount",
        )
    req.approved_amount = amount
    req.claim_deadline = req.end_date + datetime.timedelta(days=rule.claim_deadline_days)
    # A request that funds a campaign takes the campaign's code (deals registered with it
    # count in this request's ROI); any other gets a new one.
    req.campaign_code = req.funded_campaign_code or _new_campaign_code()
    _entry(
        program=program,
        partner_id=req.partner_id,
        kind=LedgerKind.COMMIT,
        amount=amount,
        by=by,
        request=req,
        memo=f"{req.number} {req.title}",
    )
    return ["approved_amount", "claim_deadline", "campaign_code"]


@transaction.atomic
def _move(
    request: FundRequest,
    name: str,
    *,
    by: Member | None,
    amount=None,
    reason: str = "",
    system: bool = False,
) -> FundRequest:
    """The one way a request changes status (mdf.states.REQUEST_MACHINE). Locks the row,
    checks the action, applies the money side, audits, and e-mails after commit."""
    if by is None and not system:
        raise PermissionDenied()
    req = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("program", "partner")
        .get(pk=request.pk)
    )
    old = req.status
    act = REQUEST_MACHINE[name]
    if old not in act.sources or (act.system and not system):
        raise DomainError(
            _("A request cannot move from %(a)s to %(b)s.")
            % {"a": RequestStatus(old).label, "b": RequestStatus(act.target).label},
            field="status",
        )
    REQUEST_MACHINE.check(req, None if system else by, name)
    to = act.target
    reason = (reason or "").strip()[:1000]
    before = snapshot(req, REQUEST_AUDIT_FIELDS)
    now = timezone.now()
    changed = ["status"]
    if to == RequestStatus.APPROVED:
        changed += _commit_approval(req, by, amount, now)
    elif act.reason:
        if not reason:
            raise DomainError(_("Tell the partner why."), field="reason")
    elif to == RequestStatus.CANCELLED and old == RequestStatus.APPROVED:
        program = _lock_funds(req.program_id, req.partner_id)
        _release(
            program=program,
            request=req,
            amount=selectors.request_open_commitment(req.pk),
            by=by,
            memo=_("Request cancelled"),
        )
    elif to == RequestStatus.SUBMITTED:
        req.submitted_at = now
        changed.append("submitted_at")
    if to in (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.RETURNED):
        req.decided_by = by
        req.decided_at = now
        req.decision_reason = reason
        changed += ["decided_by", "decided_at", "decision_reason"]
    elif to == RequestStatus.CANCELLED and reason:
        req.decision_reason = reason
        changed.append("decision_reason")
    req.status = to
    req.save(update_fields=changed)
    b, a = diff(before, snapshot(req, REQUEST_AUDIT_FIELDS))
    log_action(f"mdf.request.{to}", obj=req, before=b, after=a)
    if f"mdf.request.{to}" in events.EVENTS:  # decisions: approved, rejected, returned
        events.emit(f"mdf.request.{to}", req)
    if to != RequestStatus.COMPLETED:
        _notify(f"request.{to}", req)
    return req
