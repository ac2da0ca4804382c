"""Explainable conflict detection.

Candidates come from indexed lookups only (exact registrable domain on a partial B-tree index;
significant name tokens on a GIN index over text[]), so the cost depends on how many
registrations share a token with the new one, not on the size of the table. Scoring happens
in Python on that short candidate list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from dealreg.models import ACTIVE_STATUSES, Deal, MatchKind, NamedAccount
from dealreg.rules import name_similarity, name_tokens
from partners.domains import normalise_company_name, registrable_domain

CANDIDATE_LIMIT = 200


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
            customer_domain=deal.customer_domain,
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
            customer_domain=registrable_domain(customer_domain_input),
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

    by_domain = (
        list(active.filter(customer_domain=probe.customer_domain)[:CANDIDATE_LIMIT])
        if probe.customer_domain
        else []
    )
    by_name = (
        list(
            active.filter(customer_name_tokens__overlap=tokens).exclude(
                pk__in=[d.pk for d in by_domain]
            )[:CANDIDATE_LIMIT]
        )
        if tokens
        else []
    )

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
    for d in by_name:
        score = name_similarity(normalised, d.customer_name_normalised)
        if score < float(threshold):
            continue
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
        from dealreg.models import DealProduct

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
            accounts.filter(name_tokens__overlap=tokens).exclude(pk__in=[a.pk for a in candidates])[
                :CANDIDATE_LIMIT
            ]
        )
    for a in candidates:
        same_domain = bool(probe.customer_domain) and a.domain == probe.customer_domain
        score = 1.0 if same_domain else name_similarity(normalised, a.name_normalised)
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
