"""Where the at-risk list comes from: the health-score rule (risk episodes, analytics'
own), unless a higher app registered a model whose hold-out figures beat that rule
(predict fills this in its ready()). A provider returns None while it is not in charge;
the rule is the fallback. Rows answer like a risk episode: partner, partner_id, score,
reason_text, started_on."""

from __future__ import annotations

from collections.abc import Callable

from analytics.selectors import at_risk_partners

PROVIDERS: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def at_risk(*, manager=None, partners=None):
    """The at-risk list: a model's rows when one is in charge, else the rule's episodes."""
    for provider in PROVIDERS:
        rows = provider(manager=manager, partners=partners)
        if rows is not None:
            return rows
    return at_risk_partners(manager=manager, partners=partners)


def model_in_charge() -> bool:
    return any(provider(manager=None, partners=None) is not None for provider in PROVIDERS)
