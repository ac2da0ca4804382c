"""Every write of the analytics app, grouped by sub-area in this package; everything callers
use is re-exported here (`from analytics import services; services.health_compute(...)`).
The heavy work is set-based SQL (in analytics.sql), one statement per tenant (and per step),
never a query per partner:

- `health`: `activity_record` (the audit trail -> portal activity per member per day) and
  `health_compute` (figures, the explained score, the day's snapshots, PartnerMetrics'
  health score, at-risk episodes and their one notification each, `at_risk_notify`);
- `rollups`: `rollups_compute` (attribution, ROPI and the other KPIs per (partner, quarter),
  one INSERT ... SELECT, and the time-to-first-deal cohorts), the nightly incremental
  `rollups_refresh`, the on-demand and stale-mark runs, and the fresh figures after each
  change (`rollups_mark_changed` in the changing transaction, `rollups_refresh_changed` in
  Celery once it commits);
- `program`: the analytics settings and program costs;
- `survey`: partner satisfaction answers;
- `periods`: reporting quarters.

All must run inside tenant_context(tenant).
"""

from analytics.services.health import (
    HEALTH_STATUSES,
    SIGN_IN_ACTIONS,
    activity_record,
    at_risk_notify,
    health_compute,
    health_figures,
)
from analytics.services.periods import quarter_start, quarters_back
from analytics.services.program import SETTINGS_FIELDS, program_cost_add, settings_update
from analytics.services.rollups import (
    GLOBAL_ACTIONS,
    changed_partners,
    rollup_run_execute,
    rollup_run_request,
    rollups_compute,
    rollups_mark_changed,
    rollups_mark_stale,
    rollups_refresh,
    rollups_refresh_changed,
    rollups_refresh_sweep,
    tier_cost_sharers,
)
from analytics.services.survey import survey_answer

__all__ = [
    "GLOBAL_ACTIONS",
    "HEALTH_STATUSES",
    "SETTINGS_FIELDS",
    "SIGN_IN_ACTIONS",
    "activity_record",
    "at_risk_notify",
    "changed_partners",
    "health_compute",
    "health_figures",
    "program_cost_add",
    "quarter_start",
    "quarters_back",
    "rollup_run_execute",
    "rollup_run_request",
    "rollups_compute",
    "rollups_mark_changed",
    "rollups_mark_stale",
    "rollups_refresh",
    "rollups_refresh_changed",
    "rollups_refresh_sweep",
    "settings_update",
    "survey_answer",
    "tier_cost_sharers",
]
