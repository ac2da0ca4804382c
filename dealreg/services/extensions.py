"""Extension requests and influencing partners of a deal (dealreg.states EXTENSION,
INFLUENCER)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import (
    Deal,
    DealInfluencer,
    DealStatus,
    ExtensionRequest,
    InfluencerRole,
)
from dealreg.services._common import (
    _event,
    _lock,
    _mail,
    current_rules,
    influencers_changed,
)
from dealreg.states import DEAL, EXTENSION, INFLUENCER, require_may
from partners.models import Partner
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES

# --- Extensions, influencers --------------------------------------------------------------


@transaction.atomic
def extension_request(*, deal: Deal, by: Member, reason: str) -> ExtensionRequest:
    require_may(DEAL, deal, by, "extend")
    deal = _lock(deal)
    DEAL.check(deal, by, "extend")
    if not (reason or "").strip():
        raise DomainError(_("Say why you need more time."), field="reason")
    try:
        with transaction.atomic():
            req = ExtensionRequest.objects.create(
                tenant_id=deal.tenant_id,
                deal=deal,
                requested_by=by,
                reason=limited(reason.strip(), 500, "reason"),
            )
    except IntegrityError:
        raise DomainError(_("An extension request is already waiting."))
    _event(deal, "extension_requested", _("Extension requested: %(r)s") % {"r": reason}, actor=by)
    log_action("deal.extension_requested", obj=deal, after={"reason": reason})
    _mail(deal, "extension", reason=reason)
    return req


@transaction.atomic
def extension_decide(*, request: ExtensionRequest, by: Member, approve: bool) -> ExtensionRequest:
    name = "approve" if approve else "reject"
    require_may(EXTENSION, request, by, name)
    req = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    deal = req.deal = _lock(req.deal)
    EXTENSION.check(req, by, name)
    rules = current_rules(deal.tenant)
    req.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    req.decided_at, req.decided_by = timezone.now(), by
    req.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        if deal.status != DealStatus.APPROVED or deal.extensions_used >= rules.max_extensions:
            raise DomainError(_("This deal can no longer be extended."))
        before = deal.protected_until
        deal.protected_until = deal.protected_until + datetime.timedelta(days=rules.extension_days)
        deal.extensions_used += 1
        deal.expiry_reminder_sent_at = None
        deal.save(update_fields=["protected_until", "extensions_used", "expiry_reminder_sent_at"])
        _event(
            deal,
            "extended",
            _("Protection extended until %(d)s.") % {"d": deal.protected_until.isoformat()},
            actor=by,
        )
        log_action(
            "deal.extended",
            obj=deal,
            before={"protected_until": before},
            after={"protected_until": deal.protected_until},
        )
    else:
        _event(deal, "extension_rejected", _("Extension request declined."), actor=by)
        log_action("deal.extension_rejected", obj=deal)
    return req


@transaction.atomic
def influencer_add(*, deal: Deal, by: Member, partner: Partner) -> DealInfluencer:
    """Staff add an influencing partner; a partner may ask to be added (pending)."""
    if partner.pk == deal.partner_id:
        raise DomainError(
            _("The sourcing partner cannot also influence its own deal."), field="partner"
        )
    if by.role in STAFF_ROLES:
        DEAL.check(deal, by, "add_influencer")
        status = DealInfluencer.Status.APPROVED
    elif by.role in PARTNER_ROLES and by.partner_id == partner.pk:
        status = DealInfluencer.Status.REQUESTED
    else:
        raise PermissionDenied()
    try:
        with transaction.atomic():
            inf = DealInfluencer.objects.create(
                tenant_id=deal.tenant_id, deal=deal, partner=partner, status=status, added_by=by
            )
    except IntegrityError:
        raise DomainError(_("This partner is already recorded on the deal."), field="partner")
    _event(
        deal,
        "influencer_added",
        _("An influencing partner was added.")
        if status == "approved"
        else _("A partner asked to be recorded as influencer."),
        actor=by,
        staff_only=True,
    )
    log_action("deal.influencer_added", obj=deal, after={"partner": partner.pk, "status": status})
    influencers_changed(deal)
    return inf


@transaction.atomic
def influencer_set(*, influencer: DealInfluencer, by: Member, weight, role: str) -> DealInfluencer:
    """Staff set an influencer's weight (its share under weighted attribution) and role."""
    require_may(INFLUENCER, influencer, by, "edit")
    influencer = DealInfluencer.objects.select_for_update().get(pk=influencer.pk)
    INFLUENCER.check(influencer, by, "edit")
    try:
        weight = Decimal(str(weight).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field="weight")
    if (
        not weight.is_finite()
        or weight <= 0
        or weight >= 1000
        or weight != weight.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            _("Enter a weight above 0 and below 1000, with at most two decimals."),
            field="weight",
        )
    role = role or ""
    if role and role not in InfluencerRole.values:
        raise DomainError(_("Choose SI, ISV, advisor or referral."), field="role")
    before = {"weight": str(influencer.weight), "role": influencer.role}
    influencer.weight, influencer.role = weight.quantize(Decimal("0.01")), role
    after = {"weight": str(influencer.weight), "role": influencer.role}
    if before == after:
        return influencer
    influencer.save(update_fields=["weight", "role"])
    log_action(
        "deal.influencer_updated",
        obj=influencer.deal,
        object_label=str(influencer.partner),
        before=before,
        after=after,
    )
    influencers_changed(influencer.deal)
    return influencer


@transaction.atomic
def influencer_decide(*, influencer: DealInfluencer, by: Member, approve: bool) -> DealInfluencer:
    name = "approve" if approve else "reject"
    require_may(INFLUENCER, influencer, by, name)
    influencer = DealInfluencer.objects.select_for_update().get(pk=influencer.pk)
    INFLUENCER.check(influencer, by, name)
    influencer.status = (
        DealInfluencer.Status.APPROVED if approve else DealInfluencer.Status.REJECTED
    )
    influencer.save(update_fields=["status"])
    log_action(
        "deal.influencer_" + ("approved" if approve else "rejected"),
        obj=influencer.deal,
        after={"partner": influencer.partner_id},
    )
    influencers_changed(influencer.deal)
    return influencer
