"""Training's reactions to other apps' events (prm.events; subscribed in training.apps).
They run inside the emitting transaction, so enrolment commits with the change."""

from __future__ import annotations

from partners.models import Partner, PartnerStatus
from prm import events
from prm.models import Member
from prm.roles import PARTNER_ROLES
from training.models import Certificate
from training.services.certificates import metrics_refresh_certified
from training.services.learning import enrol_matching


def on_partner_status_changed(event: events.Event) -> None:
    """partner.status_changed: an active partner's people are enrolled in their learning
    paths; an offboarded partner's people no longer count as certified."""
    partner = event.subject
    if event.payload["status"] == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])
    elif event.payload["status"] == PartnerStatus.OFFBOARDED:
        if Certificate.objects.filter(member__partner=partner).exists():
            metrics_refresh_certified(tenant=partner.tenant, partner_ids=[partner.pk])


def on_partner_profile_updated(event: events.Event) -> None:
    """partner.profile_updated: a changed partner type brings the learning paths of the new
    type."""
    if "partner_type" not in event.payload["fields"]:
        return
    partner = Partner.objects.select_related("tenant").get(pk=event.payload["partner_id"])
    if partner.status == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])


def on_member_joined_or_changed(event: events.Event) -> None:
    """member.joined / member.changed: somebody joining (or re-joining, or promoted within)
    an active partner is enrolled in the paths that match them; a deactivated or moved person
    stops counting as certified at the partner they left."""
    member = Member.objects.select_related("tenant").get(pk=event.payload["member_id"])
    partner_ids = {event.payload["partner_id"], event.payload.get("previous_partner_id")}
    partner_ids.discard(None)
    if partner_ids and Certificate.objects.filter(member=member).exists():
        metrics_refresh_certified(tenant=member.tenant, partner_ids=sorted(partner_ids))
    if member.partner_id and member.is_active and member.role in PARTNER_ROLES:
        enrol_matching(tenant=member.tenant, members=[member])
