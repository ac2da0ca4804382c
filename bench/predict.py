"""Benchmark: predictive models (issue #22) on the big tenant.

The big tenant's seeded history (partners, registrations, health) is what the models learn
from, and the run adds history made by predict.synthetic's documented processes, each with
a planted signal: lead history for matching and win probability (partners win more in their
region and specialty, good partners more, large deals less), approved applications for the
learned IPP, and engagement for churn (sign-ins that fade before a partner goes quiet).
Small: 200 partners, 3,000 leads, 800 applications, 200 engaged partners; large: 2,000
partners, 50,000 leads, 5,000 applications, 2,000 engaged partners.
Then, each timed with its peak RSS (`getrusage`, this process):
* training each of the four models (`services.model_train`: load, features, fit, hold-out
  figures, store, score): the total must be <= 5 min and <= 2 GB at large scale;
* scoring every active partner (churn) and open registration (win) with the active models
  (`services.scores_refresh`): <= 30 s;
* matching one lead against every eligible partner (`dealreg.services.leads.recommend`, the
  model in charge when it beats the weights): 100 leads after 5 warm-ups, p95 <= 100 ms.
Everything runs in one transaction that is rolled back, so the bench database keeps nothing.
"""

from __future__ import annotations

import time

from bench.common import big_tenant, member, pct, peak_rss_mb, target, write

SIZES = {
    "small": {"partners": 200, "leads": 3000, "applications": 800, "engaged": 200},
    "large": {"partners": 2000, "leads": 50000, "applications": 5000, "engaged": 2000},
}


class _Rollback(Exception):
    pass


def bench_predict(scale: str) -> dict:
    from django.db import connection, transaction

    from dealreg.services import leads
    from predict import services, synthetic
    from predict.models import Task
    from prm.tenancy import tenant_context

    tenant = big_tenant()
    staff = member(tenant, "channel_manager")
    size = SIZES[scale]
    numbers: dict = {"sizes": size}
    try:
        with tenant_context(tenant), transaction.atomic():
            t0 = time.perf_counter()
            synthetic.build_leads(
                tenant, partners=size["partners"], leads=size["leads"], prefix="Bench matched"
            )
            synthetic.build_applications(
                tenant, applications=size["applications"], prefix="Bench applicant"
            )
            synthetic.build_engagement(tenant, partners=size["engaged"], prefix="Bench engaged")
            with connection.cursor() as cur:
                for table in (
                    "dealreg_deal",
                    "dealreg_lead",
                    "partners_partner",
                    "analytics_memberactivity",
                    "analytics_healthsnapshot",
                ):
                    cur.execute(f"ANALYZE {table}")
            numbers["generate_s"] = round(time.perf_counter() - t0, 2)
            train = {}
            for task in Task.values:
                t0 = time.perf_counter()
                model = services.model_train(tenant=tenant, task=task)
                train[task] = {
                    "seconds": round(time.perf_counter() - t0, 2),
                    "status": model.status,
                    "in_use": model.in_use,
                    "train_rows": model.train_rows,
                    "test_rows": model.test_rows,
                    "auc": model.metrics.get("auc"),
                    "rule_auc": model.metrics.get("rule_auc"),
                    "hit_rate": model.metrics.get("hit_rate"),
                    "rule_hit_rate": model.metrics.get("rule_hit_rate"),
                }
            numbers["train"] = train
            numbers["train_total_s"] = round(sum(t["seconds"] for t in train.values()), 2)
            numbers["train_peak_rss_mb"] = peak_rss_mb()
            t0 = time.perf_counter()
            scored = sum(
                services.scores_refresh(tenant=tenant, task=t) for t in (Task.CHURN, Task.WIN)
            )
            numbers["score_s"] = round(time.perf_counter() - t0, 2)
            numbers["scored"] = scored
            lead_rows = [
                leads.lead_create(
                    by=staff, company=f"Bench lead {i}", region=synthetic.REGIONS[i % 4]
                )
                for i in range(105)
            ]
            timings = []
            for i, lead in enumerate(lead_rows):
                t0 = time.perf_counter()
                leads.recommend(lead, limit=5)
                if i >= 5:
                    timings.append((time.perf_counter() - t0) * 1000)
            numbers["match_ms_p50"] = pct(timings, 50)
            numbers["match_ms_p95"] = pct(timings, 95)
            numbers["match_by_model"] = train[Task.MATCH]["in_use"]
            raise _Rollback
    except _Rollback:
        pass
    targets = {
        "train_total_s": target(numbers["train_total_s"], "<=", 300),
        "train_peak_rss_mb": target(numbers["train_peak_rss_mb"], "<=", 2048),
        "score_s": target(numbers["score_s"], "<=", 30),
        "match_ms_p95": target(numbers["match_ms_p95"], "<=", 100),
    }
    return write("predict", scale, numbers, targets)
