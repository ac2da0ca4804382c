"""Partner-to-lead matching: on lead history with a planted signal (partners win more in
their region and specialty, good partners win more) the model's top-3 hit rate beats the
fixed routing weights on hold-out and routing uses it, with its reasons in words; on noise
(who wins is a coin toss) the gate keeps the weights; too little history keeps them too; a
model never reads another tenant's rows; one lead against every partner is fast."""

from __future__ import annotations

import time

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from dealreg.models import LeadOffer
from dealreg.services import leads
from partners.models import Partner, Specialty
from predict import matching, selectors, services, synthetic
from predict.models import ModelStatus, Task
from prm.tenancy import tenant_context
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def _world(tenant, kind, **kw):
    with tenant_context(tenant):
        return synthetic.build_leads(tenant, kind=kind, **kw)


def _train(tenant):
    with tenant_context(tenant):
        return services.model_train(tenant=tenant, task=Task.MATCH)


def test_on_planted_signal_matching_beats_the_weights_and_routes_with_its_reasons(world):
    _world(world.tenant, "signal")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE, model.message
    assert model.beats_rule, model.metrics
    assert model.metrics["hit_rate"] > model.metrics["rule_hit_rate"]
    assert model.metrics["top"] == 3
    with tenant_context(world.tenant):
        cloud = Specialty.objects.get(name="Cloud")
        lead = leads.lead_create(
            by=world.channel_manager, company="Globex", region="emea", specialties=[cloud]
        )
        offer = leads.lead_route(lead=lead, by=world.channel_manager)
        assert offer is not None
        assert offer.explanation[0].startswith("Matching model:")
        assert len(offer.explanation) >= 2
        assert 0 < offer.score <= 100
    page = portal_client(world.tenant, world.channel_manager).get("/leads/")
    assert "Matching model:" in page.content.decode()
    admin = portal_client(world.tenant, world.admin)
    detail = admin.get("/predict/match/").content.decode()
    assert "In use: the winner was among the model" in detail
    assert "Fixed routing weights" in detail
    listing = admin.get("/predict/").content.decode()
    assert "Top-3 hit rate" in listing and "Yes: it beats the rule" in listing


def test_with_the_signal_removed_the_gate_keeps_the_routing_weights(world):
    _world(world.tenant, "noise")
    model = _train(world.tenant)
    assert model.status == ModelStatus.ACTIVE, model.message
    assert not model.beats_rule, model.metrics
    with tenant_context(world.tenant):
        assert selectors.model_in_use(Task.MATCH) is None
        lead = leads.lead_create(by=world.channel_manager, company="Initech", region="na")
        offer = leads.lead_route(lead=lead, by=world.channel_manager)
        assert not offer.explanation[0].startswith("Matching model:")


def test_too_little_lead_history_keeps_the_weights_and_says_why(world):
    _world(world.tenant, "signal", partners=8, leads=40)
    model = _train(world.tenant)
    assert model.status == ModelStatus.INSUFFICIENT
    assert "not enough history" in model.message
    page = portal_client(world.tenant, world.admin).get("/predict/match/")
    assert "not enough history" in page.content.decode()


def test_matching_learns_from_its_own_tenant_only(world, stranger):
    _world(world.tenant, "signal")
    _world(stranger.tenant, "noise", prefix="Other", seed=9)
    with tenant_context(world.tenant):
        history = matching.load(world.tenant, today=timezone.localdate())
        ours = set(history.pids.tolist())
        events = len(history.events)
    with tenant_context(stranger.tenant):
        theirs = set(Partner.objects.values_list("pk", flat=True))
        their_events = len(matching.load(stranger.tenant, today=timezone.localdate()).events)
    assert ours and theirs and not ours & theirs
    assert events and their_events
    model = _train(world.tenant)
    assert model.beats_rule
    with tenant_context(stranger.tenant):
        assert selectors.model_in_use(Task.MATCH) is None
        with pytest.raises(selectors.WrongTenant):
            selectors.load_estimator(model, tenant=stranger.tenant)


def test_matching_one_lead_against_every_partner_is_batched_and_fast(world):
    _world(world.tenant, "signal", partners=300, leads=1500)
    model = _train(world.tenant)
    assert model.beats_rule, model.metrics
    with tenant_context(world.tenant):
        # Freshly bulk-loaded tables have no planner statistics until autovacuum samples
        # them; a live database has them.
        with connection.cursor() as cur:
            for table in ("dealreg_deal", "partners_partner", "partners_partnerspecialty"):
                cur.execute(f"ANALYZE {table}")
        lead = leads.lead_create(by=world.channel_manager, company="Hooli", region="apac")
        timings = []
        for _ in range(30):
            t = time.perf_counter()
            ranked = leads.recommend(lead, limit=5)
            timings.append(time.perf_counter() - t)
        assert len(ranked) == 5
        assert LeadOffer.objects.count() == 0
    assert np.percentile(timings, 95) <= 0.1, timings


def test_sampled_test_rows_give_the_same_hit_rates_and_close_figures(world, monkeypatch):
    """At scale the test events keep a sample of the others for the figures and rank every
    candidate one event at a time for the hit rates: the hit rates are exactly those of
    ranking everything at once, and the weighted figures estimate the full ones."""
    _world(world.tenant, "signal")
    full = _train(world.tenant)
    assert "figures_rows" not in full.metrics  # 40 partners: nothing sampled
    monkeypatch.setattr(matching, "TEST_NEGATIVES", 8)
    sampled = _train(world.tenant)
    m, f = sampled.metrics, full.metrics
    assert m["figures_rows"] < sampled.test_rows == full.test_rows
    assert (m["hit_rate"], m["rule_hit_rate"], m["test_events"]) == (
        f["hit_rate"],
        f["rule_hit_rate"],
        f["test_events"],
    )
    assert m["bootstrap_wins"] == f["bootstrap_wins"]
    assert abs(m["auc"] - f["auc"]) < 0.03 and abs(m["rule_auc"] - f["rule_auc"]) < 0.03
    assert abs(m["base_rate"] - f["base_rate"]) < 0.005
    assert (
        abs(sum(b["count"] for b in m["calibration"]) - sum(b["count"] for b in f["calibration"]))
        <= 2
    )


def _record_afresh(h, event, c):
    """The record of candidates `c` before the event's day, counted from scratch."""
    d, region = event[0], event[2]
    k = int(np.searchsorted(h.closed_day, d, "left"))
    pos, won, regions = h.closed_pos[:k], h.closed_won[:k], h.closed_region[:k]
    n = len(h.pids)
    here = (regions == region) if region else np.zeros(k, dtype=bool)
    submitted = np.bincount(h.sub_pos[: int(np.searchsorted(h.sub_day, d, "left"))], minlength=n)
    ended = np.bincount(h.end_pos[: int(np.searchsorted(h.end_day, d, "left"))], minlength=n)
    return {
        "win_rate": (np.bincount(pos, weights=won, minlength=n)[c] + 1)
        / (np.bincount(pos, minlength=n)[c] + 2),
        "region_win_rate": (np.bincount(pos[here], weights=won[here], minlength=n)[c] + 1)
        / (np.bincount(pos[here], minlength=n)[c] + 2),
        "open_deals": np.maximum(0, submitted[c] - ended[c]),
    }


def test_the_running_record_equals_the_record_counted_afresh_for_every_event(world):
    """Record.features, brought forward event by event, gives each event the record counted
    from scratch over everything before its day."""
    _world(world.tenant, "signal", partners=12, leads=200)
    with tenant_context(world.tenant):
        h = matching.load(world.tenant, today=timezone.localdate())
    record = matching.Record(h)
    assert len(h.events) > 100
    for event in h.events:
        candidates = np.flatnonzero((h.start <= event[0]) & (h.end > event[0]))
        rows = record.features(event, candidates)
        for key, expected in _record_afresh(h, event, candidates).items():
            assert np.allclose(rows[:, matching.MATCH_KEYS.index(key)], expected), key
