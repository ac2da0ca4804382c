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
    # Erasure, confirmed by typing the person's e-mail address: admins only.
    Endpoint(
        "privacy-erase",
        lambda w: f"/privacy/erase/{w.partner_user.pk}/",
        {"admin"},
        method="post",
        data=lambda w: {"confirm": w.partner_user.user.email},
        expect={302},
        stranger_url=lambda w, s: f"/privacy/erase/{s.partner_user.pk}/",
    ),
]
