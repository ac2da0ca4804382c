"""The fitting and measuring core, without the database: explanations add up to the model's
own log-odds, the split never trains on the test period, and calibration buckets count
every row."""

from __future__ import annotations

import numpy as np
import pytest

from predict import learn


def _data(n=2000, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    logit = 2.0 * X[:, 0] - 1.0 * X[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    dates = np.repeat(np.arange(20) * 28, n // 20)
    return X, y, dates


def test_explanations_add_up_to_the_models_log_odds_and_name_the_real_driver():
    X, y, dates = _data()
    fitted = learn.fit_evaluate(X, y, rule=np.zeros(len(y)), dates=dates, horizon=90)
    pipe = fitted.pipeline
    reasons = learn.explain(pipe, X[:50], ["a", "b", "c"], top=3)
    z = pipe[0].transform(X[:50])
    lr = pipe[-1]
    p = pipe.predict_proba(X[:50])[:, 1]
    for i in range(50):
        total = sum(f["effect"] for f in reasons[i]) + lr.intercept_[0]
        # Rounded effects of every feature that matters (|effect| >= 0.01) give back the
        # log-odds within rounding.
        assert total == pytest.approx(np.log(p[i] / (1 - p[i])), abs=0.05)
        assert (z[i] * lr.coef_[0]).sum() + lr.intercept_[0] == pytest.approx(
            np.log(p[i] / (1 - p[i])), abs=1e-6
        )
    # Feature "a" carries the strongest signal: it leads most explanations.
    leaders = [r[0]["feature"] for r in reasons if r]
    assert leaders.count("a") > len(leaders) / 2
    assert fitted.beats_rule  # a constant rule ranks nothing


def test_the_split_leaves_a_horizon_between_training_and_test():
    dates = np.repeat(np.arange(20) * 28, 10)
    train, test, start = learn.split(dates, 90)
    assert dates[train].max() + 90 <= start == dates[test].min()
    assert not (train & test).any()


def test_calibration_buckets_count_every_row():
    p = np.linspace(0, 1, 101)
    y = (p > 0.5).astype(int)
    buckets = learn.calibration(p, y)
    assert sum(b["count"] for b in buckets) == 101


def test_too_few_rows_is_reported_with_the_numbers():
    X, y, dates = _data(n=100)
    with pytest.raises(learn.NotEnoughHistory) as err:
        learn.fit_evaluate(X, y, rule=np.zeros(len(y)), dates=dates, horizon=90)
    assert err.value.need > err.value.rows
