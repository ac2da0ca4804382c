"""Partner satisfaction (PSAT): one answer per partner member per quarter."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.models import SurveyResponse
from analytics.services.periods import quarter_start
from prm.audit import log_action
from prm.errors import DomainError


@transaction.atomic
def survey_answer(*, member, score: int, comment: str = "", today=None):
    """Record a partner member's PSAT answer for the current quarter (once per quarter)."""
    if member.partner_id is None:
        raise DomainError(_("Only partner people answer the partner survey."))
    if not 1 <= int(score) <= 5:
        raise DomainError(_("Choose a score from 1 to 5."), field="score")
    period = quarter_start(today or timezone.localdate())
    response, created = SurveyResponse.objects.get_or_create(
        tenant=member.tenant,
        member=member,
        period_start=period,
        defaults={"partner_id": member.partner_id, "score": score, "comment": comment.strip()},
    )
    if not created:
        raise DomainError(_("You have already answered this quarter's survey."), field="score")
    log_action("analytics.survey_answered", obj=response, after={"score": score})
    return response
