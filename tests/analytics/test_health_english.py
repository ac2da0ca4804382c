"""The English text stored with each health sentence is made without switching languages
(analytics.rules._english); it must equal the translated rendering in English."""

from __future__ import annotations

import pytest
from django.utils import translation

from analytics import rules
from analytics.templatetags.analytics_l10n import component_label

SAMPLES = {
    "pipeline_detail": [{"amount": "120000", "median": "1500"}, {"amount": "0", "median": "-7"}],
    "won_detail": [{"amount": "999", "median": "1234567"}],
    "win_rate_detail": [{"won": 1, "closed": 1}, {"won": 0, "closed": 2}, {"won": 3, "closed": 0}],
    "no_closed_deals": [{}],
    "no_deal_yet": [{}],
    "last_registration": [{"days": 1}, {"days": 12}],
    "training_detail": [{"certified": 2, "courses": 5}],
    "activity_detail": [{"days": 1}, {"days": 9}],
    "mdf_detail": [{"paid": "5000", "allocated": "20000"}],
    "no_mdf": [{}],
    "onboarding_detail": [{"done": 1, "total": 1}, {"done": 3, "total": 5}],
    "no_onboarding": [{}],
    "events_detail": [{"events": 1}, {"events": 3}],
    "no_events": [{}],
    "pipeline_down": [{"pct": 40}],
    "pipeline_up": [{"pct": 12}],
    "no_pipeline": [{}],
    "score_below": [{"score": 31, "below": 40}],
    "score_fell": [{"points": 1}, {"points": 22}],
}


def test_every_message_has_samples():
    assert set(SAMPLES) | {"weak"} == set(rules.MESSAGES)


@pytest.mark.parametrize(("key", "params"), [(k, p) for k, ps in SAMPLES.items() for p in ps])
@pytest.mark.parametrize("active", ["en", "de"])
def test_english_text_equals_the_translated_rendering(key, params, active):
    with translation.override(active):
        made = rules.message(key, **params)
    with translation.override("en"):
        slow = rules.message_text({"key": key, "params": params})
    assert made["text"] == slow
    assert "%(" not in made["text"] and "\x00" not in made["text"]


@pytest.mark.parametrize("active", ["en", "de"])
def test_nested_weak_message(active):
    detail = rules.message("mdf_detail", paid="5000", allocated="20000")
    with translation.override(active):
        made = rules.message("weak", component="mdf", detail=detail)
        plain = rules.message("weak", component="mdf", detail="an old English detail")
    with translation.override("en"):
        assert made["text"] == rules.message_text({"key": "weak", "params": made["params"]})
        assert plain["text"] == rules.message_text({"key": "weak", "params": plain["params"]})
    assert made["text"].startswith("Weak: ")
    assert made["text"].endswith("(5,000 paid of 20,000 allocated)")
    assert plain["text"].endswith("(an old English detail)")


def test_component_labels_follow_the_readers_language():
    components = rules.score(rules.Figures(), dict.fromkeys(rules.COMPONENTS, 10))[1]
    assert all("label" not in c and "detail" not in c for c in components)  # stored as keys
    with translation.override("en"):
        en = {c["key"]: component_label(c) for c in components}
    with translation.override("de"):
        de = {c["key"]: component_label(c) for c in components}
        assert de == {k: str(v) for k, v in rules.COMPONENTS.items()}
    assert en != de
