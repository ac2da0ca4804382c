"""The program's analytics settings (currency, margin, attribution, health weights, at-risk
thresholds) and the program costs counted in ROPI."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from analytics import rules
from analytics.models import AnalyticsSettings, ProgramCost
from analytics.services.periods import quarter_start
from analytics.services.rollups import (
    rollups_mark_changed,
    rollups_mark_stale,
    tier_cost_sharers,
)
from prm.audit import log_action
from prm.errors import DomainError

SETTINGS_FIELDS = [
    "currency",
    "gross_margin_pct",
    "attribution_model",
    "at_risk_below",
    "at_risk_drop",
    *[f"weight_{k}" for k in rules.COMPONENTS],
]


@transaction.atomic
def settings_update(*, tenant, **values) -> AnalyticsSettings:
    obj = AnalyticsSettings.objects.select_for_update().get(
        pk=AnalyticsSettings.for_tenant(tenant).pk
    )
    if (
        sum(int(values.get(f"weight_{k}", getattr(obj, f"weight_{k}"))) for k in rules.COMPONENTS)
        <= 0
    ):
        raise DomainError(
            _("At least one health weight must be above zero."), field="weight_pipeline"
        )
    before = {f: str(getattr(obj, f)) for f in SETTINGS_FIELDS}
    changed = []
    for field, value in values.items():
        if field in SETTINGS_FIELDS and getattr(obj, field) != value:
            setattr(obj, field, value)
            changed.append(field)
    if changed:
        obj.save(update_fields=changed)
        after = {f: str(getattr(obj, f)) for f in SETTINGS_FIELDS}
        log_action(
            "analytics.settings_updated",
            obj=obj,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
        # Margin, currency, attribution and weights change every stored figure.
        rollups_mark_stale(
            tenant=tenant, reason=_("Analytics settings changed: %s") % ", ".join(changed)
        )
    return obj


@transaction.atomic
def program_cost_add(
    *,
    tenant,
    amount: Decimal,
    currency: str,
    incurred_on: datetime.date,
    description: str,
    partner=None,
    tier=None,
) -> ProgramCost:
    if (partner is None) == (tier is None):
        raise DomainError(_("Choose a partner or a tier, not both."), field="partner")
    cost = ProgramCost.objects.create(
        tenant=tenant,
        partner=partner,
        tier=tier,
        amount=amount,
        currency=currency.upper(),
        incurred_on=incurred_on,
        description=description,
    )
    log_action(
        "analytics.program_cost_added",
        obj=cost,
        after={"amount": amount, "currency": cost.currency, "description": description},
    )
    # The partner's figures of that quarter, or those of every partner sharing the tier's
    # costs in it.
    rollups_mark_changed(
        tenant_id=tenant.pk,
        partner_ids=[partner.pk]
        if partner is not None
        else tier_cost_sharers([tier.pk], quarter_start(incurred_on)),
    )
    return cost
