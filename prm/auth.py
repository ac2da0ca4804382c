"""allauth integration: closed sign-up (people join by invitation), membership check at
sign-in on a tenant host, the per-account sign-in lockout, tenant-branded e-mails.

Links in account e-mails (password reset, e-mail verification, ...) name the tenant's
canonical host (prm.urls_util), never the request's Host header, and their keys are bound to
the tenant (or the bare base domain) they were issued on: a key presented on any other
tenant's host is as invalid as a forged one. On a tenant host, a password reset is e-mailed
only to that tenant's members."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django_scopes import get_scope

from prm.audit import log_action
from prm.i18n import recipient_language
from prm.models import Invitation, Member
from prm.urls_util import site_url


def current_tenant():
    """The tenant of the request being served (None on the bare base domain)."""
    return get_scope().get("tenant")


def host_binding() -> str:
    """What a key issued now is bound to: this tenant (all its hosts), or the base domain."""
    tenant = current_tenant()
    return f"tenant:{tenant.pk}" if tenant is not None else "public"


class HostBoundTokenGenerator(PasswordResetTokenGenerator):
    """allauth's e-mail-aware password-reset token with the issuing tenant folded into the
    hash (settings.ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR): checked on another tenant's host
    or on the base domain, the token does not match."""

    def _make_hash_value(self, user, timestamp) -> str:
        # local: allauth.account.forms imports this class (its token-generator setting) at load
        from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

        value = EmailAwarePasswordResetTokenGenerator()._make_hash_value(user, timestamp)
        return f"{value}|{host_binding()}"


def _key_tag(key: str) -> str:
    return salted_hmac("prm.auth.host-bound-key", f"{host_binding()}|{key}").hexdigest()[:20]


def bind_key(key: str) -> str:
    """An e-mail-verification key usable only where it was issued (see unbind_key)."""
    return f"{key}:{_key_tag(key)}"


def unbind_key(bound: str) -> str | None:
    """allauth's key from a bound one, or None if it was issued for another host."""
    key, sep, tag = bound.rpartition(":")
    if not sep or not key or not constant_time_compare(tag, _key_tag(key)):
        return None
    return key


@dataclass(frozen=True)
class _Site:
    """What allauth's mail templates show as `current_site` (name and domain)."""

    name: str
    domain: str


def _on_canonical_host(url: str, tenant) -> str:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return site_url(tenant, path or "/")


def lockout_key(login: str) -> str:
    """The per-account key of the failed sign-in limit: the e-mail address stripped and
    lower-cased, nothing else. Not the host, port or site, so every spelling of every host
    (tenant hosts, custom domains, the bare domain) draws on one quota per account."""
    return "account:" + (login or "").strip().lower()


def may_sign_in_here(request, user) -> bool:
    """On a tenant host only active members, and people with a pending invitation there
    (they sign in to accept it), may sign in; the bare domain lists a person's tenants."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return True

    invited = Invitation.objects.filter(
        email__iexact=user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists()
    return invited or Member.objects.filter(user=user, is_active=True).exists()


def _audit_refused(request, user) -> None:
    log_action(
        "auth.login_refused",
        tenant=request.tenant,
        actor=user,
        object_type="prm.user",
        object_id=user.pk,
        object_label=user.email,
        after={"reason": "no active membership"},
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by accepting an invitation (prm.views.invitation_accept) or by
        # an approved partner application; there is no anonymous sign-up.
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the "login_failed .../key" limit on site domain + login, and the site
        # here is the request's host: each spelling of a host had a quota of its own.
        return lockout_key(credentials.get("email") or credentials.get("username") or "")

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not may_sign_in_here(request, user):
            # A correct password of someone who is no member here is answered exactly like a
            # wrong one (nothing tells that the account exists elsewhere) and is counted
            # against the lockout like one: allauth rolled the failed attempt back on success,
            # so it is consumed again (a limit reached meanwhile raises the same error a wrong
            # password would get).
            _audit_refused(request, user)
            self.pre_authenticate(request, **credentials)
            return None
        return user

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        # Password sign-in is refused earlier (authenticate); this covers every other way in
        # (e.g. a hand-over) with the same generic answer.
        if not may_sign_in_here(request, user):
            clear_login(request)
            _audit_refused(request, user)
            messages.error(request, self.error_messages["email_password_mismatch"])
            return redirect("account_login")
        return None

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        ).replace("UID-KEY", quote(key))
        return site_url(current_tenant(), path)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        path = reverse("account_confirm_email", args=[bind_key(emailconfirmation.key)])
        return site_url(current_tenant(), path)

    def send_password_reset_mail(self, user, email, context):
        tenant = current_tenant()
        if tenant is not None:
            # Only this tenant's members get a reset link from its host; anyone else gets
            # the same neutral page and no mail (nothing to enumerate, nothing to poison).
            if not Member.objects.filter(tenant=tenant, user=user, is_active=True).exists():
                return None
        return super().send_password_reset_mail(user, email, context)

    def send_mail(self, template_prefix, email, context):
        # Account mails (password reset, MFA and security notices) are mandatory: written in
        # the account's chosen language, else the request's (the browser's when signed out).
        # Whatever allauth put in the context from the request (links, the site's domain)
        # names the canonical host instead.
        tenant = current_tenant()
        context = {
            key: _on_canonical_host(value, tenant)
            if isinstance(value, str) and value.startswith(("http://", "https://"))
            else value
            for key, value in context.items()
        }
        context["current_site"] = _Site(
            name=tenant.name if tenant is not None else "PRM",
            domain=urlsplit(site_url(tenant)).netloc,
        )
        language = recipient_language([email], default=translation.get_language())
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def format_email_subject(self, subject: str) -> str:
        tenant = get_scope().get("tenant")
        prefix = f"[{tenant.name}] " if tenant else "[PRM] "
        return prefix + subject
