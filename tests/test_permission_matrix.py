"""Runs the permission matrix in tests/permissions.py over every URL of the project."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from prm import services
from prm.audit import log_action
from prm.roles import Role
from prm.tenancy import tenant_context
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


@pytest.fixture
def worlds(db):
    return _furnish(build_world("own")), _furnish(build_world("stranger"))


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
