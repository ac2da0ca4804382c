"""Questions one app asks about a partner that a sibling app answers.

Deal registration must know whether a partner has accepted the current agreement (onboarding)
and whether a campaign code belongs to one of its approved fund requests (MDF). Siblings do
not import each other (docs/architecture.md), so the answering app registers its function
here from its AppConfig.ready() and the asking app calls `ask`. An unanswered question gets
its declared default: the conservative answer when the answering app is not installed.
"""

from __future__ import annotations

from collections.abc import Callable

# name -> (what it asks, the answer when no app answers it). A question whose default is a
# bool is a yes/no question (its answer is made a bool); any other answers with data.
QUESTIONS: dict[str, tuple[str, object]] = {
    "partner.agreement_current": (
        "Has the partner accepted the current agreement of its type (or is none published)?",
        True,
    ),
    "partner.may_register_deals": (
        "May the partner register deals under the tenant's agreement rule?",
        True,
    ),
    "partner.campaign_code_usable": (
        "Is this code the campaign code of one of the partner's approved fund requests?",
        False,
    ),
    "partner.marketing_campaign_of": (
        "Is this code the code of one of the partner's launched marketing campaigns?",
        False,
    ),
    "campaign.figures": (
        "The funnel figures (views, clicks, form fills, leads, registrations, won revenue) of "
        "the partner's marketing campaign with this code, over the days first..last when "
        "given (an MDF activity's dates), as a JSON-ready dict; None when the code is not one "
        "of the partner's campaigns.",
        None,
    ),
}

_answers: dict[str, Callable[..., object]] = {}


def answer(name: str, fn: Callable[..., object]) -> None:
    """Register the function that answers `name` (once, from AppConfig.ready())."""
    if name not in QUESTIONS:
        raise KeyError(f"unknown question {name!r}; declare it in partners.questions")
    _answers[name] = fn


def ask(name: str, **kwargs):
    """The registered answer to `name`, or its declared default (a bool for a yes/no
    question)."""
    if name not in QUESTIONS:
        raise KeyError(f"unknown question {name!r}; declare it in partners.questions")
    fn = _answers.get(name)
    default = QUESTIONS[name][1]
    if fn is None:
        return default
    answer = fn(**kwargs)
    return bool(answer) if isinstance(default, bool) else answer
