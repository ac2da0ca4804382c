"""The API base: key authentication and scopes, error format, pagination, idempotency."""

from __future__ import annotations

import hashlib

import psycopg
import pytest

from prm.models import ApiKey, IdempotencyRecord
from prm.tenancy import tenant_context
from tests.conftest import _test_db_url, api_client, host_of

pytestmark = pytest.mark.django_db


def test_api_key_authenticates_as_its_member(world):
    resp = api_client(world.tenant, world.partner_admin).get("/api/v1/me/")
    assert resp.status_code == 200
    assert resp.json()["member"]["role"] == "partner_admin"
    assert resp.json()["tenant"]["slug"] == world.tenant.slug


def test_api_key_is_stored_hashed_and_shown_once(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post("/api/v1/api-keys/", {"name": "CRM", "scopes": ["read"]}, format="json")
    assert resp.status_code == 201
    key = resp.json()["key"]
    with tenant_context(world.tenant):
        row = ApiKey.objects.get(pk=resp.json()["id"])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(row.__dict__)
    listed = client.get("/api/v1/api-keys/").json()["results"]
    assert all("key" not in item for item in listed)


def test_read_only_key_cannot_write(world):
    client = api_client(world.tenant, world.admin, scopes=("read",))
    assert client.get("/api/v1/tenant/").status_code == 200
    resp = client.patch("/api/v1/tenant/", {"name": "X"}, format="json")
    assert resp.status_code == 403
    assert "write" in resp.json()["detail"]


def test_revoked_key_is_refused(world):
    client = api_client(world.tenant, world.admin)
    keys = client.get("/api/v1/api-keys/").json()["results"]
    assert client.post(f"/api/v1/api-keys/{keys[0]['id']}/revoke/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401


def test_last_used_time_is_recorded(world):
    client = api_client(world.tenant, world.admin)
    client.get("/api/v1/me/")
    with tenant_context(world.tenant):
        assert ApiKey.objects.get(member=world.admin).last_used_at is not None


def test_malformed_authorization_header_is_401_in_the_error_format(world):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=host_of(world.tenant), HTTP_AUTHORIZATION="Token abc")
    resp = client.get("/api/v1/me/")
    assert resp.status_code == 401
    assert resp.json()["type"] == "authentication_failed"


def test_validation_errors_name_the_fields(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/invitations/", {"email": "not-an-email", "role": "boss"}, format="json"
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["type"] == "validation_error"
    assert set(body["errors"]) == {"email", "role"}


def test_domain_errors_are_400_with_the_field(world):
    client = api_client(world.tenant, world.admin)
    resp = client.post(
        "/api/v1/invitations/", {"email": "x@example.com", "role": "partner_user"}, format="json"
    )
    assert resp.status_code == 400
    assert "partner" in resp.json()["errors"]


def test_tenant_patch_rejects_bad_values_without_saving(world):
    client = api_client(world.tenant, world.admin)
    resp = client.patch(
        "/api/v1/tenant/", {"default_currency": "dollars", "primary_colour": "red"}, format="json"
    )
    assert resp.status_code == 400
    assert {"default_currency", "primary_colour"} <= set(resp.json()["errors"])
    assert client.get("/api/v1/tenant/").json()["default_currency"] == "USD"


def test_member_list_uses_cursor_pagination(world):
    client = api_client(world.tenant, world.admin)
    first = client.get("/api/v1/members/?page_size=2").json()
    assert len(first["results"]) == 2 and first["next"] and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    ids = [m["id"] for m in first["results"] + second["results"]]
    assert len(ids) == len(set(ids))


def test_member_list_filters_by_role(world):
    client = api_client(world.tenant, world.admin)
    results = client.get("/api/v1/members/?role=partner_user").json()["results"]
    assert results and {m["role"] for m in results} == {"partner_user"}


def test_member_list_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    from tests.factories import MemberFactory

    client = api_client(world.tenant, world.admin)
    client.get("/api/v1/members/")  # warm up
    with django_assert_max_num_queries(12) as small:
        client.get("/api/v1/members/")
    for _ in range(20):
        MemberFactory(tenant=world.tenant, role="partner_user", partner=world.partner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/members/")


def test_idempotent_post_replays_the_first_response(world):
    client = api_client(world.tenant, world.admin)
    body = {"email": "repeat@example.com", "role": "channel_manager"}
    first = client.post("/api/v1/invitations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = client.post("/api/v1/invitations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    with tenant_context(world.tenant):
        from prm.models import Invitation

        assert Invitation.objects.filter(email="repeat@example.com").count() == 1
        assert IdempotencyRecord.objects.filter(key="k1").count() == 1


def test_idempotency_key_reused_for_another_request_is_409(world):
    client = api_client(world.tenant, world.admin)
    client.post(
        "/api/v1/invitations/",
        {"email": "a@example.com", "role": "admin"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    resp = client.post(
        "/api/v1/invitations/",
        {"email": "b@example.com", "role": "admin"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert resp.status_code == 409


def test_concurrent_repeat_of_an_idempotent_post_is_409(transactional_db):
    """While the first request's transaction holds the key, a repeat is refused with 409."""
    from tests.conftest import build_world

    world = build_world("idem")
    client = api_client(world.tenant, world.admin)
    member = world.admin
    key = "in-flight"
    lock_id = int.from_bytes(
        hashlib.sha256(f"{member.tenant_id}:{member.pk}:{key}".encode()).digest()[:8],
        "big",
        signed=True,
    )
    url = _test_db_url("DATABASE_URL").replace("postgres://", "postgresql://")
    with psycopg.connect(url) as other:  # plays the first request, mid-transaction
        other.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        resp = client.post(
            "/api/v1/invitations/",
            {"email": "c@example.com", "role": "admin"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        assert resp.status_code == 409
        assert resp.json()["type"] == "conflict"
    resp = client.post(
        "/api/v1/invitations/",
        {"email": "c@example.com", "role": "admin"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert resp.status_code == 201


def test_schema_is_served_and_documents_the_error_format(db):
    from django.test import Client

    resp = Client(HTTP_HOST="localhost").get("/api/v1/schema/")
    assert resp.status_code == 404  # the API lives on tenant hosts only


def test_schema_and_docs_load_on_a_tenant_host_without_external_assets(world):
    from django.test import Client

    client = Client(HTTP_HOST=host_of(world.tenant))
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/members/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html.split("<body")[0]


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/audit-events/" in out.read_text()


def test_only_the_api_docs_page_relaxes_the_style_policy(world):
    from django.test import Client

    client = Client(HTTP_HOST=host_of(world.tenant))
    docs = client.get("/api/v1/docs/")["Content-Security-Policy"]
    page = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs
    assert "unsafe-inline" not in page and "script-src 'self';" in page
