"""What each irreversible locator action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from locator.models import PublicProfile
from prm.confirm import Confirmation, register


@register("locator-profile-hide")
def profile_hide(profile: PublicProfile) -> Confirmation:
    return Confirmation(
        name="locator-profile-hide",
        url=reverse("locator-profile-hide", args=[profile.pk]),
        title=_("Take down the public profile of %(p)s?") % {"p": profile.partner.name},
        consequence=_(
            "The profile disappears from the partner locator at once and the partner cannot "
            "publish it again until you allow it. The partner sees your reason."
        ),
        button=_("Take down"),
        confirm=_("Take down"),
        back_url=reverse("locator-profiles"),
        reason="required",
        reason_label=_("Reason (shown to the partner)"),
    )
