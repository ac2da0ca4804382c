"""Every write of deal registration. One service per move; each locks the row, checks the
move against its declared state machine (dealreg/states.py), writes the timeline and the
audit trail, and queues follow-up work and e-mail only after commit.

The services live in modules by sub-area and are re-exported here, so `from dealreg import
services` and `from dealreg.services import ...` keep working everywhere."""

from dealreg.services._common import (
    DEAL_MAILS,
    EDITABLE_FIELDS,
    current_rules,
    deal_mail_send,
    rules_publish,
)
from dealreg.services.accounts import deal_search_filter, named_account_upsert
from dealreg.services.deals import (
    deal_approve,
    deal_close,
    deal_evaluate,
    deal_recheck,
    deal_reject,
    deal_save,
    deal_submit,
    deal_sync,
    deal_withdraw,
    deals_evaluate_queued,
    metrics_refresh,
)
from dealreg.services.direct import direct_deal_upsert, influence_credit
from dealreg.services.extensions import (
    extension_decide,
    extension_request,
    influencer_add,
    influencer_decide,
    influencer_set,
)
from dealreg.services.influence import (
    influence_claim_decide,
    influence_claim_submit,
    influence_claim_withdraw,
)
from dealreg.services.keys import name_keys_check
from dealreg.services.sweeps import deals_escalate_overdue, deals_expire, deals_remind_expiring

__all__ = [
    "DEAL_MAILS",
    "EDITABLE_FIELDS",
    "current_rules",
    "deal_mail_send",
    "deal_approve",
    "deal_close",
    "deal_evaluate",
    "deals_evaluate_queued",
    "deal_recheck",
    "deal_reject",
    "deal_save",
    "deal_search_filter",
    "deal_submit",
    "deal_sync",
    "deal_withdraw",
    "direct_deal_upsert",
    "deals_escalate_overdue",
    "deals_expire",
    "deals_remind_expiring",
    "extension_decide",
    "extension_request",
    "influence_claim_decide",
    "influence_claim_submit",
    "influence_claim_withdraw",
    "influence_credit",
    "influencer_add",
    "influencer_decide",
    "influencer_set",
    "metrics_refresh",
    "name_keys_check",
    "named_account_upsert",
    "rules_publish",
]
