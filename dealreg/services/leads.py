"""Lead distribution: recommend the best-fit partner, offer, accept or decline, time out.

Scoring is one SQL query over active partners (country, region, specialties, tier priority,
current load), so the explanation shown to the manager is exactly what decided."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import get_scope

from dealreg import routing_models
from dealreg.models import Deal, DealSource, DealStatus, Lead, LeadOffer, LeadSpecialty, LeadStatus
from dealreg.rules import name_tokens
from dealreg.services._common import _event, _lock, current_rules
from dealreg.services.deals import deal_approve_locked
from dealreg.states import LEAD, LEAD_OFFER, require_may
from partners.domains import normalise_company_name
from partners.freemail import company_domain
from partners.models import Partner
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied, limited
from prm.i18n import lazy_format
from prm.models import Member
from prm.roles import STAFF_ROLES, Role

# Points per unit of each factor: a country or region match counts once, a specialty per
# match, the tier per point of its lead priority, the load per open deal. Pinned by
# tests/dealreg/test_lead_routing_scores.py.
WEIGHTS = {"country": 40, "region": 15, "specialty": 10, "tier": 8, "load": -3}

SCORE_SQL = """
SELECT p.id, p.name,
       (CASE WHEN p.country <> '' AND p.country = %(country)s THEN 1 ELSE 0 END) AS same_country,
       (CASE WHEN p.region <> '' AND p.region = %(region)s THEN 1 ELSE 0 END) AS same_region,
       (SELECT count(*) FROM partners_partnerspecialty ps
         WHERE ps.partner_id = p.id AND ps.tenant_id = p.tenant_id
           AND ps.specialty_id = ANY(%(specialties)s)) AS specialties,
       COALESCE(t.lead_priority, 0) AS tier_priority,
       (SELECT count(*) FROM dealreg_deal d
         WHERE d.partner_id = p.id AND d.tenant_id = p.tenant_id
           AND d.status IN ('submitted', 'under_review', 'approved')) AS load
FROM partners_partner p
LEFT JOIN partners_tier t ON t.id = p.tier_id AND t.tenant_id = p.tenant_id
WHERE p.tenant_id = %(tenant)s AND p.status = 'active' AND NOT (p.id = ANY(%(exclude)s))
"""


def signed(points: int) -> str:
    """+40, −9 (a true minus sign), ±0."""
    return f"+{points}" if points > 0 else f"\u2212{-points}" if points < 0 else "\u00b10"


def factors(
    *, country: int, region: int, specialties: int, tier: int, load: int
) -> list[tuple[str, int]]:
    """Each factor that counts for a partner, named, with the points it contributes (its
    measure times its weight in WEIGHTS); the score is their sum."""
    parts = [
        (country, _("Country match"), WEIGHTS["country"]),
        (region, _("Region match"), WEIGHTS["region"]),
        (
            specialties,
            ngettext("%(n)s matching specialty", "%(n)s matching specialties", specialties)
            % {"n": specialties},
            WEIGHTS["specialty"],
        ),
        (tier, _("Tier priority %(n)s") % {"n": tier}, WEIGHTS["tier"]),
        (
            load,
            ngettext("%(n)s open deal", "%(n)s open deals", load) % {"n": load},
            WEIGHTS["load"],
        ),
    ]
    return [(label, measure * weight) for measure, label, weight in parts if measure]


@transaction.atomic
def recommend(lead: Lead, *, limit: int = 5) -> list[dict]:
    """Partners ranked for `lead`, each with the reasons for its score: a matching model's
    when one beats these weights on its hold-out (routing_models), else the weights'."""
    tried = list(LeadOffer.objects.filter(lead=lead).values_list("partner_id", flat=True))
    specialties = list(
        LeadSpecialty.objects.filter(lead=lead).values_list("specialty_id", flat=True)
    )
    by_model = routing_models.ranked(lead=lead, specialties=specialties, exclude=tried, limit=limit)
    if by_model is not None:
        return by_model
    with connection.cursor() as cur:
        cur.execute(
            SCORE_SQL,
            {
                "tenant": lead.tenant_id,
                "country": lead.country,
                "region": lead.region,
                "specialties": specialties,
                "exclude": tried,
            },
        )
        rows = cur.fetchall()
    ranked = []
    for pid, name, country, region, spec, prio, load in rows:
        parts = factors(country=country, region=region, specialties=spec, tier=prio, load=load)
        ranked.append(
            {
                "partner_id": pid,
                "name": name,
                "score": Decimal(sum(points for _label, points in parts)),
                "explanation": [f"{label} {signed(points)}" for label, points in parts],
            }
        )
    ranked.sort(key=lambda r: (-r["score"], r["name"]))
    return ranked[:limit]


@transaction.atomic
def lead_create(*, by: Member | None, company: str, specialties=(), **fields) -> Lead:
    if by is not None and by.role not in STAFF_ROLES:
        raise PermissionDenied()
    company = (company or "").strip()
    if not company:
        raise DomainError(_("Enter the company."), field="company")

    lead = Lead(tenant=get_scope()["tenant"], company=company[:200], **fields)
    lead.domain = company_domain(lead.domain)  # never gmail.com and the like (issue #17)
    lead.country = (lead.country or "").upper()
    lead.full_clean(exclude=["tenant", "deal"])
    lead.save()
    LeadSpecialty.objects.bulk_create(
        [LeadSpecialty(tenant_id=lead.tenant_id, lead=lead, specialty=s) for s in specialties]
    )
    log_action(
        "lead.created",
        obj=lead,
        object_label=company,
        after={"company": company, "country": lead.country},
    )
    return lead


LEAD_SYNC_FIELDS = (
    "company",
    "domain",
    "country",
    "region",
    "contact_name",
    "contact_email",
    "amount",
    "currency",
    "notes",
)


@transaction.atomic
def lead_upsert(
    *, by: Member | None, external_id: str, specialties=None, **fields
) -> tuple[Lead, bool]:
    """The CRM's lead with this external id: created (and routed) the first time, updated in
    place after. Sending the same values again changes nothing and writes no audit entry.
    Returns the lead and whether it was created."""
    if by is not None and by.role not in STAFF_ROLES:
        raise PermissionDenied()
    external_id = (external_id or "").strip()
    lead = (
        Lead.objects.select_for_update().filter(external_id=external_id).first()
        if external_id
        else None
    )
    if lead is None:
        lead = lead_create(by=by, external_id=external_id, specialties=specialties or (), **fields)
        lead_route(lead=lead, by=by)
        return lead, True
    wanted = {k: v for k, v in fields.items() if k in LEAD_SYNC_FIELDS}
    if "company" in wanted:
        wanted["company"] = (wanted["company"] or "").strip()[:200]
        if not wanted["company"]:
            raise DomainError(_("Enter the company."), field="company")
    if "domain" in wanted:
        wanted["domain"] = company_domain(wanted["domain"])
    if "country" in wanted:
        wanted["country"] = (wanted["country"] or "").upper()
    before = {k: getattr(lead, k) for k in wanted}
    changed = {k: v for k, v in wanted.items() if before[k] != v}
    old_specialties = set(lead.specialties.values_list("pk", flat=True))
    new_specialties = None if specialties is None else {s.pk for s in specialties}
    if not changed and (new_specialties is None or new_specialties == old_specialties):
        return lead, False
    for k, v in changed.items():
        setattr(lead, k, v)
    lead.full_clean(exclude=["tenant", "deal"])
    lead.save(update_fields=list(changed) or None)
    if new_specialties is not None and new_specialties != old_specialties:
        LeadSpecialty.objects.filter(lead=lead).delete()
        LeadSpecialty.objects.bulk_create(
            [LeadSpecialty(tenant_id=lead.tenant_id, lead=lead, specialty=s) for s in specialties]
        )
        before["specialties"] = sorted(old_specialties)
        changed["specialties"] = sorted(new_specialties)
    log_action(
        "lead.updated",
        obj=lead,
        object_label=lead.company,
        before={k: str(before[k]) if before[k] is not None else None for k in changed},
        after={
            k: str(v) if v is not None and not isinstance(v, list) else v
            for k, v in changed.items()
        },
    )
    return lead, False


@transaction.atomic
def lead_route(
    *, lead: Lead, by: Member | None = None, to_partner=None, why: str = ""
) -> LeadOffer | None:
    """Offer the lead to the best-fit partner not yet tried, or mark it unassigned.
    `to_partner`: offer it to that partner, for `why` (a lead made from an account overlap
    goes to the partner that has the account)."""
    require_may(LEAD, lead, by, "route")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    LEAD.check(lead, by, "route")
    if to_partner is not None:
        best = [{"partner_id": to_partner.pk, "score": 0, "explanation": [why]}]
    else:
        best = recommend(lead, limit=1)
    if not best:
        lead.status = LeadStatus.UNASSIGNED
        lead.save(update_fields=["status"])
        log_action("lead.unassigned", obj=lead, object_label=lead.company)
        return None
    rules = current_rules(lead.tenant)
    choice = best[0]
    offer = LeadOffer.objects.create(
        tenant_id=lead.tenant_id,
        lead=lead,
        partner_id=choice["partner_id"],
        score=choice["score"],
        explanation=choice["explanation"],
        respond_by=timezone.now() + datetime.timedelta(hours=rules.lead_response_hours),
    )
    lead.status = LeadStatus.OFFERED
    lead.save(update_fields=["status"])
    log_action(
        "lead.offered",
        obj=lead,
        object_label=lead.company,
        after={
            "partner": choice["partner_id"],
            "score": choice["score"],
            "why": choice["explanation"],
        },
    )
    events.emit("lead.assigned", offer)
    _mail_offer(offer)
    return offer


def _mail_offer(offer: LeadOffer) -> None:
    """Tell the partner's admins about the offer, through their preferences for leads."""
    admins = Member.objects.filter(
        partner_id=offer.partner_id, role=Role.PARTNER_ADMIN, is_active=True
    )
    notifications.notify(
        admins,
        group="leads",
        subject=lazy_format(gettext_lazy("A lead was offered to you: %(c)s"), c=offer.lead.company),
        template="dealreg/emails/lead_offer.txt",
        context={"offer": offer, "lead": offer.lead},
        path="/leads/inbox/",
        kind="lead.assigned",
        event=notifications.event_for("lead.assigned", offer),
    )


def _check_offer(offer: LeadOffer, by: Member, name: str) -> LeadOffer:
    """Lock the offer and check `name` (accept, decline) against LEAD_OFFER."""
    require_may(LEAD_OFFER, offer, by, name)
    offer = LeadOffer.objects.select_for_update().select_related("lead").get(pk=offer.pk)
    LEAD_OFFER.check(offer, by, name)
    return offer


@transaction.atomic
def lead_accept(*, offer: LeadOffer, by: Member) -> Deal:
    """The lead becomes an approved, protected, vendor-sourced registration."""
    offer = _check_offer(offer, by, "accept")
    lead = offer.lead
    offer.status, offer.responded_at = LeadOffer.Status.ACCEPTED, timezone.now()
    offer.save(update_fields=["status", "responded_at"])

    normalised = normalise_company_name(lead.company)
    deal = Deal.objects.create(
        tenant_id=lead.tenant_id,
        partner=Partner.objects.get(pk=offer.partner_id),
        created_by=by,
        status=DealStatus.UNDER_REVIEW,
        source=DealSource.VENDOR_LEAD,
        customer_name=lead.company,
        customer_name_normalised=normalised,
        customer_name_tokens=name_tokens(normalised),
        customer_domain_input=lead.domain,
        customer_domain=company_domain(lead.domain),
        country=lead.country,
        region=lead.region,
        contact_name=lead.contact_name,
        contact_email=lead.contact_email,
        amount=lead.amount,
        currency=lead.currency,
        submitted_at=timezone.now(),
        notes=lead.notes,
    )
    _event(deal, "created", _("Created from a vendor lead accepted by the partner."), actor=by)
    locked = _lock(deal)
    deal = deal_approve_locked(
        locked,
        by=None,
        rules=current_rules(deal.tenant),
        reason=_("Vendor lead accepted by the partner."),
    )
    LEAD.check_move(lead.status, LeadStatus.ACCEPTED)
    lead.status, lead.deal = LeadStatus.ACCEPTED, deal
    lead.save(update_fields=["status", "deal"])
    log_action(
        "lead.accepted",
        obj=lead,
        object_label=lead.company,
        after={"partner": offer.partner_id, "deal": deal.pk},
    )
    return deal


@transaction.atomic
def lead_decline(*, offer: LeadOffer, by: Member, reason: str) -> LeadOffer | None:
    offer = _check_offer(offer, by, "decline")
    if not (reason or "").strip():
        raise DomainError(_("Say why you decline, so the vendor can route better."), field="reason")
    offer.status, offer.responded_at = LeadOffer.Status.DECLINED, timezone.now()
    offer.decline_reason = limited(reason.strip(), 500, "reason")
    offer.save(update_fields=["status", "responded_at", "decline_reason"])
    log_action(
        "lead.declined",
        obj=offer.lead,
        object_label=offer.lead.company,
        after={"partner": offer.partner_id, "reason": reason},
    )
    return lead_route(lead=offer.lead)


@transaction.atomic
def leads_time_out(*, tenant, now=None) -> int:
    """Offers not answered in time pass to the next partner."""
    now = now or timezone.now()
    expired = list(
        LeadOffer.objects.select_related("lead").filter(
            status=LeadOffer.Status.OPEN, respond_by__lt=now
        )
    )
    for offer in expired:
        LEAD_OFFER.check(offer, None, "time_out")
        offer.status, offer.responded_at = LeadOffer.Status.TIMED_OUT, now
        offer.save(update_fields=["status", "responded_at"])
        log_action(
            "lead.offer_timed_out",
            obj=offer.lead,
            object_label=offer.lead.company,
            after={"partner": offer.partner_id},
        )
        lead_route(lead=offer.lead)
    return len(expired)
