"""Writes for market development funds. Every function is keyword-only, runs inside the
caller's tenant context and its own savepoint (a refused operation leaves nothing behind),
audits, and queues e-mail only after commit.

Balances live only in the append-only ledger. Locking, always in this order so that two
writers can never deadlock:

1. the object row being moved (`select_for_update` on the request or claim);
2. the program row: `FOR UPDATE` for program-wide writes (allocations and the budget,
   accruals, expiry), `FOR SHARE` for writes about one partner;
3. a transaction-scoped advisory lock per (program, partner) for writes that spend that
   partner's funds (commitments), so concurrent approvals for one partner run one at a time
   and each re-reads the derived balance inside the lock.
The services are grouped by sub-area in this package; everything callers use is re-exported
here (`from mdf import services; services.request_approve(...)`). Status changes of requests
and claims are declared once in mdf.states and checked there.
"""

from mdf.services._common import (
    CENT,
    ZERO,
    local_today,
    parse_money,
    program_is_open_for_funds,
)
from mdf.services.allocations import (
    ACCRUAL_SQL,
    TIER_ALLOCATION_SQL,
    allocation_add,
    program_accrue,
    program_allocate_by_tier,
    program_queue_accrual,
)
from mdf.services.claims import (
    CLAIM_AUDIT_FIELDS,
    CLAIM_FIELDS,
    claim_add_documents,
    claim_approve,
    claim_pay,
    claim_reject,
    claim_render_remittance,
    claim_request_info,
    claim_second_approve,
    claim_submit,
    claim_transition,
    claim_update,
)
from mdf.services.expiry import mdf_daily, open_items, program_expire, program_warn_expiry
from mdf.services.fund_requests import (
    REQUEST_AUDIT_FIELDS,
    REQUEST_FIELDS,
    request_approve,
    request_cancel,
    request_reject,
    request_return,
    request_submit,
    request_transition,
    request_update,
)
from mdf.services.programs import (
    PROGRAM_EDITABLE,
    PROGRAM_FIELDS,
    period_end,
    program_create,
    program_update,
    rule_remove,
    rule_set,
)
from mdf.services.rates import (
    MAX_IMPORT_ROWS,
    RATE_COLUMNS,
    RateImport,
    currency_parse,
    exchange_rate_set,
    exchange_rates_import,
    rate_parse,
)

__all__ = [
    "ACCRUAL_SQL",
    "CENT",
    "CLAIM_AUDIT_FIELDS",
    "CLAIM_FIELDS",
    "MAX_IMPORT_ROWS",
    "PROGRAM_EDITABLE",
    "PROGRAM_FIELDS",
    "RATE_COLUMNS",
    "REQUEST_AUDIT_FIELDS",
    "REQUEST_FIELDS",
    "TIER_ALLOCATION_SQL",
    "ZERO",
    "RateImport",
    "currency_parse",
    "parse_money",
    "program_is_open_for_funds",
    "rate_parse",
    "local_today",
    "allocation_add",
    "claim_add_documents",
    "claim_approve",
    "claim_pay",
    "claim_reject",
    "claim_render_remittance",
    "claim_request_info",
    "claim_second_approve",
    "claim_submit",
    "claim_transition",
    "claim_update",
    "exchange_rate_set",
    "exchange_rates_import",
    "mdf_daily",
    "open_items",
    "period_end",
    "program_accrue",
    "program_allocate_by_tier",
    "program_create",
    "program_expire",
    "program_queue_accrual",
    "program_update",
    "program_warn_expiry",
    "request_approve",
    "request_cancel",
    "request_reject",
    "request_return",
    "request_submit",
    "request_transition",
    "request_update",
    "rule_remove",
    "rule_set",
]
