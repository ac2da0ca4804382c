"""Every write of deal registration. One service per move; each locks the deal row,
refuses illegal moves, writes the timeline and the audit trail, and queues follow-up work
and e-mail only after commit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealreg import conflicts
from dealreg.models import (
    TRANSITIONS,
    Deal,
    DealEvent,
    DealInfluencer,
    DealMatch,
    DealProduct,
    DealStatus,
    ExtensionRequest,
    NamedAccount,
    RulesVersion,
)
from dealreg.rules import RuleInput, decide, name_tokens
from partners.domains import normalise_company_name, registrable_domain
from partners.models import Partner, PartnerStatus
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role

EDITABLE_FIELDS = [
    "customer_name",
    "customer_domain_input",
    "country",
    "region",
    "contact_name",
    "contact_email",
    "contact_phone",
    "amount",
    "currency",
    "expected_close_date",
    "deal_type",
    "partner_role",
    "notes",
    "mdf_campaign_code",
]


# --- Rules --------------------------------------------------------------------------------


@transaction.atomic
def current_rules(tenant, at=None) -> RulesVersion:
    """The rules in force (the newest version whose effective date has come); the first
    call for a tenant publishes version 1 with the defaults (race-free: concurrent first
    calls insert with ON CONFLICT DO NOTHING and read the one row that won)."""
    at = at or timezone.now()
    rules = (
        RulesVersion.objects.filter(effective_from__lte=at)
        .order_by("-effective_from", "-version")
        .first()
    )
    if rules is None:
        RulesVersion.objects.bulk_create(
            [
                RulesVersion(
                    tenant=tenant, version=1, effective_from=at - datetime.timedelta(seconds=1)
                )
            ],
            ignore_conflicts=True,
        )
        rules = RulesVersion.objects.get(version=1)
    return rules


@transaction.atomic
def rules_publish(*, by: Member, effective_from=None, **values) -> RulesVersion:
    if by.role != Role.ADMIN:
        raise PermissionDenied()
    current_rules(by.tenant)  # version 1 (the defaults) exists before any change
    last = RulesVersion.objects.order_by("-version").first()
    rules = RulesVersion(
        tenant=by.tenant,
        version=(last.version + 1) if last else 1,
        effective_from=effective_from or timezone.now(),
        created_by=by,
        **values,
    )
    rules.full_clean(exclude=["tenant", "created_by"])
    rules.save()
    log_action(
        "rules.published",
        obj=rules,
        object_label=f"v{rules.version}",
        after=dict(values) | {"version": rules.version, "effective_from": rules.effective_from},
    )
    return rules


# --- Helpers ------------------------------------------------------------------------------


def _event(
    deal: Deal, kind: str, message: str, *, actor: Member | None = None, staff_only: bool = False
) -> DealEvent:
    label = actor.user.display_name if actor else "PRM"
    return DealEvent.objects.create(
        tenant_id=deal.tenant_id,
        deal=deal,
        kind=kind,
        message=message[:500],
        actor=actor,
        actor_label=label,
        staff_only=staff_only,
    )


def _locking():
    # NO KEY UPDATE: other transactions may still reference this deal from a new match
    # row (FOR KEY SHARE) without waiting, which would otherwise deadlock two
    # registrations for the same customer evaluated at the same moment. The tenant comes
    # along because the rules, e-mails and events of every move read it.
    return Deal.objects.select_for_update(of=("self",), no_key=True).select_related(
        "tenant", "partner", "partner__tier"
    )


def _lock(deal: Deal) -> Deal:
    return _locking().get(pk=deal.pk)


def _move(deal: Deal, to: str) -> str:
    old = deal.status
    if to not in TRANSITIONS[old]:
        raise DomainError(
            _("A deal cannot move from %(a)s to %(b)s.")
            % {"a": DealStatus(old).label, "b": DealStatus(to).label},
            field="status",
        )
    deal.status = to
    return old


def _mail(
    deal: Deal, subject: str, template: str, recipients: list[str], event_type: str = "", **ctx
) -> None:
    """E-mail about a deal, through each recipient's preferences for the deals group
    (prm.notifications.notify). `event_type` ties the notification to the outbox event."""
    if not recipients:
        return
    notifications.notify(
        notifications.members_with_emails(recipients),
        group="deals",
        subject=subject,
        template=template,
        context={"deal": deal, **ctx},
        path=f"/deals/{deal.pk}/",
        kind=event_type or "deal.notice",
        event=notifications.event_for(event_type, deal) if event_type else None,
    )


def _partner_emails(deal: Deal) -> list[str]:
    emails = set(
        Member.objects.filter(
            partner_id=deal.partner_id, is_active=True, role=Role.PARTNER_ADMIN
        ).values_list("user__email", flat=True)
    )
    if deal.created_by_id:
        creator = Member.objects.filter(pk=deal.created_by_id, is_active=True).first()
        if creator:
            emails.add(creator.user.email)
    return sorted(emails)


def _reviewer_emails(deal: Deal) -> list[str]:
    owner = (
        Member.objects.filter(pk=deal.partner.owner_id, is_active=True)
        .values_list("user__email", flat=True)
        .first()
        if deal.partner.owner_id
        else None
    )
    if owner is not None:
        return [owner]
    return list(
        Member.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).values_list(
            "user__email", flat=True
        )
    )


def _check_partner_member(by: Member, deal: Deal | None = None) -> None:
    if by.role not in PARTNER_ROLES:
        raise PermissionDenied()
    if deal is not None and deal.partner_id != by.partner_id:
        raise PermissionDenied()


def _check_staff(by: Member | None) -> None:
    if by is not None and by.role not in STAFF_ROLES:
        raise PermissionDenied()


def _apply_fields(deal: Deal, data: dict) -> None:
    for f in EDITABLE_FIELDS:
        if f in data:
            value = data[f]
            setattr(
                deal,
                f,
                "" if value is None and f not in ("amount", "expected_close_date") else value,
            )
    deal.customer_name = (deal.customer_name or "").strip()
    deal.customer_name_normalised = normalise_company_name(deal.customer_name)
    deal.customer_name_tokens = name_tokens(deal.customer_name_normalised)
    deal.customer_domain = registrable_domain(deal.customer_domain_input)
    deal.country = (deal.country or "").upper()
    deal.currency = (deal.currency or deal.tenant.default_currency).upper()


def _validate_for_submit(deal: Deal) -> None:
    errors = {}
    if not deal.customer_name_normalised:
        errors["customer_name"] = _("Enter the customer's company name.")
    if not deal.customer_domain:
        errors["customer_domain_input"] = _(
            "Enter the customer's website or an e-mail address at its domain."
        )
    if deal.amount is None:
        errors["amount"] = _("Enter the estimated amount.")
    if deal.expected_close_date is None:
        errors["expected_close_date"] = _("Enter the expected close date.")
    elif deal.expected_close_date < timezone.now().date():
        errors["expected_close_date"] = _("The expected close date is in the past.")
    if errors:
        field, message = next(iter(errors.items()))
        err = DomainError(message, field=field)
        err.errors = errors
        raise err


def _check_campaign_code(deal: Deal, code_before: str) -> None:
    """A deal takes only a campaign code of its own partner's approved (or completed) MDF
    fund request (security issue #15): MDF ROI attributes a deal to the request whose code it
    carries. One message whether the code is unknown, another partner's or of a request not
    approved, so the answer says nothing about other partners' codes. A code the deal already
    carries stays (its request may have been cancelled since); only a new or changed one is
    checked. Deals created by staff (from a vendor lead) carry no code."""
    deal.mdf_campaign_code = (deal.mdf_campaign_code or "").strip().upper()
    code = deal.mdf_campaign_code
    if not code or code == code_before:
        return
    from mdf.selectors import campaign_code_usable

    if not campaign_code_usable(partner_id=deal.partner_id, code=code):
        raise DomainError(
            _("This is not a campaign code of one of your approved MDF activities."),
            field="mdf_campaign_code",
        )


# --- Registering --------------------------------------------------------------------------


@transaction.atomic
def deal_save(
    *, by: Member, data: dict, products=None, deal: Deal | None = None, submit: bool = False
) -> Deal:
    """Create or edit a draft (partner roles, own company); with submit=True, submit it."""
    _check_partner_member(by, deal)
    partner = Partner.objects.get(pk=by.partner_id)
    if deal is None:
        deal = Deal(tenant_id=by.tenant_id, partner=partner, created_by=by)
        deal.tenant = by.tenant
        creating = True
    else:
        deal = _lock(deal)
        creating = False
        if deal.status != DealStatus.DRAFT:
            raise DomainError(_("Only drafts can be edited."))
    code_before = deal.mdf_campaign_code
    _apply_fields(deal, data)
    _check_campaign_code(deal, code_before)
    deal.full_clean(
        exclude=[
            "tenant",
            "partner",
            "created_by",
            "rules_version",
            "decided_by",
            "customer_name_tokens",
        ]
    )
    deal.save()
    if products is not None:
        wanted = {p.pk for p in products}
        DealProduct.objects.filter(deal=deal).exclude(product_id__in=wanted).delete()
        have = set(DealProduct.objects.filter(deal=deal).values_list("product_id", flat=True))
        DealProduct.objects.bulk_create(
            [
                DealProduct(tenant_id=deal.tenant_id, deal=deal, product_id=pk)
                for pk in wanted - have
            ]
        )
    if creating:
        _event(deal, "created", _("Draft saved."), actor=by)
        log_action(
            "deal.created",
            obj=deal,
            after={"customer": deal.customer_name, "domain": deal.customer_domain},
        )
    if submit:
        deal = deal_submit(deal=deal, by=by)
    return deal


@transaction.atomic
def deal_submit(*, deal: Deal, by: Member) -> Deal:
    _check_partner_member(by, deal)
    deal = _lock(deal)
    _validate_for_submit(deal)
    partner = deal.partner
    if partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING):
        raise DomainError(
            _("Your partner account is %(s)s; registrations are paused.")
            % {"s": partner.get_status_display().lower()}
        )
    from onboarding.selectors import deal_registration_allowed

    if not deal_registration_allowed(partner):
        raise DomainError(_("Accept the current partner agreement before registering deals."))
    _move(deal, DealStatus.SUBMITTED)
    rules = current_rules(deal.tenant)
    now = timezone.now()
    deal.submitted_at = now
    deal.sla_due_at = now + datetime.timedelta(hours=rules.review_sla_hours)
    deal.save(update_fields=["status", "submitted_at", "sla_due_at"])
    if partner.first_deal_at is None:
        Partner.objects.filter(pk=partner.pk, first_deal_at__isnull=True).update(first_deal_at=now)
        from onboarding.services import step_complete_for_event

        step_complete_for_event(partner=partner, kind="register_first_deal", ref=str(deal.pk))
    _event(deal, "submitted", _("Submitted for approval."), actor=by)
    log_action(
        "deal.submitted", obj=deal, before={"status": "draft"}, after={"status": "submitted"}
    )
    events.emit("deal.submitted", deal)
    from dealreg import tasks
    from prm.tasks import dispatch

    dispatch(tasks.evaluate_deal, tenant=deal.tenant, deal_id=deal.pk)
    return deal


@transaction.atomic
def deal_evaluate(*, deal_id: int) -> Deal | None:
    """Run the rules on a submitted deal (the Celery task calls this). Idempotent: a deal
    that is no longer 'submitted' is left alone."""
    deal = _locking().filter(pk=deal_id).first()
    if deal is None:
        return None
    if deal.status != DealStatus.SUBMITTED:
        return deal
    rules = current_rules(deal.tenant)
    matches = _store_matches(deal, rules)
    from onboarding.selectors import has_current_agreement

    decision = decide(
        rules,
        RuleInput(
            partner_active=deal.partner.status == PartnerStatus.ACTIVE,
            partner_tier_id=deal.partner.tier_id,
            agreement_current=has_current_agreement(deal.partner),
            amount=deal.amount,
            match_kinds=frozenset(m.kind for m in matches),
        ),
    )
    deal.rules_version = rules
    deal.save(update_fields=["rules_version"])
    if decision.outcome == "approve":
        try:
            return _approve(deal, by=None, reason=decision.reason, rules=rules)
        except DomainError as exc:
            # Lost the race for this customer (the database refused a second approval):
            # a person decides, with the reason on the timeline.
            decision = type(decision)("review", exc.message)
    if decision.outcome == "reject":
        return _reject(deal, by=None, reason=decision.reason, rules=rules)
    _move(deal, DealStatus.UNDER_REVIEW)
    deal.save(update_fields=["status"])
    _event(deal, "under_review", decision.reason)
    log_action(
        "deal.routed_to_review",
        obj=deal,
        after={
            "status": "under_review",
            "reason": decision.reason,
            "rules_version": rules.version,
            "matches": [m.reason for m in matches],
        },
    )
    _mail(
        deal,
        gettext_lazy("A deal registration needs your review"),
        "dealreg/emails/review.txt",
        _reviewer_emails(deal),
        event_type="deal.submitted",
        reason=decision.reason,
    )
    return deal


def _store_matches(deal: Deal, rules: RulesVersion) -> list[DealMatch]:
    found = conflicts.detect(
        conflicts.Probe.for_deal(deal), threshold=rules.name_similarity_threshold
    )
    DealMatch.objects.filter(deal=deal).delete()
    rows = DealMatch.objects.bulk_create(
        [
            DealMatch(
                tenant_id=deal.tenant_id,
                deal=deal,
                kind=m.kind,
                score=m.score,
                matched_deal=m.matched_deal,
                matched_account=m.matched_account,
                reason=m.reason[:300],
                partner_reason=m.partner_reason[:300],
            )
            for m in found
        ]
    )
    has = bool(rows)
    if deal.has_conflicts != has:
        deal.has_conflicts = has
        deal.save(update_fields=["has_conflicts"])
    return rows


@transaction.atomic
def deal_recheck(*, deal: Deal, by: Member) -> list[DealMatch]:
    """Re-run conflict detection at review time."""
    _check_staff(by)
    deal = _lock(deal)
    return _store_matches(deal, current_rules(deal.tenant))


def _protection_days(deal: Deal, rules: RulesVersion) -> int:
    tier = deal.partner.tier
    if rules.use_tier_protection_days and tier is not None:
        return tier.protection_days
    return rules.default_protection_days


def _approve(deal: Deal, *, by: Member | None, reason: str, rules: RulesVersion) -> Deal:
    old = _move(deal, DealStatus.APPROVED)
    now = timezone.now()
    deal.decided_at, deal.decided_by = now, by
    deal.decision_reason = reason[:500]
    deal.rules_version = rules
    deal.protected_until = now.date() + datetime.timedelta(days=_protection_days(deal, rules))
    try:
        with transaction.atomic():
            deal.save(
                update_fields=[
                    "status",
                    "decided_at",
                    "decided_by",
                    "decision_reason",
                    "rules_version",
                    "protected_until",
                ]
            )
    except IntegrityError:
        # The database's first-in-wins guarantee: another deal for this customer domain was
        # approved first. This one goes to a person instead.
        deal.status = old
        raise DomainError(
            _("Another partner's registration for this customer was approved first."),
            field="status",
            code="conflict",
        )
    who = _("automatically") if by is None else _("by %(n)s") % {"n": by.user.display_name}
    _event(
        deal,
        "approved",
        _("Approved %(who)s; protected until %(d)s. %(r)s")
        % {"who": who, "d": deal.protected_until.isoformat(), "r": reason},
        actor=by,
    )
    log_action(
        "deal.approved",
        obj=deal,
        before={"status": old},
        after={
            "status": "approved",
            "protected_until": deal.protected_until,
            "reason": reason,
            "rules_version": rules.version,
            "automatic": by is None,
        },
    )
    events.emit("deal.approved", deal, automatic=by is None)
    _mail(
        deal,
        gettext_lazy("Deal registration approved"),
        "dealreg/emails/decision.txt",
        _partner_emails(deal),
        event_type="deal.approved",
        approved=True,
        reason=reason,
    )
    return deal


def _reject(deal: Deal, *, by: Member | None, reason: str, rules: RulesVersion) -> Deal:
    old = _move(deal, DealStatus.REJECTED)
    deal.decided_at, deal.decided_by = timezone.now(), by
    deal.decision_reason = reason[:500]
    deal.rules_version = rules
    deal.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason", "rules_version"]
    )
    _event(deal, "rejected", _("Rejected: %(r)s") % {"r": reason}, actor=by)
    log_action(
        "deal.rejected",
        obj=deal,
        before={"status": old},
        after={
            "status": "rejected",
            "reason": reason,
            "rules_version": rules.version,
            "automatic": by is None,
        },
    )
    events.emit("deal.rejected", deal, automatic=by is None)
    _mail(
        deal,
        gettext_lazy("Deal registration not approved"),
        "dealreg/emails/decision.txt",
        _partner_emails(deal),
        event_type="deal.rejected",
        approved=False,
        reason=reason,
    )
    return deal


@transaction.atomic
def deal_approve(*, deal: Deal, by: Member, reason: str = "") -> Deal:
    _check_staff(by)
    deal = _lock(deal)
    if deal.status not in (DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW):
        raise DomainError(_("Only submitted deals can be approved."), field="status")
    rules = current_rules(deal.tenant)
    return _approve(deal, by=by, reason=reason or _("Approved after review."), rules=rules)


@transaction.atomic
def deal_reject(*, deal: Deal, by: Member, reason: str) -> Deal:
    _check_staff(by)
    if not (reason or "").strip():
        raise DomainError(_("Give the partner a reason."), field="reason")
    deal = _lock(deal)
    if deal.status not in (DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW):
        raise DomainError(_("Only submitted deals can be rejected."), field="status")
    return _reject(deal, by=by, reason=reason.strip(), rules=current_rules(deal.tenant))


@transaction.atomic
def deal_withdraw(*, deal: Deal, by: Member, reason: str = "") -> Deal:
    _check_partner_member(by, deal)
    deal = _lock(deal)
    old = _move(deal, DealStatus.WITHDRAWN)
    deal.decision_reason = (reason or "")[:500]
    deal.save(update_fields=["status", "decision_reason"])
    _event(
        deal,
        "withdrawn",
        _("Withdrawn by the partner.") + (f" {reason}" if reason else ""),
        actor=by,
    )
    log_action(
        "deal.withdrawn",
        obj=deal,
        before={"status": old},
        after={"status": "withdrawn", "reason": reason},
    )
    return deal


@transaction.atomic
def deal_close(
    *,
    deal: Deal,
    by: Member | None,
    won: bool,
    amount: Decimal | None = None,
    closed_at: datetime.date | None = None,
    reason: str = "",
) -> Deal:
    """Won (final amount, close date) or lost (reason); managers, or CRM sync via the API."""
    _check_staff(by)
    deal = _lock(deal)
    if deal.status in (DealStatus.WON, DealStatus.LOST):
        same = (deal.status == DealStatus.WON) == won
        if same and (not won or amount is None or deal.won_amount == amount):
            return deal  # idempotent repeat (e.g. a CRM resending the same update)
    if won and (amount is None or amount < 0):
        raise DomainError(_("Enter the final amount."), field="amount")
    if not won and not (reason or "").strip():
        raise DomainError(_("Give the reason the deal was lost."), field="reason")
    old = _move(deal, DealStatus.WON if won else DealStatus.LOST)
    deal.closed_at = closed_at or timezone.now().date()
    fields = ["status", "closed_at"]
    if won:
        deal.won_amount = amount
        fields.append("won_amount")
    else:
        deal.lost_reason = reason.strip()[:500]
        fields.append("lost_reason")
    deal.save(update_fields=fields)
    _event(
        deal,
        "won" if won else "lost",
        _("Closed won: %(a)s %(c)s.") % {"a": f"{amount:,.2f}", "c": deal.currency}
        if won
        else _("Closed lost: %(r)s") % {"r": reason},
        actor=by,
    )
    log_action(
        "deal.won" if won else "deal.lost",
        obj=deal,
        before={"status": old},
        after={
            "status": deal.status,
            "won_amount": deal.won_amount,
            "closed_at": deal.closed_at,
            "lost_reason": deal.lost_reason,
        },
    )
    events.emit("deal.won" if won else "deal.lost", deal)
    metrics_refresh(tenant=deal.tenant, partner_ids=[deal.partner_id])
    return deal


@transaction.atomic
def deal_sync(
    *,
    by: Member | None,
    external_id: str,
    won: bool,
    deal: Deal | None = None,
    amount: Decimal | None = None,
    closed_at: datetime.date | None = None,
    reason: str = "",
) -> Deal:
    """CRM sync: close the deal known by its CRM id as won or lost. The first update for a
    CRM id names the deal to link it to (`deal`); later ones may leave it out. Repeating an
    update changes nothing (see deal_close); a refused update leaves no link behind."""
    _check_staff(by)
    external_id = (external_id or "").strip()
    if not external_id:
        raise DomainError(_("Enter the CRM id."), field="external_id")
    linked = Deal.objects.filter(external_id=external_id).first()
    if linked is not None:
        if deal is not None and deal.pk != linked.pk:
            raise DomainError(
                _("CRM id %(id)s belongs to %(n)s.") % {"id": external_id, "n": linked.number},
                field="deal",
            )
        deal = linked
    elif deal is None:
        raise DomainError(
            _("No deal has this CRM id yet: name the deal to link it to."), field="deal"
        )
    else:
        deal = _lock(deal)
        if deal.external_id and deal.external_id != external_id:
            raise DomainError(
                _("This deal is linked to CRM id %(id)s.") % {"id": deal.external_id},
                field="deal",
            )
        if not deal.external_id:
            deal.external_id = external_id
            try:
                with transaction.atomic():
                    deal.save(update_fields=["external_id"])
            except IntegrityError:
                raise DomainError(_("Another deal has this CRM id."), field="external_id")
            _event(
                deal,
                "crm_linked",
                _("Linked to CRM id %(id)s.") % {"id": external_id},
                actor=by,
                staff_only=True,
            )
            log_action("deal.crm_linked", obj=deal, after={"external_id": external_id})
    return deal_close(deal=deal, by=by, won=won, amount=amount, closed_at=closed_at, reason=reason)


@transaction.atomic
def metrics_refresh(*, tenant, partner_ids: list[int] | None = None) -> None:
    """Recompute won revenue and won deals (trailing 12 months) for the given partners (or
    all) with one set-based statement."""
    since = timezone.now().date() - datetime.timedelta(days=365)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO partners_partnermetrics (tenant_id, partner_id, won_revenue_12m,
                won_deals_12m, certified_people, health_score, updated_at)
            SELECT p.tenant_id, p.id,
                   COALESCE(SUM(d.won_amount) FILTER (WHERE d.id IS NOT NULL), 0),
                   COUNT(d.id), 0, NULL, now()
            FROM partners_partner p
            LEFT JOIN dealreg_deal d ON d.partner_id = p.id AND d.tenant_id = p.tenant_id
                 AND d.status = 'won' AND d.closed_at >= %(since)s
            WHERE p.tenant_id = %(tenant)s AND (%(all)s OR p.id = ANY(%(ids)s))
            GROUP BY p.tenant_id, p.id
            ON CONFLICT (tenant_id, partner_id) DO UPDATE
               SET won_revenue_12m = EXCLUDED.won_revenue_12m,
                   won_deals_12m = EXCLUDED.won_deals_12m, updated_at = now()
        """,
            {"tenant": tenant.pk, "since": since, "ids": partner_ids or [], "all": not partner_ids},
        )


# --- Extensions, influencers --------------------------------------------------------------


@transaction.atomic
def extension_request(*, deal: Deal, by: Member, reason: str) -> ExtensionRequest:
    _check_partner_member(by, deal)
    deal = _lock(deal)
    if deal.status != DealStatus.APPROVED:
        raise DomainError(_("Only protected deals can be extended."))
    rules = current_rules(deal.tenant)
    if deal.extensions_used >= rules.max_extensions:
        raise DomainError(
            _("This deal has used all %(n)s extensions.") % {"n": rules.max_extensions}
        )
    if not (reason or "").strip():
        raise DomainError(_("Say why you need more time."), field="reason")
    try:
        with transaction.atomic():
            req = ExtensionRequest.objects.create(
                tenant_id=deal.tenant_id, deal=deal, requested_by=by, reason=reason.strip()[:500]
            )
    except IntegrityError:
        raise DomainError(_("An extension request is already waiting."))
    _event(deal, "extension_requested", _("Extension requested: %(r)s") % {"r": reason}, actor=by)
    log_action("deal.extension_requested", obj=deal, after={"reason": reason})
    _mail(
        deal,
        gettext_lazy("A deal extension needs your decision"),
        "dealreg/emails/review.txt",
        _reviewer_emails(deal),
        reason=reason,
    )
    return req


@transaction.atomic
def extension_decide(*, request: ExtensionRequest, by: Member, approve: bool) -> ExtensionRequest:
    _check_staff(by)
    req = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != ExtensionRequest.Status.PENDING:
        raise DomainError(_("This request was already decided."))
    deal = _lock(req.deal)
    rules = current_rules(deal.tenant)
    req.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    req.decided_at, req.decided_by = timezone.now(), by
    req.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        if deal.status != DealStatus.APPROVED or deal.extensions_used >= rules.max_extensions:
            raise DomainError(_("This deal can no longer be extended."))
        before = deal.protected_until
        deal.protected_until = deal.protected_until + datetime.timedelta(days=rules.extension_days)
        deal.extensions_used += 1
        deal.expiry_reminder_sent_at = None
        deal.save(update_fields=["protected_until", "extensions_used", "expiry_reminder_sent_at"])
        _event(
            deal,
            "extended",
            _("Protection extended until %(d)s.") % {"d": deal.protected_until.isoformat()},
            actor=by,
        )
        log_action(
            "deal.extended",
            obj=deal,
            before={"protected_until": before},
            after={"protected_until": deal.protected_until},
        )
    else:
        _event(deal, "extension_rejected", _("Extension request declined."), actor=by)
        log_action("deal.extension_rejected", obj=deal)
    return req


@transaction.atomic
def influencer_add(*, deal: Deal, by: Member, partner: Partner) -> DealInfluencer:
    """Staff add an influencing partner; a partner may ask to be added (pending)."""
    if partner.pk == deal.partner_id:
        raise DomainError(
            _("The sourcing partner cannot also influence its own deal."), field="partner"
        )
    if by.role in STAFF_ROLES:
        status = DealInfluencer.Status.APPROVED
    elif by.role in PARTNER_ROLES and by.partner_id == partner.pk:
        status = DealInfluencer.Status.REQUESTED
    else:
        raise PermissionDenied()
    try:
        with transaction.atomic():
            inf = DealInfluencer.objects.create(
                tenant_id=deal.tenant_id, deal=deal, partner=partner, status=status, added_by=by
            )
    except IntegrityError:
        raise DomainError(_("This partner is already recorded on the deal."), field="partner")
    _event(
        deal,
        "influencer_added",
        _("An influencing partner was added.")
        if status == "approved"
        else _("A partner asked to be recorded as influencer."),
        actor=by,
        staff_only=True,
    )
    log_action("deal.influencer_added", obj=deal, after={"partner": partner.pk, "status": status})
    return inf


@transaction.atomic
def influencer_decide(*, influencer: DealInfluencer, by: Member, approve: bool) -> DealInfluencer:
    _check_staff(by)
    if influencer.status != DealInfluencer.Status.REQUESTED:
        raise DomainError(_("Already decided."))
    influencer.status = (
        DealInfluencer.Status.APPROVED if approve else DealInfluencer.Status.REJECTED
    )
    influencer.save(update_fields=["status"])
    log_action(
        "deal.influencer_" + ("approved" if approve else "rejected"),
        obj=influencer.deal,
        after={"partner": influencer.partner_id},
    )
    return influencer


# --- Sweeps (Celery beat) -----------------------------------------------------------------


@transaction.atomic
def deals_expire(*, tenant, today: datetime.date | None = None) -> int:
    """Approved deals past their protection date become expired (set-based), freeing the
    customer; their timelines and the audit trail say so."""
    today = today or timezone.now().date()
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH expired AS (
                UPDATE dealreg_deal SET status = 'expired'
                WHERE tenant_id = %(t)s AND status = 'approved' AND protected_until < %(d)s
                RETURNING id, partner_id, customer_name, protected_until
            ), outbox AS (
                INSERT INTO prm_outboxevent (tenant_id, event_type, payload)
                SELECT %(t)s, 'deal.expired', jsonb_build_object('deal_id', id, 'partner_id',
                       partner_id, 'status', 'expired', 'customer_name', customer_name,
                       'protected_until', protected_until, 'label',
                       'DR-' || id || ' ' || customer_name, 'path', '/deals/' || id || '/')
                FROM expired
            ), ev AS (
                INSERT INTO dealreg_dealevent (tenant_id, deal_id, at, actor_id, actor_label,
                                               kind, message, staff_only)
                SELECT %(t)s, id, now(), NULL, 'PRM', 'expired',
                       'Protection ended on ' || protected_until || '; the customer is free.',
                       false FROM expired
            )
            INSERT INTO prm_auditevent (tenant_id, actor_id, actor_label, action, object_type,
                object_id, object_label, before, after, ip, user_agent, created_at)
            SELECT %(t)s, NULL, 'deal-expiry', 'deal.expired', 'dealreg.deal', id::text,
                   left('DR-' || id || ' ' || customer_name, 200),
                   '{"status": "approved"}'::jsonb, '{"status": "expired"}'::jsonb,
                   NULL, '', now()
            FROM expired
            RETURNING 1
        """,
            {"t": tenant.pk, "d": today},
        )
        return len(cur.fetchall())


@transaction.atomic
def deals_remind_expiring(*, tenant, today: datetime.date | None = None, days: int = 7) -> int:
    """E-mail partners 7 days before protection ends (once per protection period)."""
    today = today or timezone.now().date()
    due = list(
        Deal.objects.select_related("partner", "tenant").filter(
            status=DealStatus.APPROVED,
            protected_until__lte=today + datetime.timedelta(days=days),
            protected_until__gte=today,
            expiry_reminder_sent_at__isnull=True,
        )
    )
    for deal in due:
        _mail(
            deal,
            gettext_lazy("Deal protection ends soon"),
            "dealreg/emails/expiring.txt",
            _partner_emails(deal),
        )
        _event(
            deal,
            "expiry_reminder",
            _("Reminder sent: protection ends on %(d)s.") % {"d": deal.protected_until.isoformat()},
        )
    Deal.objects.filter(pk__in=[d.pk for d in due]).update(expiry_reminder_sent_at=timezone.now())
    return len(due)


@transaction.atomic
def deals_escalate_overdue(*, tenant, now=None) -> int:
    """Pending deals past the review target: e-mail the admins once; optionally approve
    low-risk ones (no conflicts, within the auto-approve amount)."""
    now = now or timezone.now()
    rules = current_rules(tenant)
    overdue = list(
        Deal.objects.select_related("partner", "tenant").filter(
            status__in=[DealStatus.SUBMITTED, DealStatus.UNDER_REVIEW],
            sla_due_at__lt=now,
            sla_escalated_at__isnull=True,
        )
    )
    admins = list(
        Member.objects.filter(role=Role.ADMIN, is_active=True).values_list("user__email", flat=True)
    )
    for deal in overdue:
        low_risk = (
            not deal.has_conflicts
            and deal.amount is not None
            and deal.amount <= rules.auto_approve_max_amount
            and deal.partner.status == PartnerStatus.ACTIVE
        )
        if rules.auto_approve_on_sla_timeout and low_risk:
            locked = _lock(deal)
            try:
                _approve(
                    locked,
                    by=None,
                    rules=rules,
                    reason=_(
                        "Approved automatically: the review target passed and the deal is low-risk."
                    ),
                )
            except DomainError:
                pass
        else:
            _event(
                deal,
                "sla_escalated",
                _("Review target passed; escalated to the admins."),
                staff_only=True,
            )
            _mail(
                deal,
                gettext_lazy("A deal registration is past its review target"),
                "dealreg/emails/review.txt",
                admins,
                reason=_("Review target passed."),
            )
    Deal.objects.filter(pk__in=[d.pk for d in overdue]).update(sla_escalated_at=now)
    return len(overdue)


# --- Named accounts -----------------------------------------------------------------------


@transaction.atomic
def named_account_upsert(
    *,
    by: Member | None,
    name: str,
    domain: str = "",
    kind: str = "named",
    owner: str = "",
    external_id: str = "",
    is_active: bool = True,
) -> NamedAccount:
    """Create or update (by external id, when given) a named account or direct opportunity."""
    _check_staff(by)
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied()
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the account name."), field="name")
    if kind not in NamedAccount.Kind.values:
        raise DomainError(_("Unknown kind."), field="kind")
    account = None
    if external_id:
        account = NamedAccount.objects.select_for_update().filter(external_id=external_id).first()
    creating = account is None
    account = account or NamedAccount(
        tenant_id=(by.tenant_id if by else None), external_id=external_id
    )
    if creating and by is None:
        from django_scopes import get_scope

        account.tenant = get_scope()["tenant"]
    fields = ("name", "kind", "owner", "is_active", "domain")
    before = None if creating else {f: getattr(account, f) for f in fields}
    account.name, account.kind, account.owner, account.is_active = (
        name[:200],
        kind,
        owner,
        is_active,
    )
    account.domain = registrable_domain(domain)
    if before == {f: getattr(account, f) for f in fields}:
        return account  # a CRM resending the same account: nothing to write or audit
    account.name_normalised = normalise_company_name(name)
    account.name_tokens = name_tokens(account.name_normalised)
    account.save()
    log_action(
        "named_account.created" if creating else "named_account.updated",
        obj=account,
        before=before,
        after={"name": name, "domain": account.domain, "kind": kind, "external_id": external_id},
    )
    return account


@transaction.atomic
def deal_search_filter(q: str) -> Q:
    return Q(customer_name__icontains=q) | Q(customer_domain__icontains=q)
