"""Writes for partners, the catalogue, tiers, program settings and partner metrics.

Other apps react to partner changes through events (prm.events), never by being called from
here: partner_transition emits `partner.status_changed`, partner_update emits
`partner.profile_updated`, partner_first_deal_record emits `partner.first_deal_recorded`.
PartnerMetrics has one writer, `metrics_upsert` (see the note above it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import tiering
from partners.domains import registrable_domain
from partners.models import (
    DomainProposal,
    DomainProposalStatus,
    Partner,
    PartnerDomain,
    PartnerMetrics,
    PartnerProduct,
    PartnerSpecialty,
    PartnerStatus,
    Product,
    ProgramSettings,
    Specialty,
    Tier,
    TierChange,
    TierChangeStatus,
)
from partners.states import DOMAIN_PROPOSAL, PARTNER_STATUS, TIER_CHANGE
from prm import events
from prm.audit import diff, log_action, snapshot
from prm.errors import DomainError, PermissionDenied, limited
from prm.models import ApiKey, Member
from prm.roles import Role
from prm.tasks import dispatch

PROFILE_FIELDS = ["name", "legal_name", "website", "country", "region", "size_band", "partner_type"]
STAFF_FIELDS = ["owner", "allow_any_email_domain"]

# Hooks for what an offboarded partner leaves open (deals, MDF requests...). Each app that owns
# such work appends a callable (partner) -> list of {"kind", "label", "url"}.
OPEN_ITEM_PROVIDERS: list[Callable[[Partner], list[dict]]] = []


def _check_staff(by: Member | None) -> None:
    if by is not None and by.role not in (Role.ADMIN, Role.CHANNEL_MANAGER):
        raise PermissionDenied()


@transaction.atomic
def partner_create(
    *,
    tenant,
    by: Member | None,
    name: str,
    partner_type: str,
    status: str = PartnerStatus.APPLICANT,
    domains: Iterable[str] = (),
    **fields,
) -> Partner:
    _check_staff(by)
    partner = Partner(
        tenant=tenant, name=name.strip(), partner_type=partner_type, status=status, **fields
    )
    now = timezone.now()
    if status in (PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE):
        partner.approved_at = now
    if status == PartnerStatus.ACTIVE:
        partner.activated_at = now
    partner.full_clean(exclude=["tenant", "owner", "tier"])
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        raise DomainError(_("A partner with this name already exists."), field="name")
    log_action(
        "partner.created", obj=partner, after=snapshot(partner, ["name", "partner_type", "status"])
    )
    partner_set_domains(partner=partner, by=by, domains=[partner.website, *domains])
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, by: Member, **changes) -> Partner:
    """Partner admins edit their own company's profile; staff edit any partner and also the
    owning channel manager and the invitation exception."""
    if by.role in (Role.PARTNER_ADMIN,):
        if by.partner_id != partner.pk:
            raise PermissionDenied()
        allowed = set(PROFILE_FIELDS) - {"partner_type"}
    elif by.role in (Role.ADMIN, Role.CHANNEL_MANAGER):
        allowed = set(PROFILE_FIELDS) | set(STAFF_FIELDS)
    else:
        raise PermissionDenied()
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    fields = [f for f in changes if f in allowed]
    unknown = set(changes) - allowed - {"specialties", "products", "domains"}
    if unknown:
        raise PermissionDenied(_("You cannot change %(f)s.") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(partner, fields)
    for f in fields:
        setattr(partner, f, changes[f])
    if (
        "owner" in fields
        and partner.owner is not None
        and partner.owner.role
        not in (
            Role.ADMIN,
            Role.CHANNEL_MANAGER,
        )
    ):
        raise DomainError(_("The owner must be a channel manager or admin."), field="owner")
    partner.full_clean(exclude=["tenant", "tier", "owner"])
    b, a = diff(before, snapshot(partner, fields))
    if a:
        try:
            with transaction.atomic():
                partner.save(update_fields=list(a))
        except IntegrityError:
            raise DomainError(_("A partner with this name already exists."), field="name")
        log_action("partner.updated", obj=partner, before=b, after=a)
        events.emit(
            "partner.profile_updated",
            {"partner_id": partner.pk, "fields": sorted(a)},
            tenant=partner.tenant_id,
        )
    if "specialties" in changes:
        _set_links(partner, PartnerSpecialty, "specialty", changes["specialties"], "specialties")
    if "products" in changes:
        _set_links(partner, PartnerProduct, "product", changes["products"], "products")
    if "domains" in changes or "website" in a:
        domains = [partner.website, *changes.get("domains", partner.domains)]
        if by.role == Role.PARTNER_ADMIN:
            # The domains limit whom a partner admin may invite: they only propose them.
            domain_proposal_create(partner=partner, by=by, domains=domains)
        else:
            partner_set_domains(partner=partner, by=by, domains=domains)
    return partner


def _set_links(partner, through, field: str, objs, label: str) -> None:
    wanted = {o.pk for o in objs}
    current = set(through.objects.filter(partner=partner).values_list(f"{field}_id", flat=True))
    if wanted == current:
        return
    through.objects.filter(partner=partner).exclude(**{f"{field}_id__in": wanted}).delete()
    through.objects.bulk_create(
        [
            through(tenant_id=partner.tenant_id, partner=partner, **{f"{field}_id": pk})
            for pk in wanted - current
        ]
    )
    log_action(
        f"partner.{label}_changed",
        obj=partner,
        before={label: sorted(current)},
        after={label: sorted(wanted)},
    )


@transaction.atomic
def partner_set_domains(
    *, partner: Partner, by: Member | None, domains: Iterable[str]
) -> list[str]:
    """Normalise to registrable domains and store them; a domain held by another partner is
    refused (one company, one domain). Staff and the system only: partner admins propose
    (domain_proposal_create)."""
    _check_staff(by)
    wanted = _normalised_domains(partner, domains)
    current = set(PartnerDomain.objects.filter(partner=partner).values_list("domain", flat=True))
    if current == set(wanted):
        return wanted
    PartnerDomain.objects.filter(partner=partner).exclude(domain__in=wanted).delete()
    PartnerDomain.objects.bulk_create(
        [
            PartnerDomain(tenant_id=partner.tenant_id, partner=partner, domain=d)
            for d in set(wanted) - current
        ]
    )
    log_action(
        "partner.domains_changed",
        obj=partner,
        before={"domains": sorted(current)},
        after={"domains": wanted},
    )
    return wanted


def _normalised_domains(partner: Partner, domains: Iterable[str]) -> list[str]:
    wanted = sorted({d for d in (registrable_domain(x) for x in domains) if d})
    taken = (
        PartnerDomain.objects.filter(domain__in=wanted)
        .exclude(partner=partner)
        .select_related("partner")
        .first()
    )
    if taken:
        raise DomainError(
            _("%(d)s already belongs to another partner.") % {"d": taken.domain}, field="domains"
        )
    return wanted


@transaction.atomic
def domain_proposal_create(
    *, partner: Partner, by: Member, domains: Iterable[str]
) -> DomainProposal | None:
    """A partner admin proposes their company's domain list; staff approve or reject it.
    Nothing changes until then. A newer proposal supersedes the pending one; proposing the
    current list withdraws it. Returns the proposal (None when nothing is to approve)."""
    if by.role != Role.PARTNER_ADMIN or by.partner_id != partner.pk:
        raise PermissionDenied()
    wanted = _normalised_domains(partner, domains)
    pending = DomainProposal.objects.select_for_update().filter(
        partner=partner, status=DomainProposalStatus.PENDING
    )
    for old in pending:
        if old.domains == wanted:
            return old
        old.status, old.decided_at = DomainProposalStatus.SUPERSEDED, timezone.now()
        old.save(update_fields=["status", "decided_at"])
        log_action("partner.domains_proposal_superseded", obj=old, object_label=str(partner))
    if set(wanted) == set(partner.domains):
        return None
    proposal = DomainProposal.objects.create(
        tenant_id=partner.tenant_id, partner=partner, domains=wanted, proposed_by=by
    )
    log_action(
        "partner.domains_proposed",
        obj=proposal,
        object_label=str(partner),
        before={"domains": sorted(partner.domains)},
        after={"domains": wanted, "partner": partner.pk},
    )
    return proposal


@transaction.atomic
def domain_proposal_decide(
    *, proposal: DomainProposal, by: Member, approve: bool, reason: str = ""
) -> DomainProposal:
    """Staff approve (the partner's domains become the proposed list) or reject a pending
    proposal; audited either way."""
    name = "approve" if approve else "reject"
    if not DOMAIN_PROPOSAL[name].may(proposal, by):
        raise PermissionDenied()
    proposal = DomainProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != DomainProposalStatus.PENDING:
        raise DomainError(_("This proposal was already decided."))
    DOMAIN_PROPOSAL.check(proposal, by, name)
    if approve:
        partner_set_domains(partner=proposal.partner, by=by, domains=proposal.domains)
    proposal.status = DomainProposalStatus.APPROVED if approve else DomainProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.reason = limited((reason or "").strip(), 500, "reason")
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    log_action(
        "partner.domains_proposal_approved" if approve else "partner.domains_proposal_rejected",
        obj=proposal,
        object_label=str(proposal.partner),
        after={"domains": proposal.domains, "reason": proposal.reason},
    )
    return proposal


@transaction.atomic
def partner_transition(
    *,
    partner: Partner,
    by: Member | None,
    to: str | None = None,
    action: str | None = None,
    reason: str = "",
) -> Partner:
    """Move a partner along its status machine (partners.states.PARTNER_STATUS), named by the
    action (`action`, the portal) or by the target status (`to`, the API and the importer).
    Locks the row, refuses moves the machine does not declare or the member may not take,
    audits with the reason, and applies the consequences: offboarded partners' people lose
    access at once (memberships deactivated, keys revoked); nothing is deleted."""
    if action is None and to not in PartnerStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    _check_staff(by)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    old = partner.status
    if action is None:
        if to == old:
            return partner
        act = PARTNER_STATUS.action_for_move(old, to)
        if act is None:
            raise DomainError(
                _("A partner cannot move from %(a)s to %(b)s.")
                % {"a": PartnerStatus(old).label, "b": PartnerStatus(to).label},
                field="status",
            )
        action = act.name
    if action not in PARTNER_STATUS.actions:
        raise DomainError(_("Unknown action."))
    act = PARTNER_STATUS.check(partner, by, action)
    to = act.target
    reason = (reason or "").strip()
    if act.reason and not reason:
        raise DomainError(_("Give a reason."), field="reason")
    now = timezone.now()
    limited(reason, 500, "reason")
    partner.status, partner.status_reason, partner.status_changed_at = to, reason, now
    fields = ["status", "status_reason", "status_changed_at"]
    if to == PartnerStatus.ONBOARDING and partner.approved_at is None:
        partner.approved_at = now
        fields.append("approved_at")
    if to == PartnerStatus.ACTIVE and partner.activated_at is None:
        partner.activated_at = now
        fields.append("activated_at")
    partner.save(update_fields=fields)
    log_action(
        "partner.status_changed",
        obj=partner,
        before={"status": old},
        after={"status": to, "reason": reason},
    )
    if to == PartnerStatus.OFFBOARDED:
        members = Member.objects.filter(partner=partner, is_active=True)
        ids = list(members.values_list("pk", flat=True))
        members.update(is_active=False, deactivated_at=now)
        ApiKey.objects.filter(member_id__in=ids, revoked_at__isnull=True).update(revoked_at=now)
        if ids:
            log_action("partner.members_deactivated", obj=partner, after={"members": ids})
    # After the consequences above, so subscribers (onboarding, training) see them.
    events.emit("partner.status_changed", partner, previous_status=old)
    return partner


@transaction.atomic
def open_items(partner: Partner) -> list[dict]:
    items: list[dict] = []
    for provider in OPEN_ITEM_PROVIDERS:
        items.extend(provider(partner))
    return items


@transaction.atomic
def invitation_domain_check(*, partner: Partner, email: str) -> None:
    """Partner colleagues are invited from the company's own domains unless a channel manager
    allowed an exception for this partner."""
    if partner.allow_any_email_domain:
        return
    domains = set(PartnerDomain.objects.filter(partner=partner).values_list("domain", flat=True))
    if domains and registrable_domain(email) not in domains:
        raise DomainError(
            _("Invite addresses at %(d)s only (a channel manager can allow exceptions).")
            % {"d": ", ".join(sorted(domains))},
            field="email",
        )


# --- Catalogue and program settings (admins) ----------------------------------------------


def _check_admin(by: Member) -> None:
    if by.role != Role.ADMIN:
        raise PermissionDenied()


@transaction.atomic
def catalogue_save(*, by: Member, model, name: str, obj=None, **fields):
    """Create or rename a product or specialty."""
    _check_admin(by)
    if model not in (Product, Specialty):
        raise DomainError(_("Unknown catalogue"))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    creating = obj is None
    obj = obj or model(tenant=by.tenant)
    before = {} if creating else snapshot(obj, ["name", *fields])
    obj.name = limited(name, 120, "name")
    for k, v in fields.items():
        setattr(obj, k, v)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise DomainError(_("This name is already in use."), field="name")
    label = model._meta.model_name
    after = snapshot(obj, ["name", *fields])
    log_action(
        f"{label}.{'created' if creating else 'updated'}",
        obj=obj,
        before=before or None,
        after=after,
    )
    return obj


@transaction.atomic
def tier_save(*, by: Member, obj: Tier | None = None, **fields) -> Tier:
    _check_admin(by)
    creating = obj is None
    tier = obj or Tier(tenant=by.tenant)
    names = [f.name for f in Tier._meta.concrete_fields if f.name not in ("id", "tenant")]
    before = {} if creating else snapshot(tier, names)
    for k, v in fields.items():
        if k not in names:
            raise DomainError(f"Unknown field {k}", field=k)
        setattr(tier, k, v)
    tier.full_clean(exclude=["tenant"], validate_unique=False)
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError:
        raise DomainError(_("Another tier has this name or rank."), field="rank")
    after = snapshot(tier, names)
    b, a = diff(before, after) if before else ({}, after)
    if a:
        log_action(
            "tier.created" if creating else "tier.updated", obj=tier, before=b or None, after=a
        )
    return tier


@transaction.atomic
def tier_delete(*, by: Member, tier: Tier) -> None:
    _check_admin(by)
    if tier.partners.exists():
        raise DomainError(_("Partners are in this tier; move them first."))
    try:
        with transaction.atomic():
            log_action("tier.deleted", obj=tier, before={"name": tier.name, "rank": tier.rank})
            tier.delete()
    except ProtectedError:
        # Tier history (TierChange) keeps its tiers: the audit of past moves must stay whole.
        raise DomainError(_("Partners' tier history refers to this tier; it cannot be deleted."))


@transaction.atomic
def program_settings_update(*, by: Member, **changes) -> ProgramSettings:
    _check_admin(by)
    ps = ProgramSettings.for_tenant(by.tenant)
    ps = ProgramSettings.objects.select_for_update().get(pk=ps.pk)
    names = [
        f.name for f in ProgramSettings._meta.concrete_fields if f.name not in ("id", "tenant")
    ]
    before = snapshot(ps, names)
    for k, v in changes.items():
        if k not in names:
            raise DomainError(f"Unknown setting {k}", field=k)
        setattr(ps, k, v)
    ps.full_clean(exclude=["tenant"], validate_unique=False)
    b, a = diff(before, snapshot(ps, names))
    if a:
        ps.save(update_fields=list(a))
        log_action("program.settings_updated", obj=ps, before=b, after=a)
    return ps


# --- Tier evaluation and approvals --------------------------------------------------------


@transaction.atomic
def tiers_evaluate(*, tenant, today=None) -> dict:
    """Evaluate all partners of the tenant (set-based) and queue the notifications."""
    # local: partners.tasks imports this module at load time
    from partners import tasks

    result = tiering.evaluate(tenant=tenant, today=today)
    log_action(
        "tiers.evaluated", tenant=tenant, object_type="partners.tier", after=result.as_dict()
    )
    for kind, ids in (
        ("upgraded", result.upgraded),
        ("downgraded", result.downgraded),
        ("warned", result.warned),
        ("pending", result.pending),
    ):
        for partner_id in ids:
            dispatch(tasks.notify_tier_event, tenant=tenant, partner_id=partner_id, kind=kind)
    return result.as_dict()


@transaction.atomic
def tiers_evaluation_request(*, tenant, by: Member) -> None:
    """Queue an evaluation of the whole tenant (after commit) and audit who asked for it."""
    # local: partners.tasks imports this module at load time
    from partners import tasks

    _check_admin(by)
    dispatch(tasks.evaluate_tiers, tenant=tenant)
    log_action("tiers.evaluation_requested", tenant=tenant, object_type="partners.tier")


@transaction.atomic
def tier_change_decide(*, change, by: Member, approve: bool, reason: str = ""):
    change = TierChange.objects.select_for_update().get(pk=change.pk)
    TIER_CHANGE.check(change, by, "approve" if approve else "reject")
    now = timezone.now()
    change.status = TierChangeStatus.APPLIED if approve else TierChangeStatus.REJECTED
    change.decided_at, change.decided_by = now, by
    if reason:
        change.reason = limited(reason, 300, "reason")
    change.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    if approve:
        partner = Partner.objects.select_for_update().get(pk=change.partner_id)
        old = partner.tier_id
        partner.tier_id, partner.below_tier_since = change.to_tier_id, None
        partner.save(update_fields=["tier", "below_tier_since"])
        log_action(
            "partner.tier_changed",
            obj=partner,
            before={"tier": old},
            after={"tier": change.to_tier_id, "metrics": change.metrics},
        )
        events.emit("partner.tier_changed", partner, previous_tier_id=old)
        # local: partners.tasks imports this module at load time
        from partners import tasks

        dispatch(
            tasks.notify_tier_event, tenant=partner.tenant, partner_id=partner.pk, kind="upgraded"
        )
    log_action(
        "tier_change.approved" if approve else "tier_change.rejected",
        obj=change,
        after={"status": change.status, "reason": reason},
    )
    return change


@transaction.atomic
def partner_set_tier(*, partner: Partner, by: Member, tier: Tier | None, reason: str) -> Partner:
    """A manual tier placement by an admin (audited with the reason)."""
    _check_admin(by)
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field="reason")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    old = partner.tier_id
    if old == (tier.pk if tier else None):
        return partner
    partner.tier, partner.below_tier_since = tier, None
    partner.save(update_fields=["tier", "below_tier_since"])

    old_rank = Tier.objects.filter(pk=old).values_list("rank", flat=True).first()
    TierChange.objects.create(
        tenant_id=partner.tenant_id,
        partner=partner,
        from_tier_id=old,
        to_tier=tier,
        direction="up" if tier and (old_rank is None or tier.rank > old_rank) else "down",
        status=TierChangeStatus.APPLIED,
        reason="manual: " + limited(reason.strip(), 292, "reason"),
        decided_at=timezone.now(),
        decided_by=by,
    )
    log_action(
        "partner.tier_set_manually",
        obj=partner,
        before={"tier": old},
        after={"tier": tier.pk if tier else None, "reason": reason.strip()},
    )
    events.emit("partner.tier_changed", partner, previous_tier_id=old)
    return partner


@transaction.atomic
def partner_first_deal_record(*, partner: Partner, deal_id: int, at=None) -> bool:
    """Record the partner's first submitted deal (deal registration calls this on submit).
    Only the first call for a partner writes: it sets `first_deal_at`, audits, and emits
    `partner.first_deal_recorded` (onboarding completes its register-first-deal step).
    Returns whether this was the first deal."""
    at = at or timezone.now()
    if not Partner.objects.filter(pk=partner.pk, first_deal_at__isnull=True).update(
        first_deal_at=at
    ):
        return False
    partner.first_deal_at = at
    log_action(
        "partner.first_deal_recorded",
        obj=partner,
        before={"first_deal_at": None},
        after={"first_deal_at": at, "deal": deal_id},
    )
    events.emit(
        "partner.first_deal_recorded",
        {"partner_id": partner.pk, "deal_id": deal_id},
        tenant=partner.tenant_id,
    )
    return True


# --- Partner metrics ------------------------------------------------------------------------
# partners_partnermetrics has one writer: metrics_upsert. The partners app owns the table (tier
# evaluation reads it) but not the facts: each figure is computed by the app that owns its
# facts, which lies above partners (dealreg: won revenue and deals; training: certified
# people; analytics: health score). Those apps hand their set-based computation over as a
# SELECT, and this function stores it in one INSERT ... ON CONFLICT, touching only the columns
# that source supplies. So no app writes another app's table, and no per-partner round trips.

METRICS_COLUMNS = {
    # column -> value for a partner's first row when the source does not supply it
    "won_revenue_12m": "0",
    "won_deals_12m": "0",
    "certified_people": "0",
    "health_score": "NULL",
}


@transaction.atomic
def metrics_upsert(*, tenant, columns: Iterable[str], source_sql: str, params: dict) -> None:
    """Store figures for many partners at once. `source_sql` is a SELECT (code, never user
    input) returning `partner_id` followed by `columns` in that order, with `%(name)s`
    placeholders for `params`; rows of other tenants' partners are ignored. Columns not in
    `columns` keep their value (or start at their default for a new row). A row whose
    `columns` already hold these values is not rewritten (`updated_at` is the last change):
    a nightly run that moves a few partners writes a few rows."""
    columns = list(columns)
    unknown = set(columns) - set(METRICS_COLUMNS)
    if not columns or unknown:
        raise ValueError(f"metrics_upsert: unknown or no columns {sorted(unknown)}")
    metrics, partners = PartnerMetrics._meta.db_table, Partner._meta.db_table
    values = [f"src.{c}" if c in columns else d for c, d in METRICS_COLUMNS.items()]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    sql = f"""
        INSERT INTO {metrics} (tenant_id, partner_id, {", ".join(METRICS_COLUMNS)}, updated_at)
        SELECT p.tenant_id, p.id, {", ".join(values)}, now()
        FROM ({source_sql}) AS src (partner_id, {", ".join(columns)})
        JOIN {partners} p ON p.id = src.partner_id AND p.tenant_id = %(metrics_tenant)s
        ON CONFLICT (tenant_id, partner_id) DO UPDATE SET {updates}, updated_at = now()
        WHERE ({", ".join(f"{metrics}.{c}" for c in columns)})
          IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in columns)})
    """  # noqa: S608 - identifiers come from model metadata and METRICS_COLUMNS
    with connection.cursor() as cur:
        cur.execute(sql, {**params, "metrics_tenant": getattr(tenant, "pk", tenant)})
