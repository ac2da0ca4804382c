"""The matching model as lead routing's ranking (dealreg.routing_models), only while the
active model beats the fixed-weight score on its hold-out (top-3 hit rate, paired bootstrap).
One lead against every eligible partner: one SQL query for the features, one vectorised
`predict_proba`, the top factors of the chosen few in words."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from predict import learn, matching, selectors
from predict.models import Task


def rank(*, lead, specialties: list[int], exclude: list[int], limit: int) -> list[dict] | None:
    model = selectors.model_in_use(Task.MATCH)
    if model is None:
        return None
    payload = selectors.load_estimator_cached(model, tenant=lead.tenant)
    people, X = matching.candidate_rows(
        tenant_id=lead.tenant_id,
        country=lead.country,
        region=lead.region,
        specialties=specialties,
        exclude=exclude,
    )
    if not people:
        return []
    pipeline = payload["pipeline"]
    p = pipeline.predict_proba(X)[:, 1]
    # Highest probability first, ties by name: only the rows that can make the first `limit`
    # (every row scoring at least the limit-th highest) are sorted, not every partner.
    keep = np.arange(len(p))
    if len(p) > limit:
        keep = np.flatnonzero(p >= np.partition(p, len(p) - limit)[len(p) - limit])
    order = keep[np.lexsort(([people[i][1] for i in keep], -p[keep]))][:limit]
    why = learn.explain(pipeline, X[order], payload["features"], digits=2)
    return [
        {
            "partner_id": people[i][0],
            "name": people[i][1],
            "score": Decimal(str(round(float(p[i]) * 100, 2))),
            "probability": round(float(p[i]), 4),
            "explanation": [matching.probability_text(float(p[i]))]
            + [matching.factor_text(f) for f in factors],
        }
        for i, factors in zip(order, why, strict=True)
    ]
