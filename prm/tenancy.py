"""Tenant isolation, enforced twice.

1. In the ORM: every tenant-owned model derives from `TenantModel`, whose default manager is a
   django-scopes `ScopedManager`. A query made outside `tenant_context()` raises ScopeError.
2. In PostgreSQL: every tenant table has FORCED row-level security with a policy comparing
   `tenant_id` to the transaction-local setting `prm.tenant_id` (see `prm.rls`).

`tenant_context()` is the one way to enter a tenant; the request middleware, the Celery task
base class and management commands all use it. It opens a transaction and sets the tenant with
`set_config(..., true)`, which PostgreSQL forgets at commit or rollback, so a pooled connection
can never carry one tenant's id into another's work.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, models, transaction
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_scopes import ScopedManager, scope, scopes_disabled

TENANT_SETTING = "prm.tenant_id"
USER_SETTING = "prm.user_id"


class TenantModel(models.Model):
    """Base of every row that belongs to one tenant."""

    tenant = models.ForeignKey("prm.Tenant", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


def tenant_without_key():
    """A `TenantModel`'s `tenant` field with no single-column key and no index of its own, for
    tables written in bulk whose tenant is implied by another key of the row or by the
    statement that writes them (prm.distribution.COMPOSITE_ONLY and DERIVED). The row-level
    security policy still keeps every row in its tenant."""
    return models.ForeignKey(
        "prm.Tenant",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )


def telemetry(sql: str) -> str:
    """`sql` followed by a switch of its transaction to asynchronous commit, for requests that
    write nothing but telemetry (a page view, a tracked click): the request then does not wait
    for the WAL to reach the disk, which at hundreds of hits a second is most of a hit's time.
    A database crash can lose the last fraction of a second of such counts, never part of one
    (the transaction stays atomic), and nothing else: use it only where the request's
    transaction writes no other data. Appended after `sql`, so a cursor's results are
    still `sql`'s."""
    return f"{sql.rstrip().rstrip(';')}; SET LOCAL synchronous_commit TO OFF"


def set_db_tenant(tenant_id: int | None, user_id: int | None = None) -> None:
    """Set the tenant (and signed-in user) for the current transaction only."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [
                TENANT_SETTING,
                "" if tenant_id is None else str(tenant_id),
                USER_SETTING,
                "" if user_id is None else str(user_id),
            ],
        )


@contextlib.contextmanager
def tenant_context(tenant, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block as `tenant`: ORM scope plus the database setting, in one transaction.

    Nested calls for the same tenant are cheap (a savepoint); a nested call for another
    tenant is refused, because a transaction must never mix tenants.
    """
    current = getattr(_state, "tenant_id", None)
    if current is not None and current != tenant.pk:
        raise RuntimeError("tenant_context() cannot switch tenants inside a tenant transaction")
    outer = current is None
    # Times are shown in the tenant's zone in pages, e-mails, PDFs and tasks alike.
    zone = tenant_zone(tenant) if outer else timezone.get_current_timezone()
    with scope(tenant=tenant), timezone.override(zone):
        with transaction.atomic():
            if outer:
                set_db_tenant(tenant.pk, user_id)
                _state.tenant_id = tenant.pk
            try:
                yield
            finally:
                if outer:
                    _state.tenant_id = None
        if outer and connection.in_atomic_block:
            # Still inside a caller's transaction (tests, nested jobs): forget the tenant
            # now rather than at that transaction's end.
            set_db_tenant(None)


# --- Hits: one statement, one round trip ------------------------------------------------------
#
# An anonymous visitor's page view or tracked click is one statement that finds and counts
# (marketing's landing pages and tracked links, hundreds a second). Inside the request's
# tenant transaction it costs four round trips (BEGIN, the tenant setting, the statement,
# COMMIT); as a hit it is one: the tenant setting and the statement go to PostgreSQL as one
# message, which runs as one implicit transaction, so the setting lasts exactly as long as
# the statement and row-level security applies as everywhere else.
#
# TenantMiddleware runs a request as a hit only when all of these hold: GET or HEAD, no
# session cookie (an anonymous visitor), a path under one of HIT_PREFIXES (registered by the
# apps that have such views) and a view marked with @tenant_hit. In a hit there is no
# transaction and no ORM scope (a tenant query raises django-scopes' ScopeError instead of
# silently finding nothing): the view runs its statement with hit_execute() and wraps
# anything else (the first rendering of a page, another link target) in tenant_context().

HIT_PREFIXES: list[str] = []


def register_hit_prefix(prefix: str) -> None:
    if prefix not in HIT_PREFIXES:
        HIT_PREFIXES.append(prefix)


def tenant_hit(view):
    """Mark a view whose anonymous GETs may run as hits (see above). Outermost decorator."""
    view.tenant_hit = True
    return view


@contextlib.contextmanager
def hit_context(tenant) -> Iterator[None]:
    """A request run as a hit: the tenant's time zone, no transaction, no ORM scope."""
    _state.hit_tenant_id = tenant.pk
    try:
        with timezone.override(tenant_zone(tenant)):
            yield
    finally:
        _state.hit_tenant_id = None


_HIT_PREFIX_SQL = "SELECT set_config('prm.tenant_id', %(_hit_tenant)s, true); "
_HIT_SUFFIX_SQL = "; SELECT set_config('prm.tenant_id', '', true)"


def hit_execute(cursor, sql: str, params: dict) -> None:
    """Run `sql` (bound by name) for the current tenant and leave `cursor` on its results.
    Inside a tenant transaction it is a plain execute; in a hit, the tenant setting, `sql`
    and a reset of the setting are sent as one message (the reset matters only where a
    caller's transaction is open around the hit, as in tests)."""
    if getattr(_state, "tenant_id", None) is not None:
        cursor.execute(sql, params)
        return
    hit = getattr(_state, "hit_tenant_id", None)
    if hit is None:
        raise RuntimeError("hit_execute() needs tenant_context() or a hit request")
    cursor.execute(
        _HIT_PREFIX_SQL + sql.rstrip().rstrip(";") + _HIT_SUFFIX_SQL,
        {**params, "_hit_tenant": str(hit)},
    )
    cursor.nextset()


def tenant_zone(tenant) -> zoneinfo.ZoneInfo:
    """The tenant's time zone; UTC if its setting is not a known IANA name."""
    try:
        return zoneinfo.ZoneInfo(tenant.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def set_db_user(tenant_id: int | None, user_id: int | None) -> None:
    """Record the signed-in user for this transaction (lets RLS show a person their own
    memberships in other tenants, for the tenant switcher)."""
    set_db_tenant(tenant_id, user_id)


@contextlib.contextmanager
def no_tenant_context(*, user_id: int | None = None) -> Iterator[None]:
    """A transaction with no tenant: tenant tables look empty (used on the base domain)."""
    with transaction.atomic():
        set_db_tenant(None, user_id)
        yield


@contextlib.contextmanager
def system_context() -> Iterator[None]:
    """For cross-tenant system jobs only: disables the ORM scope. RLS still applies, so the
    job must enter each tenant with tenant_context() before touching its rows."""
    with scopes_disabled():
        yield


_state = threading.local()


# Host -> (expiry, tenant): resolve_tenant's answers for PRM_TENANT_CACHE_SECONDS, so a
# request does not look its tenant up again (one round trip less on every page, link click
# and API call). Cleared in this process whenever a Tenant or TenantHost is saved or deleted
# (prm.apps); another process sees a change within the TTL. Unknown hosts are never kept.
_hosts: dict[str, tuple[float, object]] = {}


def forget_tenant_hosts(**_kwargs) -> None:
    """Drop every cached host (a tenant or one of its domains changed)."""
    _hosts.clear()


def resolve_tenant(host: str):
    """Map a request host to (tenant, is_public). Raises Http404 for unknown hosts, and for
    custom domains not (or no longer) proven by their tenant (pending or suspended). Each
    caller gets its own copy of the tenant, so a change one request makes to it never shows
    in another."""
    host = host.split(":")[0].lower().rstrip(".")
    seconds = getattr(settings, "PRM_TENANT_CACHE_SECONDS", 0)
    if seconds > 0:
        hit = _hosts.get(host)
        if hit is not None and hit[0] > time.monotonic():
            return copy.copy(hit[1]), False
    tenant, is_public = _resolve_tenant(host)
    if seconds > 0 and tenant is not None:
        _hosts[host] = (time.monotonic() + seconds, copy.copy(tenant))
    return tenant, is_public


def _resolve_tenant(host: str):
    # local: prm.models imports this module at load time
    from prm.models import HostStatus, Tenant, TenantHost

    base = settings.PRM_BASE_DOMAIN
    if host == base or host in getattr(settings, "PRM_PUBLIC_HOSTS", ()):
        return None, True
    if host.endswith("." + base):
        slug = host[: -len(base) - 1]
        if "." not in slug:
            tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
            if tenant:
                return tenant, False
    mapped = (
        TenantHost.objects.select_related("tenant")
        .filter(host=host, status=HostStatus.VERIFIED)
        .first()
    )
    if mapped and mapped.tenant.is_active:
        return mapped.tenant, False
    raise Http404("Unknown host")


class TenantMiddleware:
    """Resolves the tenant from the Host header and runs the rest of the request inside it.

    Everything after this middleware (sessions, auth, the view) runs in one transaction with
    the tenant set, like ATOMIC_REQUESTS, so on_commit hooks fire only after the response's
    writes are durable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant, is_public = resolve_tenant(request.get_host())
        request.tenant = tenant
        if is_public:
            request.urlconf = settings.PUBLIC_URLCONF
            with no_tenant_context():
                return self.get_response(request)
        if self._is_hit(request):
            with hit_context(tenant):
                return self.get_response(request)
        with tenant_context(tenant):
            return self.get_response(request)

    @staticmethod
    def _is_hit(request) -> bool:
        """An anonymous GET of a view marked @tenant_hit (see HIT_PREFIXES)."""
        path = request.path_info
        if not HIT_PREFIXES or not path.startswith(tuple(HIT_PREFIXES)):
            return False
        if request.method not in ("GET", "HEAD"):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        try:
            match = resolve(path, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return getattr(match.func, "tenant_hit", False)
