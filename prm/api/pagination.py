"""Cursor pagination for every API list.

A cursor is base64 of a query string (DRF's offset, direction and position) plus an HMAC
signature (django.core.signing, keyed with SECRET_KEY) bound to the list's path and ordering.
A cursor the server did not issue for this list — random bytes, valid base64 of anything, a
cursor of another list or ordering, an offset beyond the cut-off — is a 400 in the API's error
format (`errors.cursor`), checked before any query runs: never a 500, never an error inside the
request's transaction. As a second line, the position must also fit the ordering field.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from urllib import parse

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor as DRFCursor
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

INVALID = "Invalid cursor: use the `next` or `previous` link of this list."
BIGINT = 2**63 - 1


def _field(model, path: str):
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    return field


class Cursor(CursorPagination):
    """Stable, index-friendly pagination for large lists (newest first by default)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self._model = getattr(queryset, "model", None)
        return super().paginate_queryset(queryset, request, view)

    def _signer(self) -> signing.Signer:
        ordering = ",".join(self.ordering)
        return signing.Signer(salt=f"prm.api.cursor:{self.request.path}:{ordering}")

    def encode_cursor(self, cursor):
        tokens = {}
        if cursor.offset != 0:
            tokens["o"] = str(cursor.offset)
        if cursor.reverse:
            tokens["r"] = "1"
        if cursor.position is not None:
            tokens["p"] = cursor.position
        signed = self._signer().sign(parse.urlencode(tokens, doseq=True))
        encoded = b64encode(signed.encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request):
        """DRF's decoding, stricter: an offset beyond `offset_cutoff` or below zero is refused
        (DRF would clamp it silently), and every failure is a 400."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            signed = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(
                self._signer().unsign(signed),
                keep_blank_values=True,
                strict_parsing=True,
            )
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
        except (TypeError, ValueError, UnicodeError, binascii.Error, signing.BadSignature):
            raise ValidationError({"cursor": [INVALID]}) from None
        if not 0 <= offset <= self.offset_cutoff:
            raise ValidationError({"cursor": [INVALID]})
        if position is not None:
            self._check_position(position)
        return DRFCursor(offset=offset, reverse=reverse, position=position)

    def _check_position(self, position: str) -> None:
        if "\x00" in position or len(position) > 1000:
            raise ValidationError({"cursor": [INVALID]})
        field = _field(self._model, self.ordering[0].lstrip("-")) if self._model else None
        if field is None:
            return
        if field.is_relation:
            field = field.target_field
        try:
            value = field.to_python(position)
        except (DjangoValidationError, ValueError, TypeError):
            raise ValidationError({"cursor": [INVALID]}) from None
        if isinstance(field, models.IntegerField) and value is not None and abs(value) > BIGINT:
            raise ValidationError({"cursor": [INVALID]})
