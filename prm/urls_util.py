"""Absolute URLs for a tenant's portal (e-mails, the tenant switcher).

The one place that decides which host a link names: the tenant's canonical host (a VERIFIED
custom domain it chose, else <slug>.<base domain>), or the bare base domain. Never the
request's Host header: a link in an e-mail built from it would point wherever the sender of
the request liked (password-reset poisoning)."""

from django.conf import settings

from prm.models import HostStatus, TenantHost


def _with_port(host: str) -> str:
    port = settings.PRM_PUBLIC_PORT
    default_port = {"http": "80", "https": "443"}[settings.PRM_PUBLIC_SCHEME]
    if port and port != default_port:
        host = f"{host}:{port}"
    return f"{settings.PRM_PUBLIC_SCHEME}://{host}"


def canonical_host(tenant) -> str:
    """The tenant's canonical host name (without port)."""
    chosen = (
        TenantHost.objects.filter(
            tenant_id=tenant.pk, is_canonical=True, status=HostStatus.VERIFIED
        )
        .values_list("host", flat=True)
        .first()
    )
    return chosen or f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}"


def tenant_base_url(tenant) -> str:
    return _with_port(canonical_host(tenant))


def tenant_url(tenant, path: str) -> str:
    return tenant_base_url(tenant) + path


def public_url(path: str = "/") -> str:
    return _with_port(settings.PRM_BASE_DOMAIN) + path


def site_url(tenant, path: str = "/") -> str:
    """`path` on the tenant's canonical host, or on the bare base domain for tenant None."""
    return tenant_url(tenant, path) if tenant is not None else public_url(path)
