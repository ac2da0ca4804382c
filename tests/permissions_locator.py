"""Permission rows for the partner locator (portal). Its public pages (/find/...) answer
anyone without signing in: they are PUBLIC_URL_NAMES here, and tests/locator/test_public.py
and tests/locator/test_anonymous_access.py check what an anonymous visitor gets."""

from __future__ import annotations

from tests.factories import PublicProfileFactory
from tests.permissions import STAFF, Endpoint

PARTNER_ADMIN = {"partner_admin"}


def _published(w):
    return PublicProfileFactory(tenant=w.tenant, partner=w.partner)


def _draft(w):
    return PublicProfileFactory(tenant=w.tenant, partner=w.partner, status="draft")


def _hidden(w):
    return PublicProfileFactory(
        tenant=w.tenant, partner=w.partner, status="hidden", hidden_reason="Matrix"
    )


def _own(build):
    """A partner's own-profile URL: the profile is made first (none of the stranger's)."""

    def url(w, path):
        build(w)
        return path

    return url


ENDPOINTS = [
    Endpoint("locator-profile", lambda w: "/locator/profile/", PARTNER_ADMIN),
    Endpoint(
        "locator-profile",
        lambda w: "/locator/profile/",
        PARTNER_ADMIN,
        method="post",
        data=lambda w: {"headline": "Matrix partner"},
    ),
    Endpoint(
        "locator-profile-publish",
        lambda w: _own(_draft)(w, "/locator/profile/publish/"),
        PARTNER_ADMIN,
        method="post",
    ),
    Endpoint(
        "locator-profile-unpublish",
        lambda w: _own(_published)(w, "/locator/profile/unpublish/"),
        PARTNER_ADMIN,
        method="post",
    ),
    Endpoint("locator-profiles", lambda w: "/locator/profiles/", STAFF),
    Endpoint(
        "locator-profile-hide",
        lambda w: f"/locator/profiles/{_published(w).pk}/hide/",
        STAFF,
        stranger_url=lambda w, s: f"/locator/profiles/{_published(s).pk}/hide/",
    ),
    Endpoint(
        "locator-profile-hide",
        lambda w: f"/locator/profiles/{_published(w).pk}/hide/",
        STAFF,
        method="post",
        data=lambda w: {"reason": "Matrix"},
        stranger_url=lambda w, s: f"/locator/profiles/{_published(s).pk}/hide/",
    ),
    Endpoint(
        "locator-profile-restore",
        lambda w: f"/locator/profiles/{_hidden(w).pk}/restore/",
        STAFF,
        method="post",
        stranger_url=lambda w, s: f"/locator/profiles/{_hidden(s).pk}/restore/",
    ),
    Endpoint("locator-settings", lambda w: "/locator/settings/", {"admin"}),
    Endpoint(
        "locator-settings",
        lambda w: "/locator/settings/",
        {"admin"},
        method="post",
        data=lambda w: {"allow_tier": "on", "embed_origin": "https://www.matrix.example"},
    ),
]

# Public on the tenant's host, for anyone (tests/locator/test_anonymous_access.py).
PUBLIC_URL_NAMES = {
    "locator-search",
    "locator-embed",
    "locator-public-profile",
    "locator-contact",
    "locator-contact-thanks",
    "locator-logo",
}

REFERRERS = {"partner_admin", "partner_user"}
ENDPOINTS += [
    Endpoint("locator-referrals", lambda w: "/locator/referrals/", REFERRERS),
    Endpoint(
        "locator-referrals",
        lambda w: "/locator/referrals/",
        REFERRERS,
        method="post",
        data=lambda w: {"company_name": "Matrix Co", "contact_email": "m@matrix.example"},
    ),
]

# --- API (locator/api.py) -----------------------------------------------------------------
ENDPOINTS += [
    Endpoint("api-locator-profile", lambda w: "/api/v1/locator/profile/", PARTNER_ADMIN, api=True),
    Endpoint(
        "api-locator-profile",
        lambda w: "/api/v1/locator/profile/",
        PARTNER_ADMIN,
        api=True,
        method="put",
        data=lambda w: {"headline": "Matrix partner"},
    ),
    Endpoint(
        "api-locator-profile-publish",
        lambda w: _own(_draft)(w, "/api/v1/locator/profile/publish/"),
        PARTNER_ADMIN,
        api=True,
        method="post",
    ),
    Endpoint(
        "api-locator-profile-unpublish",
        lambda w: _own(_published)(w, "/api/v1/locator/profile/unpublish/"),
        PARTNER_ADMIN,
        api=True,
        method="post",
    ),
    Endpoint("api-locator-profiles", lambda w: "/api/v1/locator/profiles/", STAFF, api=True),
    Endpoint(
        "api-locator-profile-detail",
        lambda w: f"/api/v1/locator/profiles/{_published(w).pk}/",
        STAFF,
        api=True,
        stranger_url=lambda w, s: f"/api/v1/locator/profiles/{_published(s).pk}/",
    ),
    Endpoint(
        "api-locator-profile-hide",
        lambda w: f"/api/v1/locator/profiles/{_published(w).pk}/hide/",
        STAFF,
        api=True,
        method="post",
        data=lambda w: {"reason": "Matrix"},
        stranger_url=lambda w, s: f"/api/v1/locator/profiles/{_published(s).pk}/hide/",
    ),
    Endpoint(
        "api-locator-profile-restore",
        lambda w: f"/api/v1/locator/profiles/{_hidden(w).pk}/restore/",
        STAFF,
        api=True,
        method="post",
        stranger_url=lambda w, s: f"/api/v1/locator/profiles/{_hidden(s).pk}/restore/",
    ),
    Endpoint("api-locator-referrals", lambda w: "/api/v1/locator/referrals/", REFERRERS, api=True),
    Endpoint(
        "api-locator-referrals",
        lambda w: "/api/v1/locator/referrals/",
        REFERRERS,
        api=True,
        method="post",
        data=lambda w: {"company_name": "Matrix Co", "contact_email": "m@matrix.example"},
    ),
]
# The public search as JSON answers anyone, like /find/ (tests/locator/test_api.py).
PUBLIC_URL_NAMES |= {"api-locator-search"}
