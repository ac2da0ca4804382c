"""Reads of a campaign's e-mail sequence. The contacts are the partner's own: only that
partner's people see them (`contacts_visible_to`); staff see the figures (`progress`) and
never the list."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from marketing.campaign_models import Campaign
from marketing.sequence_models import CampaignContact, ContactStatus, SendStatus, SequenceSend
from prm.models import Member


def contacts_visible_to(member: Member, campaign: Campaign) -> QuerySet[CampaignContact]:
    if member.partner_id is None or member.partner_id != campaign.partner_id:
        return CampaignContact.objects.none()
    return CampaignContact.objects.filter(campaign=campaign, partner_id=member.partner_id)


def contact_of(member: Member, campaign: Campaign, pk: int) -> CampaignContact | None:
    return contacts_visible_to(member, campaign).filter(pk=pk).first()


def progress(campaign: Campaign) -> dict:
    """The sequence's status, contacts by status and sends per step (two queries)."""
    counts = CampaignContact.objects.filter(campaign=campaign).aggregate(
        total=Count("id"),
        subscribed=Count("id", filter=Q(status=ContactStatus.SUBSCRIBED)),
        unsubscribed=Count("id", filter=Q(status=ContactStatus.UNSUBSCRIBED)),
        bounced=Count("id", filter=Q(status=ContactStatus.BOUNCED)),
    )
    per_step = dict(
        SequenceSend.objects.filter(campaign=campaign, status=SendStatus.SENT)
        .values_list("step")
        .annotate(n=Count("id"))
        .values_list("step", "n")
    )
    steps = [
        {
            "step": i,
            "subject": spec.get("subject", ""),
            "delay_days": spec.get("delay_days", 0),
            "sent": per_step.get(i, 0),
        }
        for i, spec in enumerate(campaign.kit.email_steps, start=1)
    ]
    return {
        "status": campaign.sequence_status,
        "started_at": campaign.sequence_started_at,
        "finished_at": campaign.sequence_finished_at,
        "contacts": counts,
        "steps": steps,
    }
