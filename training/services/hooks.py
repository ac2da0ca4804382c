"""Hooks the partners and prm apps call (training.apps connects them)."""

from __future__ import annotations

from partners.models import Partner, PartnerStatus
from prm.models import Member
from prm.roles import PARTNER_ROLES
from training.models import (
    Certificate,
)
from training.services.certificates import metrics_refresh_certified
from training.services.learning import enrol_matching

# --- Hooks from the partners and prm apps -------------------------------------------------


def on_partner_status_change(partner: Partner, old: str, new: str) -> None:
    """partners.services.STATUS_CHANGE_HOOKS: an active partner's people are enrolled in
    their learning paths; an offboarded partner's people no longer count as certified."""
    if new == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])
    elif new == PartnerStatus.OFFBOARDED:
        if Certificate.objects.filter(member__partner=partner).exists():
            metrics_refresh_certified(tenant=partner.tenant, partner_ids=[partner.pk])


def on_partner_saved(partner: Partner, update_fields) -> None:
    """A changed partner type brings the learning paths of the new type."""
    if update_fields is None or "partner_type" not in update_fields:
        return
    if partner.status == PartnerStatus.ACTIVE:
        enrol_matching(tenant=partner.tenant, partners=[partner])


def on_member_saved(member: Member, *, created: bool, update_fields) -> None:
    """Somebody joining (or re-joining) an active partner is enrolled in the paths that
    match them; a deactivated or moved person stops counting as certified."""
    if not created:
        changed = set(update_fields or ())
        if update_fields is not None and not changed & {"is_active", "role", "partner"}:
            return
        if member.partner_id and Certificate.objects.filter(member=member).exists():
            metrics_refresh_certified(tenant=member.tenant, partner_ids=[member.partner_id])
    if member.partner_id and member.is_active and member.role in PARTNER_ROLES:
        enrol_matching(tenant=member.tenant, members=[member])
