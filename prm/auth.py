"""allauth integration: closed sign-up (people join by invitation), membership check at
sign-in on a tenant host, tenant-branded e-mails."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from prm.audit import log_action


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by accepting an invitation (prm.views.invitation_accept) or by
        # an approved partner application; there is no anonymous sign-up.
        return False

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        tenant = getattr(request, "tenant", None)
        if tenant is None:
            return None
        from django.utils import timezone

        from prm.models import Invitation, Member

        # A person with a pending invitation here may sign in to accept it (they have an
        # account from another tenant); without a membership every portal page is still 403.
        invited = Invitation.objects.filter(
            email__iexact=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
        if not invited and not Member.objects.filter(user=user, is_active=True).exists():
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            log_action(
                "auth.login_refused",
                tenant=tenant,
                actor=user,
                object_type="prm.user",
                object_id=user.pk,
                object_label=user.email,
                after={"reason": "no active membership"},
            )
            messages.error(
                request,
                _(
                    "Your account has no access to %(tenant)s. Ask its administrator for an "
                    "invitation."
                )
                % {"tenant": tenant.name},
            )
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
