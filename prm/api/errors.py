"""One error format for every API response that is not a success:

    {"type": "validation_error", "detail": "Invalid input.", "errors": {"field": ["message"]}}

`type` is one of validation_error, authentication_failed, not_authenticated,
permission_denied, not_found, method_not_allowed, conflict, throttled, error,
service_unavailable. `errors` maps field names (or "non_field_errors") to messages and is empty
when no field is at fault.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from prm.errors import DomainError
from prm.errors import PermissionDenied as DomainPermissionDenied
from prm.middleware import bad_request


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _messages(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": _messages(detail)}
    return {}


def _messages(value):
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(_messages(v) if isinstance(v, list | dict) else [str(v)])
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def exception_handler(exc, context):
    if isinstance(exc, DomainPermissionDenied):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DjangoPermissionDenied):
        # e.g. prm.portal.require_action, shared by portal views and the API
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DomainError):
        field = exc.field or "non_field_errors"
        return Response(
            {"type": "validation_error", "detail": exc.message, "errors": {field: [exc.message]}},
            status=400,
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):  # a chunked body read past the limit
        return bad_request(context["request"], exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "type": "validation_error",
            "detail": "Invalid input.",
            "errors": _flatten(exc.detail),
        }
    else:
        code = getattr(exc, "default_code", "error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        body = {"type": code, "detail": detail, "errors": {}}
    response.data = body
    return response
