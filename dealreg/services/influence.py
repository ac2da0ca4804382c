"""Influence claims: a partner claims to have influenced a customer, with evidence; staff
approve or reject it (with a reason) within the review target; the partner may withdraw it
while it waits (dealreg.states.INFLUENCE_CLAIM)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import InfluenceClaim, InfluencerRole
from dealreg.services._common import current_rules
from dealreg.services.direct import influence_credit
from dealreg.states import INFLUENCE_CLAIM, require_may
from partners.domains import registrable_domain
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.roles import PARTNER_ROLES


@transaction.atomic
def influence_claim_submit(
    *, by: Member, customer_name: str, evidence: str, role: str, customer_domain: str = ""
) -> InfluenceClaim:
    """A partner person claims influence on a customer for their company."""
    if by.role not in PARTNER_ROLES or not by.partner_id:
        raise PermissionDenied()
    customer_name = (customer_name or "").strip()
    if not customer_name:
        raise DomainError(_("Enter the customer company."), field="customer_name")
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError(
            _("Describe the evidence: meetings, workshops, recommendations."), field="evidence"
        )
    if role not in InfluencerRole.values:
        raise DomainError(_("Choose SI, ISV, advisor or referral."), field="role")
    rules = current_rules(by.tenant)
    now = timezone.now()
    claim = InfluenceClaim.objects.create(
        tenant_id=by.tenant_id,
        partner_id=by.partner_id,
        customer_name=limited(customer_name, 200, "customer_name"),
        customer_domain=registrable_domain(customer_domain or ""),
        role=role,
        evidence=evidence[:5000],
        submitted_by=by,
        created_at=now,
        due_at=now + datetime.timedelta(hours=rules.influence_review_hours),
    )
    log_action(
        "influence_claim.submitted",
        obj=claim,
        object_label=claim.customer_name,
        after={"partner": claim.partner_id, "customer": claim.customer_name, "role": role},
    )
    return claim


def _move(claim: InfluenceClaim, by: Member, name: str, reason: str = "") -> InfluenceClaim:
    require_may(INFLUENCE_CLAIM, claim, by, name)
    claim = InfluenceClaim.objects.select_for_update().get(pk=claim.pk)
    INFLUENCE_CLAIM.check(claim, by, name)
    reason = (reason or "").strip()[:500]
    if INFLUENCE_CLAIM[name].reason and not reason:
        raise DomainError(_("Tell the partner why."), field="reason")
    before = claim.status
    claim.status = INFLUENCE_CLAIM[name].target
    fields = ["status"]
    if name in ("approve", "reject"):
        claim.decided_at, claim.decided_by, claim.decision_reason = timezone.now(), by, reason
        fields += ["decided_at", "decided_by", "decision_reason"]
    claim.save(update_fields=fields)
    log_action(
        f"influence_claim.{claim.status}",
        obj=claim,
        object_label=claim.customer_name,
        before={"status": before},
        after={"status": claim.status, "reason": reason},
    )
    return claim


@transaction.atomic
def influence_claim_decide(
    *, claim: InfluenceClaim, by: Member, approve: bool, reason: str = ""
) -> InfluenceClaim:
    """Staff approve or reject (a rejection needs a reason). An approval credits the partner
    as an influencer on the customer's open and won deals (influence_credit)."""
    claim = _move(claim, by, "approve" if approve else "reject", reason)
    if approve:
        influence_credit(claim=claim, by=by)
    return claim


@transaction.atomic
def influence_claim_withdraw(*, claim: InfluenceClaim, by: Member) -> InfluenceClaim:
    return _move(claim, by, "withdraw")
