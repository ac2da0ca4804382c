"""Explainable conflict detection.

Candidates come from indexed lookups only, so the cost depends on how many registrations
share something with the new one, not on the size of the table:
- the exact registrable domain, on a partial B-tree index of active registrations;
- the company name's lookup keys (`DealNameKey`: each significant token and its spellings
  with one letter left out, kept by triggers for active registrations), on a B-tree index.
  Both use only leak-proof equality, so the indexes serve queries under forced row-level
  security (a GIN index over the token array would not be used there).

An exact normalised-name equality is looked up on its own (a partial B-tree index of active
registrations' normalised names): it is always a match, whatever the keys say.

A key shared by more than KEY_CAP active registrations ("analytics") narrows nothing, so the
rarer keys choose the candidates; only a name made of common words alone falls back to them.
The database ranks the candidates by how many of the new name's character trigrams they
contain (a Dice-like overlap computed with strpos: pg_trgm is not available everywhere we run)
and returns only the best RANKED_LIMIT, as narrow rows. Python then scores that short list
with `name_similarity` (cheap upper bounds first) and loads full rows only for the matches.

Named accounts are the vendor's own list (thousands at most): they are filtered on token
overlap directly.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dealreg.models import ACTIVE_STATUSES, Deal, DealNameKey, DealProduct, MatchKind, NamedAccount
from dealreg.rules import name_keys, name_similarity, name_tokens
from partners.domains import normalise_company_name
from partners.freemail import company_domain, is_freemail

CANDIDATE_LIMIT = 200
# Name candidates scored in Python, best-ranked first. A near-duplicate shares most of the
# new name's trigrams, so it ranks among the first few even when thousands share a token.
RANKED_LIMIT = 30
# A name key shared by more active registrations than this is a common word: it does not
# choose candidates while the name has rarer keys that match something.
KEY_CAP = 1000


def trigrams(normalised: str) -> list[str]:
    """The distinct three-character pieces of a normalised name ("acme" has "acm" and
    "cme"; a name shorter than three characters is its own piece)."""
    if len(normalised) < 3:
        return [normalised] if normalised else []
    return sorted({normalised[i : i + 3] for i in range(len(normalised) - 2)})


def _ranked(qs, column: str, normalised: str):
    """`qs` ordered by how many of `normalised`'s trigrams `column` contains, relative to
    both lengths (2 * shared / (ours + theirs), like pg_trgm's similarity), best first, then
    pk. The sum of strpos tests is one expression per row: no sub-plan, no extension."""
    grams = trigrams(normalised) or [""]
    qn = connection.ops.quote_name
    col = f"{qn(qs.model._meta.db_table)}.{qn(column)}"
    hits = " + ".join([f"(strpos({col}, %s) > 0)::int"] * len(grams))
    # Names of our own table and column only; the probe's values are parameters.
    rank = RawSQL(  # noqa: S611
        f"(2.0 * ({hits})) / ({len(grams)} + greatest(length({col}) - 2, 1))",
        grams,
    )
    return qs.annotate(trigram_rank=rank).order_by("-trigram_rank", "pk")


def key_counts(tenant_id: int, keys: list[str]) -> dict[str, int]:
    """How many active registrations of the tenant have each key, counted up to
    KEY_CAP + 1 (an index-only range scan per key, stopped early for common words)."""
    if not keys:
        return {}
    table = connection.ops.quote_name(DealNameKey._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT k.key, (SELECT count(*) FROM (SELECT 1 FROM {table} AS n"  # noqa: S608
            " WHERE n.tenant_id = %s AND n.key = k.key LIMIT %s) AS s)"
            " FROM unnest(%s::text[]) AS k(key)",
            [tenant_id, KEY_CAP + 1, keys],
        )
        return dict(cur.fetchall())


def candidate_keys(tenant_id: int, tokens: list[str]) -> list[str]:
    """The keys that choose name candidates: those of the name's keys that some active
    registration has, without the common ones unless nothing else matches."""
    counts = key_counts(tenant_id, name_keys(tokens))
    rare = [k for k, n in counts.items() if 0 < n <= KEY_CAP]
    return sorted(rare or [k for k, n in counts.items() if n])


@dataclass
class Probe:
    """What we compare: a deal being registered (saved or not)."""

    tenant_id: int
    partner_id: int
    customer_name: str
    customer_domain: str
    product_ids: set[int] = field(default_factory=set)
    exclude_deal_id: int | None = None

    @property
    def normalised(self) -> str:
        return normalise_company_name(self.customer_name)

    @classmethod
    def for_deal(cls, deal: Deal) -> Probe:
        return cls(
            tenant_id=deal.tenant_id,
            partner_id=deal.partner_id,
            customer_name=deal.customer_name,
            # A free-mail domain stored before issue #17 is no evidence of the customer.
            customer_domain="" if is_freemail(deal.customer_domain) else deal.customer_domain,
            product_ids=set(deal.products.values_list("pk", flat=True)) if deal.pk else set(),
            exclude_deal_id=deal.pk,
        )

    @classmethod
    def from_input(
        cls, *, tenant_id, partner_id, customer_name, customer_domain_input, product_ids=()
    ) -> Probe:
        return cls(
            tenant_id=tenant_id,
            partner_id=partner_id,
            customer_name=customer_name,
            customer_domain=company_domain(customer_domain_input),
            product_ids=set(product_ids),
        )


@dataclass
class Match:
    kind: str
    score: Decimal
    reason: str
    partner_reason: str
    matched_deal: Deal | None = None
    matched_account: NamedAccount | None = None


def _age(dt) -> str:
    days = (timezone.now() - dt).days if dt else 0
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def _deal_phrase(d: Deal) -> str:
    when = d.decided_at if d.status == "approved" else d.submitted_at
    verb = "approved" if d.status == "approved" else "submitted"
    return f"{d.number} by {d.partner.name}, {verb} {_age(when)}"


def detect(probe: Probe, *, threshold: Decimal) -> list[Match]:
    """Every match for `probe` against active registrations, named accounts and direct
    opportunities, and the same partner's earlier registrations."""
    normalised = probe.normalised
    tokens = name_tokens(normalised)
    active = Deal.objects.filter(status__in=ACTIVE_STATUSES).select_related("partner")
    if probe.exclude_deal_id:
        active = active.exclude(pk=probe.exclude_deal_id)

    # One indexed query for the direct matches: the same registrable domain, and the same
    # normalised name. The same name is always a match, looked up on its own: neither the key
    # statistics nor the ranking below, nor the deal's lookup keys, decide whether it is found.
    direct = []
    if probe.customer_domain:
        direct.append(Q(customer_domain=probe.customer_domain))
    if normalised:
        direct.append(Q(customer_name_normalised=normalised))
    rows = (
        list(active.filter(reduce(operator.or_, direct)).order_by("pk")[: 2 * CANDIDATE_LIMIT])
        if direct
        else []
    )
    by_domain = [
        d for d in rows if probe.customer_domain and d.customer_domain == probe.customer_domain
    ][:CANDIDATE_LIMIT]
    domain_pks = {d.pk for d in by_domain}
    by_name: list[tuple[Deal, float]] = [
        (d, 1.0)
        for d in rows
        if d.customer_name_normalised == normalised and d.pk not in domain_pks
    ][:CANDIDATE_LIMIT]
    keys = candidate_keys(probe.tenant_id, tokens) if tokens else []
    if keys:
        exact = [d.pk for d, _score in by_name]
        scored = {}
        for pk, name in _ranked(
            active.filter(
                pk__in=DealNameKey.objects.filter(key__in=keys).values("deal_id")
            ).exclude(pk__in=[*domain_pks, *exact]),
            "customer_name_normalised",
            normalised,
        ).values_list("pk", "customer_name_normalised")[:RANKED_LIMIT]:
            score = name_similarity(normalised, name, at_least=float(threshold))
            if score >= float(threshold):
                scored[pk] = score
        if scored:
            rows = active.in_bulk(list(scored))
            by_name += [(rows[pk], score) for pk, score in scored.items() if pk in rows]

    matches: list[Match] = []
    seen: set[int] = set()
    for d in by_domain:
        seen.add(d.pk)
        own = d.partner_id == probe.partner_id
        matches.append(
            Match(
                kind=MatchKind.DUPLICATE if own else MatchKind.DOMAIN,
                score=Decimal("1"),
                reason=f"same domain {probe.customer_domain} as {_deal_phrase(d)}",
                partner_reason=(
                    f"You registered this customer before ({d.number})."
                    if own
                    else "Another registration exists for a customer with this domain."
                ),
                matched_deal=d,
            )
        )
    for d, score in by_name:
        seen.add(d.pk)
        own = d.partner_id == probe.partner_id
        matches.append(
            Match(
                kind=MatchKind.DUPLICATE if own else MatchKind.NAME,
                score=Decimal(str(score)).quantize(Decimal("0.001")),
                reason=(
                    f"company name “{probe.customer_name}” is {score:.0%} similar to "
                    f"“{d.customer_name}” ({_deal_phrase(d)})"
                ),
                partner_reason=(
                    f"You registered a similar customer before ({d.number})."
                    if own
                    else "Another registration exists for a similarly named customer."
                ),
                matched_deal=d,
            )
        )
    if probe.product_ids and seen:
        overlaps: dict[int, list[str]] = {}
        for deal_id, name in DealProduct.objects.filter(
            deal_id__in=seen, product_id__in=probe.product_ids
        ).values_list("deal_id", "product__name"):
            overlaps.setdefault(deal_id, []).append(name)
        for m in list(matches):
            names = overlaps.get(m.matched_deal.pk) if m.matched_deal else None
            if names and m.kind != MatchKind.DUPLICATE:
                matches.append(
                    Match(
                        kind=MatchKind.PRODUCTS,
                        score=m.score,
                        reason=f"{m.matched_deal.number} also covers {', '.join(sorted(names))}",
                        partner_reason="Another registration covers the same products.",
                        matched_deal=m.matched_deal,
                    )
                )

    accounts = NamedAccount.objects.filter(is_active=True)
    candidates = []
    if probe.customer_domain:
        candidates += list(accounts.filter(domain=probe.customer_domain)[:CANDIDATE_LIMIT])
    if tokens:
        candidates += list(
            _ranked(
                accounts.filter(name_tokens__overlap=tokens).exclude(
                    pk__in=[a.pk for a in candidates]
                ),
                "name_normalised",
                normalised,
            )[:RANKED_LIMIT]
        )
    for a in candidates:
        same_domain = bool(probe.customer_domain) and a.domain == probe.customer_domain
        score = (
            1.0
            if same_domain
            else name_similarity(normalised, a.name_normalised, at_least=float(threshold))
        )
        if score < float(threshold):
            continue
        named = a.kind == NamedAccount.Kind.NAMED
        why = (
            f"same domain {a.domain}" if same_domain else f"name {score:.0%} similar to “{a.name}”"
        )
        matches.append(
            Match(
                kind=MatchKind.NAMED_ACCOUNT if named else MatchKind.DIRECT_OPPORTUNITY,
                score=Decimal(str(score)).quantize(Decimal("0.001")),
                reason=(
                    f"{why}: {'named direct account' if named else 'open direct opportunity'}"
                    f" {a.name}" + (f" (owner {a.owner})" if a.owner else "")
                ),
                partner_reason=(
                    "The vendor works with this customer directly."
                    if named
                    else "The vendor's direct team is pursuing this opportunity."
                ),
                matched_account=a,
            )
        )
    return matches
