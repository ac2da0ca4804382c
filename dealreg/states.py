"""The state machines of deal registration, declared once (prm/states.py).

Deals, extension requests, influencer records, leads and lead offers each list here what may
happen to them: from which statuses, to which status, who may do it and under which extra
condition. The services check every move against these declarations (`check` for people,
`check_move` for the system: the rules engine, expiry, CRM sync); the portal's buttons, its
one-URL-per-action views and the API's 403s are all derived from them.

Guards take (obj, member); `member` is None when the system asks whether the state allows an
action. They read no more than the object and the member, except the extension condition,
which reads the deal's pending request and the current rules once per deal object.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealreg.models import (
    DealInfluencer,
    DealStatus,
    ExtensionRequest,
    InfluenceClaim,
    LeadOffer,
    LeadStatus,
    protection_today,
)
from prm.errors import PermissionDenied
from prm.roles import PARTNER_ROLES, STAFF_ROLES
from prm.states import StateMachine, action

S = DealStatus


def is_staff(_obj, member) -> bool:
    return member.role in STAFF_ROLES


def owns_deal(deal, member) -> bool:
    """A person of the partner that registered the deal."""
    return member.role in PARTNER_ROLES and member.partner_id == deal.partner_id


def owns_offer(offer, member) -> bool:
    return member.role in PARTNER_ROLES and member.partner_id == offer.partner_id


def require_may(machine: StateMachine, obj, by, name: str) -> None:
    """PermissionDenied (403) unless `by` may ever take `name` on `obj`: called by services
    before they lock and validate, so a member who may never act learns nothing more. The
    system (by=None) may; the state is checked after the lock with `machine.check`."""
    if by is not None and not machine[name].may(obj, by):
        raise PermissionDenied()


def _cached(obj, name: str, compute):
    if name not in obj.__dict__:
        obj.__dict__[name] = compute()
    return obj.__dict__[name]


def pending_extension(deal) -> ExtensionRequest | None:
    """The deal's waiting extension request (read once per deal object)."""
    return _cached(
        deal,
        "_pending_extension",
        lambda: ExtensionRequest.objects.filter(
            deal_id=deal.pk, status=ExtensionRequest.Status.PENDING
        ).first(),
    )


def _rules(deal):
    # local: dealreg.services imports this module (through services.extensions)
    from dealreg.services import current_rules

    return _cached(deal, "_rules", lambda: current_rules(deal.tenant))


def _max_extensions(deal) -> int:
    return _rules(deal).max_extensions


def extension_opens_on(deal) -> datetime.date | None:
    """The first day a protected deal may ask for an extension: one extension period (the
    rules' `extension_days`) before its protection ends. Asking earlier would only add days
    nobody knows yet they need (issue #18: the box appeared right after approval)."""
    if deal.protected_until is None:
        return None
    return deal.protected_until - datetime.timedelta(days=_rules(deal).extension_days)


def extensions_left(deal) -> bool:
    return deal.extensions_used < _max_extensions(deal)


def extendable(deal, _member) -> bool:
    """A protected deal may ask for one more protection period once its protection ends
    within one extension period, while none is waiting and it has extensions left under the
    current rules."""
    opens_on = extension_opens_on(deal)
    return (
        not deal.protection_ended  # ended protections are expired, even before the sweep
        and opens_on is not None
        and protection_today() >= opens_on
        and pending_extension(deal) is None
        and extensions_left(deal)
    )


DEAL = StateMachine(
    actions=[
        action("edit", _("Edit draft"), [S.DRAFT], who=owns_deal),
        action("submit", _("Submit for approval"), [S.DRAFT], S.SUBMITTED, who=owns_deal),
        # The rules engine (dealreg.services.deal_evaluate) sends what it cannot decide to a
        # person.
        action("review", _("Route to review"), [S.SUBMITTED], S.UNDER_REVIEW, system=True),
        # Staff decide; the rules engine and the review-target sweep approve and reject too
        # (check(deal, None, ...)).
        action("approve", _("Approve"), [S.SUBMITTED, S.UNDER_REVIEW], S.APPROVED, who=is_staff),
        action(
            "reject",
            _("Reject"),
            [S.SUBMITTED, S.UNDER_REVIEW],
            S.REJECTED,
            who=is_staff,
            reason=True,
        ),
        action("recheck", _("Check again"), [S.SUBMITTED, S.UNDER_REVIEW], who=is_staff),
        action(
            "withdraw",
            _("Withdraw registration"),
            [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED],
            S.WITHDRAWN,
            who=owns_deal,
            confirm=True,
        ),
        # Closing: staff in the portal, or a CRM through the API (deal_sync).
        action("win", _("Close won"), [S.APPROVED], S.WON, who=is_staff),
        # A won deal may still be lost (refunded, cancelled, the CRM reopened and lost it):
        # what it earned is reversed by incentives, which hears deal.lost.
        action("lose", _("Close lost"), [S.APPROVED, S.WON], S.LOST, who=is_staff, reason=True),
        action("expire", _("Expire"), [S.APPROVED], S.EXPIRED, system=True),
        action(
            "extend",
            _("Request an extension"),
            [S.APPROVED],
            who=owns_deal,
            when=extendable,
            reason=True,
            refusal=_(
                "This deal cannot be extended now: its protection does not end soon enough "
                "yet, a request is already waiting, or it has used all its extensions."
            ),
        ),
        action("add_influencer", _("Record influencing partner"), S.values, who=is_staff),
    ]
)

# Every status a deal may move to from each status (the name-key trigger and the conflict
# checks follow ACTIVE_STATUSES in dealreg.models).
TRANSITIONS: dict[str, set[str]] = {status: DEAL.targets(status) for status in S.values}


def _extension_still_possible(ext, _member) -> bool:
    deal = ext.deal
    return (
        deal.status == S.APPROVED
        and not deal.protection_ended
        and deal.extensions_used < _max_extensions(deal)
    )


EXTENSION = StateMachine(
    actions=[
        action(
            "approve",
            _("Extend"),
            [ExtensionRequest.Status.PENDING],
            ExtensionRequest.Status.APPROVED,
            who=is_staff,
            when=_extension_still_possible,
            refusal=_("This deal can no longer be extended."),
        ),
        action(
            "reject",
            _("Decline"),
            [ExtensionRequest.Status.PENDING],
            ExtensionRequest.Status.REJECTED,
            who=is_staff,
        ),
    ]
)

INFLUENCER = StateMachine(
    actions=[
        # Staff set the weight and the role of a recorded or requested influencer.
        action(
            "edit",
            _("Set weight and role"),
            [DealInfluencer.Status.REQUESTED, DealInfluencer.Status.APPROVED],
            who=is_staff,
        ),
        action(
            "approve",
            _("Approve"),
            [DealInfluencer.Status.REQUESTED],
            DealInfluencer.Status.APPROVED,
            who=is_staff,
        ),
        action(
            "reject",
            _("Reject"),
            [DealInfluencer.Status.REQUESTED],
            DealInfluencer.Status.REJECTED,
            who=is_staff,
        ),
    ]
)


def _no_open_offer(lead, _member) -> bool:
    # lead.offers.all() uses the list page's prefetch when there is one.
    return not any(o.status == LeadOffer.Status.OPEN for o in lead.offers.all())


LEAD = StateMachine(
    actions=[
        # Routing offers the lead to the next best partner (offered), or finds none
        # (unassigned); an unassigned lead may be routed again once partners change.
        action(
            "route",
            _("Route"),
            [LeadStatus.NEW, LeadStatus.OFFERED, LeadStatus.UNASSIGNED],
            who=is_staff,
            when=_no_open_offer,
            refusal=_("The lead is already offered to a partner."),
        ),
        action("accept", _("Accept"), [LeadStatus.OFFERED], LeadStatus.ACCEPTED, system=True),
    ]
)


def _in_time(offer, _member) -> bool:
    return offer.respond_by > timezone.now()


LEAD_OFFER = StateMachine(
    actions=[
        action(
            "accept",
            _("Accept and protect"),
            [LeadOffer.Status.OPEN],
            LeadOffer.Status.ACCEPTED,
            who=owns_offer,
            when=_in_time,
            refusal=_("The time to answer this offer has passed."),
        ),
        action(
            "decline",
            _("Decline"),
            [LeadOffer.Status.OPEN],
            LeadOffer.Status.DECLINED,
            who=owns_offer,
            when=_in_time,
            reason=True,
            refusal=_("The time to answer this offer has passed."),
        ),
        action(
            "time_out",
            _("Time out"),
            [LeadOffer.Status.OPEN],
            LeadOffer.Status.TIMED_OUT,
            system=True,
        ),
    ]
)


def owns_influence_claim(claim, member) -> bool:
    return member.role in PARTNER_ROLES and member.partner_id == claim.partner_id


IC = InfluenceClaim.Status

INFLUENCE_CLAIM = StateMachine(
    actions=[
        action("approve", _("Approve"), [IC.PENDING], IC.APPROVED, who=is_staff),
        action("reject", _("Reject"), [IC.PENDING], IC.REJECTED, who=is_staff, reason=True),
        action(
            "withdraw",
            _("Withdraw"),
            [IC.PENDING],
            IC.WITHDRAWN,
            who=owns_influence_claim,
            confirm=True,
        ),
    ]
)
