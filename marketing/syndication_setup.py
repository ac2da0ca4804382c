"""Content syndication's registrations, called from MarketingConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm import confirm, context_processors, roles
from prm.confirm import Confirmation
from prm.roles import Role


def _rotate(feed) -> Confirmation:
    return Confirmation(
        name="marketing-syndication-rotate",
        url=reverse("marketing-syndication-rotate"),
        title=_("Make a new snippet?"),
        consequence=_(
            "The snippet on your website stops working at once; it shows the content again "
            "only after you paste the new one."
        ),
        button=_("Make a new snippet"),
        confirm=_("Make a new snippet"),
        back_url=reverse("marketing-syndication"),
    )


def register() -> None:
    roles.register(
        {
            # A partner's admins put the vendor's content on their own website.
            "marketing.syndicate": {Role.PARTNER_ADMIN},
        }
    )
    confirm.register("marketing-syndication-rotate")(_rotate)
    entry = context_processors.NavEntry
    context_processors.NAV.extend(
        [
            entry(
                "funds",
                55,
                gettext_lazy("Content on your website"),
                "marketing-syndication",
                "marketing.syndicate",
            ),
            entry(
                "funds",
                55,
                gettext_lazy("Syndication views"),
                "marketing-syndication-report",
                "marketing.manage",
            ),
        ]
    )
