"""Learned ideal partner profile: which application criteria predicted partners that reached
a first deal quickly and grew, as suggested IPP weights.

Each approved application whose partner has been in the program for a year is one row, dated
the day the partner started. Its features are the fractions (0-1) the IPP's own scoring
(onboarding.rules.fit_score) gives it on each criterion (geography, type, specialties, size,
revenue) against the tenant's current profile targets; the label is 1 when the partner
registered its first deal within QUICK_DAYS of starting and at least GROW_DEALS within its
first year. A row is known one year after it started, so only rows known before the test
period train. The rule is the application's fit score with the current weights.

The suggested weights are the fitted logistic regression's coefficients on the (unscaled)
fractions, negative ones set to 0, as whole numbers summing to 100. They are measured on the
hold-out as a fit score (fractions x weights), against the same score with the current
weights: the suggestion is offered only when it ranks the partners that took off better in at
least 95% of paired resamples."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from sklearn.metrics import roc_auc_score

from dealreg.models import Deal
from onboarding import rules, selectors
from onboarding.models import Application, ApplicationStatus, IdealPartnerProfile
from partners.models import Partner
from predict import learn
from predict.features import day

QUICK_DAYS = 90
GROW_DEALS = 3
YEAR = 365

IPP_FEATURES: dict[str, str] = {
    "geography": _("Country or region is a target"),
    "type": _("Partner type is a target"),
    "specialties": _("Target specialties covered"),
    "size": _("Company size is a target"),
    "revenue": _("Expected revenue within the target band"),
}
IPP_KEYS = list(IPP_FEATURES)
WEIGHT_FIELDS = {c: f"weight_{c}" for c in IPP_KEYS}


def current_weights(tenant) -> dict[str, int]:
    ipp = IdealPartnerProfile.for_tenant(tenant)
    return {c: int(getattr(ipp, WEIGHT_FIELDS[c])) for c in IPP_KEYS}


@dataclass
class IppDataset:
    X: np.ndarray
    y: np.ndarray
    rule: np.ndarray
    dates: np.ndarray
    resolved: np.ndarray
    weights: dict[str, int]


def _fractions(profile: rules.IdealProfile, candidate: rules.Candidate) -> list[float]:
    """Each criterion's fraction (0-1) for the candidate; 0 for a criterion not assessed."""
    equal = rules.IdealProfile(**{**profile.__dict__, "weights": dict.fromkeys(IPP_KEYS, 1)})
    got = {
        r["criterion"]: r["points"] / r["max"] for r in rules.fit_score(equal, candidate).reasons
    }
    return [float(got.get(c, 0.0)) for c in IPP_KEYS]


def score(X: np.ndarray, weights: dict[str, int]) -> np.ndarray:
    w = np.asarray([weights.get(c, 0) for c in IPP_KEYS], dtype=np.float64)
    return X @ w / w.sum() if w.sum() else np.zeros(len(X))


def dataset(tenant, *, today: datetime.date) -> IppDataset:
    """Rows of this tenant's approved applications (one query per source)."""
    profile = selectors.ideal_profile(tenant)
    weights = current_weights(tenant)
    apps = list(
        Application.objects.filter(
            tenant=tenant, status=ApplicationStatus.APPROVED, partner__isnull=False
        ).values_list(
            "pk", "partner_id", "country", "partner_type", "size_band", "expected_revenue"
        )
    )
    specs: dict[int, set[str]] = {}
    for pk, name in Application.objects.filter(pk__in=[a[0] for a in apps]).values_list(
        "pk", "specialties__name"
    ):
        if name:
            specs.setdefault(pk, set()).add(name)
    starts = {
        pk: day(activated or created)
        for pk, created, activated in Partner.objects.filter(tenant=tenant).values_list(
            "pk", "created_at", "activated_at"
        )
    }
    deals: dict[int, list[int]] = {}
    for pid, submitted in Deal.objects.filter(
        tenant=tenant, submitted_at__isnull=False
    ).values_list("partner_id", "submitted_at"):
        deals.setdefault(pid, []).append(day(submitted))
    today_n = day(today)
    X, y, dates, resolved = [], [], [], []
    for pk, pid, country, ptype, size, revenue in apps:
        start = starts.get(pid)
        if start is None or start + YEAR > today_n:
            continue
        candidate = rules.Candidate(
            country=country,
            partner_type=ptype,
            specialties=frozenset(specs.get(pk, set())),
            size_band=size,
            expected_revenue=revenue,
        )
        X.append(_fractions(profile, candidate))
        mine = np.asarray(sorted(deals.get(pid, [])), dtype=np.int64)
        first = int(mine[0]) - start if len(mine) else None
        in_year = int(((mine >= start) & (mine < start + YEAR)).sum())
        y.append(int(first is not None and first <= QUICK_DAYS and in_year >= GROW_DEALS))
        dates.append(start)
        resolved.append(start + YEAR)
    Xa = np.asarray(X, dtype=np.float64).reshape(-1, len(IPP_KEYS))
    return IppDataset(
        X=Xa,
        y=np.asarray(y, dtype=np.int64),
        rule=score(Xa, weights),
        dates=np.asarray(dates, dtype=np.int64),
        resolved=np.asarray(resolved, dtype=np.int64),
        weights=weights,
    )


def suggested_weights(pipeline) -> dict[str, int]:
    """Coefficients on the unscaled fractions, negatives as 0, as whole numbers summing to 100
    (the current scale of the IPP weights)."""
    scaler, lr = pipeline[0], pipeline[-1]
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    raw = np.clip(lr.coef_[0] / scale, 0, None)
    if raw.sum() <= 0:
        return dict.fromkeys(IPP_KEYS, 0)
    share = raw / raw.sum() * 100
    whole = np.floor(share).astype(int)
    for i in np.argsort(-(share - whole))[: 100 - int(whole.sum())]:
        whole[i] += 1
    return {c: int(w) for c, w in zip(IPP_KEYS, whole, strict=True)}


def evaluate(data: IppDataset) -> learn.Fitted:
    """Fit on the known rows before the test period; measure the suggested weights against the
    current ones on the test rows (AUC, precision at k, paired bootstrap)."""
    fitted = learn.fit_evaluate(
        data.X, data.y, data.rule, data.dates, horizon=0, resolved=data.resolved
    )
    weights = suggested_weights(fitted.pipeline)
    test = data.dates >= fitted.test_start
    suggested, yt, rt = score(data.X[test], weights), data.y[test], data.rule[test]
    auc = float(roc_auc_score(yt, suggested))
    wins = learn.bootstrap_wins(suggested, rt, yt)
    k = fitted.metrics["k"]
    fitted.metrics.update(
        {
            "model_auc": fitted.metrics["auc"],
            "auc": round(auc, 4),
            "precision_at_k": round(learn.precision_at(suggested, yt, k), 4),
            "bootstrap_wins": round(wins, 3),
            "suggested_weights": weights,
            "current_weights": data.weights,
            "quick_days": QUICK_DAYS,
            "grow_deals": GROW_DEALS,
        }
    )
    fitted.beats_rule = bool(auc > fitted.metrics["rule_auc"] and wins >= learn.CONFIDENCE)
    return fitted
