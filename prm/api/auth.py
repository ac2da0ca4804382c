"""API authentication: bearer API keys (integrations) and the portal session (browser)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from prm.mfa import mfa_missing
from prm.models import ApiKey, Member

LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class MfaRequired(exceptions.PermissionDenied):
    """403 `mfa_required`, as for a session without MFA (see MemberMiddleware): the tenant
    requires two-factor authentication of the key's owner (staff, or partner admins if the
    tenant says so) and they have not set it up."""

    default_code = "mfa_required"
    default_detail = _(
        "This tenant requires two-factor authentication for the owner of this API key. "
        "The key works again once its owner has set it up in the portal (Profile)."
    )


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer prm_<prefix>_<secret>`; the key acts as its member."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        tenant = getattr(request._request, "tenant", None)
        if tenant is None:
            raise exceptions.AuthenticationFailed("Call the API on your tenant's host.")
        key = parts[1]
        api_key = (
            ApiKey.objects.select_related("member__user", "member__partner")
            .filter(key_hash=ApiKey.hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if api_key is None or not api_key.member.is_active or not api_key.member.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if api_key.member.tenant_id == tenant.pk:
            # The request's tenant, already loaded: spares mfa_missing (and any view that
            # reads member.tenant) a query per request.
            api_key.member.tenant = tenant
        if mfa_missing(api_key.member):
            # Keys made before the tenant required MFA (or by someone who later removed it)
            # must not outlive the rule; they work again as soon as the owner enrols.
            raise MfaRequired()
        now = timezone.now()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
            # One write a minute at most, so busy integrations do not write on every call.
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        request._request.member = api_key.member
        return api_key.member.user, api_key

    def authenticate_header(self, request):
        return self.keyword


class MemberSessionAuthentication(authentication.SessionAuthentication):
    """The portal's session, with CSRF enforced; only for members of this tenant."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        member = getattr(request._request, "member", None)
        if member is None:
            return None
        return result


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "prm.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "prm_…"}


class MemberSessionScheme(SessionScheme):
    target_class = "prm.api.auth.MemberSessionAuthentication"


def request_member(request) -> Member | None:
    return getattr(request._request, "member", None)
