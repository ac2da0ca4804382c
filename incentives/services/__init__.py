"""Every write of incentives (programs and versions, computing earnings, the ledger,
disputes), by sub-area:

- `programs`: program_create, program_update, version_draft_save, version_publish;
- `compute`: earnings_compute_for_deal / _for_lead / _for_certificate,
  earnings_reverse_for_deal, partner_referral_reward, projection (reads only);
- `direct`: earnings_compute_for_direct_deal, earnings_reverse_for_direct_deal (the vendor's
  direct deals: their influencers' commission);
- `ledger`: earnings_write, earnings_release, earning_approve, earnings_approve,
  earnings_mark_paid, earning_reverse_locked, earning_adjust;
- `disputes`: dispute_open, dispute_answer;
- `recompute`: program_recompute (a commission program's lines set-based, incentives.setbased).
"""

from incentives.services.compute import (
    earnings_compute_for_certificate,
    earnings_compute_for_deal,
    earnings_compute_for_lead,
    earnings_reverse_for_deal,
    partner_referral_reward,
    projection,
)
from incentives.services.direct import (
    earnings_compute_for_direct_deal,
    earnings_reverse_for_direct_deal,
)
from incentives.services.disputes import dispute_answer, dispute_open
from incentives.services.ledger import (
    earning_adjust,
    earning_approve,
    earnings_approve,
    earnings_mark_paid,
    earnings_release,
    earnings_write,
)
from incentives.services.programs import (
    program_create,
    program_update,
    version_draft_save,
    version_publish,
)
from incentives.services.recompute import program_recompute, program_recompute_check

__all__ = [
    "dispute_answer",
    "dispute_open",
    "earning_adjust",
    "earning_approve",
    "earnings_approve",
    "earnings_compute_for_certificate",
    "earnings_compute_for_deal",
    "earnings_compute_for_direct_deal",
    "earnings_compute_for_lead",
    "earnings_mark_paid",
    "earnings_release",
    "earnings_reverse_for_deal",
    "earnings_reverse_for_direct_deal",
    "earnings_write",
    "partner_referral_reward",
    "program_create",
    "program_recompute",
    "program_recompute_check",
    "program_update",
    "projection",
    "version_draft_save",
    "version_publish",
]
