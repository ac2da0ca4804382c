"""Permission rows for deal registration pages and every portal action on deals and leads.

Each action has its own POST URL. A member who cannot see the object (another tenant's, or
another partner's deal) gets 404; a member who sees it but may not take the action gets 403
(dealreg/states.py); a member who may gets a redirect (a refusal by the object's state is a
message on the page). The objects come from tests/permissions_dealreg_api.py's helpers."""

import datetime

from django.utils import timezone

from dealreg.models import DealInfluencer
from tests.factories import DealInfluencerFactory
from tests.permissions import EVERYONE, STAFF, Endpoint
from tests.permissions_dealreg_api import (
    _approved,
    _direct_deal,
    _extension_pending,
    _influence_claim,
    _lead,
    _offer,
    _once,
    _ready,
    _submitted,
)

PARTNER_ROLES = {"partner_admin", "partner_user"}
ADMIN = {"admin"}


def _requested_influencer(w):
    """world.other_partner asked to be recorded on world.deal."""
    return _once(
        w,
        "requested_influencer",
        lambda w: DealInfluencerFactory(
            tenant=w.tenant,
            deal=w.deal,
            partner=w.other_partner,
            status=DealInfluencer.Status.REQUESTED,
        ),
    )


def _pending_extension(w):
    deal = _extension_pending(w)
    return deal, _once(
        w, "pending_extension", lambda w: deal.extension_requests.get(status="pending")
    )


def _deal_form(w):
    return {
        "customer_name": "Matrix Portal Customer",
        "customer_domain_input": "matrix-portal.example",
        "country": "US",
        "amount": "1000",
        "currency": "USD",
        "expected_close_date": (timezone.now().date() + datetime.timedelta(days=30)).isoformat(),
        "deal_type": "new",
        "partner_role": "resell",
    }


def _post(name, url, allowed, *, data=None, stranger=None):
    return Endpoint(name, url, allowed, method="post", data=data, stranger_url=stranger)


def _on_deal(name, suffix, allowed, deal_of, data=None):
    """A POST action on one deal: `deal_of(world)` is a deal in the state the action needs."""
    return _post(
        name,
        lambda w: f"/deals/{deal_of(w).pk}/{suffix}",
        allowed,
        data=data,
        stranger=lambda w, s: f"/deals/{deal_of(s).pk}/{suffix}",
    )


def _extension_url(w, verb):
    deal, ext = _pending_extension(w)
    return f"/deals/{deal.pk}/extension/{ext.pk}/{verb}/"


def _influencer_url(w, verb):
    inf = _requested_influencer(w)
    return f"/deals/{inf.deal_id}/influencers/{inf.pk}/{verb}/"


ENDPOINTS = [
    Endpoint("deal-list", lambda w: "/deals/", EVERYONE),
    Endpoint("deal-new", lambda w: "/deals/new/", PARTNER_ROLES),
    _post("deal-new", lambda w: "/deals/new/", PARTNER_ROLES, data=_deal_form),
    _post("deal-new-submit", lambda w: "/deals/new/submit/", PARTNER_ROLES, data=_deal_form),
    _post("deal-precheck", lambda w: "/deals/new/precheck/", PARTNER_ROLES, data=_deal_form),
    Endpoint("deal-review", lambda w: "/deals/review/", STAFF),
    _post(
        "deal-review-approve",
        lambda w: "/deals/review/approve/",
        STAFF,
        data=lambda w: {"deal": [_submitted(w).pk]},
    ),
    _post(
        "deal-review-reject",
        lambda w: "/deals/review/reject/",
        STAFF,
        data=lambda w: {"deal": [_submitted(w).pk], "reason": "matrix"},
    ),
    # The deal belongs to world.partner: its people and staff see it; the other partner's
    # user gets 404 (not even its existence is revealed).
    Endpoint(
        "deal-detail",
        lambda w: f"/deals/{w.deal.pk}/",
        EVERYONE,
        stranger_url=lambda w, s: f"/deals/{s.deal.pk}/",
    ),
    Endpoint(
        "deal-status",
        lambda w: f"/deals/{w.deal.pk}/status.json",
        EVERYONE,
        stranger_url=lambda w, s: f"/deals/{s.deal.pk}/status.json",
    ),
    Endpoint(
        "deal-edit",
        lambda w: f"/deals/{w.draft.pk}/edit/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/deals/{s.draft.pk}/edit/",
    ),
    _on_deal("deal-edit", "edit/", PARTNER_ROLES, lambda w: w.draft, data=_deal_form),
    _on_deal("deal-edit-submit", "edit/submit/", PARTNER_ROLES, lambda w: w.draft, data=_deal_form),
    _on_deal(
        "deal-edit-precheck", "edit/precheck/", PARTNER_ROLES, lambda w: w.draft, data=_deal_form
    ),
    # One URL per action on a deal
    _on_deal("deal-submit", "submit/", PARTNER_ROLES, _ready),
    _on_deal(
        "deal-withdraw", "withdraw/", PARTNER_ROLES, lambda w: w.draft, lambda w: {"reason": "x"}
    ),
    _on_deal("deal-approve", "approve/", STAFF, _submitted),
    _on_deal("deal-reject", "reject/", STAFF, _submitted, lambda w: {"reason": "matrix"}),
    _on_deal("deal-recheck", "recheck/", STAFF, _submitted),
    _on_deal(
        "deal-close",
        "close/",
        STAFF,
        _approved,
        lambda w: {"outcome": "won", "amount": "1200.00"},
    ),
    _on_deal("deal-extend", "extension/", PARTNER_ROLES, _approved, lambda w: {"reason": "x"}),
    _post(
        "deal-extension-approve",
        lambda w: _extension_url(w, "approve"),
        STAFF,
        stranger=lambda w, s: _extension_url(s, "approve"),
    ),
    _post(
        "deal-extension-reject",
        lambda w: _extension_url(w, "reject"),
        STAFF,
        stranger=lambda w, s: _extension_url(s, "reject"),
    ),
    _on_deal(
        "deal-influencer-add",
        "influencers/",
        STAFF,
        _submitted,
        lambda w: {"partner": w.other_partner.pk},
    ),
    _post(
        "deal-influencer-approve",
        lambda w: _influencer_url(w, "approve"),
        STAFF,
        stranger=lambda w, s: _influencer_url(s, "approve"),
    ),
    _post(
        "deal-influencer-edit",
        lambda w: _influencer_url(w, "edit"),
        STAFF,
        data=lambda w: {"weight": "2", "role": "si"},
        stranger=lambda w, s: _influencer_url(s, "edit"),
    ),
    _post(
        "deal-influencer-reject",
        lambda w: _influencer_url(w, "reject"),
        STAFF,
        stranger=lambda w, s: _influencer_url(s, "reject"),
    ),
    # Irreversible actions: a GET of the action URL is its confirmation page (prm/confirm.py)
    Endpoint(
        "deal-withdraw",
        lambda w: f"/deals/{w.draft.pk}/withdraw/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/deals/{s.draft.pk}/withdraw/",
    ),
    Endpoint(
        "deal-reject",
        lambda w: f"/deals/{_submitted(w).pk}/reject/",
        STAFF,
        stranger_url=lambda w, s: f"/deals/{_submitted(s).pk}/reject/",
    ),
    Endpoint(
        "deal-extension-reject",
        lambda w: _extension_url(w, "reject"),
        STAFF,
        stranger_url=lambda w, s: _extension_url(s, "reject"),
    ),
    Endpoint(
        "deal-influencer-reject",
        lambda w: _influencer_url(w, "reject"),
        STAFF,
        stranger_url=lambda w, s: _influencer_url(s, "reject"),
    ),
    Endpoint("influence-list", lambda w: "/influence/", EVERYONE),
    Endpoint("influence-new", lambda w: "/influence/new/", PARTNER_ROLES),
    _post(
        "influence-new",
        lambda w: "/influence/new/",
        PARTNER_ROLES,
        data=lambda w: {"customer_name": "Initech", "role": "isv", "evidence": "Workshop."},
    ),
    _post(
        "influence-approve",
        lambda w: f"/influence/{_influence_claim(w).pk}/approve/",
        STAFF,
        stranger=lambda w, s: f"/influence/{_influence_claim(s).pk}/approve/",
    ),
    _post(
        "influence-reject",
        lambda w: f"/influence/{_influence_claim(w).pk}/reject/",
        STAFF,
        data=lambda w: {"reason": "No."},
        stranger=lambda w, s: f"/influence/{_influence_claim(s).pk}/reject/",
    ),
    _post(
        "influence-withdraw",
        lambda w: f"/influence/{_influence_claim(w).pk}/withdraw/",
        PARTNER_ROLES,
        stranger=lambda w, s: f"/influence/{_influence_claim(s).pk}/withdraw/",
    ),
    Endpoint(
        "influence-reject",
        lambda w: f"/influence/{_influence_claim(w).pk}/reject/",
        STAFF,
        stranger_url=lambda w, s: f"/influence/{_influence_claim(s).pk}/reject/",
    ),
    Endpoint(
        "influence-withdraw",
        lambda w: f"/influence/{_influence_claim(w).pk}/withdraw/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/influence/{_influence_claim(s).pk}/withdraw/",
    ),
    Endpoint("direct-deal-list", lambda w: "/direct-deals/", EVERYONE),
    Endpoint(
        "direct-deal-detail",
        lambda w: f"/direct-deals/{_direct_deal(w).pk}/",
        EVERYONE,
        stranger_url=lambda w, s: f"/direct-deals/{_direct_deal(s).pk}/",
    ),
    Endpoint("rules", lambda w: "/rules/", EVERYONE),
    _post("rules", lambda w: "/rules/", ADMIN, data=lambda w: {}),
    Endpoint("named-accounts", lambda w: "/named-accounts/", ADMIN),
    _post(
        "named-accounts",
        lambda w: "/named-accounts/",
        ADMIN,
        data=lambda w: {"name": "Matrix Direct", "kind": "named"},
    ),
    Endpoint("lead-list", lambda w: "/leads/", STAFF),
    _post("lead-list", lambda w: "/leads/", STAFF, data=lambda w: {"company": "Matrix Co"}),
    _post(
        "lead-route",
        lambda w: f"/leads/{_lead(w).pk}/route/",
        STAFF,
        stranger=lambda w, s: f"/leads/{_lead(s).pk}/route/",
    ),
    Endpoint("lead-inbox", lambda w: "/leads/inbox/", PARTNER_ROLES),
    _post(
        "lead-offer-accept",
        lambda w: f"/leads/offers/{_offer(w).pk}/accept/",
        PARTNER_ROLES,
        stranger=lambda w, s: f"/leads/offers/{_offer(s).pk}/accept/",
    ),
    _post(
        "lead-offer-decline",
        lambda w: f"/leads/offers/{_offer(w).pk}/decline/",
        PARTNER_ROLES,
        data=lambda w: {"reason": "No capacity"},
        stranger=lambda w, s: f"/leads/offers/{_offer(s).pk}/decline/",
    ),
    Endpoint(  # declining asks first: a GET is the confirmation page (prm/confirm.py)
        "lead-offer-decline",
        lambda w: f"/leads/offers/{_offer(w).pk}/decline/",
        PARTNER_ROLES,
        stranger_url=lambda w, s: f"/leads/offers/{_offer(s).pk}/decline/",
    ),
]
