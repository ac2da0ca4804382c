"""What the locator adds to the core's registries (called from LocatorConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    # Imported here: this runs from ready(), once every app's models are loaded.
    from locator import referrals, selectors
    from locator.models import ProfileStatus, ReferralStatus
    from prm import context_processors, labels, panels, roles
    from prm.notifications import link_check_register
    from prm.roles import Role

    roles.register(
        {
            # A partner's admins edit and publish its public profile.
            "locator.own": {Role.PARTNER_ADMIN},
            # Staff see every profile and may take one down.
            "locator.manage": {Role.ADMIN, Role.CHANNEL_MANAGER},
            # Admins set whether tiers may be shown and which website may embed the locator.
            "locator.configure": {Role.ADMIN},
            # A partner's people invite other companies to apply (and see their status).
            "locator.refer": {Role.PARTNER_ADMIN, Role.PARTNER_USER},
        }
    )
    link_check_register(
        "locator.publicprofile",
        lambda member, pk: selectors.profiles_visible_to(member).filter(pk=pk).exists(),
    )
    link_check_register(
        "locator.referral",
        lambda member, pk: (
            member.partner_id is not None
            and selectors.referrals_of(member.partner).filter(pk=pk).exists()
        ),
    )
    entry = context_processors.NavEntry
    context_processors.NAV.extend(
        [
            entry("company", 15, _("Public profile"), "locator-profile", "locator.own"),
            entry("company", 16, _("Referrals"), "locator-referrals", "locator.refer"),
            entry("partners", 45, _("Partner locator"), "locator-profiles", "locator.manage"),
            entry("workspace", 35, _("Locator settings"), "locator-settings", "locator.configure"),
        ]
    )
    labels.register_choices("profile_status", ProfileStatus)
    panels.register(
        "onboarding.application",
        order=10,
        key="locator-referral",
        template="locator/_application_referral.html",
        context=_application_referral,
    )
    labels.register_choices("referral_status", ReferralStatus)
    referrals.register()

    import locator.confirmations  # noqa: F401  (registers its irreversible actions' texts)


def _application_referral(request, application):
    """Who referred an application (shown to the staff reviewing it), or None."""
    # local: as in register_all, the models are imported once the app registry is ready
    from locator.models import Referral

    referral = Referral.objects.filter(application=application).select_related("referrer").first()
    return {"referral": referral} if referral else None
