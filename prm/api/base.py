"""Base classes every API view derives from.

`TenantAPIView` / `TenantViewSet` wire in the idempotency handling and refuse, at class
creation, subclasses that override `get_queryset` without going through `scoped_queryset()`
— so an endpoint cannot quietly query outside the tenant.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework import generics, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from prm import audit
from prm.api import idempotency


class _IdempotentMixin:
    """Idempotency keys, and one savepoint around the handler: a request that ends in an
    error leaves no partial writes behind, while the request's transaction stays usable for
    the idempotency record and the response."""

    _savepoint = None
    # Response fields holding a secret shown once (an API key, a signing secret): never
    # stored with an idempotency record nor replayed (see prm.api.idempotency).
    secret_fields: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._bind_actor(request)
        member = getattr(request._request, "member", None)
        self._idempotency_key = None
        if member is not None:
            self._idempotency_key = idempotency.begin(request, member, self.secret_fields)
        # Reads write nothing to undo: no savepoint (two round trips saved on every GET).
        if request.method not in SAFE_METHODS and transaction.get_connection().in_atomic_block:
            self._savepoint = transaction.savepoint()

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        if self._savepoint is not None:
            transaction.savepoint_rollback(self._savepoint)
            self._savepoint = None
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if self._savepoint is not None:
            transaction.savepoint_commit(self._savepoint)
            self._savepoint = None
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_idempotency_key", None)
        if key:
            idempotency.finish(request, request._request.member, key, response, self.secret_fields)
        if self._actor is not None:
            self._actor.__exit__(None, None, None)
            self._actor = None
        return response

    _actor = None

    def _bind_actor(self, request) -> None:
        """An API key authenticates here, after the middleware bound the audit context to
        an anonymous request: make its member's user the actor of what the request changes,
        as a session's user is in the portal."""
        ctx = audit.current_context()
        user = request.user
        if ctx.user_id is not None or not getattr(user, "is_authenticated", False):
            return
        self._actor = audit.audit_context(
            user_id=user.pk, actor_label=user.email, ip=ctx.ip, user_agent=ctx.user_agent
        )
        self._actor.__enter__()

    @property
    def member(self):
        return self.request._request.member

    @property
    def tenant(self):
        return self.request._request.tenant


class TenantAPIView(_IdempotentMixin, APIView):
    pass


class TenantGenericAPIView(_IdempotentMixin, generics.GenericAPIView):
    pass


class TenantViewSet(_IdempotentMixin, viewsets.GenericViewSet):
    """Subclasses implement `scoped_queryset()`; `get_queryset` is final."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; implement scoped_queryset() instead"
            )

    model = None  # the model listed, for the schema generator

    def scoped_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset()

    def patched(self, serializer_class, current: dict) -> dict:
        """The request's PATCH body checked by `serializer_class` (partial; a 400 with field
        errors) and laid over `current`, the object's present values: the keyword arguments
        of an update service that takes every field."""
        ser = serializer_class(data=self.request.data, partial=True)
        ser.is_valid(raise_exception=True)
        return {**current, **ser.validated_data}
