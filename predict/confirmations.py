"""What applying the learned IPP weights does, for the admin to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from predict.models import PredictionModel
from prm.confirm import Confirmation, register


@register("predict-ipp-accept")
def ipp_accept(model: PredictionModel) -> Confirmation:
    weights = model.metrics.get("suggested_weights", {})
    return Confirmation(
        title=_("Apply the suggested ideal partner profile weights?"),
        consequence=_(
            "The profile's weights become: geography %(g)s, partner type %(t)s, specialties "
            "%(s)s, company size %(z)s, expected revenue %(r)s. New applications are scored "
            "with them; you can set other weights on the onboarding setup page at any time."
        )
        % {
            "g": weights.get("geography", 0),
            "t": weights.get("type", 0),
            "s": weights.get("specialties", 0),
            "z": weights.get("size", 0),
            "r": weights.get("revenue", 0),
        },
        button=_("Apply the suggested weights"),
        confirm=_("Apply"),
        back_url=reverse("onboarding-settings"),
        danger=False,
    )
