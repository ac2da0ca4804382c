from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from partners.models import Partner
        from partners.services import STATUS_CHANGE_HOOKS
        from prm import context_processors, roles
        from prm.roles import Role

        staff = {Role.ADMIN, Role.CHANNEL_MANAGER}
        partner_roles = {Role.PARTNER_ADMIN, Role.PARTNER_USER}
        roles.register(
            {
                "applications.review": staff,
                "onboarding.manage": {Role.ADMIN},
                "onboarding.monitor": staff,
                "onboarding.own": partner_roles,
                "onboarding.view": set(roles.ALL_ROLES),
                "agreements.view": set(roles.ALL_ROLES),
                "agreements.view_all": staff,
                "agreements.accept": {Role.PARTNER_ADMIN},
            }
        )
        context_processors.NAV.extend(
            [
                (13, _("Getting started"), "my-onboarding", "onboarding.own"),
                (14, _("Agreement"), "my-agreement", "onboarding.own"),
                (20, _("Applications"), "application-list", "applications.review"),
                (21, _("Onboarding"), "onboarding-board", "onboarding.monitor"),
                (72, _("Onboarding setup"), "onboarding-settings", "onboarding.manage"),
                (73, _("Agreements"), "agreement-list", "agreements.view_all"),
            ]
        )

        from onboarding import services

        if services.on_partner_status_change not in STATUS_CHANGE_HOOKS:
            STATUS_CHANGE_HOOKS.append(services.on_partner_status_change)
        post_save.connect(_partner_saved, sender=Partner, dispatch_uid="onboarding.partner_saved")


def _partner_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    """A completed company profile completes the partner's complete_profile step. (A signal,
    because partner profiles are written by the partners app, which knows nothing of
    onboarding.)"""
    if raw or created:
        return
    from django_scopes import get_scope

    scope = get_scope()
    if not scope.get("_enabled") or scope.get("tenant") is None:
        return  # outside a tenant (migrations, operators): nothing of ours to update
    from onboarding.services import on_partner_saved

    on_partner_saved(instance, update_fields)
