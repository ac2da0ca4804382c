"""What each irreversible MDF action does, for people to confirm (prm/confirm.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from mdf.models import Claim, FundRequest
from prm.confirm import Confirmation, register

REASON_MAX = 1000  # mdf.services: a reason is kept to 1,000 characters


def _claim_reject(name: str, claim: Claim) -> Confirmation:
    return Confirmation(
        name=name,
        url=reverse(name, args=[claim.pk]),
        title=_("Reject claim %(n)s of %(p)s (%(a)s %(c)s)?")
        % {
            "n": claim.number,
            "p": claim.partner.name,
            "a": claim.amount_claimed,
            "c": claim.currency,
        },
        consequence=_(
            "Nothing is paid for this claim and the partner sees your reason. "
            "A rejected claim cannot be reopened."
        ),
        button=_("Reject"),
        confirm=_("Reject claim"),
        back_url=claim.get_absolute_url(),
        reason="required",
        reason_label=_("Reason for the partner"),
        reason_max=REASON_MAX,
        reason_missing=_("Tell the partner why."),  # as mdf.services says it
    )


@register("mdf-claim-reject")
def claim_reject(claim: Claim) -> Confirmation:
    return _claim_reject("mdf-claim-reject", claim)


@register("mdf-claim-second-reject")
def claim_second_reject(claim: Claim) -> Confirmation:
    return _claim_reject("mdf-claim-second-reject", claim)


@register("mdf-request-reject")
def request_reject(req: FundRequest) -> Confirmation:
    return Confirmation(
        title=_("Reject fund request %(n)s “%(t)s” of %(p)s?")
        % {"n": req.number, "t": req.title, "p": req.partner.name},
        consequence=_(
            "No funds are committed for this activity and the partner sees your reason. "
            "A rejected request cannot be reopened."
        ),
        button=_("Reject"),
        confirm=_("Reject request"),
        back_url=req.get_absolute_url(),
        reason="required",
        reason_label=_("Reason for the partner"),
        reason_max=REASON_MAX,
        reason_missing=_("Tell the partner why."),  # as mdf.services says it
    )


@register("mdf-request-cancel")
def request_cancel(req: FundRequest) -> Confirmation:
    if req.is_approved:
        what = _(
            "The committed funds become available again and no claim can be filed for this "
            "request. A cancelled request cannot be reopened."
        )
    else:
        what = _("The request leaves the review queue. A cancelled request cannot be reopened.")
    return Confirmation(
        title=_("Cancel fund request %(n)s “%(t)s”?") % {"n": req.number, "t": req.title},
        consequence=what,
        button=_("Cancel request"),
        confirm=_("Cancel request"),
        back_url=req.get_absolute_url(),
        reason="optional",
        reason_max=REASON_MAX,
    )
