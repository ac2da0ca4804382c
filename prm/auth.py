"""allauth integration: closed sign-up (people join by invitation), membership check at
sign-in on a tenant host, the per-account sign-in lockout, tenant-branded e-mails."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation

from prm.audit import log_action


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
    from django.utils import timezone

    from prm.models import Invitation, Member

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
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            _audit_refused(request, user)
            messages.error(request, self.error_messages["email_password_mismatch"])
            return redirect("account_login")
        return None

    def send_mail(self, template_prefix, email, context):
        # Account mails (password reset, MFA and security notices) are mandatory: written in
        # the account's chosen language, else the request's (the browser's when signed out).
        from prm.i18n import recipient_language

        language = recipient_language([email], default=translation.get_language())
        with translation.override(language):
            return super().send_mail(template_prefix, email, context)

    def get_from_email(self):
        from django.conf import settings

        return settings.DEFAULT_FROM_EMAIL

    def format_email_subject(self, subject: str) -> str:
        from django_scopes import get_scope

        tenant = get_scope().get("tenant")
        prefix = f"[{tenant.name}] " if tenant else "[PRM] "
        return prefix + subject
