"""Absolute URLs for a tenant's portal (e-mails, the tenant switcher)."""

from django.conf import settings


def tenant_base_url(tenant) -> str:
    host = f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}"
    port = settings.PRM_PUBLIC_PORT
    default_port = {"http": "80", "https": "443"}[settings.PRM_PUBLIC_SCHEME]
    if port and port != default_port:
        host = f"{host}:{port}"
    return f"{settings.PRM_PUBLIC_SCHEME}://{host}"


def tenant_url(tenant, path: str) -> str:
    return tenant_base_url(tenant) + path


def public_url(path: str = "/") -> str:
    host = settings.PRM_BASE_DOMAIN
    port = settings.PRM_PUBLIC_PORT
    default_port = {"http": "80", "https": "443"}[settings.PRM_PUBLIC_SCHEME]
    if port and port != default_port:
        host = f"{host}:{port}"
    return f"{settings.PRM_PUBLIC_SCHEME}://{host}{path}"
