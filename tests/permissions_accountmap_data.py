"""Permission rows of account mapping's data part (accountmap/urls.py, accountmap/api.py):
each side's own accounts and populations, (overlaps are in permissions_accountmap_sharing).

Staff read the vendor's accounts and admins write them; a partner's people read and write
their own company's. An account or population of the other side is a 404, like a missing
one (`denied` {403, 404})."""

from __future__ import annotations

from tests.permissions import PROGRAM, STAFF, Endpoint

ADMIN = {"admin"}
PARTNER_ROLES = {"partner_admin", "partner_user"}
MANAGERS = ADMIN | PARTNER_ROLES  # who writes their own side's accounts
HIDDEN = {403, 404}


def _once(world, name: str, make):
    if not hasattr(world, name):
        # local: the permission tables load before the app registry is ready
        from prm.tenancy import tenant_context

        with tenant_context(world.tenant):
            setattr(world, name, make(world))
    return getattr(world, name)


def _vendor_account(w):
    def make(w):
        from tests.factories import AccountFactory  # local: loaded with the app registry

        return AccountFactory(tenant=w.tenant, name=f"{w.tenant.slug} vendor account")

    return _once(w, "vendor_account", make)


def _partner_account(w):
    def make(w):
        from tests.factories import AccountFactory  # local: loaded with the app registry

        return AccountFactory(
            tenant=w.tenant,
            partner=w.partner,
            name=f"{w.tenant.slug} partner account",
            external_id="P-1",
        )

    return _once(w, "partner_account", make)


def _vendor_population(w):
    def make(w):
        from tests.factories import PopulationFactory  # local: loaded with the app registry

        return PopulationFactory(tenant=w.tenant, name="Enterprise", statuses=["customer"])

    return _once(w, "vendor_population", make)


def _partner_population(w):
    def make(w):
        from tests.factories import PopulationFactory  # local: loaded with the app registry

        return PopulationFactory(tenant=w.tenant, partner=w.partner, name="Ours")

    return _once(w, "partner_population", make)


ACCOUNT = {"name": "Matrix Corp", "domain": "matrix-corp.example", "status": "customer"}

ENDPOINTS = [
    # Portal: the list and forms serve each side its own accounts.
    Endpoint("account-list", lambda w: "/accounts/", PROGRAM),
    Endpoint("account-create", lambda w: "/accounts/new/", MANAGERS),
    Endpoint(
        "account-create",
        lambda w: "/accounts/new/",
        MANAGERS,
        method="post",
        data=lambda w: ACCOUNT,
    ),
    Endpoint(
        "account-detail",
        lambda w: f"/accounts/{_vendor_account(w).pk}/",
        STAFF,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/{_vendor_account(s).pk}/",
    ),
    Endpoint(
        "account-detail",
        lambda w: f"/accounts/{_partner_account(w).pk}/",
        PARTNER_ROLES,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/{_partner_account(s).pk}/",
    ),
    Endpoint(
        "account-edit",
        lambda w: f"/accounts/{_vendor_account(w).pk}/edit/",
        ADMIN,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/{_vendor_account(s).pk}/edit/",
    ),
    Endpoint(
        "account-edit",
        lambda w: f"/accounts/{_partner_account(w).pk}/edit/",
        PARTNER_ROLES,
        method="post",
        data=lambda w: ACCOUNT,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/{_partner_account(s).pk}/edit/",
    ),
    Endpoint(
        "account-delete",
        lambda w: f"/accounts/{_vendor_account(w).pk}/delete/",
        ADMIN,
        method="post",
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/{_vendor_account(s).pk}/delete/",
    ),
    Endpoint(
        "account-delete",
        lambda w: f"/accounts/{_partner_account(w).pk}/delete/",
        PARTNER_ROLES,
        method="post",
        denied=HIDDEN,
    ),
    Endpoint("population-list", lambda w: "/accounts/populations/", PROGRAM),
    Endpoint("population-create", lambda w: "/accounts/populations/new/", MANAGERS),
    Endpoint(
        "population-create",
        lambda w: "/accounts/populations/new/",
        MANAGERS,
        method="post",
        data=lambda w: {"name": "Matrix", "statuses": ["customer"]},
    ),
    Endpoint(
        "population-edit",
        lambda w: f"/accounts/populations/{_vendor_population(w).pk}/edit/",
        ADMIN,
        method="post",
        data=lambda w: {"name": "Renamed"},
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/populations/{_vendor_population(s).pk}/edit/",
    ),
    Endpoint(
        "population-edit",
        lambda w: f"/accounts/populations/{_partner_population(w).pk}/edit/",
        PARTNER_ROLES,
        denied=HIDDEN,
    ),
    Endpoint(
        "population-delete",
        lambda w: f"/accounts/populations/{_vendor_population(w).pk}/delete/",
        ADMIN,
        method="post",
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/accounts/populations/{_vendor_population(s).pk}/delete/",
    ),
    Endpoint(
        "population-delete",
        lambda w: f"/accounts/populations/{_partner_population(w).pk}/delete/",
        PARTNER_ROLES,
        method="post",
        denied=HIDDEN,
    ),
    # API
    Endpoint("api-account-list", lambda w: "/api/v1/accounts/", PROGRAM, api=True),
    Endpoint(
        "api-account-detail",
        lambda w: f"/api/v1/accounts/{_partner_account(w).external_id}/",
        PARTNER_ROLES,
        api=True,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/api/v1/accounts/{_partner_account(s).external_id}/",
    ),
    Endpoint(
        "api-account-detail",
        lambda w: "/api/v1/accounts/CRM-9/",
        MANAGERS,
        method="put",
        data=lambda w: ACCOUNT,
        api=True,
    ),
    Endpoint(
        "api-account-detail",
        lambda w: f"/api/v1/accounts/{_partner_account(w).external_id}/",
        PARTNER_ROLES,
        method="delete",
        api=True,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/api/v1/accounts/{_partner_account(s).external_id}/",
    ),
    Endpoint(
        "api-account-bulk",
        lambda w: "/api/v1/accounts/bulk/",
        MANAGERS,
        method="post",
        data=lambda w: {"accounts": [{"external_id": "B-1", **ACCOUNT}]},
        api=True,
    ),
    Endpoint(
        "api-account-population-list", lambda w: "/api/v1/account-populations/", PROGRAM, api=True
    ),
    Endpoint(
        "api-account-population-list",
        lambda w: "/api/v1/account-populations/",
        MANAGERS,
        method="post",
        data=lambda w: {"name": "API population", "statuses": ["prospect"]},
        api=True,
    ),
    Endpoint(
        "api-account-population-detail",
        lambda w: f"/api/v1/account-populations/{_vendor_population(w).pk}/",
        STAFF,
        api=True,
        denied=HIDDEN,
        stranger_url=lambda w, s: f"/api/v1/account-populations/{_vendor_population(s).pk}/",
    ),
    Endpoint(
        "api-account-population-detail",
        lambda w: f"/api/v1/account-populations/{_partner_population(w).pk}/",
        PARTNER_ROLES,
        method="patch",
        data=lambda w: {"min_employees": 10},
        api=True,
        denied=HIDDEN,
    ),
    Endpoint(
        "api-account-population-detail",
        lambda w: f"/api/v1/account-populations/{_vendor_population(w).pk}/",
        ADMIN,
        method="delete",
        api=True,
        denied=HIDDEN,
    ),
]
