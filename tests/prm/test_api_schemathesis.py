"""Schemathesis over the whole API: every operation of /api/v1/schema/, called with an API key
of each role against the seeded demo tenant, must answer without a server error, with a status
code, content type and body that the schema documents.

The run is in-process (Django's WSGI handler, inside the test's transaction, so nothing it
writes survives the test), deterministic (`derandomize`) and bounded (a few examples per
operation and role, in positive and negative mode). Path ids point at real seeded objects
(the first one the role can list), so detail routes and actions reach their handlers instead
of stopping at 404. One failure per operation and role is kept; the test fails with all of
them listed, each with the request that caused it and the traceback of any server error.
"""

from __future__ import annotations

import io
import traceback

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from prm import services
from prm.models import Member, Tenant
from prm.tenancy import tenant_context
from tests.conftest import host_of

pytestmark = pytest.mark.django_db
# Minutes long: started first in a parallel run (tests/conftest.py).
RUN_FIRST = True

# Demo members, one per role (demo/management/commands/seed_demo.py).
ROLE_EMAILS = {
    "admin": "admin@acme.example",
    "channel_manager": "manager@acme.example",
    "partner_admin": "ada@northwind.example",
    "partner_user": "ben@northwind.example",
}
# Examples per operation: the admin reaches every handler, so it gets the most.
EXAMPLES = {
    "admin": {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 1},
    "other": {GenerationMode.POSITIVE: 1, GenerationMode.NEGATIVE: 1},
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Path parameters that are not the id of the collection they sit under.
COLLECTION_OF_PARAM = {"partner_id": "/api/v1/partners/"}


@pytest.fixture
def acme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    return Tenant.objects.get(slug="acme")


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, sharing the test's connection and transaction.

    Like Django's test client, it must not close "old" connections around a request: that
    would close the connection holding the test's transaction. (The test client reconnects
    the signal after each of its own requests, so it is disconnected per call here too.)"""
    handler = WSGIHandler()
    errors: list[str] = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    got_request_exception.connect(record, weak=False)
    app.server_errors = errors
    yield app
    got_request_exception.disconnect(record)


def _keys(tenant) -> dict[str, str]:
    keys = {}
    with tenant_context(tenant):
        for role, email in ROLE_EMAILS.items():
            member = Member.objects.get(user__email=email)
            assert member.role == role
            _row, keys[role] = services.api_key_create(
                member=member, name=f"schemathesis {role}", scopes=["read", "write"]
            )
    return keys


def _first_id(client, collection: str, key: str):
    resp = client.get(collection, HTTP_AUTHORIZATION=f"Bearer {key}")
    if resp.status_code != 200:
        return None
    body = resp.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    for row in rows:
        if isinstance(row, dict) and "id" in row:
            return row["id"]
    return None


def _path_ids(op, client, key: str, admin_key: str) -> dict:
    """Ids of seeded objects for the operation's path parameters: the first the role can
    list, else one only staff can see (the role should then get 404 or 403)."""
    ids = {}
    path = op.path
    for param in op.path_parameters:
        name = param.name
        collection = COLLECTION_OF_PARAM.get(name) or path.split("{" + name + "}")[0]
        found = _first_id(client, collection, key) or _first_id(client, collection, admin_key)
        if found is not None:
            ids[name] = found
    return ids


def _exercise(op, strategy, examples, *, app, base_url, headers, failures, label):
    seen: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(case=strategy)
    def run(case):
        if seen:  # one failure per operation and role is enough to act on
            return
        del app.server_errors[:]
        try:
            response = case.call(app=app, base_url=base_url, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is reported below
            detail = str(exc)
            if app.server_errors:
                detail += "\n" + app.server_errors[-1]
            seen.append(detail)
            failures.append(f"{label}: {case.method} {case.formatted_path}\n{detail}")

    run()


def test_api_conforms_to_its_schema_for_every_role(acme, wsgi_app, client):
    host = host_of(acme)
    resp = client.get("/api/v1/schema/", {"format": "json"}, HTTP_HOST=host)
    assert resp.status_code == 200
    schema = schemathesis.openapi.from_dict(resp.json())
    base_url = f"http://{host}"
    keys = _keys(acme)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100  # the whole API, not an empty or partial schema

    for role, key in keys.items():
        headers = {"Authorization": f"Bearer {key}"}
        for op in operations:
            ids = _path_ids(op, client.__class__(HTTP_HOST=host), key, keys["admin"])
            for mode, examples in EXAMPLES.get(role, EXAMPLES["other"]).items():
                strategy = op.as_strategy(generation_mode=mode, path_parameters=ids or None)
                _exercise(
                    op,
                    strategy,
                    examples,
                    app=wsgi_app,
                    base_url=base_url,
                    headers=headers,
                    failures=failures,
                    label=f"[{role}/{mode.value}]",
                )
    assert not failures, f"{len(failures)} schema failures:\n\n" + "\n\n".join(failures)
