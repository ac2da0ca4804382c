"""Global search: one box in the top bar, hits grouped by kind.

The core knows no app. Each app registers, from its AppConfig.ready(), one provider per kind
of object it owns (`register`). A provider takes (member, term, limit) and returns at most
`limit` hits, built only from what that member may see (the app's `*_visible_to(member)`
selector), an exact number match first. The portal page (`/search/`) and the API
(`/api/v1/search/`) both call `search_all`, so they answer the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from prm.models import Member
from prm.roles import has_perm

MIN_TERM = 2
MAX_TERM = 100
PER_KIND = 8


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str
    exact: bool = False


Provider = Callable[[Member, str, int], list[Hit]]


@dataclass(frozen=True)
class Kind:
    order: int
    key: str
    label: str
    provider: Provider
    capability: str
    # (term) -> the app's list filtered by the term ("see all"), or None when it has none.
    see_all: Callable[[str], str] | None = None
    see_all_capability: str | None = None


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    see_all_url: str | None = None


KINDS: list[Kind] = []


def register(
    order: int,
    key: str,
    label: str,
    provider: Provider,
    *,
    capability: str,
    see_all: Callable[[str], str] | None = None,
    see_all_capability: str | None = None,
) -> None:
    """Apps add a kind from AppConfig.ready(); `capability` is what a member needs to be
    asked at all (the provider still scopes to what the member may see)."""
    if any(k.key == key for k in KINDS):
        raise ValueError(f"search kind {key!r} registered twice")
    KINDS.append(
        Kind(order, key, label, provider, capability, see_all, see_all_capability or capability)
    )
    KINDS.sort(key=lambda k: (k.order, k.key))


def clean_term(raw: str | None) -> str:
    """The search text, whitespace collapsed and capped (a long query is never an error)."""
    return " ".join((raw or "").split())[:MAX_TERM]


def is_searchable(term: str) -> bool:
    return len(term) >= MIN_TERM


def number_in(term: str, prefix: str) -> int | None:
    """The id in a number as pages show it ("DR-42", "dr 42", "42"); None otherwise."""
    m = re.fullmatch(rf"(?:{re.escape(prefix)}\s*-?\s*)?(\d{{1,9}})", term.strip(), re.I)
    return int(m.group(1)) if m else None


def search_all(member: Member, term: str, *, per_kind: int = PER_KIND) -> list[Group]:
    """Every kind this member may search, with its first `per_kind` hits (exact first);
    kinds without a hit are left out. A term under MIN_TERM characters finds nothing."""
    term = clean_term(term)
    if not is_searchable(term):
        return []
    groups = []
    for kind in KINDS:
        if not has_perm(member.role, kind.capability):
            continue
        hits = list(kind.provider(member, term, per_kind + 1))
        if not hits:
            continue
        hits.sort(key=lambda h: not h.exact)  # stable: the provider's order otherwise
        more = len(hits) > per_kind
        url = None
        if more and kind.see_all and has_perm(member.role, kind.see_all_capability):
            url = kind.see_all(term)
        groups.append(Group(kind.key, str(kind.label), hits[:per_kind], more, url))
    return groups
