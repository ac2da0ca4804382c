"""The schema generator of the API: drf-spectacular's AutoSchema, plus the error answers
every endpoint can give, documented once in our one error format (prm.api.errors).

Why here and not per view: every view shares the same authentication, permission,
idempotency and error handling, so which error codes an operation can answer follows from
its shape (a body or query parameters can be invalid, a path id can be unknown, a POST can
replay an idempotency key in flight), not from the view's own code."""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_TYPES = [
    "validation_error",
    "authentication_failed",
    "not_authenticated",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "conflict",
    "throttled",
    "unsupported_media_type",
    "not_acceptable",
    "parse_error",
    "error",
    "service_unavailable",
]
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every answer that is not a success has this shape.",
    "properties": {
        "type": {"type": "string", "enum": ERROR_TYPES},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": 'Field name (or "non_field_errors") to messages; empty when no '
            "field is at fault.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "detail", "errors"],
}
DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field at fault (`cursor` for a cursor this "
    "list did not issue).",
    "401": "No API key or session, or the key is invalid or revoked.",
    "403": "The caller's role or the key's scopes do not allow this.",
    "404": "No such object in this tenant (or not visible to the caller).",
    "409": "Conflict: the object's state does not allow this, or an `Idempotency-Key` is "
    "in use or reused for a different request.",
    "415": "Unsupported request media type.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}
JSON = "application/json"
MULTIPART = "multipart/form-data"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Keys that describe a property rather than constrain its value.
META_KEYS = ("readOnly", "writeOnly", "title", "description", "default", "nullable")
# Fields whose schema (a format or an enum) does not admit "", which blank model fields hold.
BLANKABLE = (serializers.EmailField, serializers.URLField, serializers.ChoiceField)


def _may_be_blank(field) -> bool:
    if not isinstance(field, BLANKABLE) or isinstance(field, serializers.MultipleChoiceField):
        return False
    if getattr(field, "allow_blank", False):
        return True
    if not field.read_only:
        return False
    # DRF drops allow_blank from read-only model fields; ask the model itself.
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return False
    try:
        return bool(model._meta.get_field(field.source_attrs[0]).blank)
    except FieldDoesNotExist:
        return False


def _admit_blank(schema: dict) -> dict:
    meta = {k: schema[k] for k in META_KEYS if k in schema}
    core = {k: v for k, v in schema.items() if k not in META_KEYS}
    if list(core) == ["allOf"] and len(core["allOf"]) == 1:
        core = core["allOf"][0]
    if "oneOf" in core or "" in core.get("enum", ()):
        return schema  # drf-spectacular already added its blank choice
    return {"anyOf": [core, {"type": "string", "maxLength": 0}], **meta}


class AutoSchema(SpectacularAutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # `default=None` on a read-only field is DRF's "None when the source path hits None"
        # (e.g. `partner.name` of a member without a partner): the value is nullable.
        if isinstance(field, serializers.Field) and field.read_only and field.default is None:
            meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and _may_be_blank(field):
            schema = _admit_blank(schema)
        return schema

    def _get_request_body(self, direction="request"):
        """One media type per request body: multipart/form-data when it carries a file,
        else JSON. The views also read form posts, but listing the same body two or three
        times makes generated clients offer overloads of every write (and
        openapi-python-client emits such required bodies as code that cannot be imported)."""
        body = super()._get_request_body(direction)
        content = (body or {}).get("content", {})
        if len(content) > 1:
            wanted = MULTIPART if self._request_has_files() else JSON
            keep = wanted if wanted in content else next(iter(content))
            body["content"] = {keep: content[keep]}
        return body

    def _request_has_files(self) -> bool:
        requested = self.get_request_serializer()
        candidates = requested.values() if isinstance(requested, dict) else [requested]
        for serializer in candidates:
            if isinstance(serializer, type) and issubclass(serializer, serializers.Serializer):
                serializer = serializer()
            if not isinstance(serializer, serializers.Serializer):
                continue
            for field in serializer.fields.values():
                child = getattr(field, "child", None)
                if isinstance(field, serializers.FileField) or isinstance(
                    child, serializers.FileField
                ):
                    return True
        return False

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        # A copy per generation: drf-spectacular's enum hook rewrites component schemas in
        # place (the `type` enum becomes a $ref), and the schema is generated per request.
        component = ResolvedComponent(
            name=ERROR_COMPONENT,
            type=ResolvedComponent.SCHEMA,
            object=ERROR_COMPONENT,
            schema=copy.deepcopy(ERROR_SCHEMA),
        )
        registry.register_on_missing(component)
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": component.ref}},
                    "description": DESCRIPTIONS[code],
                },
            )
        return operation

    def _error_codes(self, operation) -> list[str]:
        codes = ["401", "403"]
        params = operation.get("parameters", [])
        # Writes answer 400 for domain errors (an illegal move, an expired fund) even
        # without a body; reads only when they take parameters.
        if self.method in WRITE_METHODS or any(p["in"] == "query" for p in params):
            codes.append("400")
        # Detail routes 404 on an unknown id.
        codes.append("404")
        if self.method in WRITE_METHODS:
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        # Views name their rate-limited actions (e.g. the deal pre-check).
        if getattr(self.view, "action", None) in getattr(self.view, "rate_limited_actions", ()):
            codes.append("429")
        return sorted(codes)
