"""What the vendor's direct deals earn: a direct deal has no partner that sourced it, so only
its influencers earn, the influenced commission of each commission program in force on the
closing day, on their share of the deal's amount (the tenant's attribution model, as won
registrations split it and as analytics credits influenced revenue). Taken back when the
won deal is lost or reopened."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg.models import DirectDeal, DirectDealInfluencer
from incentives import rules as R
from incentives.models import Earning, EarningKind
from incentives.services.compute import attribution_model, end_of_day, versions_in_force
from incentives.services.ledger import earning_reverse_locked, earnings_write, new_earning

DIRECT_LOCK_NAMESPACE = 720021  # pg_advisory_xact_lock(namespace, direct deal id)


def _lock_direct_deal(direct_deal_id: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DIRECT_LOCK_NAMESPACE, direct_deal_id])


def _facts(version, model: str, **more) -> dict:
    """What a line's page shows of how it was computed (as the per-deal path keeps it)."""
    return {
        "program": version.program.name,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "attribution_model": model,
    } | more


def direct_parties(deal: DirectDeal, model: str) -> list[R.Party]:
    """The direct deal's influencers with their shares (the CRM's and the approved claims')."""
    infl = list(
        DirectDealInfluencer.objects.filter(direct_deal=deal)
        .select_related("partner")
        .order_by("id")
    )
    split = R.shares([(i.partner_id, i.weight) for i in infl], model)
    return [
        R.Party(
            i.partner_id,
            i.partner.partner_type,
            i.partner.tier_id,
            "influenced",
            split[i.partner_id],
        )
        for i in infl
    ]


def direct_deal_lines(deal: DirectDeal, *, on) -> list[Earning]:
    """Unsaved commission lines of a won direct deal's influencers."""
    model = attribution_model()
    the_parties = direct_parties(deal, model)
    if not the_parties:
        return []
    out = []
    for v in versions_in_force(["commission"], end_of_day(on)):
        program = v.program
        for line in R.commission_lines(
            v.rules,
            revenue=deal.amount,
            currency=deal.currency,
            parties=the_parties,
            # A direct deal has no deal type or products: overrides on them never match.
            deal_type="",
            product_ids=set(),
            fx=None,
            prior_fx=R.ZERO,
        ):
            out.append(
                new_earning(
                    program=program,
                    on=on,
                    partner_id=line.partner_id,
                    version=v,
                    direct_deal=deal,
                    kind=EarningKind.COMMISSION,
                    role=line.role,
                    base_amount=line.base,
                    share=line.share,
                    rate=line.rate,
                    amount=line.amount,
                    currency=line.currency,
                    key=f"direct:{deal.pk}:p{program.pk}:{line.suffix}",
                    computation=_facts(v, model, direct_deal=deal.external_id, steps=line.steps),
                )
            )
    return out


@transaction.atomic
def earnings_compute_for_direct_deal(*, direct_deal_id: int) -> list[Earning]:
    """What a won direct deal earns its influencers, written once (a second run writes
    nothing). A direct deal that is no longer won earns nothing."""
    _lock_direct_deal(direct_deal_id)
    deal = DirectDeal.objects.filter(pk=direct_deal_id).first()
    if deal is None or deal.status != DirectDeal.Status.WON:
        return []
    on = deal.closed_at or timezone.localdate()
    return earnings_write(earnings=direct_deal_lines(deal, on=on))


@transaction.atomic
def earnings_reverse_for_direct_deal(*, direct_deal_id: int, reason: str = "") -> int:
    """A won direct deal was lost or reopened: each line it earned is reversed (or clawed
    back once approved)."""
    _lock_direct_deal(direct_deal_id)
    deal = DirectDeal.objects.filter(pk=direct_deal_id).first()
    if deal is None or deal.status == DirectDeal.Status.WON:
        return 0
    if not reason:
        reason = (
            _("The direct deal was lost.")
            if deal.status == DirectDeal.Status.LOST
            else _("The direct deal was reopened.")
        )
    lines = list(
        Earning.objects.select_for_update()
        .filter(direct_deal=deal)
        .exclude(kind=EarningKind.CLAWBACK)
        .order_by("id")
    )
    for line in lines:
        earning_reverse_locked(line, reason=reason)
    return len(lines)
