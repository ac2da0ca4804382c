"""Shared by the deal registration services: the rules in force, locking a deal, its
status moves (checked against dealreg.states.DEAL), timeline, e-mail and field checks."""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealreg import checks
from dealreg.models import (
    Deal,
    DealEvent,
    DealStatus,
    RulesVersion,
)
from dealreg.rules import name_tokens
from dealreg.states import DEAL
from partners import questions
from partners.domains import normalise_company_name
from partners.freemail import freemail_message, is_freemail
from prm import events, notifications
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import PARTNER_ROLES, STAFF_ROLES, Role
from prm.tasks import dispatch

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
    events.emit(
        "rules.published",
        {"rules_version_id": rules.pk, "version": rules.version},
        tenant=rules.tenant_id,
    )
    return rules


# --- Helpers ------------------------------------------------------------------------------


def influencers_changed(deal) -> None:
    """Announce that a registration's influencers changed (added, weighted, decided or
    credited by a claim): their shares of the deal move."""
    events.emit(
        "deal.influencers_changed",
        {"deal_id": deal.pk, "partner_id": deal.partner_id},
        tenant=deal.tenant_id,
    )


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


def _locking(*, skip_locked: bool = False):
    # NO KEY UPDATE: other transactions may still reference this deal from a new match
    # row (FOR KEY SHARE) without waiting, which would otherwise deadlock two
    # registrations for the same customer evaluated at the same moment. The tenant comes
    # along because the rules, e-mails and events of every move read it. skip_locked: rows
    # another transaction holds are left out instead of waited for.
    return Deal.objects.select_for_update(
        of=("self",), no_key=True, skip_locked=skip_locked
    ).select_related("tenant", "partner", "partner__tier")


def _lock(deal: Deal) -> Deal:
    return _locking().get(pk=deal.pk)


def _move(deal: Deal, to: str) -> str:
    """Set the deal's new status, refusing a move its machine (dealreg.states.DEAL) does
    not declare."""
    old = deal.status
    if to not in DEAL.targets(old):
        raise DomainError(
            _("A deal cannot move from %(a)s to %(b)s.")
            % {"a": DealStatus(old).label, "b": DealStatus(to).label},
            field="status",
        )
    deal.status = to
    return old


# --- E-mail about deals -----------------------------------------------------------------
#
# A move only queues its e-mail: dealreg.notify (on the e-mail queue) sends it once the move
# has committed, so a decision never waits for mail (the approvals worker decides, the e-mail
# worker tells people), and a move that is rolled back tells nobody. Each kind: subject,
# template, who is told, and the outbox event the notification belongs to ("" for none).
DEAL_MAILS = {
    "review": (
        gettext_lazy("A deal registration needs your review"),
        "dealreg/emails/review.txt",
        "reviewers",
        "deal.submitted",
    ),
    "extension": (
        gettext_lazy("A deal extension needs your decision"),
        "dealreg/emails/review.txt",
        "reviewers",
        "",
    ),
    "overdue": (
        gettext_lazy("A deal registration is past its review target"),
        "dealreg/emails/review.txt",
        "admins",
        "",
    ),
    "approved": (
        gettext_lazy("Deal registration approved"),
        "dealreg/emails/decision.txt",
        "partner",
        "deal.approved",
    ),
    "rejected": (
        gettext_lazy("Deal registration not approved"),
        "dealreg/emails/decision.txt",
        "partner",
        "deal.rejected",
    ),
    "expiring": (
        gettext_lazy("Deal protection ends soon"),
        "dealreg/emails/expiring.txt",
        "partner",
        "",
    ),
}


def _mail(deal: Deal, kind: str, **ctx) -> None:
    """Queue the `kind` e-mail about `deal` (DEAL_MAILS) for after the commit. `ctx` (the
    reason, approved) goes to the template; its values must be plain strings and booleans."""
    # local: dealreg.tasks imports dealreg.services, which imports this module
    from dealreg import tasks

    DEAL_MAILS[kind]  # an unknown kind fails here, in the move, not later in the worker
    context = {k: v if isinstance(v, bool) else str(v) for k, v in ctx.items()}
    # A mail without an outbox event is made idempotent by this key: a task delivered twice
    # tells nobody twice.
    key = f"deal.{kind}:{deal.pk}:{uuid.uuid4().hex}"
    dispatch(tasks.notify, tenant=deal.tenant, deal_id=deal.pk, kind=kind, context=context, key=key)


def deal_mail_send(*, deal_id: int, kind: str, context: dict, key: str = "") -> dict[str, int]:
    """Send a queued deal e-mail (the dealreg.notify task): through each recipient's
    preferences for the deals group (prm.notifications.notify). Returns how many members got
    each mode; nothing when the deal is gone."""
    subject, template, who, event_type = DEAL_MAILS[kind]
    deal = Deal.objects.select_related("tenant", "partner").filter(pk=deal_id).first()
    if deal is None:
        return {}
    recipients = {
        "partner": _partner_recipients,
        "reviewers": _reviewer_recipients,
        "admins": _admin_recipients,
    }[who](deal)
    if not recipients:
        return {}
    event = notifications.event_for(event_type, deal) if event_type else None
    return notifications.notify(
        recipients,
        group="deals",
        subject=subject,
        template=template,
        context={"deal": deal, **context},
        path=f"/deals/{deal.pk}/",
        kind=event_type or "deal.notice",
        event=event,
        key="" if event is not None else key,
        obj=deal,
    )


def _partner_recipients(deal: Deal) -> list[Member]:
    """The partner's active admins and whoever registered the deal, in one query."""
    who = Q(partner_id=deal.partner_id, role=Role.PARTNER_ADMIN)
    if deal.created_by_id:
        who |= Q(pk=deal.created_by_id)
    return list(Member.objects.filter(who, is_active=True).order_by("pk"))


def _reviewer_recipients(deal: Deal) -> list[Member]:
    """The partner's owner (its channel manager) when active, else every channel manager."""
    if deal.partner.owner_id:
        owner = Member.objects.filter(pk=deal.partner.owner_id, is_active=True).first()
        if owner is not None:
            return [owner]
    return list(Member.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True).order_by("pk"))


def _admin_recipients(deal: Deal) -> list[Member]:
    return list(Member.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))


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
    domain, from_contact = checks.customer_domain(deal.customer_domain_input, deal.contact_email)
    if is_freemail(domain):
        # gmail.com and the like are never the customer's own domain (issue #17).
        if "customer_domain_input" in data:
            raise DomainError(freemail_message(domain), field="customer_domain_input")
        domain = ""
    if from_contact:
        # No website given: the contact's company address names the customer (issue #18);
        # shown in the field from now on, so the partner sees what was used.
        deal.customer_domain_input = domain
    deal.customer_domain = domain
    deal.country = (deal.country or "").upper()
    deal.currency = (deal.currency or deal.tenant.default_currency).upper()


def _validate_for_submit(deal: Deal) -> None:
    errors = checks.submit_problems(
        customer_name=deal.customer_name_normalised,
        customer_domain=deal.customer_domain,
        amount=deal.amount,
        expected_close_date=deal.expected_close_date,
        today=timezone.now().date(),
    )
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

    if not questions.ask("partner.campaign_code_usable", partner_id=deal.partner_id, code=code):
        raise DomainError(
            _("This is not a campaign code of one of your approved MDF activities."),
            field="mdf_campaign_code",
        )
