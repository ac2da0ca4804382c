"""Permission rows for CSV imports: leads for staff, the other kinds for admins."""

from __future__ import annotations

from tests.permissions import PROGRAM, STAFF, Endpoint

ADMIN = {"admin"}


def _job(world):
    existing = getattr(world, "_import_job", None)
    if existing is not None:
        return existing
    from imports import services as imports
    from prm.tenancy import tenant_context

    with tenant_context(world.tenant):
        world._import_job = imports.import_job_create(
            by=world.channel_manager, kind="leads", filename="l.csv", data=b"company\nAcme\n"
        )
    return world._import_job


def _pair(suffix):
    return {
        "url": lambda w: f"/imports/jobs/{_job(w).pk}/{suffix}",
        "stranger_url": lambda w, s: f"/imports/jobs/{_job(s).pk}/{suffix}",
    }


# A partner's people import their own accounts (accountmap), so they reach the imports list;
# a job of another kind is one they cannot see (404).
HIDDEN = {403, 404}

ENDPOINTS = [
    Endpoint("import-list", lambda w: "/imports/", PROGRAM),
    Endpoint(
        "import-upload", lambda w: "/imports/partner-accounts/", {"partner_admin", "partner_user"}
    ),
    Endpoint("import-upload", lambda w: "/imports/leads/", STAFF),
    Endpoint("import-upload", lambda w: "/imports/leads/", STAFF, method="post"),
    Endpoint("import-upload", lambda w: "/imports/partners/", ADMIN),
    Endpoint("import-upload", lambda w: "/imports/mdf-allocations/", ADMIN),
    Endpoint("import-job", allowed=STAFF, denied=HIDDEN, **_pair("")),
    # The leads job was made by the channel manager; staff may start it (once: the second
    # start is refused with a message, a redirect too).
    Endpoint("import-start", allowed=STAFF, method="post", denied=HIDDEN, **_pair("start/")),
    Endpoint("import-status", allowed=STAFF, denied=HIDDEN, **_pair("status.json")),
    Endpoint("import-errors", allowed=STAFF, denied=HIDDEN, **_pair("errors.csv")),
]
