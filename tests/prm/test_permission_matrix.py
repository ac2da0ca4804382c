"""Runs the permission matrix in tests/permissions.py over every URL of the project."""

from __future__ import annotations

import inspect
import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from prm import services
from prm.audit import log_action
from prm.roles import Role
from prm.tenancy import tenant_context
from tests import permissions
from tests.conftest import api_client, build_world, portal_client
from tests.factories import TierFactory
from tests.permissions import ENDPOINTS, PUBLIC_URL_NAMES, ROLES


def _furnish(world):
    """Objects the matrix rows point at."""
    with tenant_context(world.tenant):
        # Made by the partner's own admin: the invitation a partner admin may revoke (staff's
        # and the system's are not theirs to cancel).
        world.pending_invitation, _ = services.member_invite(
            tenant=world.tenant,
            by=world.partner_admin,
            email=f"new@{world.tenant.slug}.example",
            role=Role.PARTNER_USER,
            partner=world.partner,
        )
        world.own_key, _ = services.api_key_create(
            member=world.other_partner_user, name="theirs", scopes=["read"]
        )
        world.audit_event = log_action("matrix.probe", object_type="x", object_id="1")

        world.tier = TierFactory(tenant=world.tenant, name="Entry", rank=0)
        from dealreg import services as deal_services

        deal_data = {
            "customer_name": f"{world.tenant.slug} customer",
            "customer_domain_input": f"{world.tenant.slug}-customer.example",
        }
        world.deal = deal_services.deal_save(by=world.partner_admin, data=deal_data)
        world.draft = deal_services.deal_save(by=world.partner_admin, data=deal_data)
    return world


@pytest.fixture(scope="module")
def module_worlds(django_db_setup, django_db_blocker):
    """The two furnished worlds, built once for the module (thousands of tests) inside a
    transaction that is rolled back at the module's end. Each test runs in a savepoint of it
    (`db`), so every test starts from the same rows, as in test_security_cross_partner.py."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _furnish(build_world("own")), _furnish(build_world("stranger"))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def worlds(module_worlds, db):
    """The module's worlds as a fresh test sees them: objects a row makes on first use
    (cached on the world) are made inside the test's savepoint, so they are forgotten again
    when it is rolled back, and the next test makes its own."""
    saved = [dict(vars(w)) for w in module_worlds]
    yield module_worlds
    for w, attributes in zip(module_worlds, saved, strict=True):
        vars(w).clear()
        vars(w).update(attributes)


def _call(endpoint, world, url, member):
    if endpoint.api:
        client = api_client(world.tenant, member)
        kwargs = {"format": "json"}
    else:
        client = portal_client(world.tenant, member)
        kwargs = {}
    data = endpoint.data(world) if endpoint.data else {}
    return getattr(client, endpoint.method)(url, data, **kwargs)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_role_access(endpoint, role, worlds):
    world, _stranger = worlds
    resp = _call(endpoint, world, endpoint.url(world), world.member(role))
    if role in endpoint.allowed:
        assert resp.status_code in endpoint.expect, (role, resp.status_code)
    else:
        assert resp.status_code in endpoint.denied, (role, resp.status_code)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_access(endpoint, worlds):
    world, _stranger = worlds
    resp = _call(endpoint, world, endpoint.url(world), None)
    if endpoint.api:
        assert resp.status_code == 401
    else:
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.stranger_url], ids=str)
def test_stranger_objects_are_404(endpoint, worlds):
    world, stranger = worlds
    role = sorted(endpoint.allowed)[0]
    resp = _call(endpoint, world, endpoint.stranger_url(world, stranger), world.member(role))
    assert resp.status_code == 404


def _url_names(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            module = getattr(p.urlconf_module, "__name__", "")
            if module.startswith(("allauth", "django")):
                continue
            yield from _url_names(p)
        elif isinstance(p, URLPattern):
            module = getattr(p.callback, "__module__", "")
            if p.name and not module.startswith(("allauth", "django.", "drf_spectacular")):
                yield p.name


def test_every_url_is_in_the_matrix():
    names = set(_url_names(get_resolver("prm.urls")))
    covered = {e.name for e in ENDPOINTS} | PUBLIC_URL_NAMES
    # Router "format suffix" duplicates share names with their base route.
    missing = sorted(n for n in names - covered)
    assert not missing, f"add these URLs to tests/permissions.py: {missing}"


# --- Every action URL, for every role -----------------------------------------------------


def _routes(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if getattr(p.urlconf_module, "__name__", "").startswith(("allauth", "django")):
                continue
            yield from _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _declared_methods(view) -> set[str] | None:
    """The methods a require_POST / require_http_methods decorator limits `view` to (the
    list it closes over), or None when no decorator limits them."""
    func = view
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() and m.isalpha() for m in value)
            ):
                return set(value)
        func = getattr(func, "__wrapped__", None)
    return None


def _handles_post(view) -> bool:
    """A function view with no method decorator that reads request.POST or checks for POST
    (in its body or in the helpers of its module it calls)."""
    func = inspect.unwrap(view)
    try:
        text = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    for name in getattr(getattr(func, "__code__", None), "co_names", ()):
        helper = func.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == func.__module__:
            text += inspect.getsource(helper)
    return re.search(r"POST\b", text) is not None


def post_accepting_portal_urls() -> set[str]:
    """Names of the portal URLs whose view accepts POST: a view class with `post`, a function
    view limited to methods including POST (require_POST, require_http_methods), or one that
    handles POST itself."""
    names = set()
    for route, p in _routes(get_resolver("prm.urls")):
        module = getattr(p.callback, "__module__", "")
        if not p.name or route.startswith("api/") or module.startswith(("allauth", "django.")):
            continue
        view_class = getattr(p.callback, "view_class", None)
        if view_class is not None:
            accepts = hasattr(view_class, "post")
        else:
            methods = _declared_methods(p.callback)
            accepts = "POST" in methods if methods is not None else _handles_post(p.callback)
        if accepts:
            names.add(p.name)
    return names


def test_the_matrix_runs_every_row_for_every_role():
    assert set(ROLES) == set(Role.values)


def test_every_action_url_is_in_the_matrix_for_every_role():
    """Each POST-accepting portal URL has a POST row in the matrix, which test_role_access
    runs for every role (and test_anonymous_access without one). Deliberately public URLs
    (sign-in, invitations, the application form...) are in PUBLIC_URL_NAMES instead."""
    post_urls = post_accepting_portal_urls()
    assert {"deal-submit", "partner-suspend", "members"} <= post_urls  # the scan works
    covered = {e.name for e in ENDPOINTS if not e.api and e.method != "get"}
    missing = sorted(post_urls - covered - PUBLIC_URL_NAMES)
    assert not missing, (
        "add a POST row for each of these portal URLs to tests/permissions_<app>.py: "
        + ", ".join(missing)
    )


def test_the_table_loader_fails_on_a_missing_module(monkeypatch):
    """A renamed or deleted tests/permissions_<app>.py must not quietly drop its rows."""
    import importlib

    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name == "tests.permissions_partners":
            raise ModuleNotFoundError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    monkeypatch.setattr(permissions, "ENDPOINTS", [])
    monkeypatch.setattr(permissions, "PUBLIC_URL_NAMES", set())
    with pytest.raises(ModuleNotFoundError):
        permissions._extend()
