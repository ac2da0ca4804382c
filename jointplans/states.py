"""The joint business plan's status machine, declared once (see prm/states.py).

draft (the vendor prepares it; the partner does not see it yet) -> proposed (both sides may
still change it; each side signs) -> signed (both signatures; a change reopens it: proposed,
signatures cleared) -> active (its period has started) -> closed (final figures kept).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jointplans.models import JointPlan, PlanStatus
from prm.roles import STAFF_ROLES, Role
from prm.states import StateMachine, action

P = PlanStatus


def staff(plan, member) -> bool:
    return member is not None and member.role in STAFF_ROLES


def partner_admin(plan, member) -> bool:
    return (
        member is not None
        and member.role == Role.PARTNER_ADMIN
        and member.partner_id == plan.partner_id
    )


def either_side(plan, member) -> bool:
    return staff(plan, member) or partner_admin(plan, member)


def anyone_on_it(plan, member) -> bool:
    """Staff, or any person of the plan's partner."""
    return staff(plan, member) or (member is not None and member.partner_id == plan.partner_id)


def _vendor_unsigned(plan, _member) -> bool:
    return plan.vendor_signed_at is None


def _partner_unsigned(plan, _member) -> bool:
    return plan.partner_signed_at is None


def _has_goal(plan, _member) -> bool:
    # .all(): pages and the API prefetch a plan's goals, so offering "propose" costs no query.
    return bool(plan.goals.all())


PLAN = StateMachine(
    actions=[
        # Goals, initiatives, dates and title; in a signed plan this clears the signatures.
        action("edit", _("Change"), [P.DRAFT, P.PROPOSED, P.SIGNED], who=either_side),
        action(
            "propose",
            _("Propose to the partner"),
            [P.DRAFT],
            P.PROPOSED,
            who=staff,
            when=_has_goal,
            refusal=_("Add at least one goal before proposing the plan."),
        ),
        action("withdraw", _("Back to draft"), [P.PROPOSED], P.DRAFT, who=staff),
        action(
            "sign_vendor",
            _("Sign for the vendor"),
            [P.PROPOSED],
            who=staff,
            when=_vendor_unsigned,
            refusal=_("The vendor has signed already."),
        ),
        action(
            "sign_partner",
            _("Sign for the partner"),
            [P.PROPOSED],
            who=partner_admin,
            when=_partner_unsigned,
            refusal=_("The partner has signed already."),
        ),
        # The second signature completes the plan (jointplans.services.plan_sign).
        action("complete", _("Signed by both"), [P.PROPOSED], P.SIGNED, system=True),
        # A change to a signed plan (jointplans.services: every content change).
        action("reopen", _("Reopen"), [P.SIGNED], P.PROPOSED, system=True),
        action("activate", _("Start"), [P.SIGNED], P.ACTIVE, who=staff),
        action("close", _("Close"), [P.ACTIVE], P.CLOSED, who=staff, confirm=True),
        # An initiative's status moves while the plan is signed or running (no new signature).
        action("progress", _("Update an initiative"), [P.SIGNED, P.ACTIVE], who=anyone_on_it),
    ]
)


def allowed(plan: JointPlan, member) -> frozenset[str]:
    return PLAN.allowed(plan, member)
