"""Rules of engagement and name similarity: pure functions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

# Words too common in company names to find candidates by (they still count in the score).
GENERIC_TOKENS = frozenset(
    {
        "and",
        "of",
        "the",
        "de",
        "la",
        "le",
        "du",
        "der",
        "und",
        "group",
        "solutions",
        "systems",
        "services",
        "technologies",
        "technology",
        "tech",
        "international",
        "global",
        "consulting",
        "partners",
        "software",
        "digital",
        "labs",
        "company",
        "enterprises",
        "industries",
    }
)


def name_tokens(normalised: str) -> list[str]:
    """A normalised name's significant tokens (the words conflict detection compares; their
    lookup keys are dealreg.rules.name_keys)."""
    tokens = [t for t in normalised.split() if len(t) >= 2 and t not in GENERIC_TOKENS]
    return sorted(set(tokens or normalised.split()))[:12]


# Tokens this long also get their one-letter-deleted spellings as keys ("acme" and "acne"
# share "ace"); shorter ones would collide with too many other words to narrow anything.
DELETION_KEY_MIN = 4


def name_keys(tokens: list[str]) -> list[str]:
    """The lookup keys of a name's tokens: each token, and for a token of DELETION_KEY_MIN
    letters or more, each spelling with one letter left out. Two tokens one typing slip apart
    (a letter dropped, added or changed) share a key. Must equal the SQL function
    dealreg_name_keys (dealreg/migrations/0003) that fills DealNameKey."""
    keys = set(tokens)
    for t in tokens:
        if len(t) >= DELETION_KEY_MIN:
            keys.update(t[:i] + t[i + 1 :] for i in range(len(t)))
    return sorted(keys)


def name_similarity(a: str, b: str, *, at_least: float = 0.0) -> float:
    """0..1 similarity of two normalised names: the better of character similarity of the
    whole names and of their significant tokens (so word order and filler words matter
    less).

    With `at_least`, a pair whose cheap upper bounds (SequenceMatcher's quick ratios, which
    never undercount) cannot reach it gives 0.0 without the full comparison: the answer for
    any pair that does reach it is unchanged. Conflict detection scores many candidates and
    keeps only those above the threshold, so most are ruled out here."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta = " ".join(sorted(name_tokens(a)))
    tb = " ".join(sorted(name_tokens(b)))
    whole = SequenceMatcher(None, a, b)
    tok = SequenceMatcher(None, ta, tb) if ta and tb else None
    if at_least:
        # The result is rounded to 3 places, so keep pairs within half a thousandth.
        floor = at_least - 0.0005
        if whole.quick_ratio() < floor and (tok is None or tok.quick_ratio() < floor):
            return 0.0
    score = whole.ratio()
    if tok is not None:
        score = max(score, tok.ratio())
    return round(score, 3)


@dataclass(frozen=True)
class RuleInput:
    partner_active: bool
    partner_tier_id: int | None
    agreement_current: bool
    amount: Decimal | None
    match_kinds: frozenset[str]


@dataclass(frozen=True)
class Decision:
    outcome: str  # "approve" | "reject" | "review"
    reason: str


def decide(rules, data: RuleInput) -> Decision:
    """Apply a RulesVersion to a submitted deal. Order matters and is published to partners:
    refusals first, then anything that needs a person, then automatic approval."""
    if not data.partner_active:
        return Decision(
            "reject", "Your partner account is not active, so new registrations cannot be accepted."
        )
    if "named_account" in data.match_kinds and rules.auto_reject_named_accounts:
        return Decision(
            "reject", "The vendor's direct sales team already owns this customer (named account)."
        )
    if data.match_kinds:
        return Decision(
            "review",
            "Possible conflict with an existing registration or account: "
            "a channel manager will review it.",
        )
    if not rules.auto_approve:
        return Decision("review", "Every registration is reviewed by a channel manager.")
    if data.amount is None or data.amount > rules.auto_approve_max_amount:
        return Decision(
            "review",
            f"Amounts above {rules.auto_approve_max_amount:,.0f} are "
            "reviewed by a channel manager.",
        )
    if rules.auto_approve_tier_ids and data.partner_tier_id not in rules.auto_approve_tier_ids:
        return Decision("review", "Your tier's registrations are reviewed by a channel manager.")
    if rules.require_current_agreement and not data.agreement_current:
        return Decision(
            "review",
            "Accept the current partner agreement to get automatic "
            "approval; a channel manager will review this one.",
        )
    return Decision("approve", "No conflict found and every automatic-approval rule is met.")
