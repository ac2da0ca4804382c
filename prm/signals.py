"""Audit receivers for security events: sign-in, failed sign-in, sign-out, password and MFA
changes."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from prm.audit import audit_context, current_context, log_action
from prm.middleware import client_ip


def _tenant(request):
    return getattr(request, "tenant", None) if request is not None else None


def _log(action, request, user=None, **kw):
    # Sign-in happens before MemberMiddleware knows the user, so refresh the context here.
    ctx = current_context()
    with audit_context(
        user_id=user.pk if user else ctx.user_id,
        actor_label=(user.email if user else ctx.actor_label) or "",
        ip=client_ip(request) if request is not None else ctx.ip,
        user_agent=(
            request.META.get("HTTP_USER_AGENT", "") if request is not None else ctx.user_agent
        )[:300],
    ):
        log_action(action, tenant=_tenant(request), actor=user, **kw)


@receiver(account_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    _log(
        "auth.login",
        request,
        user,
        object_type="prm.user",
        object_id=user.pk,
        object_label=user.email,
    )


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    _log(
        "auth.login_failed",
        request,
        None,
        object_type="prm.user",
        object_label=email,
        after={"email": email},
    )


@receiver(auth_signals.user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        _log(
            "auth.logout",
            request,
            user,
            object_type="prm.user",
            object_id=user.pk,
            object_label=user.email,
        )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def on_password_changed(sender, request, user, **kwargs):
    _log(
        "auth.password_changed",
        request,
        user,
        object_type="prm.user",
        object_id=user.pk,
        object_label=user.email,
    )


@receiver(account_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    _log(
        "auth.password_reset",
        request,
        user,
        object_type="prm.user",
        object_id=user.pk,
        object_label=user.email,
    )


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs):
    _log(
        "mfa.added",
        request,
        user,
        object_type="mfa.authenticator",
        object_id=authenticator.pk,
        object_label=user.email,
        after={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    _log(
        "mfa.removed",
        request,
        user,
        object_type="mfa.authenticator",
        object_id=authenticator.pk,
        object_label=user.email,
        before={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    _log(
        "mfa.recovery_codes_regenerated",
        request,
        user,
        object_type="mfa.authenticator",
        object_id=authenticator.pk,
        object_label=user.email,
    )


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, **kwargs):
    _log(
        "mfa.authentication_failed",
        request,
        user,
        object_type="prm.user",
        object_id=user.pk,
        object_label=user.email,
    )
