"""Permission rows for the partners portal pages."""

from partners.states import DOMAIN_PROPOSAL, PARTNER_STATUS, TIER_CHANGE
from tests.permissions import STAFF, VENDOR, Endpoint
from tests.permissions_partners_api import _pending_change, _pending_proposal, _product

PARTNER_ROLES = {"partner_admin", "partner_user"}

ENDPOINTS = [
    # Sales reps read the directory to co-sell; adding, editing and deciding are the staff's.
    Endpoint("partner-list", lambda w: "/partners/", VENDOR),
    # Posting the create form (empty: refused, the page again).
    Endpoint("partner-list", lambda w: "/partners/", STAFF, method="post"),
    Endpoint("partner-export", lambda w: "/partners/export.csv", VENDOR),
    Endpoint(
        "partner-detail",
        lambda w: f"/partners/{w.partner.pk}/",
        VENDOR,
        stranger_url=lambda w, s: f"/partners/{s.partner.pk}/",
    ),
    Endpoint(
        "partner-edit",
        lambda w: f"/partners/{w.partner.pk}/edit/",
        STAFF,
        stranger_url=lambda w, s: f"/partners/{s.partner.pk}/edit/",
    ),
    Endpoint(
        "partner-set-tier",
        lambda w: f"/partners/{w.partner.pk}/tier/",
        {"admin"},
        method="post",
        data=lambda w: {"tier": w.tier.pk, "reason": "matrix"},
        stranger_url=lambda w, s: f"/partners/{s.partner.pk}/tier/",
    ),
    # Every status action has its own URL. The world's partner is active, so the actions its
    # status does not allow answer the page with the refusal (200), the others redirect.
    *(
        Endpoint(
            f"partner-{name}",
            lambda w, name=name: f"/partners/{w.partner.pk}/{name}/",
            STAFF,
            method="post",
            data=lambda w: {"reason": "matrix"},
            stranger_url=lambda w, s, name=name: f"/partners/{s.partner.pk}/{name}/",
        )
        for name in PARTNER_STATUS.actions
    ),
    # Suspend and offboard ask first: a GET of the action URL is its confirmation page.
    *(
        Endpoint(
            f"partner-{name}",
            lambda w, name=name: f"/partners/{w.partner.pk}/{name}/",
            STAFF,
            stranger_url=lambda w, s, name=name: f"/partners/{s.partner.pk}/{name}/",
        )
        for name in ("suspend", "offboard")
    ),
    Endpoint(
        "partner-edit",
        lambda w: f"/partners/{w.partner.pk}/edit/",
        STAFF,
        method="post",
        stranger_url=lambda w, s: f"/partners/{s.partner.pk}/edit/",
    ),
    Endpoint("partner-domain-proposals", lambda w: "/partners/domain-proposals/", STAFF),
    *(
        Endpoint(
            f"partner-domain-proposal-{name}",
            lambda w, name=name: f"/partners/domain-proposals/{_pending_proposal(w).pk}/{name}/",
            STAFF,
            method="post",
            stranger_url=lambda w, s, name=name: (
                f"/partners/domain-proposals/{_pending_proposal(s).pk}/{name}/"
            ),
        )
        for name, act in DOMAIN_PROPOSAL.actions.items()
        if not act.system
    ),
    Endpoint("company", lambda w: "/company/", PARTNER_ROLES),
    Endpoint("company-edit", lambda w: "/company/edit/", {"partner_admin"}),
    Endpoint("company-edit", lambda w: "/company/edit/", {"partner_admin"}, method="post"),
    Endpoint("my-tier", lambda w: "/tier/", PARTNER_ROLES),
    Endpoint("program-tiers", lambda w: "/program/tiers/", {"admin"}),
    Endpoint("program-tiers", lambda w: "/program/tiers/", {"admin"}, method="post"),
    Endpoint(
        "program-tiers-evaluate", lambda w: "/program/tiers/evaluate/", {"admin"}, method="post"
    ),
    Endpoint(
        "program-tier-edit",
        lambda w: f"/program/tiers/{w.tier.pk}/",
        {"admin"},
        stranger_url=lambda w, s: f"/program/tiers/{s.tier.pk}/",
    ),
    *(
        Endpoint(
            name,
            lambda w, suffix=suffix: f"/program/tiers/{w.tier.pk}/{suffix}",
            {"admin"},
            method="post",
            stranger_url=lambda w, s, suffix=suffix: f"/program/tiers/{s.tier.pk}/{suffix}",
        )
        for name, suffix in (
            ("program-tier-edit", ""),
            ("program-tier-preview", "preview/"),
            ("program-tier-delete", "delete/"),
        )
    ),
    Endpoint(  # deleting asks first: a GET is the confirmation page (prm/confirm.py)
        "program-tier-delete",
        lambda w: f"/program/tiers/{w.tier.pk}/delete/",
        {"admin"},
        stranger_url=lambda w, s: f"/program/tiers/{s.tier.pk}/delete/",
    ),
    Endpoint("program-what-if", lambda w: "/program/what-if/", {"admin"}),
    Endpoint("program-what-if", lambda w: "/program/what-if/", {"admin"}, method="post"),
    Endpoint("program-tier-changes", lambda w: "/program/tier-changes/", {"admin"}),
    *(
        Endpoint(
            f"program-tier-change-{name}",
            lambda w, name=name: f"/program/tier-changes/{_pending_change(w).pk}/{name}/",
            {"admin"},
            method="post",
            stranger_url=lambda w, s, name=name: (
                f"/program/tier-changes/{_pending_change(s).pk}/{name}/"
            ),
        )
        for name in TIER_CHANGE.actions
    ),
    # Rejecting asks first: a GET of the reject URL is its confirmation page.
    Endpoint(
        "program-tier-change-reject",
        lambda w: f"/program/tier-changes/{_pending_change(w).pk}/reject/",
        {"admin"},
        stranger_url=lambda w, s: f"/program/tier-changes/{_pending_change(s).pk}/reject/",
    ),
    Endpoint(
        "partner-domain-proposal-reject",
        lambda w: f"/partners/domain-proposals/{_pending_proposal(w).pk}/reject/",
        STAFF,
        stranger_url=lambda w, s: f"/partners/domain-proposals/{_pending_proposal(s).pk}/reject/",
    ),
    Endpoint("program-catalogue", lambda w: "/program/catalogue/", {"admin"}),
    *(
        Endpoint(
            f"program-catalogue-{kind}",
            lambda w, kind=kind: f"/program/catalogue/{kind}/",
            {"admin"},
            method="post",
        )
        for kind in ("products", "specialties")
    ),
    *(
        Endpoint(
            f"program-product-{name}",
            lambda w, name=name: f"/program/catalogue/products/{_product(w).pk}/{name}/",
            {"admin"},
            method="post",
            stranger_url=lambda w, s, name=name: (
                f"/program/catalogue/products/{_product(s).pk}/{name}/"
            ),
        )
        for name in ("retire", "restore")
    ),
    Endpoint("program-settings", lambda w: "/program/settings/", {"admin"}),
    Endpoint("program-settings", lambda w: "/program/settings/", {"admin"}, method="post"),
]
