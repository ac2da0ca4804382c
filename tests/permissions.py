"""The permission matrix: every portal URL and API endpoint, and which roles may use it.

Each later app appends its endpoints to ENDPOINTS (and any deliberately public URL names to
PUBLIC_URL_NAMES). tests/prm/test_permission_matrix.py then checks, for every row:
  - anonymous: portal pages redirect to sign-in, API answers 401;
  - a member whose role is not listed: 403;
  - a member whose role is listed: success (2xx or a redirect after a POST);
  - an object of the stranger tenant, requested by an allowed member: 404;
and that no URL name of the project is missing from the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("admin", "channel_manager", "partner_admin", "partner_user", "sales_rep")
# The vendor's people who run the partner program (reviews, decisions, funds, setup).
STAFF = {"admin", "channel_manager"}
# Everyone on the vendor's side: the staff and the sales reps, who co-sell and read what they
# need for it (deals, the partner directory, the rules) but run nothing.
VENDOR = STAFF | {"sales_rep"}
# The people in the partner program: those who run it and the partners. Pages about the
# program's own machinery (funds, training, onboarding, business reviews) are theirs only.
PROGRAM = STAFF | {"partner_admin", "partner_user"}
EVERYONE = set(ROLES)


@dataclass
class Endpoint:
    name: str  # URL name, for the completeness check
    url: Callable  # (world) -> path
    allowed: set[str]
    method: str = "get"
    data: Callable | None = None  # (world) -> request body
    api: bool = False
    stranger_url: Callable | None = None  # (world, stranger) -> path that must 404
    expect: set[int] = field(default_factory=lambda: {200, 201, 204, 302})
    # Object rows a role cannot even see answer 404, like a missing object.
    denied: set[int] = field(default_factory=lambda: {403})

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def object_rows(table) -> list[Endpoint]:
    """Rows on objects, one line each: (name, allowed, method, where[, options]), `where` the
    row's `url` and `stranger_url` (an app's helper builds them from a path on its object),
    `options` any other Endpoint field (data, expect, ...); a name starting "api-" is an API
    row."""
    out = []
    for name, allowed, method, where, *options in table:
        extra = options[0] if options else {}
        api = name.startswith("api-")
        out.append(Endpoint(name, allowed=allowed, method=method, api=api, **where, **extra))
    return out


def _host(world):
    """A pending custom domain of the world's tenant, made on first use."""
    if not hasattr(world, "custom_host"):
        from prm.tenancy import tenant_context
        from tests.factories import TenantHostFactory

        with tenant_context(world.tenant):
            world.custom_host = TenantHostFactory(
                tenant=world.tenant, host=f"partners.{world.tenant.slug}.example"
            )
    return world.custom_host


ENDPOINTS: list[Endpoint] = [
    # Portal
    Endpoint("home", lambda w: "/", EVERYONE),
    Endpoint("global-search", lambda w: "/search/?q=partner", EVERYONE),
    Endpoint("members", lambda w: "/members/", {"admin", "channel_manager", "partner_admin"}),
    Endpoint(
        "member-detail",
        lambda w: f"/members/{w.partner_user.pk}/",
        {"admin", "channel_manager", "partner_admin"},
        stranger_url=lambda w, s: f"/members/{s.partner_user.pk}/",
    ),
    Endpoint(
        "invitation-revoke",
        lambda w: f"/invitations/{w.pending_invitation.pk}/revoke/",
        {"admin", "partner_admin"},
        method="post",
        stranger_url=lambda w, s: f"/invitations/{s.pending_invitation.pk}/revoke/",
    ),
    # Every action on a member has its own URL; a partner admin manages their own company's.
    Endpoint(
        "members",
        lambda w: "/members/",
        {"admin", "partner_admin"},
        method="post",
        data=lambda w: {"email": ""},  # the invitation form, refused: the page again
    ),
    Endpoint(
        "member-change-role",
        lambda w: f"/members/{w.partner_user.pk}/role/",
        {"admin", "partner_admin"},
        method="post",
        data=lambda w: {"role": "partner_admin"},
        stranger_url=lambda w, s: f"/members/{s.partner_user.pk}/role/",
    ),
    *(
        Endpoint(
            f"member-{name}",
            lambda w, name=name: f"/members/{w.partner_user.pk}/{name}/",
            {"admin", "partner_admin"},
            method="post",
            stranger_url=lambda w, s, name=name: f"/members/{s.partner_user.pk}/{name}/",
        )
        for name in ("deactivate", "reactivate")
    ),
    # Irreversible actions: a GET of the action URL is its confirmation page (prm/confirm.py)
    Endpoint(
        "member-deactivate",
        lambda w: f"/members/{w.partner_user.pk}/deactivate/",
        {"admin", "partner_admin"},
        stranger_url=lambda w, s: f"/members/{s.partner_user.pk}/deactivate/",
    ),
    Endpoint(
        "invitation-revoke",
        lambda w: f"/invitations/{w.pending_invitation.pk}/revoke/",
        {"admin", "partner_admin"},
        stranger_url=lambda w, s: f"/invitations/{s.pending_invitation.pk}/revoke/",
    ),
    Endpoint(
        "api-key-revoke-portal",
        lambda w: f"/api-keys/{w.own_key.pk}/revoke/",
        {"admin"},
        denied={404},
        stranger_url=lambda w, s: f"/api-keys/{s.own_key.pk}/revoke/",
    ),
    Endpoint("tenant-settings", lambda w: "/settings/", {"admin"}),
    Endpoint("tenant-settings", lambda w: "/settings/", {"admin"}, method="post"),
    Endpoint("tenant-host-add", lambda w: "/settings/domains/", {"admin"}, method="post"),
    # One URL per action on a custom domain (prm.core_states.TENANT_HOST).
    *(
        Endpoint(
            f"tenant-host-{name}",
            lambda w, name=name: f"/settings/domains/{_host(w).pk}/{name}/",
            {"admin"},
            method="post",
            stranger_url=lambda w, s, name=name: f"/settings/domains/{_host(s).pk}/{name}/",
        )
        for name in ("verify", "make-main", "stop-main", "remove")
    ),
    Endpoint(
        "tenant-host-remove",
        lambda w: f"/settings/domains/{_host(w).pk}/remove/",
        {"admin"},
        stranger_url=lambda w, s: f"/settings/domains/{_host(s).pk}/remove/",
    ),
    Endpoint("audit", lambda w: "/audit/", {"admin"}),
    Endpoint("audit-export", lambda w: "/audit/export.csv", {"admin"}),
    Endpoint("api-keys", lambda w: "/api-keys/", EVERYONE),
    Endpoint("api-keys", lambda w: "/api-keys/", EVERYONE, method="post"),
    # Another member's key: only admins see it (the others get 404, as for a missing key).
    Endpoint(
        "api-key-revoke-portal",
        lambda w: f"/api-keys/{w.own_key.pk}/revoke/",
        {"admin"},
        method="post",
        denied={404},
        stranger_url=lambda w, s: f"/api-keys/{s.own_key.pk}/revoke/",
    ),
    # API
    Endpoint("api-me", lambda w: "/api/v1/me/", EVERYONE, api=True),
    Endpoint("api-search", lambda w: "/api/v1/search/?q=partner", EVERYONE, api=True),
    Endpoint("api-tenant", lambda w: "/api/v1/tenant/", {"admin"}, api=True),
    Endpoint(
        "api-member-list",
        lambda w: "/api/v1/members/",
        {"admin", "channel_manager", "partner_admin"},
        api=True,
    ),
    Endpoint(
        "api-member-detail",
        lambda w: f"/api/v1/members/{w.partner_user.pk}/",
        {"admin", "channel_manager", "partner_admin"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/members/{s.partner_user.pk}/",
    ),
    Endpoint(
        "api-invitation-list",
        lambda w: "/api/v1/invitations/",
        {"admin", "channel_manager", "partner_admin"},
        api=True,
    ),
    Endpoint(
        "api-invitation-revoke",
        lambda w: f"/api/v1/invitations/{w.pending_invitation.pk}/revoke/",
        {"admin", "partner_admin"},
        method="post",
        api=True,
        stranger_url=lambda w, s: f"/api/v1/invitations/{s.pending_invitation.pk}/revoke/",
    ),
    Endpoint("api-key-list", lambda w: "/api/v1/api-keys/", EVERYONE, api=True),
    Endpoint(
        "api-key-revoke",
        lambda w: f"/api/v1/api-keys/{w.own_key.pk}/revoke/",
        {"admin"},
        method="post",
        api=True,
        denied={403, 404},
        stranger_url=lambda w, s: f"/api/v1/api-keys/{s.own_key.pk}/revoke/",
    ),
    Endpoint("api-audit-event-list", lambda w: "/api/v1/audit-events/", {"admin"}, api=True),
    Endpoint(
        "api-audit-event-detail",
        lambda w: f"/api/v1/audit-events/{w.audit_event.pk}/",
        {"admin"},
        api=True,
        stranger_url=lambda w, s: f"/api/v1/audit-events/{s.audit_event.pk}/",
    ),
]

# URL names that are public by design (sign-in, invitations, branding, health, API docs).
PUBLIC_URL_NAMES = {
    "invitation-accept",
    "switch-enter",
    "switch-tenant",
    "branding-css",
    "branding-logo",
    "favicon",
    "healthz",
    "api-schema",
    "api-docs",
    "profile",
    "set_language",
    # allauth's e-mail-verification link, bound to the host it was issued on (prm.auth_views)
    "account_confirm_email",
}


# Each app keeps its rows in tests/permissions_<app>.py (ENDPOINTS and PUBLIC_URL_NAMES).
def _extend() -> None:
    import importlib

    for app in (
        "partners",
        "partners_api",
        "onboarding",
        "training",
        "dealreg",
        "dealreg_api",
        "mdf",
        "analytics",
        "integrations",
        "privacy",
        "tenant_data",
        "imports",
        "api_parity",
        "accountmap_data",
        "accountmap_sharing",
        "accountmap_people",
        "cosell",
        "incentives",
        "incentives_payouts",
        "jointplans",
        "marketing",
        "community",
        "locator",
        "predict",
    ):
        # A missing module is an error, not an app without rows: a renamed or deleted table
        # must not quietly take its endpoints out of the matrix.
        module = importlib.import_module(f"tests.permissions_{app}")
        ENDPOINTS.extend(module.ENDPOINTS)
        PUBLIC_URL_NAMES.update(getattr(module, "PUBLIC_URL_NAMES", set()))


_extend()
