"""Security issue #15, item 7: hostile input is a 400 (the API's error format, or a form error
/ 400 page in the portal), never a 500: NUL bytes in search and path parameters, forged
pagination cursors on every API list, JSON nested 1,000 deep, an image declaring 30,000 x
30,000 pixels, and an API body over the size limit."""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.conftest import api_client, portal_client
from tests.mdf.test_mdf_support import mdf_objects

pytestmark = pytest.mark.django_db


def _is_api_error(resp, status=400) -> bool:
    assert resp.status_code == status, (resp.status_code, resp.content[:300])
    body = resp.json()
    assert set(body) == {"type", "detail", "errors"}, body
    assert isinstance(body["errors"], dict)
    return True


# --- NUL bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/partners/", "/deals/", "/mdf/requests/", "/members/"])
def test_a_nul_byte_in_a_portal_search_is_a_400_page(world, path):
    resp = portal_client(world.tenant, world.admin).get(path, {"q": "acme\x00"})
    assert resp.status_code == 400
    assert b"Traceback" not in resp.content


@pytest.mark.parametrize(
    "path", ["/invitations/abc\x00def/", "/privacy/export/x\x00y/", "/verify/AB\x00CD"]
)
def test_a_nul_byte_in_a_portal_path_is_a_400_page(world, path):
    resp = portal_client(world.tenant, world.admin).get(path)
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/partners/", {"q": "acme\x00"}),
        ("/api/v1/deals/", {"q": "\x00"}),
        ("/api/v1/partners/", {"country\x00": "DE"}),
        ("/api/v1/partners/1\x00/", {}),
        ("/api/v1/audit-events/", {"action": "x\x00"}),
    ],
)
def test_a_nul_byte_in_an_api_parameter_is_a_400_in_the_error_format(world, path, params):
    resp = api_client(world.tenant, world.admin).get(path, params)
    assert _is_api_error(resp)


# --- JSON nested 1,000 deep and oversize bodies --------------------------------------------


def test_json_nested_a_thousand_deep_is_a_400_in_the_error_format(world):
    body = '{"name": ' + "[" * 1000 + "]" * 1000 + ', "scopes": ["read"]}'
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/api-keys/", body, content_type="application/json"
    )
    assert _is_api_error(resp)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize("idempotency", [False, True])
def test_an_api_body_over_the_size_limit_is_a_400_in_the_error_format(world, idempotency):
    body = json.dumps({"name": "x" * 5000, "scopes": ["read"]})
    extra = {"HTTP_IDEMPOTENCY_KEY": "big"} if idempotency else {}
    resp = api_client(world.tenant, world.admin).post(
        "/api/v1/api-keys/", body, content_type="application/json", **extra
    )
    assert _is_api_error(resp)
    assert resp.json()["errors"]


# --- Decompression bombs -------------------------------------------------------------------


def _png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_logo_declaring_thirty_thousand_pixels_square_is_a_form_error(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/settings/",
        {
            "name": world.tenant.name,
            "default_currency": "EUR",
            "timezone": "UTC",
            "primary_colour": "#123456",
            "logo": SimpleUploadedFile("logo.png", _png_declaring(30_000, 30_000)),
        },
    )
    assert resp.status_code == 200, resp.status_code
    assert resp.context["form"].errors.get("logo")


def test_an_mdf_proof_declaring_thirty_thousand_pixels_square_is_a_400(world):
    claim = mdf_objects(world).claim_submitted
    resp = api_client(world.tenant, world.partner_admin).post(
        f"/api/v1/mdf/claims/{claim.pk}/documents/",
        {
            "kind": "invoice",
            "file": SimpleUploadedFile("bomb.png", _png_declaring(30_000, 30_000)),
        },
        format="multipart",
    )
    assert _is_api_error(resp)
    assert resp.json()["errors"]


# --- Forged cursors on every API list -----------------------------------------------------


def _api_lists(client) -> list[str]:
    """Every cursor-paginated list of the API, from its OpenAPI schema."""
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    out = []
    for path, ops in schema["paths"].items():
        if "{" in path or "get" not in ops:
            continue
        ref = (
            ops["get"]["responses"]
            .get("200", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("$ref", "")
        )
        props = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        if {"next", "previous", "results"} <= set(props):
            out.append(path)
    return out


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _next_cursor(client, path: str) -> str | None:
    resp = client.get(path, {"page_size": 1})
    link = resp.json().get("next") if resp.status_code == 200 else None
    if not link:
        return None
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query)["cursor"][0]


def test_forged_cursors_are_a_400_on_every_api_list(world):
    clients = {
        role: api_client(world.tenant, world.member(role), scopes=("read",))
        for role in ("admin", "partner_admin")
    }
    lists = _api_lists(clients["admin"])
    assert len(lists) >= 15, lists
    real = {
        path: cursor
        for path in ("/api/v1/members/", "/api/v1/audit-events/")
        if (cursor := _next_cursor(clients["admin"], path))
    }
    assert real, "no real cursor to replay on other lists"
    forged = [
        "not base64 at all %%%",
        _b64(os.urandom(24)),
        _b64(b"p=garbage&o=1&r=0"),
        _b64(b"p=2026-01-01T00:00:00Z"),
        _b64(b"p=" + b"9" * 40),
        _b64(b"o=" + b"9" * 40 + b"&r=1&p=1"),
        _b64(b"o=-5"),
        _b64(b"p=\x00"),
        _b64("p=\u00e9\ud800".encode("utf-8", "surrogatepass")),
    ]
    served = 0
    problems = []
    for path in lists:
        client = next(
            (c for c in clients.values() if c.get(path).status_code == 200),
            None,
        )
        if client is None:
            continue
        served += 1
        others = [c for p, c in real.items() if p != path]  # issued for another list
        for cursor in forged + others:
            resp = client.get(path, {"cursor": cursor})
            try:
                _is_api_error(resp)
            except AssertionError as exc:
                problems.append((path, cursor, str(exc)[:200]))
    assert problems == []
    assert served >= 15
    # The list's own cursor still works.
    page = clients["admin"].get("/api/v1/members/", {"cursor": real["/api/v1/members/"]})
    assert page.status_code == 200 and page.json()["results"]


# --- Forged page numbers in the portal ----------------------------------------------------


@pytest.mark.parametrize("page", ["9" * 30, "-1", "1e9", "999999999999"])
def test_a_forged_page_number_on_a_long_portal_list_is_not_a_500(world, page):
    resp = portal_client(world.tenant, world.channel_manager).get("/deals/", {"page": page})
    assert resp.status_code == 200
