"""Tenant isolation, twice: ORM scopes and PostgreSQL row-level security."""

from __future__ import annotations

import os

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django_scopes.exceptions import ScopeError

from partners.models import Partner
from prm import rls
from prm.models import AuditEvent, Member
from prm.tenancy import tenant_context
from tests.conftest import _test_db_url, portal_client

pytestmark = pytest.mark.django_db


def test_every_tenant_table_has_forced_rls_with_the_tenant_policy():
    tables = rls.tenant_tables()
    assert "prm_member" in tables and "partners_partner" in tables and "prm_auditevent" in tables
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cur.fetchall()}
        cur.execute(
            "SELECT tablename, qual, with_check FROM pg_policies WHERE policyname = %s",
            [rls.POLICY],
        )
        policies = {t: (q, c) for t, q, c in cur.fetchall()}
    for table in tables:
        assert flags[table] == (True, True), f"{table} lacks enabled+forced RLS"
        qual, check = policies[table]
        assert "prm.tenant_id" in qual and "tenant_id" in qual, table
        assert "prm.tenant_id" in check, table


def test_every_model_with_a_tenant_column_is_protected_or_documented():
    from django.apps import apps

    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "tenant" in names and model._meta.db_table not in rls.UNPROTECTED:
            assert model._meta.db_table in rls.tenant_tables()


def test_app_role_owns_nothing_and_is_not_superuser():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [settings.PRM_DB_APP_ROLE],
        )
        assert cur.fetchone() == (False, False)
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [settings.PRM_DB_APP_ROLE],
        )
        assert cur.fetchone()[0] == 0


@pytest.fixture
def committed_worlds(transactional_db):
    from tests.conftest import build_world

    return build_world("alpha"), build_world("beta")


def app_role_connection():
    return psycopg.connect(
        _test_db_url("DATABASE_URL").replace("postgres://", "postgresql://"), autocommit=False
    )


def test_app_role_without_tenant_sees_no_rows(committed_worlds):
    with app_role_connection() as conn:
        for table in rls.tenant_tables():
            count = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            assert count == 0, f"{table} leaked {count} rows without a tenant"


def test_app_role_with_tenant_a_sees_none_of_b(committed_worlds):
    alpha, beta = committed_worlds
    with app_role_connection() as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        partners = conn.execute("SELECT tenant_id FROM partners_partner").fetchall()
        members = conn.execute("SELECT tenant_id FROM prm_member").fetchall()
        assert partners and members
        assert {t for (t,) in partners + members} == {alpha.tenant.pk}


def test_app_role_cannot_write_into_another_tenant(committed_worlds):
    alpha, beta = committed_worlds
    with app_role_connection() as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO partners_partner (tenant_id, name, partner_type, status, website, "
                "country, created_at) VALUES (%s, 'x', 'reseller', 'active', '', '', now())",
                [beta.tenant.pk],
            )


def test_tenant_setting_does_not_outlive_the_transaction(committed_worlds):
    alpha, _beta = committed_worlds
    with app_role_connection() as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        conn.commit()
        assert conn.execute("SELECT count(*) FROM partners_partner").fetchone()[0] == 0


def test_app_role_cannot_update_or_delete_audit_events(committed_worlds):
    alpha, _beta = committed_worlds
    with app_role_connection() as conn:
        conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(alpha.tenant.pk)])
        conn.execute(
            "INSERT INTO prm_auditevent (tenant_id, actor_label, action, object_type, object_id,"
            " object_label, user_agent, created_at) VALUES (%s, 't', 'x', '', '', '', '', now())",
            [alpha.tenant.pk],
        )
        for sql in (
            "UPDATE prm_auditevent SET action = 'y'",
            "DELETE FROM prm_auditevent",
            "TRUNCATE prm_auditevent",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
            conn.rollback()
            conn.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(alpha.tenant.pk)])


def test_orm_query_outside_a_tenant_scope_raises(world):
    with pytest.raises(ScopeError):
        list(Partner.objects.all())
    with pytest.raises(ScopeError):
        Member.objects.count()


def test_orm_query_inside_a_tenant_sees_only_that_tenant(world, stranger):
    with tenant_context(world.tenant):
        names = set(Partner.objects.values_list("name", flat=True))
    assert names == {world.partner.name, world.other_partner.name}


def test_tenant_context_refuses_to_switch_tenant_midway(world, stranger):
    with tenant_context(world.tenant), pytest.raises(RuntimeError):
        with tenant_context(stranger.tenant):
            pass


def test_unknown_host_is_404(db):
    from django.test import Client

    assert Client(HTTP_HOST="nobody.localhost").get("/").status_code == 404
    assert Client(HTTP_HOST="evil.example.com").get("/accounts/login/").status_code == 404


def test_base_domain_landing_reveals_no_tenant(world):
    from django.test import Client

    body = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert world.tenant.name not in body
    assert f"{world.tenant.slug}.localhost" not in body


def test_custom_domain_serves_its_tenant(world):
    from django.test import Client

    from tests.fake_dns import verified_host

    verified_host(world.tenant, world.admin, "partners.own.test")  # proven by its DNS record
    resp = Client(HTTP_HOST="partners.own.test").get("/accounts/login/")
    assert resp.status_code == 200
    assert world.tenant.name in resp.content.decode()


def test_another_tenants_member_page_is_404_not_403(world, stranger):
    client = portal_client(world.tenant, world.admin)
    resp = client.get(f"/members/{stranger.partner_user.pk}/")
    assert resp.status_code == 404


def test_another_tenants_object_in_the_api_is_404(world, stranger):
    from tests.conftest import api_client

    client = api_client(world.tenant, world.admin)
    assert client.get(f"/api/v1/members/{stranger.partner_user.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{world.partner_user.pk}/").status_code == 200


def test_stranger_api_key_does_not_work_on_our_host(world, stranger):
    from tests.conftest import api_client

    theirs = api_client(stranger.tenant, stranger.admin)
    theirs.defaults["HTTP_HOST"] = f"{world.tenant.slug}.localhost"
    assert theirs.get("/api/v1/members/").status_code == 401


def test_audit_events_are_visible_only_in_their_tenant(world, stranger):
    with tenant_context(world.tenant):
        from prm.audit import log_action

        log_action("test.event", object_type="x", object_id="1")
    with tenant_context(stranger.tenant):
        assert not AuditEvent.objects.filter(action="test.event").exists()
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="test.event").count() == 1


def test_env_has_separate_owner_and_app_roles():
    assert os.environ["DATABASE_URL"] != os.environ["DATABASE_OWNER_URL"]
