"""Permission rows for whole-tenant export and deletion (tenantdata/urls.py)."""

from tests.permissions import Endpoint

ADMIN = {"admin"}

ENDPOINTS = [
    Endpoint("tenant-data", lambda w: "/tenant-data/", ADMIN),
    Endpoint("tenant-data-export", lambda w: "/tenant-data/exports/", ADMIN, method="post"),
    # No export with this id: admins get 404, like an expired link (the download itself and
    # its cross-tenant 404 are in tests/tenantdata/test_tenant_data.py).
    Endpoint(
        "tenant-data-export-download",
        lambda w: "/tenant-data/exports/999999999/download/",
        ADMIN,
        expect={404},
    ),
    Endpoint(
        "tenant-data-delete",
        lambda w: "/tenant-data/deletion/",
        ADMIN,
        method="post",
        data=lambda w: {"confirm": w.tenant.slug},
    ),
    Endpoint(
        "tenant-data-delete-cancel", lambda w: "/tenant-data/deletion/cancel/", ADMIN, method="post"
    ),
]
