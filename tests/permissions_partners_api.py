"""Permission rows for the partners API (partners/api.py)."""

from partners.models import TierChangeStatus
from partners.states import PARTNER_STATUS
from prm.tenancy import tenant_context
from tests.factories import (
    DomainProposalFactory,
    ProductFactory,
    SpecialtyFactory,
    TierChangeFactory,
)
from tests.permissions import EVERYONE, STAFF, Endpoint

ADMIN = {"admin"}
PARTNER_EDITORS = STAFF | {"partner_admin"}


def _once(world, name: str, make):
    """Objects a row points at, made on first use (the matrix furnishes only a few)."""
    if not hasattr(world, name):
        with tenant_context(world.tenant):
            setattr(world, name, make(world))
    return getattr(world, name)


def _product(w):
    return _once(w, "api_product", lambda w: ProductFactory(tenant=w.tenant, name="P1"))


def _specialty(w):
    return _once(w, "api_specialty", lambda w: SpecialtyFactory(tenant=w.tenant, name="S1"))


def _pending_change(w):
    return _once(
        w,
        "api_tier_change",
        lambda w: TierChangeFactory(
            tenant=w.tenant,
            partner=w.partner,
            to_tier=w.tier,
            direction="up",
            status=TierChangeStatus.PENDING,
        ),
    )


def _pending_proposal(w):
    return _once(
        w,
        "api_domain_proposal",
        lambda w: DomainProposalFactory(
            tenant=w.tenant, partner=w.partner, domains=["matrix-proposal.example"]
        ),
    )


def proposal_url(w, suffix):
    return f"/api/v1/domain-proposals/{_pending_proposal(w).pk}/{suffix}"


def partner_url(w, suffix=""):
    return f"/api/v1/partners/{w.partner.pk}/{suffix}"


def tier_url(w, suffix=""):
    return f"/api/v1/tiers/{w.tier.pk}/{suffix}"


def change_url(w, suffix):
    return f"/api/v1/tier-changes/{_pending_change(w).pk}/{suffix}"


ENDPOINTS = [
    # Partners
    Endpoint("api-partner-list", lambda w: "/api/v1/partners/", EVERYONE, api=True),
    Endpoint(
        "api-partner-list",
        lambda w: "/api/v1/partners/",
        STAFF,
        method="post",
        data=lambda w: {"name": "Matrix Co", "partner_type": "reseller"},
        api=True,
    ),
    Endpoint(
        "api-partner-detail",
        partner_url,
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: partner_url(s),
    ),
    Endpoint(
        "api-partner-detail",
        partner_url,
        PARTNER_EDITORS,
        method="patch",
        data=lambda w: {"legal_name": "Matrix Ltd"},
        api=True,
        stranger_url=lambda w, s: partner_url(s),
    ),
    # One endpoint per status action (partners.states.PARTNER_STATUS). The world's partner
    # is active: staff get 200 for the actions its status allows, 400 for the others; partner
    # people see their own partner, so they get 403.
    *(
        Endpoint(
            f"api-partner-{name}",
            lambda w, name=name: partner_url(w, f"{name}/"),
            STAFF,
            method="post",
            data=lambda w: {"reason": "matrix"},
            api=True,
            expect={200, 400},
            stranger_url=lambda w, s, name=name: partner_url(s, f"{name}/"),
        )
        for name in PARTNER_STATUS.actions
    ),
    Endpoint(
        "api-partner-open-items",
        lambda w: partner_url(w, "open-items/"),
        STAFF,
        api=True,
        stranger_url=lambda w, s: partner_url(s, "open-items/"),
    ),
    # Tiers
    Endpoint("api-tier-list", lambda w: "/api/v1/tiers/", EVERYONE, api=True),
    Endpoint(
        "api-tier-list",
        lambda w: "/api/v1/tiers/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Gold", "rank": 5},
        api=True,
    ),
    Endpoint(
        "api-tier-detail",
        tier_url,
        EVERYONE,
        api=True,
        stranger_url=lambda w, s: tier_url(s),
    ),
    Endpoint(
        "api-tier-detail",
        tier_url,
        ADMIN,
        method="patch",
        data=lambda w: {"name": "Entry+"},
        api=True,
        stranger_url=lambda w, s: tier_url(s),
    ),
    Endpoint(
        "api-tier-detail",
        tier_url,
        ADMIN,
        method="delete",
        api=True,
        stranger_url=lambda w, s: tier_url(s),
    ),
    Endpoint(
        "api-tier-evaluate",
        lambda w: "/api/v1/tiers/evaluate/",
        ADMIN,
        method="post",
        api=True,
        expect={202},
    ),
    Endpoint(
        "api-tier-what-if",
        lambda w: "/api/v1/tiers/what-if/",
        ADMIN,
        method="post",
        data=lambda w: {"tiers": [{"id": w.tier.pk, "discount_pct": "5"}]},
        api=True,
    ),
    # Tier changes
    Endpoint("api-tier-change-list", lambda w: "/api/v1/tier-changes/", ADMIN, api=True),
    Endpoint(
        "api-tier-change-approve",
        lambda w: change_url(w, "approve/"),
        ADMIN,
        method="post",
        api=True,
        stranger_url=lambda w, s: change_url(s, "approve/"),
    ),
    Endpoint(
        "api-tier-change-reject",
        lambda w: change_url(w, "reject/"),
        ADMIN,
        method="post",
        data=lambda w: {"reason": "not yet"},
        api=True,
        stranger_url=lambda w, s: change_url(s, "reject/"),
    ),
    # Company domains proposed by partner admins
    Endpoint("api-domain-proposal-list", lambda w: "/api/v1/domain-proposals/", STAFF, api=True),
    Endpoint(
        "api-domain-proposal-approve",
        lambda w: proposal_url(w, "approve/"),
        STAFF,
        method="post",
        api=True,
        stranger_url=lambda w, s: proposal_url(s, "approve/"),
    ),
    Endpoint(
        "api-domain-proposal-reject",
        lambda w: proposal_url(w, "reject/"),
        STAFF,
        method="post",
        data=lambda w: {"reason": "not ours"},
        api=True,
        stranger_url=lambda w, s: proposal_url(s, "reject/"),
    ),
    # Catalogue
    Endpoint("api-product-list", lambda w: "/api/v1/products/", EVERYONE, api=True),
    Endpoint(
        "api-product-list",
        lambda w: "/api/v1/products/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Matrix product"},
        api=True,
    ),
    Endpoint(
        "api-product-detail",
        lambda w: f"/api/v1/products/{_product(w).pk}/",
        ADMIN,
        method="patch",
        data=lambda w: {"sku": "M-1"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/products/{_product(s).pk}/",
    ),
    Endpoint("api-specialty-list", lambda w: "/api/v1/specialties/", EVERYONE, api=True),
    Endpoint(
        "api-specialty-list",
        lambda w: "/api/v1/specialties/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Matrix specialty"},
        api=True,
    ),
    Endpoint(
        "api-specialty-detail",
        lambda w: f"/api/v1/specialties/{_specialty(w).pk}/",
        ADMIN,
        method="patch",
        data=lambda w: {"name": "Renamed"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/specialties/{_specialty(s).pk}/",
    ),
    # Program settings
    Endpoint("api-program-settings", lambda w: "/api/v1/program-settings/", ADMIN, api=True),
    Endpoint(
        "api-program-settings",
        lambda w: "/api/v1/program-settings/",
        ADMIN,
        method="patch",
        data=lambda w: {"tier_downgrade_grace_days": 30},
        api=True,
    ),
]
