"""Permission rows of the sharing matrix, the overlap pages, acting on overlaps and
introductions (portal and API). Objects: tests.accountmap.sharing_objects."""

from __future__ import annotations

from tests.accountmap.sharing_objects import sharing_objects
from tests.permissions import PROGRAM, STAFF, VENDOR, Endpoint

PARTNER_ROLES = {"partner_admin", "partner_user"}
MANAGERS = {"admin", "partner_admin"}


def _o(world):
    return sharing_objects(world)


def _pair(url):
    return {"url": lambda w: url(w, _o(w)), "stranger_url": lambda w, s: url(s, _o(s))}


ENDPOINTS = [
    # --- Portal
    Endpoint("account-sharing", lambda w: "/accounts/sharing/", PROGRAM),
    # An empty form: the page again with its errors (nothing saved).
    Endpoint("account-sharing", lambda w: "/accounts/sharing/", MANAGERS, method="post"),
    Endpoint(
        "account-sharing-partner",
        allowed=STAFF,
        **_pair(lambda w, o: f"/accounts/sharing/partners/{w.partner.pk}/"),
    ),
    Endpoint(
        "account-sharing-partner",
        allowed={"admin"},
        method="post",
        **_pair(lambda w, o: f"/accounts/sharing/partners/{w.partner.pk}/"),
    ),
    Endpoint("account-overlaps", lambda w: (_o(w), "/accounts/overlaps/")[1], PROGRAM),
    Endpoint("account-greenfield", lambda w: "/accounts/overlaps/greenfield/", PROGRAM),
    Endpoint(
        "account-overlaps-partner",
        allowed=STAFF,
        **_pair(lambda w, o: f"/accounts/overlaps/partners/{w.partner.pk}/"),
    ),
    Endpoint(
        "account-greenfield-partner",
        allowed=STAFF,
        **_pair(lambda w, o: f"/accounts/overlaps/partners/{w.partner.pk}/greenfield/"),
    ),
    Endpoint(
        "account-overlap-register-deal",
        allowed=PARTNER_ROLES,
        **_pair(lambda w, o: f"/accounts/overlaps/{o.overlap.pk}/register-deal/"),
    ),
    Endpoint(
        "account-overlap-intro",
        allowed=PARTNER_ROLES,
        **_pair(lambda w, o: f"/accounts/overlaps/{o.overlap.pk}/intro/"),
    ),
    Endpoint(
        "account-overlap-intro",
        allowed=PARTNER_ROLES,
        method="post",
        data=lambda w: {"message": "Please introduce us."},
        **_pair(lambda w, o: f"/accounts/overlaps/{o.overlap.pk}/intro/"),
    ),
    Endpoint("account-intros", lambda w: (_o(w), "/accounts/intros/")[1], PROGRAM),
    Endpoint(
        "account-intro-accept",
        allowed=STAFF,
        method="post",
        **_pair(lambda w, o: f"/accounts/intros/{o.intro.pk}/accept/"),
    ),
    Endpoint(
        "account-intro-decline",
        allowed=STAFF,
        method="post",
        data=lambda w: {"reason": "Not now"},
        **_pair(lambda w, o: f"/accounts/intros/{o.intro.pk}/decline/"),
    ),
    # Staff for any vendor account; a sales rep for the ones they sell (this one is theirs;
    # another rep's is a 404: tests/cosell/test_cosell_reps.py).
    Endpoint(
        "account-partners",
        allowed=VENDOR,
        **_pair(lambda w, o: f"/accounts/{o.vendor.pk}/partners/"),
    ),
    # --- API
    Endpoint(
        "api-account-sharing-rules", lambda w: "/api/v1/account-sharing-rules/", PROGRAM, api=True
    ),
    Endpoint(
        "api-account-sharing-rules",
        lambda w: "/api/v1/account-sharing-rules/",
        MANAGERS,
        method="post",
        api=True,
        data=lambda w: {"status": "customer", "level": "overlaps", "fields": ["industry"]},
    ),
    Endpoint(
        "api-account-overlap-list",
        lambda w: (_o(w), f"/api/v1/account-overlaps/?partner={w.partner.pk}")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-account-overlap-counts",
        lambda w: f"/api/v1/account-overlaps/counts/?partner={w.partner.pk}",
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-account-overlap-intro",
        allowed=PARTNER_ROLES,
        method="post",
        api=True,
        data=lambda w: {"message": "Please introduce us."},
        **_pair(lambda w, o: f"/api/v1/account-overlaps/{o.overlap.pk}/intro/"),
    ),
    Endpoint(
        "api-greenfield-account-list",
        lambda w: f"/api/v1/greenfield-accounts/?partner={w.partner.pk}",
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-account-intro-list",
        lambda w: (_o(w), "/api/v1/account-intros/")[1],
        PROGRAM,
        api=True,
    ),
    Endpoint(
        "api-account-intro-detail",
        allowed=PROGRAM,
        api=True,
        **_pair(lambda w, o: f"/api/v1/account-intros/{o.intro.pk}/"),
    ),
    *(
        Endpoint(
            f"api-account-intro-{name}",
            allowed=STAFF,
            method="post",
            api=True,
            data=lambda w: {"reason": "Not now"},
            **_pair(lambda w, o, name=name: f"/api/v1/account-intros/{o.intro.pk}/{name}/"),
        )
        for name in ("accept", "decline")
    ),
]

ENDPOINTS += [
    # The partner's account is shared (its own rule) for the vendor to act on.
    Endpoint(
        "account-overlap-lead",
        allowed=STAFF,
        method="post",
        **_pair(lambda w, o: f"/accounts/overlaps/{o.overlap.pk}/lead/"),
    ),
    Endpoint(
        "api-account-overlap-lead",
        allowed=STAFF,
        method="post",
        api=True,
        **_pair(lambda w, o: f"/api/v1/account-overlaps/{o.overlap.pk}/lead/"),
    ),
]
ENDPOINTS.append(
    Endpoint(
        "api-account-overlap-known-by",
        lambda w: f"/api/v1/account-overlaps/known-by/?account={_o(w).vendor.pk}",
        VENDOR,
        api=True,
    )
)
