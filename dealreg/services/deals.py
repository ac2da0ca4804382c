"""Registering, deciding, withdrawing and closing deals (and the CRM sync that closes
them). Every move is checked against dealreg.states.DEAL."""

from __future__ import annotations

import datetime
import logging
import time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealreg import conflicts
from dealreg.models import (
    Deal,
    DealMatch,
    DealProduct,
    DealStatus,
    RulesVersion,
)
from dealreg.rules import RuleInput, decide
from dealreg.services._common import (
    _apply_fields,
    _check_campaign_code,
    _check_partner_member,
    _check_staff,
    _event,
    _lock,
    _locking,
    _mail,
    _move,
    _validate_for_submit,
    current_rules,
)
from dealreg.states import DEAL, require_may
from partners import questions
from partners import services as partner_services
from partners.models import Partner, PartnerStatus
from prm import events
from prm.audit import log_action
from prm.errors import DomainError, limited
from prm.models import Member
from prm.tasks import dispatch

log = logging.getLogger(__name__)

# --- Registering --------------------------------------------------------------------------


@transaction.atomic
def deal_save(
    *, by: Member, data: dict, products=None, deal: Deal | None = None, submit: bool = False
) -> Deal:
    """Create or edit a draft (partner roles, own company); with submit=True, submit it."""
    if deal is None:
        _check_partner_member(by)
    else:
        require_may(DEAL, deal, by, "edit")
    partner = Partner.objects.get(pk=by.partner_id)
    if deal is None:
        deal = Deal(tenant_id=by.tenant_id, partner=partner, created_by=by)
        deal.tenant = by.tenant
        creating = True
    else:
        deal = _lock(deal)
        creating = False
        DEAL.check(deal, by, "edit")
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
    require_may(DEAL, deal, by, "submit")
    deal = _lock(deal)
    DEAL.check(deal, by, "submit")
    _validate_for_submit(deal)
    partner = deal.partner
    if partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING):
        raise DomainError(
            _("Your partner account is %(s)s; registrations are paused.")
            % {"s": partner.get_status_display().lower()}
        )

    if not questions.ask("partner.may_register_deals", partner=partner):
        raise DomainError(_("Accept the current partner agreement before registering deals."))
    _move(deal, DealStatus.SUBMITTED)
    rules = current_rules(deal.tenant)
    now = timezone.now()
    deal.submitted_at = now
    deal.sla_due_at = now + datetime.timedelta(hours=rules.review_sla_hours)
    deal.save(update_fields=["status", "submitted_at", "sla_due_at"])
    if partner.first_deal_at is None:
        # partners records it and emits partner.first_deal_recorded (onboarding reacts).
        partner_services.partner_first_deal_record(partner=partner, deal_id=deal.pk, at=now)
    _event(deal, "submitted", _("Submitted for approval."), actor=by)
    log_action(
        "deal.submitted", obj=deal, before={"status": "draft"}, after={"status": "submitted"}
    )
    events.emit("deal.submitted", deal)
    # local: dealreg.tasks imports dealreg.services.leads, which imports this module
    from dealreg import tasks

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
    return _decide(deal)


def _decide(deal: Deal) -> Deal:
    """The rules' decision on a locked, submitted deal."""
    rules = current_rules(deal.tenant)
    matches = _store_matches(deal, rules, save=False)

    decision = decide(
        rules,
        RuleInput(
            partner_active=deal.partner.status == PartnerStatus.ACTIVE,
            partner_tier_id=deal.partner.tier_id,
            agreement_current=questions.ask("partner.agreement_current", partner=deal.partner),
            amount=deal.amount,
            match_kinds=frozenset(m.kind for m in matches),
        ),
    )
    deal.rules_version = rules
    fields = ["rules_version", "has_conflicts"]
    if decision.outcome != "review":  # else saved with the move to review, in one UPDATE
        deal.save(update_fields=fields)
        fields = []
    if decision.outcome == "approve":
        try:
            return deal_approve_locked(deal, by=None, reason=decision.reason, rules=rules)
        except DomainError as exc:
            # Lost the race for this customer (the database refused a second approval):
            # a person decides, with the reason on the timeline.
            decision = type(decision)("review", exc.message)
    if decision.outcome == "reject":
        return _reject(deal, by=None, reason=decision.reason, rules=rules)
    _move(deal, DealStatus.UNDER_REVIEW)
    deal.save(update_fields=[*fields, "status"])
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
    _mail(deal, "review", reason=decision.reason)
    return deal


# A burst of registrations (a CRM import, an API client sending a batch) queues one task
# each; the first of them decides the deal it names and then the registrations waiting
# behind it, oldest submission first, each in its own savepoint of one transaction. The
# tasks of the deals it decided find them decided and only look for more. At most
# EVALUATE_BATCH decisions, or EVALUATE_BATCH_SECONDS, per transaction: decisions become
# visible at its commit.
EVALUATE_BATCH = 50
EVALUATE_BATCH_SECONDS = 1.0
EVALUATE_CHUNK = 10  # waiting registrations locked per query
# Only registrations submitted this recently are "waiting behind" a task: an older one still
# submitted lost its task on the way (broker down at its commit) and is re-queued on its own
# by the sweep (tasks.sweep_pending).
EVALUATE_WINDOW = datetime.timedelta(minutes=15)


def deals_evaluate_queued(
    *, deal_id: int, limit: int = EVALUATE_BATCH, seconds: float = EVALUATE_BATCH_SECONDS
) -> list[Deal]:
    """Run the rules on `deal_id` (exactly as deal_evaluate), then on the submitted
    registrations still waiting (submitted in the last EVALUATE_WINDOW), oldest first,
    until `limit` decisions or `seconds` have passed. The decisions are made one after
    another in one transaction, so each sees the ones before it (first in wins, with the
    same explanations as one task per deal). Rows another worker holds are skipped (it
    decides them). One registration the rules cannot process (an error) is rolled back
    alone and left to its own task. Returns the deals decided here (none when `deal_id` was
    already decided and nothing else waits)."""
    deadline = time.monotonic() + seconds
    recent = timezone.now() - EVALUATE_WINDOW
    decided: list[Deal] = []
    tried: set[int] = {deal_id}
    with transaction.atomic():
        first = _locking().filter(pk=deal_id).first()
        if first is not None and first.status == DealStatus.SUBMITTED:
            decided.append(_decide(first))
        while len(decided) < limit and time.monotonic() < deadline:
            # The next few waiting registrations, locked (rows another worker holds are
            # skipped), with what _decide reads of them.
            waiting = list(
                _locking(skip_locked=True)
                .filter(status=DealStatus.SUBMITTED, submitted_at__gte=recent)
                .exclude(pk__in=tried)
                .order_by("submitted_at", "pk")[: min(EVALUATE_CHUNK, limit - len(decided))]
            )
            if not waiting:
                break
            for deal in waiting:
                if len(decided) >= limit or time.monotonic() >= deadline:
                    break
                tried.add(deal.pk)
                try:
                    with transaction.atomic():
                        decided.append(_decide(deal))
                except Exception:  # noqa: BLE001 - rolled back alone; its own task retries it
                    log.exception("deal %s: evaluation failed in a batch", deal.pk)
    return decided


def _store_matches(deal: Deal, rules: RulesVersion, *, save: bool = True) -> list[DealMatch]:
    """Replace the deal's stored matches with what detection finds now; `has_conflicts`
    follows (saved here unless the caller saves it with its own fields, save=False)."""
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
        if save:
            deal.save(update_fields=["has_conflicts"])
    return rows


@transaction.atomic
def deal_recheck(*, deal: Deal, by: Member) -> list[DealMatch]:
    """Re-run conflict detection at review time."""
    require_may(DEAL, deal, by, "recheck")
    deal = _lock(deal)
    DEAL.check(deal, by, "recheck")
    return _store_matches(deal, current_rules(deal.tenant))


def _protection_days(deal: Deal, rules: RulesVersion) -> int:
    tier = deal.partner.tier
    if rules.use_tier_protection_days and tier is not None:
        return tier.protection_days
    return rules.default_protection_days


def deal_approve_locked(deal: Deal, *, by: Member | None, reason: str, rules: RulesVersion) -> Deal:
    """Approve a locked deal: a person (by), or the rules engine and its sweeps (None)."""
    DEAL.check(deal, by, "approve")
    old = _move(deal, DealStatus.APPROVED)
    now = timezone.now()
    deal.decided_at, deal.decided_by = now, by
    deal.decision_reason = reason[:500] if by is None else limited(reason, 500, "reason")
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
    _mail(deal, "approved", approved=True, reason=reason)
    return deal


def _reject(deal: Deal, *, by: Member | None, reason: str, rules: RulesVersion) -> Deal:
    DEAL.check(deal, by, "reject")
    old = _move(deal, DealStatus.REJECTED)
    deal.decided_at, deal.decided_by = timezone.now(), by
    deal.decision_reason = reason[:500] if by is None else limited(reason, 500, "reason")
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
    _mail(deal, "rejected", approved=False, reason=reason)
    return deal


@transaction.atomic
def deal_approve(*, deal: Deal, by: Member, reason: str = "") -> Deal:
    require_may(DEAL, deal, by, "approve")
    deal = _lock(deal)
    rules = current_rules(deal.tenant)
    return deal_approve_locked(
        deal, by=by, reason=reason or _("Approved after review."), rules=rules
    )


@transaction.atomic
def deal_reject(*, deal: Deal, by: Member, reason: str) -> Deal:
    require_may(DEAL, deal, by, "reject")
    if not (reason or "").strip():
        raise DomainError(_("Give the partner a reason."), field="reason")
    deal = _lock(deal)
    return _reject(deal, by=by, reason=reason.strip(), rules=current_rules(deal.tenant))


@transaction.atomic
def deal_withdraw(*, deal: Deal, by: Member, reason: str = "") -> Deal:
    require_may(DEAL, deal, by, "withdraw")
    deal = _lock(deal)
    DEAL.check(deal, by, "withdraw")
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
    name = "win" if won else "lose"
    require_may(DEAL, deal, by, name)
    deal = _lock(deal)
    if deal.status in (DealStatus.WON, DealStatus.LOST):
        same = (deal.status == DealStatus.WON) == won
        if same and (not won or amount is None or deal.won_amount == amount):
            return deal  # idempotent repeat (e.g. a CRM resending the same update)
    if won and (amount is None or amount < 0):
        raise DomainError(_("Enter the final amount."), field="amount")
    if not won and not (reason or "").strip():
        raise DomainError(_("Give the reason the deal was lost."), field="reason")
    DEAL.check(deal, by, name)
    old = _move(deal, DealStatus.WON if won else DealStatus.LOST)
    deal.closed_at = closed_at or timezone.now().date()
    fields = ["status", "closed_at"]
    if won:
        deal.won_amount = amount
        fields.append("won_amount")
    else:
        deal.lost_reason = limited(reason.strip(), 500, "reason")
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
    partner_services.metrics_upsert(
        tenant=tenant,
        columns=["won_revenue_12m", "won_deals_12m"],
        source_sql="""
            SELECT p.id, COALESCE(SUM(d.won_amount), 0), COUNT(d.id)
            FROM partners_partner p
            LEFT JOIN dealreg_deal d ON d.partner_id = p.id AND d.tenant_id = p.tenant_id
                 AND d.status = 'won' AND d.closed_at >= %(since)s
            WHERE p.tenant_id = %(tenant)s AND (%(all)s OR p.id = ANY(%(ids)s))
            GROUP BY p.id
        """,
        params={
            "tenant": tenant.pk,
            "since": since,
            "ids": partner_ids or [],
            "all": not partner_ids,
        },
    )
