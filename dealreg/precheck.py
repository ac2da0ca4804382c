"""The partner-safe pre-check ("is this customer likely free?"), shared by the portal and the
API. Saves nothing, is audited, is rate-limited per member, and its answer never names
another party: no partner, no deal, no product of another registration.

Products are not compared at all: "another registration covers the same products" answered
product by product would tell which products someone else registered."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from dealreg import conflicts
from dealreg.models import MatchKind
from dealreg.services import current_rules
from prm.audit import log_action
from prm.errors import DomainError
from prm.spam import over_limit

# Per member and window (seconds); overridable in settings.
DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 3600


class PrecheckRateLimited(DomainError):
    def __init__(self, window: int):
        super().__init__(
            _(
                "You ran many availability checks in a short time. Please wait a while and "
                "try again; you can still submit the registration."
            ),
            code="rate_limited",
        )
        self.window = window


def _limit() -> tuple[int, int]:
    return (
        getattr(settings, "PRM_DEAL_PRECHECK_LIMIT", DEFAULT_LIMIT),
        getattr(settings, "PRM_DEAL_PRECHECK_WINDOW", DEFAULT_WINDOW),
    )


def _consume(member) -> None:
    """Count one check of this member (Redis, shared by every process); refuse past the limit."""
    limit, window = _limit()
    # The creation time keeps counters of a recreated database (tests) apart.
    key = f"dealreg:precheck:{member.tenant_id}:{member.pk}:{member.created_at.timestamp():.0f}"
    if over_limit(key, limit, window):
        raise PrecheckRateLimited(window)


def deal_precheck(
    *, member, customer_name: str, customer_domain_input: str = "", exclude_deal_id=None
) -> dict:
    """{"clear": bool, "reasons": [partner-safe sentences]}; raises PrecheckRateLimited."""
    _consume(member)
    probe = conflicts.Probe.from_input(
        tenant_id=member.tenant_id,
        partner_id=member.partner_id,
        customer_name=customer_name,
        customer_domain_input=customer_domain_input,
        product_ids=(),
    )
    probe.exclude_deal_id = exclude_deal_id
    found = [
        m
        for m in conflicts.detect(
            probe, threshold=current_rules(member.tenant).name_similarity_threshold
        )
        if m.kind != MatchKind.PRODUCTS
    ]
    # Audited: probing for other partners' customers shows in the trail.
    log_action("deal.prechecked", object_type="dealreg.deal", after={"clear": not found})
    return {"clear": not found, "reasons": sorted({m.partner_reason for m in found})}
