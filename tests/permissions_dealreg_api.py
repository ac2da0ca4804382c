"""Permission rows for the deal registration API (dealreg/api.py).

world.deal and world.draft are drafts of world.partner (tests/prm/test_permission_matrix.py);
the deals, leads and offers other rows need are made on first use."""

import datetime
from decimal import Decimal

from django.utils import timezone

from dealreg import services
from dealreg.models import Deal, LeadStatus
from dealreg.services import leads
from prm.tenancy import tenant_context
from tests.factories import DealInfluencerFactory, LeadOfferFactory
from tests.permissions import EVERYONE, STAFF, Endpoint

ADMIN = {"admin"}
PARTNER_ROLES = {"partner_admin", "partner_user"}


def _once(world, name: str, make):
    if not hasattr(world, name):
        with tenant_context(world.tenant):
            setattr(world, name, make(world))
    return getattr(world, name)


def _influence_claim(w):
    """A pending influence claim of world.partner."""

    def make(w):
        from dealreg import services

        return services.influence_claim_submit(
            by=w.partner_user,
            customer_name=f"{w.tenant.slug} influenced",
            role="si",
            evidence="Workshop.",
        )

    return _once(w, "influence_claim", make)


def _direct_deal(w):
    """A direct deal of the vendor (from the CRM) that credits world.partner."""

    def make(w):
        deal, _created = services.direct_deal_upsert(
            by=w.admin,
            external_id=f"{w.tenant.slug}-OPP",
            customer_name=f"{w.tenant.slug} direct",
            amount=Decimal("5000"),
            influencers=[{"partner": w.partner.pk, "weight": "1", "role": "si"}],
        )
        return deal

    return _once(w, "direct_deal", make)


def _direct_url(w):
    return f"/api/v1/crm/direct-deals/{_direct_deal(w).external_id}/"


def _complete(w, label: str) -> dict:
    return {
        "customer_name": f"{w.tenant.slug} {label}",
        "customer_domain_input": f"{w.tenant.slug}-{label}.example",
        "amount": Decimal("1000"),
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
    }


def _ready(w):
    """A complete draft, ready to submit."""
    return _once(
        w,
        "api_ready_draft",
        lambda w: services.deal_save(by=w.partner_admin, data=_complete(w, "ready")),
    )


def _submitted(w):
    return _once(
        w,
        "api_submitted_deal",
        lambda w: services.deal_save(
            by=w.partner_admin, data=_complete(w, "submitted"), submit=True
        ),
    )


def _approve(w, label: str):
    """An approved deal whose protection ends within one extension period, so its partner
    may ask for an extension (dealreg.states.extendable)."""
    deal = services.deal_save(by=w.partner_admin, data=_complete(w, label), submit=True)
    deal = services.deal_approve(deal=deal, by=w.channel_manager)
    ending = timezone.now().date() + datetime.timedelta(days=10)
    Deal.objects.filter(pk=deal.pk).update(protected_until=ending)
    deal.protected_until = ending
    return deal


def _approved(w):
    return _once(w, "api_approved_deal", lambda w: _approve(w, "approved"))


def _extension_pending(w):
    def make(w):
        deal = _approve(w, "extending")
        services.extension_request(deal=deal, by=w.partner_user, reason="Legal review")
        return deal

    return _once(w, "api_extending_deal", make)


def _lead(w):
    return _once(
        w, "api_lead", lambda w: leads.lead_create(by=w.channel_manager, company="Matrix Lead")
    )


def _offer(w):
    """An open offer to world.partner (made directly: routing could pick either partner)."""

    def make(w):
        lead = leads.lead_create(by=w.channel_manager, company="Offered Lead")
        lead.status = LeadStatus.OFFERED
        lead.save(update_fields=["status"])
        return LeadOfferFactory(
            tenant=w.tenant,
            lead=lead,
            partner=w.partner,
            score=Decimal("10"),
            respond_by=timezone.now() + datetime.timedelta(days=1),
        )

    return _once(w, "api_offer", make)


def deal_url(deal, suffix=""):
    return f"/api/v1/deals/{deal.pk}/{suffix}"


def _influencer_url(w, verb):
    """world.other_partner asked to be recorded on world.deal."""

    def make(w):
        from dealreg.models import DealInfluencer

        return DealInfluencerFactory(
            tenant=w.tenant,
            deal=w.deal,
            partner=w.other_partner,
            status=DealInfluencer.Status.REQUESTED,
        )

    inf = _once(w, "api_requested_influencer", make)
    return deal_url(w.deal, f"influencers/{inf.pk}/{verb}/")


ENDPOINTS = [
    # Deals
    Endpoint("api-deal-list", lambda w: "/api/v1/deals/", EVERYONE, api=True),
    Endpoint(
        "api-deal-list",
        lambda w: "/api/v1/deals/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"customer_name": "Matrix Customer"},
        api=True,
    ),
    Endpoint(
        "api-deal-detail",
        lambda w: deal_url(w.deal),
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: deal_url(s.deal),
    ),
    Endpoint(
        "api-deal-detail",
        lambda w: deal_url(w.draft),
        PARTNER_ROLES,
        method="patch",
        data=lambda w: {"notes": "matrix"},
        api=True,
        stranger_url=lambda w, s: deal_url(s.draft),
    ),
    Endpoint(
        "api-deal-timeline",
        lambda w: deal_url(w.deal, "timeline/"),
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: deal_url(s.deal, "timeline/"),
    ),
    Endpoint(
        "api-deal-submit",
        lambda w: deal_url(_ready(w), "submit/"),
        PARTNER_ROLES,
        method="post",
        api=True,
        stranger_url=lambda w, s: deal_url(_ready(s), "submit/"),
    ),
    Endpoint(
        "api-deal-withdraw",
        lambda w: deal_url(w.draft, "withdraw/"),
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"reason": "matrix"},
        api=True,
        stranger_url=lambda w, s: deal_url(s.draft, "withdraw/"),
    ),
    Endpoint(
        "api-deal-approve",
        lambda w: deal_url(_submitted(w), "approve/"),
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: deal_url(_submitted(s), "approve/"),
    ),
    Endpoint(
        "api-deal-reject",
        lambda w: deal_url(_submitted(w), "reject/"),
        STAFF,
        method="post",
        data=lambda w: {"reason": "matrix"},
        api=True,
        stranger_url=lambda w, s: deal_url(_submitted(s), "reject/"),
    ),
    Endpoint(
        "api-deal-extend",
        lambda w: deal_url(_approved(w), "extend/"),
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"reason": "matrix"},
        api=True,
        stranger_url=lambda w, s: deal_url(_approved(s), "extend/"),
    ),
    Endpoint(
        "api-deal-extension-decision",
        lambda w: deal_url(_extension_pending(w), "extension-decision/"),
        STAFF,
        method="post",
        data=lambda w: {"approve": True},
        api=True,
        stranger_url=lambda w, s: deal_url(_extension_pending(s), "extension-decision/"),
    ),
    Endpoint(
        "api-deal-close",
        lambda w: deal_url(_approved(w), "close/"),
        STAFF,
        method="post",
        data=lambda w: {"outcome": "won", "amount": "1200.00"},
        api=True,
        stranger_url=lambda w, s: deal_url(_approved(s), "close/"),
    ),
    Endpoint(
        "api-deal-recheck",
        lambda w: deal_url(_submitted(w), "recheck/"),
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: deal_url(_submitted(s), "recheck/"),
    ),
    Endpoint(
        "api-deal-influencer-approve",
        lambda w: _influencer_url(w, "approve"),
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: _influencer_url(s, "approve"),
    ),
    Endpoint(
        "api-deal-influencer-edit",
        lambda w: _influencer_url(w, "edit"),
        STAFF,
        method="post",
        data=lambda w: {"weight": "2", "role": "si"},
        api=True,
        stranger_url=lambda w, s: _influencer_url(s, "edit"),
    ),
    Endpoint(
        "api-deal-influencer-reject",
        lambda w: _influencer_url(w, "reject"),
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: _influencer_url(s, "reject"),
    ),
    Endpoint("api-direct-deal-list", lambda w: "/api/v1/crm/direct-deals/", EVERYONE, api=True),
    Endpoint(
        "api-direct-deal-detail",
        _direct_url,
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: _direct_url(s),
    ),
    Endpoint(
        "api-direct-deal-detail",
        _direct_url,
        STAFF,
        method="put",
        data=lambda w: {"customer_name": "Matrix direct", "amount": "10", "status": "won"},
        api=True,
    ),
    Endpoint("api-influence-claim-list", lambda w: "/api/v1/influence-claims/", EVERYONE, api=True),
    Endpoint(
        "api-influence-claim-list",
        lambda w: "/api/v1/influence-claims/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"customer_name": "Initech", "role": "isv", "evidence": "Workshop."},
        api=True,
    ),
    Endpoint(
        "api-influence-claim-detail",
        lambda w: f"/api/v1/influence-claims/{_influence_claim(w).pk}/",
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/influence-claims/{_influence_claim(s).pk}/",
    ),
    Endpoint(
        "api-influence-claim-approve",
        lambda w: f"/api/v1/influence-claims/{_influence_claim(w).pk}/approve/",
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/influence-claims/{_influence_claim(s).pk}/approve/",
    ),
    Endpoint(
        "api-influence-claim-reject",
        lambda w: f"/api/v1/influence-claims/{_influence_claim(w).pk}/reject/",
        STAFF,
        method="post",
        data=lambda w: {"reason": "No."},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/influence-claims/{_influence_claim(s).pk}/reject/",
    ),
    Endpoint(
        "api-influence-claim-withdraw",
        lambda w: f"/api/v1/influence-claims/{_influence_claim(w).pk}/withdraw/",
        PARTNER_ROLES,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/influence-claims/{_influence_claim(s).pk}/withdraw/",
    ),
    Endpoint(
        "api-deal-influencers",
        lambda w: deal_url(w.deal, "influencers/"),
        STAFF,
        method="post",
        data=lambda w: {"partner": w.other_partner.pk},
        api=True,
        stranger_url=lambda w, s: deal_url(s.deal, "influencers/"),
    ),
    Endpoint(
        "api-deal-pre-check",
        lambda w: "/api/v1/deals/pre-check/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"customer_name": "Matrix Customer"},
        api=True,
    ),
    Endpoint(
        "api-deal-sync",
        lambda w: "/api/v1/deals/sync/",
        STAFF,
        method="post",
        data=lambda w: {
            "external_id": "CRM-1",
            "deal": _approved(w).pk,
            "outcome": "lost",
            "reason": "matrix",
        },
        api=True,
    ),
    # Named accounts
    Endpoint("api-named-account-list", lambda w: "/api/v1/named-accounts/", ADMIN, api=True),
    Endpoint(
        "api-named-account-list",
        lambda w: "/api/v1/named-accounts/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Matrix Direct", "external_id": "SF-1"},
        api=True,
    ),
    # Rules
    Endpoint("api-rules", lambda w: "/api/v1/rules/", EVERYONE, api=True),
    Endpoint(
        "api-rules",
        lambda w: "/api/v1/rules/",
        ADMIN,
        method="post",
        data=lambda w: {"notes": "matrix"},
        api=True,
    ),
    Endpoint("api-rules-version-list", lambda w: "/api/v1/rules/versions/", STAFF, api=True),
    # Leads
    Endpoint("api-lead-list", lambda w: "/api/v1/leads/", STAFF, api=True),
    Endpoint(
        "api-lead-list",
        lambda w: "/api/v1/leads/",
        STAFF,
        method="post",
        data=lambda w: {"company": "Matrix Lead Co"},
        api=True,
    ),
    Endpoint(
        "api-lead-route",
        lambda w: f"/api/v1/leads/{_lead(w).pk}/route/",
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/leads/{_lead(s).pk}/route/",
    ),
    Endpoint("api-lead-offer-list", lambda w: "/api/v1/lead-offers/", PARTNER_ROLES, api=True),
    Endpoint(
        "api-lead-offer-accept",
        lambda w: f"/api/v1/lead-offers/{_offer(w).pk}/accept/",
        PARTNER_ROLES,
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/lead-offers/{_offer(s).pk}/accept/",
    ),
    Endpoint(
        "api-lead-offer-decline",
        lambda w: f"/api/v1/lead-offers/{_offer(w).pk}/decline/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: {"reason": "No capacity"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/lead-offers/{_offer(s).pk}/decline/",
    ),
]
