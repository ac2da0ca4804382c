"""Services of the sharing matrix and of acting on a shared overlap: every write of
`SharingRule` and `IntroRequest`, each audited. Reads go through accountmap.visibility."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accountmap import visibility
from accountmap.models import (
    SHAREABLE_FIELDS,
    AccountStatus,
    IntroRequest,
    IntroStatus,
    Level,
    Overlap,
    Population,
    SharingRule,
    Side,
)
from accountmap.states_sharing import INTRO_REQUEST
from dealreg.services import leads
from prm import notifications
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.i18n import lazy_format
from prm.models import Member
from prm.roles import Role, has_perm

# A level of "inherit" removes the vendor's override for a partner (the default applies
# again); on the vendor's defaults and a partner's own rules it removes the row (counts).
INHERIT = "inherit"


def _may_manage(by: Member, side: str, partner) -> None:
    if side == Side.VENDOR:
        if not has_perm(by.role, "account_sharing.manage_vendor"):
            raise PermissionDenied()
    elif side == Side.PARTNER:
        if not has_perm(by.role, "account_sharing.manage_partner") or partner is None:
            raise PermissionDenied()
        if by.partner_id != partner.pk:
            raise PermissionDenied()
    else:
        raise DomainError(_("Choose who shares."), field="side")


def _clean_cell(side: str, partner, status: str, population) -> tuple[str, Population | None]:
    if bool(status) == bool(population):
        raise DomainError(_("Choose one population."), field="population")
    if status and status not in AccountStatus.values:
        raise DomainError(_("Choose a valid population."), field="status")
    if population is not None:
        owner_id = None if side == Side.VENDOR else partner.pk
        if population.partner_id != owner_id:
            # Another side's population is not one this side can share: as if missing.
            raise DomainError(_("Choose a valid population."), field="population")
    return status or "", population


def _clean_fields(level: str, fields) -> list[str]:
    fields = list(dict.fromkeys(fields or []))
    unknown = [f for f in fields if f not in SHAREABLE_FIELDS]
    if unknown:
        raise DomainError(_("Unknown field: %(f)s.") % {"f": ", ".join(unknown)}, field="fields")
    if level not in (Level.OVERLAPS, Level.ALL):
        return []  # fields are shown only with accounts
    return [f for f in SHAREABLE_FIELDS if f in fields]


def _snapshot(rule: SharingRule | None) -> dict | None:
    if rule is None:
        return None
    return {"level": rule.level, "fields": list(rule.fields)}


@transaction.atomic
def sharing_rule_set(
    *,
    by: Member,
    side: str,
    partner=None,
    status: str = "",
    population: Population | None = None,
    level: str,
    fields=(),
) -> SharingRule | None:
    """Set one cell of the matrix: `side` shares `status` (a standard population) or
    `population` (a custom one) at `level` with `fields`; for the vendor `partner` None is
    the default and a partner an override. `level` INHERIT removes the row. Audited with
    the values before and after; a call that changes nothing writes nothing."""
    _may_manage(by, side, partner)
    if level != INHERIT and level not in Level.values:
        raise DomainError(_("Choose a valid level."), field="level")
    status, population = _clean_cell(side, partner, status, population)
    fields = _clean_fields(level, fields)
    existing = (
        SharingRule.objects.select_for_update()
        .filter(side=side, partner=partner, status=status, population=population)
        .first()
    )
    before = _snapshot(existing)
    cell = {
        "side": side,
        "partner": partner.pk if partner else None,
        "population": status or f"population:{population.pk}",
    }
    if level == INHERIT:
        if existing is None:
            return None
        existing.delete()
        log_action(
            "account_sharing.rule_removed",
            object_type="accountmap.sharingrule",
            object_id=existing.pk or "",
            object_label=_label(side, partner, status, population),
            before={**cell, **before},
        )
        return None
    if existing is not None and before == {"level": level, "fields": fields}:
        return existing
    rule = existing or SharingRule(
        tenant_id=by.tenant_id, side=side, partner=partner, status=status, population=population
    )
    rule.level, rule.fields, rule.updated_at = level, fields, timezone.now()
    rule.save()
    log_action(
        "account_sharing.rule_set",
        obj=rule,
        object_label=_label(side, partner, status, population),
        before={**cell, **before} if before else None,
        after={**cell, "level": level, "fields": fields},
    )
    return rule


def _label(side, partner, status, population) -> str:
    who = _("Vendor") if side == Side.VENDOR else _("Partner")
    to = f" → {partner.name}" if partner is not None and side == Side.VENDOR else ""
    what = AccountStatus(status).label if status else population.name
    return f"{who}{to}: {what}"[:200]


@transaction.atomic
def sharing_rules_save(*, by: Member, side: str, partner=None, cells: list[dict]) -> int:
    """The matrix form: several cells at once, all or none. Each cell: status or
    population, level, fields. Returns how many rules changed."""
    changed = 0
    for cell in cells:
        before = visibility_snapshot(side, partner, cell)
        sharing_rule_set(by=by, side=side, partner=partner, **cell)
        if before != visibility_snapshot(side, partner, cell):
            changed += 1
    return changed


def visibility_snapshot(side, partner, cell) -> tuple | None:
    row = SharingRule.objects.filter(
        side=side,
        partner=partner,
        status=cell.get("status") or "",
        population=cell.get("population"),
    ).first()
    return (row.level, tuple(row.fields)) if row else None


# --- Introductions -------------------------------------------------------------------------


def _intro_recipients(intro: IntroRequest) -> list[Member]:
    """The vendor account's owner rep when they are active staff, else the partner's channel
    manager, else every channel manager."""
    account = intro.overlap.vendor_account
    owner = account.owner_member
    if owner is not None and owner.is_active and owner.role in (Role.ADMIN, Role.CHANNEL_MANAGER):
        return [owner]
    manager = intro.partner.owner
    if manager is not None and manager.is_active:
        return [manager]
    return list(Member.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True))


@transaction.atomic
def intro_request(*, by: Member, overlap_id: int, message: str = "") -> IntroRequest:
    """A partner person asks for an introduction to the vendor's owner of a shared overlap.
    An overlap the vendor does not share (at `overlaps` or more) is refused as missing."""
    if not has_perm(by.role, "account_intros.request") or by.partner_id is None:
        raise PermissionDenied()
    view = visibility.view_for(by)
    row = visibility.overlap_or_none(view, overlap_id)
    if row is None:
        raise DomainError(_("This overlap is not shared with you."), field="overlap")
    message = (message or "").strip()
    if len(message) > 2000:
        raise DomainError(_("Keep the message under 2,000 characters."), field="message")
    overlap = Overlap.objects.select_related("vendor_account", "partner").get(pk=overlap_id)
    if IntroRequest.objects.filter(overlap=overlap, status=IntroStatus.REQUESTED).exists():
        raise DomainError(
            _("An introduction to this account is already requested."), field="overlap"
        )
    intro = IntroRequest.objects.create(
        tenant_id=by.tenant_id,
        partner=overlap.partner,
        overlap=overlap,
        requested_by=by,
        message=message,
    )
    log_action(
        "account_intro.requested",
        obj=intro,
        object_label=row["other_name"],
        after={"overlap": overlap.pk, "partner": overlap.partner_id},
    )
    notifications.notify(
        _intro_recipients(intro),
        group="accounts",
        subject=lazy_format(
            gettext_lazy("Introduction requested by %(p)s: %(a)s"),
            p=overlap.partner.name,
            a=overlap.vendor_account.name,
        ),
        template="accountmap/sharing/emails/intro_requested.txt",
        context={"intro": intro, "account": overlap.vendor_account, "partner": overlap.partner},
        path="/accounts/intros/",
        kind="accountmap.intro_requested",
        key=f"accountmap.intro:{intro.pk}:requested",
        obj=intro,
    )
    return intro


@transaction.atomic
def intro_decide(*, by: Member, intro: IntroRequest, action: str, reason: str = "") -> IntroRequest:
    """Accept or decline (with a reason) an introduction request; the partner's requester
    and admins are told."""
    if action not in ("accept", "decline"):
        raise DomainError(_("Choose accept or decline."), field="action")
    intro = IntroRequest.objects.select_for_update().get(pk=intro.pk)
    INTRO_REQUEST.check(intro, by, action)
    reason = (reason or "").strip()[:500]
    if action == "decline" and not reason:
        raise DomainError(_("Give a reason."), field="reason")
    before = intro.status
    intro.status = IntroStatus.ACCEPTED if action == "accept" else IntroStatus.DECLINED
    intro.decided_by, intro.decided_at, intro.reason = by, timezone.now(), reason
    intro.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    log_action(
        f"account_intro.{'accepted' if action == 'accept' else 'declined'}",
        obj=intro,
        before={"status": before},
        after={"status": intro.status, "reason": reason},
    )
    people = {
        m.pk: m
        for m in Member.objects.filter(
            partner_id=intro.partner_id, role=Role.PARTNER_ADMIN, is_active=True
        )
    }
    if intro.requested_by is not None:
        people[intro.requested_by.pk] = intro.requested_by
    notifications.notify(
        people.values(),
        group="accounts",
        subject=(
            gettext_lazy("Introduction accepted")
            if action == "accept"
            else gettext_lazy("Introduction declined")
        ),
        template="accountmap/sharing/emails/intro_decided.txt",
        context={"intro": intro, "decider": by},
        path="/accounts/intros/",
        kind=f"accountmap.intro_{intro.status}",
        key=f"accountmap.intro:{intro.pk}:{intro.status}",
        obj=intro,
    )
    return intro


# --- Leads from overlaps -------------------------------------------------------------------


@transaction.atomic
def overlap_lead_create(*, by: Member, overlap_id: int):
    """Vendor staff make a lead of their own account from an overlap the partner shares (at
    `overlaps` or more) and offer it to that partner (dealreg's lead services, audited
    there). An overlap the partner does not share is refused as missing."""
    if not has_perm(by.role, "leads.manage"):
        raise PermissionDenied()
    overlap = (
        Overlap.objects.select_related("vendor_account", "partner").filter(pk=overlap_id).first()
    )
    view = visibility.view_for(by, overlap.partner) if overlap else None
    if overlap is None or visibility.overlap_or_none(view, overlap_id) is None:
        raise DomainError(_("This overlap is not shared with you."), field="overlap")
    account = overlap.vendor_account
    lead = leads.lead_create(
        by=by,
        company=account.name,
        domain=account.domain,
        country=account.country,
        notes=_("From the account overlap with %(p)s.") % {"p": overlap.partner.name},
    )
    offer = leads.lead_route(
        lead=lead,
        by=by,
        to_partner=overlap.partner,
        why=_("Your account list has this company (account mapping)."),
    )
    return lead, offer
