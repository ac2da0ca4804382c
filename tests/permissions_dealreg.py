"""Permission rows for deal registration pages."""

from tests.permissions import EVERYONE, STAFF, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}

ENDPOINTS = [
    Endpoint("deal-list", lambda w: "/deals/", EVERYONE),
    Endpoint("deal-new", lambda w: "/deals/new/", PARTNER_ROLES),
    Endpoint("deal-review", lambda w: "/deals/review/", STAFF),
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
    Endpoint("rules", lambda w: "/rules/", EVERYONE),
    Endpoint("named-accounts", lambda w: "/named-accounts/", {"admin"}),
    Endpoint("lead-list", lambda w: "/leads/", STAFF),
    Endpoint("lead-inbox", lambda w: "/leads/inbox/", PARTNER_ROLES),
]
