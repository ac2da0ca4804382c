"""The churn model as the at-risk list's source (analytics.risk_models), only while the
active model beats the health-score rule on its hold-out. A partner is listed when its
churn probability is at least FLOOR and at least twice the base rate of the hold-out (the
share of partners that became inactive), i.e. clearly above the usual risk."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from analytics.models import HealthSnapshot
from predict import features, selectors
from predict.models import Task
from prm.templatetags.fmt import format_share

FLOOR = 0.3


@dataclass(frozen=True)
class ModelRisk:
    partner: object
    partner_id: int
    score: int | None  # the partner's latest health score, as on the rule's list
    probability: float
    reason_text: str
    started_on: datetime.date


def threshold(model) -> float:
    return max(FLOOR, 2 * float(model.metrics.get("base_rate", 0)))


def _number(value) -> str:
    value = float(value)
    return number_format(value, decimal_pos=0 if value.is_integer() else 1, use_l10n=True)


def _reason(score) -> str:
    """The probability and the strongest factor that raises it (a factor that lowers the risk,
    such as a long tenure, is no reason for it), with its value against the typical one."""
    top = next((f for f in score.factors or () if f.get("effect", 0) > 0), None)
    text = _("Churn model: %(p)s chance of becoming inactive in 90 days") % {
        "p": format_share(score.probability, 0)
    }
    if top:
        label = str(features.FEATURES.get(top["feature"], top["feature"]))
        text += " · " + _("%(factor)s: %(value)s (typical %(typical)s)") % {
            "factor": label,
            "value": _number(top["value"]),
            "typical": _number(top["typical"]),
        }
    return text


def at_risk(*, manager=None, partners=None):
    model = selectors.model_in_use(Task.CHURN)
    if model is None:
        return None
    qs = selectors.churn_scores().filter(model=model, probability__gte=threshold(model))
    if partners is not None:
        qs = qs.filter(partner_id__in=partners)
    if manager is not None:
        qs = qs.filter(partner__owner=manager)
    scores = list(qs.order_by("-probability"))
    health = dict(
        HealthSnapshot.objects.filter(partner_id__in=[s.partner_id for s in scores])
        .order_by("partner_id", "-day")
        .distinct("partner_id")
        .values_list("partner_id", "score")
    )
    return [
        ModelRisk(
            partner=s.partner,
            partner_id=s.partner_id,
            score=health.get(s.partner_id),
            probability=s.probability,
            reason_text=_reason(s),
            started_on=s.scored_at.date(),
        )
        for s in scores
    ]
