"""Permission rows for the personal-data pages (tenantdata/urls.py)."""

from tests.permissions import EVERYONE, Endpoint

ENDPOINTS = [
    Endpoint("privacy", lambda w: "/privacy/", EVERYONE),
    Endpoint("privacy", lambda w: "/privacy/", EVERYONE, method="post"),
    # No export was made for this token: every member gets 404, like an expired link.
    Endpoint("privacy-export", lambda w: "/privacy/export/no-such-token/", EVERYONE, expect={404}),
    Endpoint(
        "privacy-erase",
        lambda w: f"/privacy/erase/{w.partner_user.pk}/",
        {"admin"},
        stranger_url=lambda w, s: f"/privacy/erase/{s.partner_user.pk}/",
    ),
]
