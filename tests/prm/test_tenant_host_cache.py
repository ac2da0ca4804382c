"""The host -> tenant cache (PRM_TENANT_CACHE_SECONDS): a request does not look its tenant up
again while the answer is fresh; a tenant or domain saved or deleted in this process, or a
tenant deletion starting, is seen at once; each request gets its own copy of the tenant; an
unknown host is never kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from prm import tenancy
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.PRM_TENANT_CACHE_SECONDS = 60
    tenancy.forget_tenant_hosts()
    yield
    tenancy.forget_tenant_hosts()


def _resolve(host: str):
    with CaptureQueriesContext(connection) as queries:
        tenant, _public = tenancy.resolve_tenant(host)
    return tenant, len(queries)


def test_a_fresh_answer_is_not_looked_up_again(world, cached):
    host = host_of(world.tenant)
    first, asked = _resolve(host)
    again, asked_again = _resolve(host.upper() + ":8000")
    assert first.pk == again.pk == world.tenant.pk
    assert (asked, asked_again) == (1, 0)


def test_each_caller_gets_its_own_copy(world, cached):
    host = host_of(world.tenant)
    mine, _n = _resolve(host)
    mine.name = "Changed by a form that failed"
    theirs, _n = _resolve(host)
    assert theirs.name == world.tenant.name and theirs is not mine


def test_a_tenant_switched_off_is_seen_at_once(world, cached):
    host = host_of(world.tenant)
    _resolve(host)
    world.tenant.is_active = False
    world.tenant.save()
    with pytest.raises(Http404):
        tenancy.resolve_tenant(host)


def test_unknown_hosts_are_not_kept(world, cached):
    with pytest.raises(Http404):
        tenancy.resolve_tenant("nobody.example")
    assert "nobody.example" not in tenancy._hosts


def test_off_when_the_setting_is_zero(world, settings):
    settings.PRM_TENANT_CACHE_SECONDS = 0
    host = host_of(world.tenant)
    assert [_resolve(host)[1] for _i in range(2)] == [1, 1]


def test_the_cache_serves_a_real_request_once_per_ttl(world, cached, client):
    host = host_of(world.tenant)
    assert client.get("/accounts/login/", HTTP_HOST=host).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/accounts/login/", HTTP_HOST=host).status_code == 200
    assert not any('FROM "prm_tenant"' in q["sql"] for q in queries)
