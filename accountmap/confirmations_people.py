"""What each irreversible people-mapping action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accountmap.models_people import Territory
from prm.confirm import Confirmation, register


@register("territory-delete")
def territory_delete(territory: Territory) -> Confirmation:
    return Confirmation(
        name="territory-delete",
        url=reverse("territory-delete", args=[territory.pk]),
        title=_("Delete the territory %(t)s?") % {"t": territory.name},
        consequence=_(
            "Its reps are no longer assigned to its accounts and stop hearing of their "
            "overlaps, unless they own an account themselves. The accounts stay."
        ),
        button=_("Delete territory"),
        confirm=_("Delete"),
        back_url=reverse("territory-detail", args=[territory.pk]),
    )
