"""Permission rows for people mapping: a rep's accounts (vendor people), territories and
account owners (the tenant's admins for the vendor's side, a partner admin for its own
company's; the other side's objects answer 404). The objects are built lazily, once per
world."""

from __future__ import annotations

from types import SimpleNamespace

from tests.permissions import EVERYONE, Endpoint

ADMIN = {"admin"}
PARTNER_ADMIN = {"partner_admin"}
MANAGERS = {"admin", "partner_admin"}
# Not allowed on the vendor's object: 403 by role, and a partner admin (who may manage
# territories, but only its company's) finds no such object: 404.
VENDOR_SIDE_DENIED = {403, 404}


def people_objects(world) -> SimpleNamespace:
    existing = getattr(world, "_people", None)
    if existing is not None:
        return existing
    from accountmap import people
    from prm.tenancy import tenant_context
    from tests.accountmap.people_helpers import account

    with tenant_context(world.tenant):
        vendor_territory = people.territory_create(
            by=world.admin, data={"name": "DACH", "countries": ["DE", "AT", "CH"]}
        )
        people.territory_rep_add(
            by=world.admin, territory=vendor_territory, member_id=world.sales_rep.pk
        )
        partner_territory = people.territory_create(
            by=world.partner_admin, data={"name": "Nordics", "regions": ["Nordics"]}
        )
        people.territory_rep_add(
            by=world.partner_admin,
            territory=partner_territory,
            member_id=world.partner_user.pk,
        )
        vendor_account = account(world.tenant, "Initech", country="DE", status="opportunity")
        partner_account = account(world.tenant, "Initech", partner=world.partner, region="Nordics")
    world._people = SimpleNamespace(
        vendor_territory=vendor_territory,
        partner_territory=partner_territory,
        vendor_account=vendor_account,
        partner_account=partner_account,
    )
    return world._people


def _o(world):
    return people_objects(world)


def _vendor(url):
    return {"url": lambda w: url(_o(w)), "stranger_url": lambda w, s: url(_o(s))}


def _partner(url):
    return {"url": lambda w: url(_o(w)), "stranger_url": lambda w, s: url(_o(s))}


def _territory_data(w):
    return {"name": "Benelux", "countries": "NL, BE"}


ENDPOINTS = [
    # --- Portal
    Endpoint("my-accounts", lambda w: "/my-accounts/", EVERYONE),
    Endpoint("territory-list", lambda w: "/territories/", MANAGERS),
    Endpoint("territory-list", lambda w: "/territories/", MANAGERS, method="post"),
    Endpoint(
        name="territory-detail",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        **_vendor(lambda o: f"/territories/{o.vendor_territory.pk}/"),
    ),
    Endpoint(
        name="territory-detail",
        allowed=PARTNER_ADMIN,
        denied={403, 404},  # the tenant's admin manages the vendor's side only
        **_partner(lambda o: f"/territories/{o.partner_territory.pk}/"),
    ),
    Endpoint(
        name="territory-detail",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        method="post",
        data=_territory_data,
        **_vendor(lambda o: f"/territories/{o.vendor_territory.pk}/"),
    ),
    Endpoint(
        name="territory-delete",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        **_vendor(lambda o: f"/territories/{o.vendor_territory.pk}/delete/"),
    ),
    Endpoint(
        name="territory-delete",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        method="post",
        **_vendor(lambda o: f"/territories/{o.vendor_territory.pk}/delete/"),
    ),
    Endpoint(
        name="territory-delete",
        allowed=PARTNER_ADMIN,
        denied={403, 404},
        method="post",
        **_partner(lambda o: f"/territories/{o.partner_territory.pk}/delete/"),
    ),
    Endpoint(
        name="territory-rep-add",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        method="post",
        data=lambda w: {"member": w.channel_manager.pk},
        **_vendor(lambda o: f"/territories/{o.vendor_territory.pk}/reps/"),
    ),
    Endpoint(
        name="territory-rep-remove",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        method="post",
        url=lambda w: f"/territories/{_o(w).vendor_territory.pk}/reps/{w.sales_rep.pk}/remove/",
        stranger_url=lambda w, s: (
            f"/territories/{_o(s).vendor_territory.pk}/reps/{s.sales_rep.pk}/remove/"
        ),
    ),
    Endpoint("account-owners", lambda w: "/territories/owners/", MANAGERS),
    Endpoint(
        name="account-owner-assign",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        method="post",
        data=lambda w: {f"a{_o(w).vendor_account.pk}-member": w.sales_rep.pk},
        **_vendor(lambda o: f"/territories/owners/{o.vendor_account.pk}/"),
    ),
    Endpoint(
        name="account-owner-assign",
        allowed=PARTNER_ADMIN,
        denied={403, 404},
        method="post",
        data=lambda w: {f"a{_o(w).partner_account.pk}-member": w.partner_user.pk},
        **_partner(lambda o: f"/territories/owners/{o.partner_account.pk}/"),
    ),
    # --- API
    Endpoint("api-my-account-list", lambda w: "/api/v1/my-accounts/", EVERYONE, api=True),
    Endpoint("api-territory-list", lambda w: "/api/v1/territories/", MANAGERS, api=True),
    Endpoint(
        "api-territory-list",
        lambda w: "/api/v1/territories/",
        MANAGERS,
        method="post",
        api=True,
        data=lambda w: {"name": "Benelux", "countries": ["NL", "BE"]},
    ),
    Endpoint(
        name="api-territory-detail",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        **_vendor(lambda o: f"/api/v1/territories/{o.vendor_territory.pk}/"),
    ),
    Endpoint(
        name="api-territory-detail",
        allowed=PARTNER_ADMIN,
        denied={403, 404},
        api=True,
        **_partner(lambda o: f"/api/v1/territories/{o.partner_territory.pk}/"),
    ),
    Endpoint(
        name="api-territory-detail",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        method="patch",
        data=lambda w: {"industries": ["Retail"]},
        **_vendor(lambda o: f"/api/v1/territories/{o.vendor_territory.pk}/"),
    ),
    Endpoint(
        name="api-territory-detail",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        method="delete",
        **_vendor(lambda o: f"/api/v1/territories/{o.vendor_territory.pk}/"),
    ),
    Endpoint(
        name="api-territory-assign",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        method="post",
        data=lambda w: {"member": w.channel_manager.pk},
        **_vendor(lambda o: f"/api/v1/territories/{o.vendor_territory.pk}/assign/"),
    ),
    Endpoint(
        name="api-territory-unassign",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        method="post",
        data=lambda w: {"member": w.sales_rep.pk},
        **_vendor(lambda o: f"/api/v1/territories/{o.vendor_territory.pk}/unassign/"),
    ),
    Endpoint("api-account-owner-list", lambda w: "/api/v1/account-owners/", MANAGERS, api=True),
    Endpoint(
        name="api-account-owner-owner",
        allowed=ADMIN,
        denied=VENDOR_SIDE_DENIED,
        api=True,
        method="post",
        data=lambda w: {"member": w.sales_rep.pk},
        **_vendor(lambda o: f"/api/v1/account-owners/{o.vendor_account.pk}/owner/"),
    ),
    Endpoint(
        name="api-account-owner-owner",
        allowed=PARTNER_ADMIN,
        denied={403, 404},
        api=True,
        method="post",
        data=lambda w: {"member": w.partner_user.pk},
        **_partner(lambda o: f"/api/v1/account-owners/{o.partner_account.pk}/owner/"),
    ),
]
