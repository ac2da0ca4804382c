"""`Idempotency-Key` on POST: a repeat returns the first response; a concurrent repeat gets 409.

Mutual exclusion uses a transaction-scoped PostgreSQL advisory lock taken inside the request's
transaction, so it is released exactly when the first request commits or rolls back, the same
moment its stored response becomes visible. No Redis round-trip, no stale locks.

Secrets are never stored. A view names the response fields that carry a secret shown once
(`secret_fields = ("key",)` on the view class: a new API key, a webhook signing secret); the
record keeps the response with those fields set to null, and a replay answers with them null,
`"secret_replayed": false` in the body and the header `Idempotent-Redacted: <fields>`. The
client that lost the first answer must create a new secret (e.g. rotate it); a replay can never
hand a secret to whoever holds the Idempotency-Key, and the database holds no copy of it.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from django.http.request import RawPostDataException
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from prm.api.errors import Conflict
from prm.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 200
REDACTED_HEADER = "Idempotent-Redacted"
REDACTED_FLAG = "secret_replayed"


class Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


def _fingerprint(request) -> str:
    """Hash of method, path and body; computed once, before the body is parsed."""
    cached = getattr(request, "_idempotency_fingerprint", None)
    if cached:
        return cached

    try:
        body = request.body
    except RawPostDataException:  # multipart already streamed: fall back to the parsed form
        body = json.dumps(sorted(request.POST.lists()), default=str).encode()
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + body
    ).hexdigest()
    request._idempotency_fingerprint = digest
    return digest


def redact(data, secret_fields) -> tuple[object, list[str]]:
    """`data` with every `secret_fields` key (at the top level, or in each object of a list)
    set to None, and the names of the keys that were there."""
    found: set[str] = set()

    def one(obj):
        if not isinstance(obj, dict):
            return obj
        hits = [f for f in secret_fields if f in obj]
        found.update(hits)
        return {k: (None if k in hits else v) for k, v in obj.items()}

    out = [one(item) for item in data] if isinstance(data, list) else one(data)
    return out, sorted(found)


def begin(request, member, secret_fields=()) -> str | None:
    """Called before a POST is handled. Returns the key to record, raises Replay or Conflict."""
    key = request.META.get(HEADER)
    if not key or request.method != "POST":
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError({"Idempotency-Key": [f"At most {MAX_KEY_LENGTH} characters."]})
    _fingerprint(request._request)
    lock_id = int.from_bytes(
        hashlib.sha256(f"{member.tenant_id}:{member.pk}:{key}".encode()).digest()[:8],
        "big",
        signed=True,
    )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id])
        (acquired,) = cur.fetchone()
    if not acquired:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    record = IdempotencyRecord.objects.filter(member=member, key=key).first()
    if record is not None:
        if record.request_hash != _fingerprint(request._request):
            raise Conflict("This Idempotency-Key was used with a different request.")
        body, redacted = redact(record.response_body, secret_fields)
        if redacted and isinstance(body, dict):
            body[REDACTED_FLAG] = False
        response = Response(body, status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        if redacted:
            response[REDACTED_HEADER] = ", ".join(redacted)
        raise Replay(response)
    return key


def finish(request, member, key: str, response, secret_fields=()) -> None:
    """Store the first response (not server errors, which roll back anyway), its secret
    fields set to null."""
    if response.status_code >= 500 or response.status_code == 409:
        return
    data = getattr(response, "data", None)
    try:
        json.dumps(data)
    except TypeError:
        data = json.loads(json.dumps(data, default=str))
    data, _redacted = redact(data, secret_fields)
    IdempotencyRecord.objects.create(
        tenant_id=member.tenant_id,
        member=member,
        key=key,
        method=request.method,
        path=request.path[:500],
        request_hash=_fingerprint(request._request),
        status_code=response.status_code,
        response_body=data,
    )
