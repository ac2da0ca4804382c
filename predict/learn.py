"""Fitting and measuring a model, with no database access (scikit-learn and numpy only).

The split is by time: the newest as-of dates are the test set; training rows are older by at
least the horizon (an embargo), so no training label looks into the test period. The model
is compared with the rule on the same test rows; it "beats the rule" only when a paired
bootstrap of the test set finds its AUC above the rule's in at least 95% of resamples, so a
lucky draw on noise does not put a model in charge."""

from __future__ import annotations

import io
from dataclasses import dataclass

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

TEST_SHARE = 0.3
MIN_TRAIN_ROWS = 200
MIN_TRAIN_POSITIVES = 20
MIN_TEST_ROWS = 50
MIN_TEST_EACH = 5  # positives and negatives in the test set
BOOTSTRAP = 200
CONFIDENCE = 0.95
SEED = 20261205


class NotEnoughHistory(Exception):
    def __init__(self, *, what: str, rows: int, need: int):
        self.what, self.rows, self.need = what, rows, need
        super().__init__(f"not enough history ({rows} {what}, need {need})")


@dataclass
class Fitted:
    pipeline: object
    metrics: dict
    train_rows: int
    test_rows: int
    test_start: int
    beats_rule: bool


def split(dates: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(train mask, test mask, first test day)."""
    unique = np.unique(dates)
    if len(unique) < 2:
        raise NotEnoughHistory(what="dates", rows=len(unique), need=2 + horizon // 28)
    n_test = max(1, round(len(unique) * TEST_SHARE))
    test_start = int(unique[-n_test])
    return dates <= test_start - horizon, dates >= test_start, test_start


def precision_at(scores: np.ndarray, y: np.ndarray, k: int, weight=None) -> float:
    """Share of positives among the `k` highest scores. With `weight` (rows standing for
    several, as sampled negatives do), `k` counts weight and the share is weighted."""
    order = np.argsort(-scores, kind="stable")
    if weight is None:
        top = order[:k]
        return float(y[top].mean()) if k else 0.0
    w = weight[order]
    top = order[: int(np.searchsorted(np.cumsum(w), k, "left")) + 1]
    return float(np.average(y[top], weights=weight[top])) if k else 0.0


def calibration(p: np.ndarray, y: np.ndarray, bins: int = 10, weight=None) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    w = np.ones(len(p)) if weight is None else weight
    out = []
    for i in range(bins):
        hi = edges[i + 1] if i < bins - 1 else 1.0001
        mask = (p >= edges[i]) & (p < hi)
        if mask.any():
            out.append(
                {
                    "low": round(float(edges[i]), 2),
                    "high": round(float(edges[i + 1]), 2),
                    "predicted": round(float(np.average(p[mask], weights=w[mask])), 4),
                    "observed": round(float(np.average(y[mask], weights=w[mask])), 4),
                    "count": int(round(float(w[mask].sum()))),
                }
            )
    return out


def hold_out_figures(p: np.ndarray, rule: np.ndarray, y: np.ndarray, k: int, weight=None) -> dict:
    """The hold-out figures every model reports alike (beside its own): Brier score, base
    rate, precision at `k` of the model's scores `p` and of the fixed rule's, calibration.
    `weight`: what each row stands for when the test rows are a sample (None: one each)."""
    return {
        "brier": round(float(brier_score_loss(y, p, sample_weight=weight)), 4),
        "base_rate": round(float(np.average(y, weights=weight)), 4),
        "k": k,
        "precision_at_k": round(precision_at(p, y, k, weight), 4),
        "rule_precision_at_k": round(precision_at(rule, y, k, weight), 4),
        "calibration": calibration(p, y, weight=weight),
    }


def bootstrap_wins(p: np.ndarray, rule: np.ndarray, y: np.ndarray) -> float:
    """Share of paired resamples of the test set in which the model's AUC beats the rule's."""
    rng = np.random.default_rng(SEED)
    n, wins, counted = len(y), 0, 0
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, n, n)
        ys = y[idx]
        if ys.min() == ys.max():
            continue
        counted += 1
        wins += roc_auc_score(ys, p[idx]) > roc_auc_score(ys, rule[idx])
    return wins / counted if counted else 0.0


def fit_evaluate(
    X, y, rule, dates, *, horizon: int, resolved=None, calibrated: bool = False
) -> Fitted:
    """`resolved`: the day each row's label became known; a row trains only when it was
    known before the test period. `calibrated`: isotonic calibration (cross-validated on the
    training rows) around the logistic regression."""
    if len(y) == 0:
        raise NotEnoughHistory(what="rows", rows=0, need=MIN_TRAIN_ROWS + MIN_TEST_ROWS)
    train, test, test_start = split(dates, horizon)
    if resolved is not None:
        train &= resolved < test_start
    n_train, n_test = int(train.sum()), int(test.sum())
    if n_train < MIN_TRAIN_ROWS:
        raise NotEnoughHistory(what="rows", rows=n_train, need=MIN_TRAIN_ROWS)
    positives = int(y[train].sum())
    if positives < MIN_TRAIN_POSITIVES or n_train - positives < MIN_TRAIN_POSITIVES:
        raise NotEnoughHistory(
            what="positives", rows=min(positives, n_train - positives), need=MIN_TRAIN_POSITIVES
        )
    test_pos = int(y[test].sum())
    if n_test < MIN_TEST_ROWS:
        raise NotEnoughHistory(what="test rows", rows=n_test, need=MIN_TEST_ROWS)
    if min(test_pos, n_test - test_pos) < MIN_TEST_EACH:
        raise NotEnoughHistory(
            what="test positives", rows=min(test_pos, n_test - test_pos), need=MIN_TEST_EACH
        )
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    if calibrated:
        pipeline = CalibratedClassifierCV(pipeline, method="isotonic", cv=3)
    pipeline.fit(X[train], y[train])
    p = pipeline.predict_proba(X[test])[:, 1]
    yt, rt = y[test], rule[test]
    k = max(1, n_test // 10)
    auc, rule_auc = float(roc_auc_score(yt, p)), float(roc_auc_score(yt, rt))
    wins = bootstrap_wins(p, rt, yt)
    metrics = {
        "auc": round(auc, 4),
        "rule_auc": round(rule_auc, 4),
        **hold_out_figures(p, rt, yt, k),
        "bootstrap_wins": round(wins, 3),
    }
    return Fitted(
        pipeline=pipeline,
        metrics=metrics,
        train_rows=n_train,
        test_rows=n_test,
        test_start=test_start,
        beats_rule=bool(auc > rule_auc and wins >= CONFIDENCE),
    )


def explain(
    pipeline, X: np.ndarray, keys: list[str], top: int = 3, digits: int = 1
) -> list[list[dict]]:
    """Per row, the `top` features that move its probability most: the logistic regression's
    coefficient times the standardised value (its share of the log-odds against a typical
    partner), with the value and the typical (mean) value."""
    scaler, lr = pipeline[0], pipeline[-1]
    z = scaler.transform(X)
    effects = z * lr.coef_[0]
    out = []
    for i in range(len(X)):
        order = np.argsort(-np.abs(effects[i]), kind="stable")[:top]
        out.append(
            [
                {
                    "feature": keys[j],
                    "value": round(float(X[i, j]), digits),
                    "typical": round(float(scaler.mean_[j]), digits),
                    "effect": round(float(effects[i, j]), 3),
                }
                for j in order
                if abs(effects[i, j]) >= 0.01
            ]
        )
    return out


def top_hits(
    scores: np.ndarray, y: np.ndarray, group: np.ndarray, top: int = 3, rng=None
) -> np.ndarray:
    """Per group (event, numbered 0..G-1), 1 when its positive is among its `top` highest
    scores. Ties are broken by a fixed random order, the same for every scorer. `rng`: a
    generator to go on drawing from, so events ranked one at a time get the same order as
    all of them at once (a fresh one seeded SEED when None)."""
    rng = np.random.default_rng(SEED) if rng is None else rng
    jitter = rng.random(len(scores)) * 1e-9
    order = np.lexsort((-(scores + jitter), group))
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    hit = (y[order] == 1) & (rank < top)
    return np.bincount(g, weights=hit, minlength=int(group.max()) + 1 if len(group) else 0)


MIN_TRAIN_EVENTS = 60
MIN_TEST_EVENTS = 30


def ranking_test_start(event_days) -> int | None:
    """The first day of the test period of a ranking task: the newest TEST_SHARE of event days."""
    unique = np.unique(np.asarray(event_days, dtype=np.int64))
    if len(unique) < 2:
        return None
    return int(unique[-max(1, round(len(unique) * TEST_SHARE))])


def fit_ranking(
    X,
    y,
    rule,
    group,
    dates,
    *,
    resolved,
    train_keep,
    negative_share: float,
    test_start: int | None,
    top: int = 3,
    weight=None,
    hits=None,
) -> Fitted:
    """A candidate-ranking model (one positive per group): logistic regression on the
    training events' rows (sampled negatives, the intercept corrected for the sampling),
    measured on the newest events by top-`top` hit rate against the rule, with a paired
    bootstrap over test events: it beats the rule only when its hit rate is higher in at
    least 95% of resamples.

    At scale the test rows are a sample (the winner and some others per event, `weight` what
    each stands for) for the figures (AUC, Brier, calibration), and `hits(pipeline, top)`
    ranks every candidate of each test event one event at a time, returning (model hits,
    rule hits, rows ranked): memory stays that of one event."""
    if len(y) == 0:
        raise NotEnoughHistory(what="leads", rows=0, need=MIN_TRAIN_EVENTS + MIN_TEST_EVENTS)
    if test_start is None:
        raise NotEnoughHistory(what="leads", rows=len(np.unique(group)), need=MIN_TRAIN_EVENTS)
    train = train_keep & (dates < test_start) & (resolved < test_start)
    test = dates >= test_start
    n_train_events = len(np.unique(group[train]))
    if n_train_events < MIN_TRAIN_EVENTS:
        raise NotEnoughHistory(what="leads", rows=n_train_events, need=MIN_TRAIN_EVENTS)
    test_groups = np.unique(group[test])
    if len(test_groups) < MIN_TEST_EVENTS:
        raise NotEnoughHistory(what="test leads", rows=len(test_groups), need=MIN_TEST_EVENTS)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    pipeline.fit(X[train], y[train])
    lr = pipeline[-1]
    lr.intercept_ = lr.intercept_ + np.log(max(negative_share, 1e-9))
    p = pipeline.predict_proba(X[test])[:, 1]
    yt, rt = y[test], rule[test]
    wt = None if weight is None else weight[test]
    if hits is None:
        gt = np.searchsorted(test_groups, group[test])
        model_hits, rule_hits = top_hits(p, yt, gt, top), top_hits(rt, yt, gt, top)
        ranked = int(test.sum())
    else:
        model_hits, rule_hits, ranked = hits(pipeline, top)
    rng = np.random.default_rng(SEED)
    n, wins = len(test_groups), 0
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, n, n)
        wins += model_hits[idx].mean() > rule_hits[idx].mean()
    share = wins / BOOTSTRAP
    hit, rule_hit = float(model_hits.mean()), float(rule_hits.mean())
    k = max(1, int(len(yt) if wt is None else round(float(wt.sum()))) // 10)
    both = yt.min() != yt.max()
    metrics = {
        "top": top,
        "hit_rate": round(hit, 4),
        "rule_hit_rate": round(rule_hit, 4),
        "auc": round(float(roc_auc_score(yt, p, sample_weight=wt)), 4) if both else None,
        "rule_auc": round(float(roc_auc_score(yt, rt, sample_weight=wt)), 4) if both else None,
        **hold_out_figures(p, rt, yt, k, wt),
        "bootstrap_wins": round(share, 3),
        "test_events": n,
    }
    if wt is not None:
        metrics["figures_rows"] = int(len(yt))  # the sampled rows the figures are read from
    return Fitted(
        pipeline=pipeline,
        metrics=metrics,
        train_rows=int(train.sum()),
        test_rows=ranked,
        test_start=test_start,
        beats_rule=bool(hit > rule_hit and share >= CONFIDENCE),
    )


def dump(payload: dict) -> bytes:
    buf = io.BytesIO()
    joblib.dump(payload, buf)
    return buf.getvalue()


def load(data: bytes) -> dict:
    # Only bytes this app wrote into the tenant's own row are ever loaded (predict.selectors).
    return joblib.load(io.BytesIO(data))  # noqa: S301
