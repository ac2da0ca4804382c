"""What each irreversible partner status action does, for people to confirm (prm/confirm.py).
Suspending can be undone (reactivate, or back to onboarding); offboarding cannot."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.confirm import Confirmation, register

CONFIRMED_STATUS_ACTIONS = ("suspend", "offboard")


@register("partner-suspend")
def partner_suspend(partner: Partner) -> Confirmation:
    return Confirmation(
        title=_("Suspend %(p)s?") % {"p": partner.name},
        consequence=_(
            "The partnership is on hold until you reactivate it; the reason is kept on the "
            "partner and in the audit trail."
        ),
        button=_("Suspend"),
        confirm=_("Suspend partner"),
        back_url=reverse("partner-detail", args=[partner.pk]),
        reason="required",
    )


@register("partner-offboard")
def partner_offboard(partner: Partner) -> Confirmation:
    return Confirmation(
        title=_("Offboard %(p)s?") % {"p": partner.name},
        consequence=_(
            "The partnership ends: its people lose access and its open work has to be "
            "reassigned or closed. An offboarded partner cannot be reactivated."
        ),
        button=_("Offboard"),
        confirm=_("Offboard partner"),
        back_url=reverse("partner-detail", args=[partner.pk]),
        reason="required",
    )


@register("program-tier-delete")
def tier_delete(tier) -> Confirmation:
    return Confirmation(
        title=_("Delete the tier %(t)s?") % {"t": tier.name},
        consequence=_(
            "The tier, its requirements and benefits are deleted (only a tier no partner is "
            "in can be). This cannot be undone."
        ),
        button=_("Delete tier"),
        confirm=_("Delete tier"),
        back_url=reverse("program-tier-edit", args=[tier.pk]),
    )


@register("program-tier-change-reject")
def tier_change_reject(change) -> Confirmation:
    return Confirmation(
        title=_("Reject the move of %(p)s to %(t)s?")
        % {"p": change.partner.name, "t": change.to_tier.name if change.to_tier else "—"},
        consequence=_("The partner stays in its current tier; a rejected move is final."),
        button=_("Reject"),
        confirm=_("Reject move"),
        back_url=reverse("program-tier-changes"),
        reason="optional",
        reason_max=300,
        small=True,
    )


@register("partner-domain-proposal-reject")
def domain_proposal_reject(proposal) -> Confirmation:
    return Confirmation(
        title=_("Reject the company domains %(d)s proposed for %(p)s?")
        % {"d": ", ".join(proposal.domains), "p": proposal.partner.name},
        consequence=_(
            "The partner's domains stay as they are; the partner admin can propose again."
        ),
        button=_("Reject"),
        confirm=_("Reject proposal"),
        back_url=reverse("partner-domain-proposals"),
        reason="optional",
        reason_max=500,
        small=True,
    )
