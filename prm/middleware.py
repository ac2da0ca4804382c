"""Request middleware besides tenant resolution (prm.tenancy.TenantMiddleware)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from prm.audit import audit_context
from prm.mfa import mfa_missing
from prm.models import Member
from prm.tenancy import set_db_user

log = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address. Behind N trusted proxies (PRM_TRUSTED_PROXY_COUNT), the Nth
    address from the right of X-Forwarded-For: entries further left are client-supplied and
    could be forged."""
    count = getattr(settings, "PRM_TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def bad_request(request, exception=None, *, message: str | None = None):
    """A 400: in the API's one error format under /api/, else the 400 page. Django's handler400
    too (prm.urls), so a body over DATA_UPLOAD_MAX_MEMORY_SIZE or too many fields, refused by
    Django before any view, is answered in the API's format as well."""
    if message is None:
        if isinstance(exception, RequestDataTooBig):
            message = _("The request body is larger than the limit of %(mb)s MB.") % {
                "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024) or 1
            }
        else:
            message = _("The request cannot be processed.")
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "validation_error",
                "detail": "Invalid input.",
                "errors": {"non_field_errors": [str(message)]},
            },
            status=400,
        )
    # No request context: this page is also shown before the tenant is resolved.
    return HttpResponse(render_to_string("400.html"), status=400)


class HostileInputMiddleware:
    """Refuses, with a 400, input that no part of the product accepts and that would otherwise
    surface deep inside as a 500: a NUL character in the path or the query string (PostgreSQL
    text cannot hold one, so a search or a path parameter with one fails at the database), and
    an API body over DATA_UPLOAD_MAX_MEMORY_SIZE (answered in the API's error format)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or self._query_has_nul(request):
            return bad_request(request, message=_("NUL characters are not allowed."))
        if request.path.startswith("/api/") and self._body_too_big(request):
            return bad_request(request, RequestDataTooBig())
        return self.get_response(request)

    @staticmethod
    def _query_has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "%00" not in query and "\x00" not in query:
            return False
        return any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        )

    @staticmethod
    def _body_too_big(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or request.content_type == "multipart/form-data":
            return False  # multipart: files have their own limits, fields Django's
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > limit
        except ValueError:
            return False


class ServiceUnavailableMiddleware:
    """A database that cannot be reached gives a clean 503, never a half-written request:
    the request's transaction (opened inside this middleware) has been rolled back."""

    def __init__(self, get_response):
        # Django wraps each middleware in convert_exception_to_response, which would turn the
        # tenant middleware's database errors into a 500 before they reach us: call the
        # middleware itself (the wrapper sets __wrapped__). Other errors still become 500s
        # in our own wrapper.
        self.get_response = getattr(get_response, "__wrapped__", get_response)

    def __call__(self, request):
        try:
            return self.get_response(request)
        except DatabaseError as exc:
            if self._is_outage(exc):
                log.warning("database unavailable: %s", exc)
                return self._unavailable(request)
            raise

    def process_exception(self, request, exception):
        """Views' database errors (converted to 500s further in, otherwise)."""
        if isinstance(exception, DatabaseError) and self._is_outage(exception):
            log.warning("database unavailable: %s", exception)
            return self._unavailable(request)
        return None

    @staticmethod
    def _is_outage(exc: DatabaseError) -> bool:
        return isinstance(exc, OperationalError | InterfaceError) or (
            "connection" in str(exc).lower()
        )

    def _unavailable(self, request):
        if request.path.startswith("/api/"):
            resp = JsonResponse(
                {
                    "type": "service_unavailable",
                    "detail": "The service is briefly unavailable. Nothing was saved; try again.",
                    "errors": {},
                },
                status=503,
            )
        else:
            # No request context: its processors would query the database that is down.
            resp = HttpResponse(render_to_string("503.html"), status=503)
        resp["Retry-After"] = "5"
        return resp


# Paths a signed-in person may reach while the tenant still requires them to set up MFA.
MFA_SETUP_ALLOWED = ("/static/", "/branding.css", "/healthz", "/i18n/")
# Under /accounts/ only the sign-in pages are (allauth's, and the core's e-mail
# verification): the portal's own pages there (the account mapping) are not.
MFA_SETUP_MODULES = ("allauth.", "prm.auth_views")


def _mfa_setup_page(request) -> bool:
    if not request.path_info.startswith("/accounts/"):
        return False
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return True  # a 404 either way
    return match.func.__module__.startswith(MFA_SETUP_MODULES)


class MemberMiddleware:
    """Attaches `request.member` (the person's active membership in this tenant, or None),
    records the user for RLS and the audit context, and enforces the tenant's MFA rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = None
        user = getattr(request, "user", None)
        tenant = getattr(request, "tenant", None)
        authenticated = bool(user and user.is_authenticated)
        if authenticated:
            set_db_user(tenant.pk if tenant else None, user.pk)
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if tenant is not None:
                request.member = (
                    Member.objects.select_related("partner")
                    .filter(user=user, is_active=True)
                    .first()
                )
        with audit_context(
            user_id=user.pk if authenticated else None,
            actor_label=user.email if authenticated else "",
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        ):
            if self._needs_mfa_setup(request):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "type": "mfa_required",
                            "detail": "Set up two-factor authentication in the portal first.",
                            "errors": {},
                        },
                        status=403,
                    )
                return redirect(reverse("mfa_activate_totp"))
            return self.get_response(request)

    @staticmethod
    def _needs_mfa_setup(request) -> bool:
        """Staff (and partner admins, if the tenant says so) without TOTP reach only the
        MFA setup pages. On the API this applies to sessions: a request with an API key has
        no session user here, and such members cannot create keys (api_key_create)."""
        member = request.member
        if member is None or request.path.startswith(MFA_SETUP_ALLOWED):
            return False
        if _mfa_setup_page(request):
            return False
        member.tenant = request.tenant  # already loaded: no query for the settings
        return mfa_missing(member)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: our own scripts and styles only, no inline script, no framing."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    # Swagger UI (served from our own static files) sets inline styles; its page alone may.
    DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

    def __call__(self, request):
        response = self.get_response(request)
        docs = request.path.startswith("/api/v1/docs/")
        response.setdefault("Content-Security-Policy", self.DOCS_POLICY if docs else self.POLICY)
        return response
