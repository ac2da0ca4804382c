"""The vendor's direct deals, kept in step with the CRM by its id, and the partners credited
with influencing them: by the CRM (its influencer list) or by an approved influence claim
(influence_credit, which also credits other partners' registered deals)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import (
    ACTIVE_STATUSES,
    Deal,
    DealInfluencer,
    DealStatus,
    DirectDeal,
    DirectDealInfluencer,
    InfluenceClaim,
    InfluencerRole,
)
from dealreg.services._common import _event, influencers_changed
from partners.domains import normalise_company_name, registrable_domain
from partners.freemail import is_freemail
from partners.models import Partner
from prm import events
from prm.audit import log_action
from prm.errors import DomainError
from prm.models import Member

DEFAULT_CLAIM_WEIGHT = Decimal("1")


def _refuse(errors: dict) -> None:
    if errors:
        field, message = next(iter(errors.items()))
        exc = DomainError(message if isinstance(message, str) else message[0], field=field)
        exc.errors = errors
        raise exc


def _clean_influencers(tenant, influencers) -> list[dict]:
    """The CRM's influencer list, checked: each names a partner of this tenant once, with a
    positive weight and a known role. Errors are reported per entry."""
    problems, clean, seen = [], [], set()
    known = {
        p.pk: p for p in Partner.objects.filter(pk__in=[i.get("partner") for i in influencers])
    }
    for n, item in enumerate(influencers):
        partner = known.get(item.get("partner"))
        weight = item.get("weight", DEFAULT_CLAIM_WEIGHT)
        try:
            weight = Decimal(str(weight))
        except (InvalidOperation, ValueError):
            weight = None
        role = item.get("role") or ""
        if partner is None:
            problems.append(
                _("Influencer %(n)s: %(problem)s") % {"n": n + 1, "problem": _("No such partner.")}
            )
        elif partner.pk in seen:
            problems.append(
                _("Influencer %(n)s: %(problem)s")
                % {"n": n + 1, "problem": _("This partner is listed twice.")}
            )
        elif weight is None or weight < Decimal("0.01") or weight >= Decimal("1000"):
            problems.append(
                _("Influencer %(n)s: %(problem)s")
                % {"n": n + 1, "problem": _("Enter a weight from 0.01 to 999.99.")}
            )
        elif role and role not in InfluencerRole.values:
            problems.append(
                _("Influencer %(n)s: %(problem)s")
                % {"n": n + 1, "problem": _("Choose SI, ISV, advisor or referral.")}
            )
        else:
            seen.add(partner.pk)
            clean.append(
                {"partner": partner, "weight": weight.quantize(Decimal("0.01")), "role": role}
            )
    _refuse({"influencers": problems} if problems else {})
    return clean


def _direct_influencers_changed(deal: DirectDeal, partner_ids) -> None:
    events.emit(
        "direct_deal.influencers_changed",
        {"direct_deal_id": deal.pk, "partner_ids": sorted(partner_ids)},
        tenant=deal.tenant_id,
    )


def _influencer_state(deal: DirectDeal) -> list[list]:
    return sorted(
        [i.partner_id, str(i.weight), i.role, i.claim_id]
        for i in DirectDealInfluencer.objects.filter(direct_deal=deal)
    )


@transaction.atomic
def direct_deal_upsert(
    *,
    by: Member,
    external_id: str,
    customer_name: str,
    amount,
    customer_domain: str = "",
    currency: str = "",
    status: str = DirectDeal.Status.OPEN,
    closed_at: datetime.date | None = None,
    influencers: list[dict] | None = None,
) -> tuple[DirectDeal, bool]:
    """Create or update the direct deal with this CRM id; returns (deal, created). The
    influencer list, when sent, replaces the CRM-set influencers (those credited by an
    approved influence claim stay). Sending the same values again changes nothing and
    writes no audit event."""
    external_id = (external_id or "").strip()
    customer_name = (customer_name or "").strip()
    errors = {}
    if not external_id:
        errors["external_id"] = _("Enter the CRM id.")
    elif len(external_id) > 100:
        errors["external_id"] = _("A CRM id has at most 100 characters.")
    if not customer_name:
        errors["customer_name"] = _("Enter the customer company.")
    if status not in DirectDeal.Status.values:
        errors["status"] = _("Choose open, won or lost.")
    if amount is None or Decimal(amount) < 0:
        errors["amount"] = _("Enter an amount of 0 or more.")
    if status == DirectDeal.Status.OPEN and closed_at:
        errors["closed_at"] = _("An open deal has no closing date.")
    _refuse(errors)
    clean = _clean_influencers(by.tenant, influencers) if influencers is not None else None
    if status != DirectDeal.Status.OPEN and closed_at is None:
        closed_at = timezone.now().date()
    values = {
        "customer_name": customer_name[:200],
        "customer_name_normalised": normalise_company_name(customer_name)[:200],
        "customer_domain": registrable_domain(customer_domain or ""),
        "amount": Decimal(amount).quantize(Decimal("0.01")),
        "currency": (currency or by.tenant.default_currency).upper()[:3],
        "status": status,
        "closed_at": closed_at,
    }
    deal = DirectDeal.objects.select_for_update().filter(external_id=external_id).first()
    created = deal is None
    was_won = not created and deal.status == DirectDeal.Status.WON
    if created:
        deal = DirectDeal.objects.create(tenant_id=by.tenant_id, external_id=external_id, **values)
        before, before_inf = {}, []
    else:
        before = {k: getattr(deal, k) for k in values}
        before_inf = _influencer_state(deal)
        if before != values:
            for k, v in values.items():
                setattr(deal, k, v)
            deal.updated_at = timezone.now()
            deal.save()
    if clean is not None:
        kept = DirectDealInfluencer.objects.filter(direct_deal=deal)
        kept.filter(claim__isnull=True).exclude(partner__in=[c["partner"] for c in clean]).delete()
        for c in clean:
            DirectDealInfluencer.objects.update_or_create(
                tenant_id=by.tenant_id,
                direct_deal=deal,
                partner=c["partner"],
                defaults={"weight": c["weight"], "role": c["role"]},
            )
    after_inf = _influencer_state(deal)
    if created or before != values or before_inf != after_inf:
        if not created and before_inf != after_inf and before == values:
            DirectDeal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())
        log_action(
            "direct_deal.created" if created else "direct_deal.updated",
            obj=deal,
            object_label=deal.customer_name,
            before=_jsonable(before) | ({"influencers": before_inf} if before else {}),
            after=_jsonable(values) | {"influencers": after_inf},
        )
    if before_inf != after_inf:
        _direct_influencers_changed(deal, {i[0] for i in before_inf + after_inf})
    is_won = deal.status == DirectDeal.Status.WON
    if is_won != was_won:
        # Other apps (incentives) pay or take back the influencers' share; dealreg names none.
        events.emit(
            "direct_deal.won" if is_won else "direct_deal.lost",
            {"direct_deal_id": deal.pk, "status": deal.status, "closed_at": deal.closed_at},
            tenant=deal.tenant_id,
        )
    return deal, created


def _jsonable(values: dict) -> dict:
    return {
        k: (str(v) if isinstance(v, (Decimal, datetime.date)) else v) for k, v in values.items()
    }


def _matches(model, claim: InfluenceClaim):
    """The customer's deals as conflict detection finds them for certain: the same
    normalised company name or the same registrable domain (a free-mail domain is no
    evidence of the customer). Similar names are left to staff, who add influencers by hand."""
    name = normalise_company_name(claim.customer_name)
    match = Q(customer_name_normalised=name) if name else Q(pk__in=[])
    if claim.customer_domain and not is_freemail(claim.customer_domain):
        match |= Q(customer_domain=claim.customer_domain)
    return model.objects.filter(match)


def influence_credit(*, claim: InfluenceClaim, by: Member) -> dict:
    """An approved claim credits its partner as an influencer (the claim's role, the default
    weight) on the customer's open or won deals: other partners' registrations and the
    vendor's direct deals, matched by normalised company name or domain as conflict checks
    match them. A deal the partner already influences keeps its influencer as it is.
    Runs inside the approval's transaction; audited on the claim."""
    deals = (
        _matches(Deal, claim)
        .filter(status__in=[*ACTIVE_STATUSES, DealStatus.WON])
        .exclude(partner_id=claim.partner_id)
    )
    direct = _matches(DirectDeal, claim).exclude(status=DirectDeal.Status.LOST)
    credited = {"deals": [], "direct_deals": []}
    for deal in deals.order_by("pk"):
        _inf, made = DealInfluencer.objects.get_or_create(
            tenant_id=claim.tenant_id,
            deal=deal,
            partner_id=claim.partner_id,
            defaults={
                "status": DealInfluencer.Status.APPROVED,
                "role": claim.role,
                "weight": DEFAULT_CLAIM_WEIGHT,
                "added_by": by,
                "claim": claim,
            },
        )
        if made:
            credited["deals"].append(deal.pk)
            _event(
                deal,
                "influencer_added",
                _("An influencing partner was credited by an approved influence claim."),
                actor=by,
                staff_only=True,
            )
            log_action(
                "deal.influencer_added",
                obj=deal,
                after={"partner": claim.partner_id, "status": "approved", "claim": claim.pk},
            )
            influencers_changed(deal)
    for deal in direct.order_by("pk"):
        _inf, made = DirectDealInfluencer.objects.get_or_create(
            tenant_id=claim.tenant_id,
            direct_deal=deal,
            partner_id=claim.partner_id,
            defaults={"role": claim.role, "weight": DEFAULT_CLAIM_WEIGHT, "claim": claim},
        )
        if made:
            credited["direct_deals"].append(deal.pk)
            _direct_influencers_changed(deal, [claim.partner_id])
    log_action(
        "influence_claim.credited",
        obj=claim,
        object_label=claim.customer_name,
        after={"partner": claim.partner_id, **credited},
    )
    return credited
