"""What each irreversible marketing action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from marketing.campaign_models import Campaign
from prm.confirm import Confirmation, register


@register("marketing-sequence-start")
def sequence_start(c: Campaign) -> Confirmation:
    return Confirmation(
        name="marketing-sequence-start",
        url=reverse("marketing-sequence-start", args=[c.pk]),
        title=_("Start sending the e-mails of %(kit)s?") % {"kit": c.kit.name},
        consequence=_(
            "The first e-mail goes to every subscribed contact of this campaign within minutes, "
            "the next ones after their delays. E-mails already sent cannot be called back; you "
            "can pause sending at any time."
        ),
        button=_("Start sending"),
        confirm=_("Start sending"),
        back_url=c.get_absolute_url(),
        danger=False,
    )
