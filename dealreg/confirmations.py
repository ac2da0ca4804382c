"""What each irreversible action on a deal does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from dealreg.models import Deal, DealStatus
from prm.confirm import Confirmation, register


def _names(deal: Deal) -> dict:
    return {"n": deal.number, "c": deal.customer_name}


@register("deal-withdraw")
def deal_withdraw(deal: Deal) -> Confirmation:
    if deal.status == DealStatus.APPROVED:
        what = _(
            "The protection ends now and the customer is open to other partners. "
            "A withdrawn registration cannot be reopened."
        )
    elif deal.status == DealStatus.DRAFT:
        what = _("The draft is closed and cannot be submitted any more.")
    else:
        what = _(
            "The review stops and the registration is closed. "
            "A withdrawn registration cannot be reopened."
        )
    return Confirmation(
        title=_("Withdraw registration %(n)s for %(c)s?") % _names(deal),
        consequence=what,
        button=_("Withdraw registration"),
        confirm=_("Withdraw"),
        back_url=reverse("deal-detail", args=[deal.pk]),
        reason="optional",
        reason_label=_("Why are you withdrawing it?"),
    )


@register("deal-reject")
def deal_reject(deal: Deal) -> Confirmation:
    return Confirmation(
        title=_("Reject registration %(n)s for %(c)s?") % _names(deal),
        consequence=_(
            "The partner gets no protection for this customer and sees your reason. "
            "A rejected registration cannot be reopened."
        ),
        button=_("Reject"),
        confirm=_("Reject"),
        back_url=reverse("deal-detail", args=[deal.pk]),
        reason="required",
        reason_label=_("Reason for the partner"),
        reason_missing=_("Give the partner a reason."),  # as dealreg.services says it
    )


@register("deal-extension-reject")
def extension_reject(ext) -> Confirmation:
    deal = ext.deal
    return Confirmation(
        url=reverse("deal-extension-reject", args=[deal.pk, ext.pk]),
        title=_("Decline the extension of %(n)s for %(c)s?") % _names(deal),
        consequence=_("The protection keeps its current end date; the partner is told."),
        button=_("Decline"),
        confirm=_("Decline"),
        back_url=reverse("deal-detail", args=[deal.pk]),
        small=True,
    )


@register("deal-influencer-reject")
def influencer_reject(inf) -> Confirmation:
    deal = inf.deal
    return Confirmation(
        url=reverse("deal-influencer-reject", args=[deal.pk, inf.pk]),
        title=_("Reject %(p)s as influencing partner on %(n)s?")
        % {"p": inf.partner.name, "n": deal.number},
        consequence=_("The partner is not credited for influencing this deal."),
        button=_("Reject"),
        confirm=_("Reject"),
        back_url=reverse("deal-detail", args=[deal.pk]),
        small=True,
    )


@register("influence-reject")
def influence_reject(claim) -> Confirmation:
    return Confirmation(
        title=_("Reject the influence claim of %(p)s on %(c)s?")
        % {"p": claim.partner.name, "c": claim.customer_name},
        consequence=_(
            "The partner gets no credit for this customer and sees your reason. "
            "A rejected claim cannot be reopened."
        ),
        button=_("Reject"),
        confirm=_("Reject claim"),
        back_url=reverse("influence-list"),
        reason="required",
        reason_label=_("Reason for the partner"),
        reason_missing=_("Tell the partner why."),  # as dealreg.services.influence says it
        small=True,
    )


@register("influence-withdraw")
def influence_withdraw(claim) -> Confirmation:
    return Confirmation(
        title=_("Withdraw your influence claim on %(c)s?") % {"c": claim.customer_name},
        consequence=_("It leaves the review; a withdrawn claim cannot be reopened."),
        button=_("Withdraw"),
        confirm=_("Withdraw claim"),
        back_url=reverse("influence-list"),
        small=True,
    )


@register("lead-offer-decline")
def lead_offer_decline(offer) -> Confirmation:
    return Confirmation(
        title=_("Decline the lead %(c)s?") % {"c": offer.lead.company},
        consequence=_("The lead goes to another partner; a declined offer cannot be taken back."),
        button=_("Decline"),
        confirm=_("Decline lead"),
        back_url=reverse("lead-inbox"),
        reason="required",
        reason_label=_("Why you decline (helps the vendor route better)"),
        reason_missing=_("Say why you decline, so the vendor can route better."),
    )
