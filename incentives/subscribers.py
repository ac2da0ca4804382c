"""How incentives hears of what happens elsewhere (registered in IncentivesConfig.ready()):
each handler runs in the emitting transaction and only queues the computation, which runs
after the commit on the worker."""

from __future__ import annotations

from incentives import tasks
from prm import events
from prm.tasks import dispatch


def deal_won(event: events.Event) -> None:
    # An event about no deal of ours (a hand-made payload) has nothing to compute.
    if event.payload.get("deal_id") is not None:
        dispatch(tasks.compute_deal, tenant_id=event.tenant_id, deal_id=event.payload["deal_id"])


def deal_lost(event: events.Event) -> None:
    if event.payload.get("deal_id") is not None:
        dispatch(tasks.reverse_deal, tenant_id=event.tenant_id, deal_id=event.payload["deal_id"])


def direct_deal_won(event: events.Event) -> None:
    """One of the vendor's direct deals was won: its influencers' commission."""
    dispatch(
        tasks.compute_direct_deal,
        tenant_id=event.tenant_id,
        direct_deal_id=event.payload["direct_deal_id"],
    )


def direct_deal_lost(event: events.Event) -> None:
    """A won direct deal was lost or reopened: its lines are taken back."""
    dispatch(
        tasks.reverse_direct_deal,
        tenant_id=event.tenant_id,
        direct_deal_id=event.payload["direct_deal_id"],
    )


def deal_approved(event: events.Event) -> None:
    """A vendor lead a partner accepted becomes an approved deal: referral fees per lead."""
    deal = event.subject
    if deal is not None and getattr(deal, "source", "") == "vendor_lead":
        dispatch(tasks.compute_lead, tenant_id=event.tenant_id, deal_id=deal.pk)


def certification_earned(event: events.Event) -> None:
    p = event.payload
    if p.get("member_id"):
        dispatch(
            tasks.compute_certificate,
            tenant_id=event.tenant_id,
            certificate_id=p["certificate_id"],
            member_id=p["member_id"],
        )


def referral_activated(event: events.Event) -> None:
    p = event.payload
    dispatch(
        tasks.partner_referral,
        tenant_id=event.tenant_id,
        referrer_id=p["referrer_partner_id"],
        referred_id=p["referred_partner_id"],
    )


def register() -> None:
    events.subscribe("deal.won", deal_won)
    events.subscribe("deal.lost", deal_lost)
    events.subscribe("deal.approved", deal_approved)
    events.subscribe("direct_deal.won", direct_deal_won)
    events.subscribe("direct_deal.lost", direct_deal_lost)
    events.subscribe("certification.earned", certification_earned)
    events.subscribe("partner.referral_activated", referral_activated)
