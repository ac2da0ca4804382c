"""Partner-to-lead matching: for a lead, each eligible partner's probability of winning it.

Training rows come from the tenant's own past leads: a lead whose accepted offer became a
won deal is one event, dated the day the lead was created; every partner that was in the
program on that day is a candidate, the partner that won it is the positive. Features of a
candidate are what was known on the event day only (deals closed before it): country and
region match, matching specialties, tier priority (the partner's current tier: tier history
is not kept per lead), the smoothed win rate on deals in the lead's region, the overall
smoothed win rate, and the registrations it had open. The rule it is compared with is the
fixed-weight routing score (dealreg.services.leads.WEIGHTS) on the same candidates.

Everything is computed with numpy over arrays loaded once (one query per source): per event,
the deals closed before it are a prefix of the closing-day-sorted deal arrays, and the
per-partner counts are one `np.bincount` of that prefix. Serving (`rank`) reads all eligible
partners' features for one lead in one SQL query (their records from a per-process aggregate
refreshed every few minutes) and scores them in one `predict_proba`."""

from __future__ import annotations

import datetime
import math
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealreg.models import ACTIVE_STATUSES, Deal, DealStatus, Lead, LeadSpecialty
from dealreg.services.leads import WEIGHTS
from partners.models import Partner, PartnerSpecialty, PartnerStatus
from predict import learn
from predict.features import DayNumber, day, fetch

MATCH_FEATURES: dict[str, str] = {
    "same_country": gettext_lazy("Same country as the lead"),
    "same_region": gettext_lazy("Same region as the lead"),
    "specialties": gettext_lazy("Specialties the lead asks for"),
    "tier_priority": gettext_lazy("Tier priority for leads"),
    "region_win_rate": gettext_lazy("Win rate on deals in the lead's region"),
    "win_rate": gettext_lazy("Win rate on all deals"),
    "open_deals": gettext_lazy("Registrations open"),
}
MATCH_KEYS = list(MATCH_FEATURES)
TRAIN_NEGATIVES = 30  # candidates that did not win, sampled per training event
MAX_TEST_EVENTS = 1500  # the newest events measured against every candidate
TEST_NEGATIVES = 300  # others per test event kept for the figures (hit rates rank them all)
SEED = 20261205
FAR = 10**7  # a day number after any real day ("not closed")


def rule_scores(X: np.ndarray) -> np.ndarray:
    """The fixed-weight routing score (the fallback) of feature rows."""
    c = {k: X[:, i] for i, k in enumerate(MATCH_KEYS)}
    return (
        WEIGHTS["country"] * c["same_country"]
        + WEIGHTS["region"] * c["same_region"]
        + WEIGHTS["specialty"] * c["specialties"]
        + WEIGHTS["tier"] * c["tier_priority"]
        + WEIGHTS["load"] * c["open_deals"]
    )


@dataclass
class MatchHistory:
    today: int
    pids: np.ndarray  # partner ids, index = partner position
    country: np.ndarray
    region: np.ndarray
    tier: np.ndarray
    start: np.ndarray
    end: np.ndarray  # offboarded day, FAR while in the program
    spec: np.ndarray  # partners x specialties (0/1)
    spec_index: dict[int, int]
    # closed deals sorted by closing day: partner position, region, won
    closed_day: np.ndarray
    closed_pos: np.ndarray
    closed_region: np.ndarray
    closed_won: np.ndarray
    # registrations: submitted days sorted, and the days they stopped being open, sorted
    sub_day: np.ndarray
    sub_pos: np.ndarray
    end_day: np.ndarray
    end_pos: np.ndarray
    # events: lead day, country, region, specialty positions, winner position, resolved day
    events: list[tuple[int, str, str, list[int], int, int]]


def load(tenant, *, today: datetime.date) -> MatchHistory:
    """Every input of the matching dataset for `tenant` (this tenant's rows only)."""
    partners = list(
        Partner.objects.filter(tenant=tenant)
        .order_by("pk")
        .values_list(
            "pk",
            "country",
            "region",
            "tier__lead_priority",
            "created_at",
            "activated_at",
            "status",
            "status_changed_at",
        )
    )
    pos = {p[0]: i for i, p in enumerate(partners)}
    specs = sorted(
        set(PartnerSpecialty.objects.filter(tenant=tenant).values_list("specialty_id", flat=True))
        | set(LeadSpecialty.objects.filter(tenant=tenant).values_list("specialty_id", flat=True))
    )
    spec_index = {s: i for i, s in enumerate(specs)}
    spec = np.zeros((len(partners), len(specs)), dtype=np.float64)
    for pid, sid in PartnerSpecialty.objects.filter(tenant=tenant).values_list(
        "partner_id", "specialty_id"
    ):
        spec[pos[pid], spec_index[sid]] = 1.0
    start = np.asarray([day(p[5] or p[4]) for p in partners], dtype=np.int64)
    end = np.asarray(
        [day(p[7]) if p[6] == PartnerStatus.OFFBOARDED and p[7] else FAR for p in partners],
        dtype=np.int64,
    )
    closed, subs, ends = [], [], []
    for pid, status, region, s, closed_day, decided in fetch(
        Deal.objects.filter(tenant=tenant, submitted_at__isnull=False).values_list(
            "partner_id",
            "status",
            "region",
            DayNumber("submitted_at"),
            DayNumber("closed_at"),
            DayNumber("decided_at"),
        )
    ):
        p = pos[pid]
        subs.append((s, p))
        if closed_day is not None and status in (DealStatus.WON, DealStatus.LOST):
            closed.append((closed_day, p, region or "", status == DealStatus.WON))
            ends.append((closed_day, p))
        elif status not in ACTIVE_STATUSES:
            ends.append((decided if decided is not None else s, p))
    closed.sort()
    subs.sort()
    ends.sort()
    lead_specs: dict[int, list[int]] = {}
    for lid, sid in LeadSpecialty.objects.filter(tenant=tenant).values_list(
        "lead_id", "specialty_id"
    ):
        lead_specs.setdefault(lid, []).append(spec_index[sid])
    events = []
    for lid, created, country, region, winner, closed_at in Lead.objects.filter(
        tenant=tenant, deal__status=DealStatus.WON, deal__closed_at__isnull=False
    ).values_list("pk", "created_at", "country", "region", "deal__partner_id", "deal__closed_at"):
        events.append(
            (day(created), country or "", region or "", lead_specs.get(lid, []), pos[winner])
            + (day(closed_at),)
        )
    events.sort(key=lambda e: e[0])
    return MatchHistory(
        today=day(today),
        pids=np.asarray([p[0] for p in partners], dtype=np.int64),
        country=np.asarray([p[1] or "" for p in partners], dtype=object),
        region=np.asarray([p[2] or "" for p in partners], dtype=object),
        tier=np.asarray([p[3] or 0 for p in partners], dtype=np.float64),
        start=start,
        end=end,
        spec=spec,
        spec_index=spec_index,
        closed_day=np.asarray([c[0] for c in closed], dtype=np.int64),
        closed_pos=np.asarray([c[1] for c in closed], dtype=np.int64),
        closed_region=np.asarray([c[2] for c in closed], dtype=object),
        closed_won=np.asarray([c[3] for c in closed], dtype=np.float64),
        sub_day=np.asarray([s[0] for s in subs], dtype=np.int64),
        sub_pos=np.asarray([s[1] for s in subs], dtype=np.int64),
        end_day=np.asarray([e[0] for e in ends], dtype=np.int64),
        end_pos=np.asarray([e[1] for e in ends], dtype=np.int64),
        events=events,
    )


def _rate(won: np.ndarray, lost: np.ndarray) -> np.ndarray:
    return (won + 1.0) / (won + lost + 2.0)


class Record:
    """Every partner's record (won and lost, overall and per region; registrations open) as
    of a day, brought forward as the days advance: events are read in day order, so each
    closed deal, registration and ending is added once, not re-counted for every event (at a
    million registrations that recount was most of the training time)."""

    def __init__(self, h: MatchHistory):
        self.h, n = h, len(h.pids)
        self.wins, self.total, self.open = np.zeros(n), np.zeros(n), np.zeros(n)
        self.rwins: dict[str, np.ndarray] = {}
        self.rtotal: dict[str, np.ndarray] = {}
        self.k = self.s = self.e = 0
        self.day: int | None = None

    def advance(self, d: int) -> None:
        """Count everything that happened before day `d` (days never go back)."""
        h, n = self.h, len(self.h.pids)
        if self.day is not None and d < self.day:
            raise ValueError("a Record only moves forward in time")
        self.day = d
        k = int(np.searchsorted(h.closed_day, d, "left"))
        if k > self.k:
            pos, won = h.closed_pos[self.k : k], h.closed_won[self.k : k]
            self.wins += np.bincount(pos, weights=won, minlength=n)
            self.total += np.bincount(pos, minlength=n)
            regions = h.closed_region[self.k : k]
            for region in set(regions.tolist()) - {""}:
                mask = regions == region
                self.rwins.setdefault(region, np.zeros(n))
                self.rtotal.setdefault(region, np.zeros(n))
                self.rwins[region] += np.bincount(pos[mask], weights=won[mask], minlength=n)
                self.rtotal[region] += np.bincount(pos[mask], minlength=n)
            self.k = k
        s = int(np.searchsorted(h.sub_day, d, "left"))
        if s > self.s:
            self.open += np.bincount(h.sub_pos[self.s : s], minlength=n)
            self.s = s
        e = int(np.searchsorted(h.end_day, d, "left"))
        if e > self.e:
            self.open -= np.bincount(h.end_pos[self.e : e], minlength=n)
            self.e = e

    def features(self, event, candidates: np.ndarray) -> np.ndarray:
        """Feature rows of `candidates` (partner positions) for `event`, from data before it."""
        h = self.h
        d, country, region, specs, _winner, _resolved = event
        self.advance(d)
        zeros = np.zeros(len(h.pids))
        rwins = self.rwins.get(region, zeros) if region else zeros
        rtotal = self.rtotal.get(region, zeros) if region else zeros
        want = np.zeros(h.spec.shape[1])
        want[specs] = 1.0
        c = candidates
        cols = {
            "same_country": (h.country[c] == country) & (country != ""),
            "same_region": (h.region[c] == region) & (region != ""),
            "specialties": h.spec[c] @ want if len(want) else np.zeros(len(c)),
            "tier_priority": h.tier[c],
            "region_win_rate": _rate(rwins[c], rtotal[c] - rwins[c]),
            "win_rate": _rate(self.wins[c], self.total[c] - self.wins[c]),
            "open_deals": np.maximum(0, self.open[c]),
        }
        return np.column_stack([np.asarray(cols[k], dtype=np.float64) for k in MATCH_KEYS])


def _candidates(h: MatchHistory, event) -> tuple[np.ndarray, np.ndarray]:
    """(partner positions in the program on the event's day, 1 for the winner else 0)."""
    d, winner = event[0], event[4]
    candidates = np.flatnonzero((h.start <= d) & (h.end > d))
    return candidates, (candidates == winner).astype(np.int64)


def test_hits(h: MatchHistory, events: list, pipeline, top: int):
    """Per test event, whether its winner is among the `top` candidates by the model and by
    the rule, ranking every partner in the program that day (one event in memory at a time),
    with the same tie-breaking as ranking them all at once; and the rows ranked."""
    record = Record(h)
    model_rng, rule_rng = np.random.default_rng(learn.SEED), np.random.default_rng(learn.SEED)
    model_hits, rule_hits, ranked = [], [], 0
    for event in events:
        candidates, y = _candidates(h, event)
        X = record.features(event, candidates)
        one = np.zeros(len(y), dtype=np.int64)
        p = pipeline.predict_proba(X)[:, 1]
        model_hits.append(learn.top_hits(p, y, one, top, rng=model_rng)[0])
        rule_hits.append(learn.top_hits(rule_scores(X), y, one, top, rng=rule_rng)[0])
        ranked += len(y)
    return np.asarray(model_hits), np.asarray(rule_hits), ranked


@dataclass
class MatchDataset:
    X: np.ndarray
    y: np.ndarray
    rule: np.ndarray
    group: np.ndarray  # event number of each row
    dates: np.ndarray  # event day of each row
    resolved: np.ndarray  # the day its outcome (the won deal) was known
    train_keep: np.ndarray  # rows that train (all positives, sampled negatives)
    negative_share: float  # share of training events' negatives kept (for the intercept)
    weight: np.ndarray | None = None  # what each test row stands for (None: not sampled)
    test_events: list = field(default_factory=list)  # ranked in full by test_hits


def dataset(h: MatchHistory, *, test_start: int | None = None) -> MatchDataset:
    """Every event's candidates as feature rows. In events before `test_start` only the
    winner and up to TRAIN_NEGATIVES sampled others are kept for training; in test events
    the winner and up to TEST_NEGATIVES sampled others are kept for the figures, each
    standing for its share of the others (`weight`), while the hit rates rank every
    candidate (`test_hits`). Memory stays flat at scale."""
    rng = np.random.default_rng(SEED)
    parts, ys, groups, dates, resolved, keep, weights = [], [], [], [], [], [], []
    kept_neg = all_neg = 0
    sampled = False
    events = h.events
    test_events = []
    if test_start is not None:
        test = [e for e in events if e[0] >= test_start][-MAX_TEST_EVENTS:]
        events = [e for e in events if e[0] < test_start] + test
    record = Record(h)
    for g, event in enumerate(events):
        d, winner = event[0], event[4]
        candidates, y = _candidates(h, event)
        if winner not in candidates:
            continue
        in_train = test_start is None or d < test_start
        mask = np.ones(len(candidates), dtype=bool)
        negatives = np.flatnonzero(y == 0)
        w = np.ones(len(candidates))
        if in_train:
            all_neg += len(negatives)
            if len(negatives) > TRAIN_NEGATIVES:
                drop = rng.choice(negatives, len(negatives) - TRAIN_NEGATIVES, replace=False)
                mask[drop] = False
            kept_neg += int((mask & (y == 0)).sum())
        else:
            test_events.append(event)
            if len(negatives) > TEST_NEGATIVES:
                drop = rng.choice(negatives, len(negatives) - TEST_NEGATIVES, replace=False)
                mask[drop] = False
                w[y == 0] = len(negatives) / TEST_NEGATIVES
                sampled = True
        candidates, y, w = candidates[mask], y[mask], w[mask]
        parts.append(record.features(event, candidates))
        ys.append(y)
        weights.append(w)
        groups.append(np.full(len(y), g))
        dates.append(np.full(len(y), d))
        resolved.append(np.full(len(y), event[5]))
        keep.append(np.full(len(y), in_train))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return MatchDataset(
            np.zeros((0, len(MATCH_KEYS))), empty, empty.astype(float), empty, empty, empty,
            empty.astype(bool), 1.0,
        )  # fmt: skip
    X = np.vstack(parts)
    return MatchDataset(
        X=X,
        y=np.concatenate(ys),
        rule=rule_scores(X),
        group=np.concatenate(groups),
        dates=np.concatenate(dates),
        resolved=np.concatenate(resolved),
        train_keep=np.concatenate(keep),
        negative_share=(kept_neg / all_neg) if all_neg else 1.0,
        weight=np.concatenate(weights) if sampled else None,
        test_events=test_events if sampled else [],
    )


# --- Serving: one lead against every eligible partner ---------------------------------------

# Each partner's record (won and lost, overall and per region; registrations open): one
# aggregate over the tenant's registrations, kept per process for STATS_TTL seconds, so
# matching a lead does not re-read every registration (a burst of leads shares it; a record
# at most a few minutes old is what the model was trained to read anyway).
STATS_SQL = """
SELECT d.partner_id, d.region,
       count(*) FILTER (WHERE d.status = 'won'),
       count(*) FILTER (WHERE d.status = 'lost'),
       count(*) FILTER (WHERE d.status IN ('submitted', 'under_review', 'approved'))
FROM dealreg_deal d
WHERE d.tenant_id = %(tenant)s AND d.submitted_at IS NOT NULL
GROUP BY d.partner_id, d.region
"""
STATS_TTL = 300
_STATS: dict[int, tuple[float, dict]] = {}

RANK_SQL = """
WITH sp AS (
    SELECT ps.partner_id, count(*) AS n FROM partners_partnerspecialty ps
    WHERE ps.tenant_id = %(tenant)s AND ps.specialty_id = ANY(%(specialties)s)
    GROUP BY ps.partner_id
)
SELECT p.id, p.name,
       (CASE WHEN p.country <> '' AND p.country = %(country)s THEN 1 ELSE 0 END),
       (CASE WHEN p.region <> '' AND p.region = %(region)s THEN 1 ELSE 0 END),
       COALESCE(sp.n, 0),
       COALESCE(t.lead_priority, 0)
FROM partners_partner p
LEFT JOIN partners_tier t ON t.id = p.tier_id AND t.tenant_id = p.tenant_id
LEFT JOIN sp ON sp.partner_id = p.id
WHERE p.tenant_id = %(tenant)s AND p.status = 'active' AND NOT (p.id = ANY(%(exclude)s))
"""


def partner_stats(tenant_id: int) -> dict:
    """{"pids": sorted ids, "all": [won, lost, open] per pid, region: [won, lost] per pid}."""
    now = time.monotonic()
    cached = _STATS.get(tenant_id)
    if cached is not None and now - cached[0] < STATS_TTL:
        return cached[1]
    with connection.cursor() as cur:
        cur.execute(STATS_SQL, {"tenant": tenant_id})
        rows = cur.fetchall()
    pids = np.unique(np.asarray([r[0] for r in rows], dtype=np.int64))
    out: dict = {"pids": pids, "all": np.zeros((len(pids), 3))}
    for pid, region, won, lost, open_ in rows:
        i = int(np.searchsorted(pids, pid))
        out["all"][i] += (won, lost, open_)
        out.setdefault(region or "", np.zeros((len(pids), 2)))[i] += (won, lost)
    if len(_STATS) > 256:
        _STATS.clear()
    _STATS[tenant_id] = (now, out)
    return out


def candidate_rows(
    *, tenant_id: int, country: str, region: str, specialties: list[int], exclude: list[int]
) -> tuple[list[tuple[int, str]], np.ndarray]:
    """(partner id and name, feature rows) of every eligible partner: one query for the
    partners, their records from `partner_stats`."""
    with connection.cursor() as cur:
        cur.execute(
            RANK_SQL,
            {
                "tenant": tenant_id,
                "country": country or "",
                "region": region or "",
                "specialties": list(specialties),
                "exclude": list(exclude),
            },
        )
        rows = cur.fetchall()
    if not rows:
        return [], np.zeros((0, len(MATCH_KEYS)))
    a = np.asarray([r[2:] for r in rows], dtype=np.float64)
    stats = partner_stats(tenant_id)
    ids = np.asarray([r[0] for r in rows], dtype=np.int64)
    pos = np.searchsorted(stats["pids"], ids)
    pos = np.minimum(pos, max(len(stats["pids"]) - 1, 0))
    known = (stats["pids"][pos] == ids) if len(stats["pids"]) else np.zeros(len(ids), bool)
    record = np.where(known[:, None], stats["all"][pos] if len(stats["pids"]) else 0, 0.0)
    by_region = stats.get(region or "") if region else None
    if by_region is None:
        in_region = np.zeros((len(ids), 2))
    else:
        in_region = np.where(known[:, None], by_region[pos], 0.0)
    X = np.column_stack(
        [a[:, 0], a[:, 1], a[:, 2], a[:, 3]]
        + [_rate(in_region[:, 0], in_region[:, 1]), _rate(record[:, 0], record[:, 1])]
        + [record[:, 2]]
    )
    return [(r[0], r[1]) for r in rows], X


def factor_text(factor: dict) -> str:
    """One factor in words: its label, the partner's value and the typical value."""
    key = factor["feature"]
    label = str(MATCH_FEATURES.get(key, key))
    if key in ("region_win_rate", "win_rate"):
        value = f"{round(factor['value'] * 100)}%"
        typical = f"{round(factor['typical'] * 100)}%"
    else:
        value, typical = f"{factor['value']:g}", f"{factor['typical']:g}"
    arrow = "\u2191" if factor["effect"] > 0 else "\u2193"
    return _("%(label)s: %(value)s (typical %(typical)s) %(arrow)s") % {
        "label": label,
        "value": value,
        "typical": typical,
        "arrow": arrow,
    }


def probability_text(p: float) -> str:
    return _("Matching model: %(p)s%% chance of winning it") % {"p": max(0, math.floor(p * 100))}
