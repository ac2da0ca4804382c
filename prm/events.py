"""Domain events: the one catalogue, and `emit()`, the one way an app reacts to another.

A service that changes something other apps may care about calls
`events.emit(event_type, payload_or_instance, **extra)` inside its own transaction, next to
`log_action()`. `emit()` does two things:

1. It runs the in-process subscribers of that event type, synchronously, in the caller's
   transaction and tenant context. Apps register them in `AppConfig.ready()` with
   `events.subscribe("partner.status_changed", handler)`; a handler takes one `Event`
   (type, tenant_id, payload, subject). Because it runs inside the emitting transaction, a
   reaction (completing an onboarding step, enrolling people) commits or rolls back with the
   change that caused it, and an exception in a handler aborts the whole change. Handlers
   must therefore be quick and touch only their own app's rows (through their own services);
   slow work is queued with `prm.tasks.dispatch` / `transaction.on_commit`.
2. For a public event (`EVENTS`: webhooks and notifications) it writes one row to the outbox.
   Nothing talks to Redis here: the relay (`integrations.relay`, run by Celery beat every
   10 s) picks committed rows up, so an event is never lost when the broker or every worker
   is down at commit time. After the commit, the hooks registered with `on_outbox_commit`
   (the relay's "run now for this tenant") are called; the core knows nothing else of them.

The catalogue has two parts, and every event type is declared exactly once:

- `EVENTS`: public events (outbox, webhooks, notifications; listed in docs/webhooks.md).
  Their payload is `payload_of(instance)` (see `PAYLOADS`) plus the emitter's extra keys.
- `INTERNAL_EVENTS`: in-process only, never written to the outbox, never offered to webhook
  endpoints. Each declares its payload keys; `emit()` refuses a payload missing one.

Unknown event types raise (in `emit()` and in `subscribe()`), so a typo cannot create an
event nobody hears. Dependencies point one way (prm <- partners <- onboarding, training,
dealreg, mdf <- analytics): a lower app never imports a higher one; it emits, and the higher
app subscribes. No model `post_save` receivers are used for business reactions.

Set-based services (deal expiry, tier evaluation) insert into `prm_outboxevent` with
INSERT ... SELECT instead (`outbox_sql`); `event_id` and `created_at` have database defaults.
Such set-based events run no in-process subscribers.

Payloads carry ids and the facts a receiver needs (status, amounts as strings with their
currency, ISO 8601 dates); `partner_id` names the partner the event concerns, which is how
notifications find their recipients.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm import history
from prm.models import OutboxEvent

# event type -> (group, audience, human title). Audience "staff" notifies admins and channel
# managers; "partner" notifies the members of payload["partner_id"]; "none" makes no
# notification in the relay because the emitting service tells exactly the people concerned
# itself (prm.notifications.notify with the event): a submitted deal its reviewers when it
# needs a review (not every admin and manager for every automatic decision), a decision the
# partner's admins and the person who registered the deal (not every partner user).
EVENTS: dict[str, tuple[str, str, Any]] = {
    "deal.submitted": ("deals", "none", _("Deal registration submitted")),
    "deal.approved": ("deals", "none", _("Deal registration approved")),
    "deal.rejected": ("deals", "none", _("Deal registration rejected")),
    "deal.expired": ("deals", "partner", _("Deal protection expired")),
    "deal.won": ("deals", "partner", _("Deal closed won")),
    "deal.lost": ("deals", "partner", _("Deal closed lost")),
    "lead.assigned": ("leads", "partner", _("A lead was offered to you")),
    "mdf.request.approved": ("mdf", "partner", _("Fund request approved")),
    "mdf.request.rejected": ("mdf", "partner", _("Fund request rejected")),
    "mdf.request.returned": ("mdf", "partner", _("Fund request returned for changes")),
    "mdf.claim.approved": ("mdf", "partner", _("Claim approved")),
    "mdf.claim.rejected": ("mdf", "partner", _("Claim rejected")),
    "mdf.claim.info_requested": ("mdf", "partner", _("More information requested on a claim")),
    "mdf.claim.paid": ("mdf", "partner", _("Claim paid")),
    "partner.status_changed": ("partners", "partner", _("Partner status changed")),
    "partner.tier_changed": ("partners", "partner", _("Partner tier changed")),
    # Audience "manager": the partner's channel manager (payload["manager_id"]), else admins.
    "partner.health_at_risk": ("health", "manager", _("Partner at risk")),
    "certification.earned": ("training", "partner", _("Certification earned")),
    "certification.expired": ("training", "partner", _("Certification expired")),
    "application.received": ("applications", "staff", _("Partner application received")),
    # accountmap's overlap computation, once per partner and run with new overlaps: for the
    # vendor's webhook endpoints (staff); in the portal the reps concerned are told by the
    # people mapping (the internal accountmap.overlaps_found), so the relay notifies no one.
    "account.overlaps_found": ("accounts", "none", _("New account overlaps found")),
    # Shared opportunities (cosell.services tells the people concerned: the mentioned, the
    # task's owner, the invited partner's people).
    "cosell.participant_added": ("cosell", "none", _("Added to a shared opportunity")),
    "cosell.comment_added": ("cosell", "none", _("Comment on a shared opportunity")),
    "cosell.task_assigned": ("cosell", "none", _("Task assigned on a shared opportunity")),
    "cosell.task_done": ("cosell", "none", _("Task done on a shared opportunity")),
    # incentives: an earning line written, approved (its payout amount locked), reversed or
    # clawed back (the deal was lost after it was won).
    "earning.created": ("incentives", "partner", _("Earning recorded")),
    "earning.approved": ("incentives", "partner", _("Earning approved")),
    "earning.reversed": ("incentives", "partner", _("Earning reversed")),
    # A payout batch was paid: one event per partner paid (incentives.services.payouts tells
    # the partner's admins itself, so the relay notifies no one).
    "payout.paid": ("incentives", "none", _("Payout paid")),
    # Joint business plans: the service tells the other side itself (audience "none").
    "jointplan.proposed": ("jointplans", "none", _("Joint business plan proposed")),
    "jointplan.signature_added": ("jointplans", "none", _("Joint business plan half signed")),
    "jointplan.signed": ("jointplans", "none", _("Joint business plan signed")),
    "jointplan.reopened": ("jointplans", "none", _("Joint business plan changed after signing")),
    "jointplan.withdrawn": ("jointplans", "none", _("Joint business plan back to draft")),
    "jointplan.activated": ("jointplans", "none", _("Joint business plan started")),
    "jointplan.closed": ("jointplans", "none", _("Joint business plan closed")),
    # Marketing: an asset published (marketing.services tells the partner people it is for).
    "asset.published": ("marketing", "none", _("New marketing asset")),
    # Marketing: a partner launched a campaign kit (its code, landing page and links are live).
    "campaign.launched": ("marketing", "staff", _("Campaign launched")),
    # Marketing: a campaign's e-mail sequence to the partner's own contacts started, and
    # finished (every subscribed contact got every step); a contact unsubscribed (its
    # partner's suppression list; no e-mail address in the payload).
    "campaign.sequence_started": ("marketing", "none", _("Campaign e-mails started")),
    "campaign.sequence_finished": ("marketing", "none", _("Campaign e-mails finished")),
    "campaign_contact.unsubscribed": (
        "marketing",
        "none",
        _("Campaign contact unsubscribed"),
    ),
    # A contact's address bounced for good (refused when sending, or reported by the mail
    # provider): suppressed for every partner holding it; no address in the payload.
    "campaign_contact.bounced": ("marketing", "none", _("Campaign contact bounced")),
    # Community (issue #23): community.services tells the people concerned (an announcement's
    # audience, a question's followers, the person who registered).
    "announcement.published": ("community", "none", _("New announcement")),
    "question.answered": ("community", "none", _("New answer to a question you follow")),
    "event.registered": ("community", "none", _("Registered for an event")),
    # The partner locator: a partner's public profile went live (a vendor site may mirror it).
    "profile.published": ("locator", "none", _("Partner profile published")),
    # A company a partner referred became an active partner: the referrer's people are told.
    "referral.activated": ("locator", "partner", _("Your referral is now an active partner")),
}
EVENT_TYPES = tuple(EVENTS)

# Internal event type -> the payload keys its emitter must supply (the emitting service).
INTERNAL_EVENTS: dict[str, tuple[str, ...]] = {
    # partners.services.partner_update; `fields`: the changed field names.
    "partner.profile_updated": ("partner_id", "fields"),
    # partners.services.partner_first_deal_record (the first deal a partner submitted).
    "partner.first_deal_recorded": ("partner_id", "deal_id"),
    # prm.services.member_add (new or re-joining person; also a move to another partner).
    "member.joined": ("member_id", "partner_id", "role", "previous_partner_id"),
    # prm.services.member_change_role / member_set_active; `fields`: the changed fields.
    "member.changed": ("member_id", "partner_id", "fields"),
    # training.services.learning (a course's requirements met for the first time this cycle).
    "course.completed": ("enrollment_id", "course_id", "course_code", "member_id", "partner_id"),
    # dealreg.services.rules_publish (a new version of the rules of engagement).
    "rules.published": ("rules_version_id", "version"),
    # accountmap overlap computation: the overlaps found for one partner in one run that
    # did not exist before (new accounts on either side, or changed names and domains).
    "accountmap.overlaps_found": ("partner_id", "overlap_ids"),
    # partners.tiering (set-based tier evaluation, which writes its partner.tier_changed
    # events straight to the outbox): the partners it moved and the tiers they left or joined.
    "partner.tiers_evaluated": ("partner_ids", "tier_ids"),
    # Partner-to-partner referrals (issue #23): a partner another partner referred became
    # active; incentives pays the referrer's reward (incentives.services.partner_referral_reward).
    "partner.referral_activated": ("referrer_partner_id", "referred_partner_id"),
    # dealreg.services.direct_deal_upsert: one of the vendor's direct deals became won, or a
    # won one is no longer won (closed lost, or reopened by the CRM: `status` says which).
    # incentives pays (and takes back) its influencers' commission.
    "direct_deal.won": ("direct_deal_id", "status", "closed_at"),
    # dealreg: a registration's influencers changed (added, weighted, approved or rejected,
    # credited by an influence claim): every influencer's share of a won deal moves.
    "deal.influencers_changed": ("deal_id", "partner_id"),
    # dealreg: a direct deal's influencers changed (the CRM's list, a credited claim);
    # `partner_ids`: those before and after the change.
    "direct_deal.influencers_changed": ("direct_deal_id", "partner_ids"),
    "direct_deal.lost": ("direct_deal_id", "status", "closed_at"),
}

GROUPS: dict[str, Any] = {
    "deals": _("Deal registrations"),
    "leads": _("Leads"),
    "mdf": _("Market development funds"),
    "partners": _("Partner status and tier"),
    "health": _("Partner health"),
    "training": _("Certifications"),
    "applications": _("Partner applications"),
    # Account mapping: new overlaps (webhooks), introductions to a vendor account's owner
    # (accountmap.sharing) and overlapping open opportunities to co-sell
    # (accountmap.people_notify), one group since accountmap 0005 merged the three.
    "accounts": _("Accounts and overlaps"),
    "cosell": _("Shared opportunities"),
    "incentives": _("Earnings"),
    "jointplans": _("Joint business plans"),
    "marketing": _("Marketing assets"),
    "community": _("Community: announcements, questions and events"),
    "locator": _("Partner locator"),
    # Groups of e-mails that are not webhook events (prm.notifications.notify):
    "onboarding": _("Onboarding steps and agreements"),
    # The daily summary itself: "off" stops it; any other choice keeps it.
    "digest": _("Daily summary e-mail"),
}


def group_of(event_type: str) -> str:
    return EVENTS[event_type][0]


def jsonable(payload: dict) -> dict:
    """Decimals, dates, UUIDs and lazy strings as JSON values (Decimal -> string)."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def money(amount, currency: str) -> str:
    """An amount with its currency for a label ("USD 12,500.00"); empty without an amount."""
    if amount is None or amount == "":
        return ""
    return f"{currency} {amount:,.2f}".strip()


def label_join(*parts) -> str:
    """A label from its parts (number and customer, partner, amount), empty parts left out."""
    return " · ".join(str(p) for p in parts if p)


# The object each public event is about: event type prefix -> model label (a key of
# PAYLOADS). Notifications keep the object's type and id so their link can be checked
# against what the member may see when it is opened.
EVENT_OBJECTS: dict[str, str] = {
    "deal.": "dealreg.deal",
    "lead.": "dealreg.leadoffer",
    "mdf.request.": "mdf.fundrequest",
    "mdf.claim.": "mdf.claim",
    "partner.": "partners.partner",
    "certification.": "training.certificate",
    "application.": "onboarding.application",
    "cosell.": "cosell.sharedopportunity",
    "earning.": "incentives.earning",
    "payout.": "incentives.payoutline",
    "jointplan.": "jointplans.jointplan",
    "asset.": "marketing.asset",
    "campaign.": "marketing.campaign",
    "campaign_contact.": "marketing.campaigncontact",
    "announcement.": "community.announcement",
    "question.": "community.question",
    "event.": "community.event",
    "profile.": "locator.publicprofile",
}


def object_type_of(event_type: str) -> str:
    """The model label an event type is about ("" when none is declared)."""
    for prefix, label in EVENT_OBJECTS.items():
        if event_type.startswith(prefix):
            return label
    return ""


# Model label -> (id key, fields, label, portal path). Missing fields are skipped, so the
# payload follows the model without breaking when a field is renamed elsewhere.
PAYLOADS: dict[str, tuple[str, tuple[str, ...], Any, Any]] = {
    "dealreg.deal": (
        "deal_id",
        (
            "partner_id", "status", "customer_name", "customer_domain", "amount", "currency",
            "expected_close_date", "protected_until", "decision_reason", "won_amount",
            "closed_at", "lost_reason", "external_id",
        ),
        lambda o: label_join(
            f"DR-{o.pk} {o.customer_name}", o.partner.name, money(o.amount, o.currency)
        ),
        lambda o: f"/deals/{o.pk}/",
    ),
    "dealreg.leadoffer": (
        "offer_id",
        ("lead_id", "partner_id", "status", "score", "respond_by"),
        lambda o: o.lead.company,
        lambda o: "/leads/inbox/",
    ),
    "mdf.fundrequest": (
        "request_id",
        (
            "partner_id", "program_id", "status", "title", "activity_type", "requested_amount",
            "approved_amount", "currency", "decision_reason",
        ),
        lambda o: label_join(
            o.title,
            o.partner.name,
            money(o.approved_amount or o.requested_amount, o.program.currency),
        ),
        lambda o: f"/mdf/requests/{o.pk}/",
    ),
    "mdf.claim": (
        "claim_id",
        (
            "partner_id", "request_id", "status", "amount_claimed", "approved_amount",
            "currency", "payment_reference", "paid_on", "decision_reason",
        ),
        lambda o: label_join(o.request.title, o.partner.name, money(o.amount_claimed, o.currency)),
        lambda o: f"/mdf/claims/{o.pk}/",
    ),
    "partners.partner": (
        "partner_id",
        ("name", "status", "status_reason", "tier_id", "partner_type"),
        lambda o: o.name,
        lambda o: "/company/",
    ),
    "training.certificate": (
        "certificate_id",
        (
            "certification_id", "member_id", "holder_name", "status", "issued_at",
            "expires_at", "renewals",
        ),
        lambda o: f"{o.certification.name}: {o.holder_name}",
        lambda o: "/learning/certificates/",
    ),
    "onboarding.application": (
        "application_id",
        ("company_name", "partner_type", "country", "status", "fit_score", "website"),
        lambda o: o.company_name,
        lambda o: f"/applications/{o.pk}/",
    ),
    "cosell.sharedopportunity": (
        "opportunity_id",
        ("partner_id", "deal_id", "direct_deal_id", "status", "title"),
        lambda o: label_join(o.title, o.source_label),
        lambda o: f"/shared/{o.pk}/",
    ),
    "incentives.earning": (
        "earning_id",
        (
            "partner_id", "program_id", "version_id", "kind", "role", "status", "deal_id",
            "amount", "currency", "payout_amount", "payout_currency", "fx_rate", "earned_on",
            "hold_until", "reversal_reason",
        ),
        lambda o: label_join(
            f"E-{o.pk} {o.get_kind_display()}", o.partner.name, money(o.amount, o.currency)
        ),
        lambda o: f"/incentives/earnings/{o.pk}/",
    ),
    "incentives.payoutline": (
        "payout_id",
        ("partner_id", "batch_id", "amount", "currency"),
        lambda o: label_join(o.batch.number, o.partner.name, money(o.amount, o.currency)),
        lambda o: f"/earnings/payouts/{o.pk}/",
    ),
    "jointplans.jointplan": (
        "plan_id",
        (
            "partner_id", "status", "title", "period_kind", "start_date", "end_date",
            "review_date", "vendor_signed_at", "partner_signed_at", "closed_at",
        ),
        lambda o: label_join(o.title, o.partner.name),
        lambda o: f"/plans/{o.pk}/",
    ),
    "marketing.asset": (
        "asset_id",
        (
            "title", "kind", "status", "language", "product_name", "partner_types", "tags",
            "published_at", "expires_on",
        ),
        lambda o: o.title,
        lambda o: f"/marketing/assets/{o.pk}/",
    ),
    "marketing.campaign": (
        "campaign_id",
        ("partner_id", "kit_id", "code", "launched_at", "sequence_status"),
        lambda o: label_join(o.kit.name, o.partner.name, o.code),
        lambda o: f"/marketing/campaigns/{o.pk}/",
    ),
    "marketing.campaigncontact": (
        "contact_id",
        ("campaign_id", "partner_id", "status", "unsubscribed_at"),
        lambda o: o.campaign.code,
        lambda o: f"/marketing/campaigns/{o.campaign_id}/contacts/",
    ),
    "community.announcement": (
        "announcement_id",
        (
            "title", "kind", "roadmap_status", "quarter", "status", "published_at", "expires_at",
            "partner_types", "tier_ids", "languages",
        ),
        lambda o: o.title,
        lambda o: f"/community/announcements/{o.pk}/",
    ),
    "community.question": (
        "question_id",
        ("title", "tags", "answer_count", "accepted_answer_id", "locked", "created_at"),
        lambda o: o.title,
        lambda o: f"/community/questions/{o.pk}/",
    ),
    "community.event": (
        "event_id",
        ("title", "kind", "status", "starts_at", "ends_at", "timezone", "capacity"),
        lambda o: label_join(o.title, o.starts_at.date().isoformat()),
        lambda o: f"/community/events/{o.pk}/",
    ),
    "locator.publicprofile": (
        "profile_id",
        ("partner_id", "slug", "status", "published_at"),
        lambda o: o.partner.name,
        lambda o: "/locator/profile/",
    ),
    # `partner_id` is the referrer (whose people are told); the partner the referral became
    # is for the vendor's endpoints (the referrer's page shows only the status).
    "locator.referral": (
        "referral_id",
        ("partner_id", "company_name", "referred_partner_id", "applied_at", "activated_at"),
        lambda o: o.company_name,
        lambda o: "/locator/referrals/",
    ),
}  # fmt: skip

_MISSING = object()


def payload_of(obj) -> dict:
    """The event payload for a model instance (PAYLOADS, or ids and a label by default)."""
    spec = PAYLOADS.get(obj._meta.label_lower)
    if spec is None:
        out = {"object_type": obj._meta.label_lower, "id": obj.pk, "label": str(obj)[:200]}
        partner_id = getattr(obj, "partner_id", None)
        if partner_id is not None:
            out["partner_id"] = partner_id
        return out
    id_key, fields, label, path = spec
    out = {id_key: obj.pk}
    for name in fields:
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            out[name] = value
    out["label"] = str(label(obj))[:200]
    out["path"] = path(obj)
    return out


@dataclass(frozen=True)
class Event:
    """What a subscriber receives. `payload` is the JSON-ready payload (ids, not objects);
    `subject` is the model instance the emitter passed (None when it passed a dict)."""

    type: str
    tenant_id: int | None
    payload: dict
    subject: Any = field(default=None, compare=False)


Handler = Callable[[Event], None]
_SUBSCRIBERS: dict[str, list[Handler]] = {}


def _check_known(event_type: str) -> None:
    if event_type not in EVENTS and event_type not in INTERNAL_EVENTS:
        raise ValueError(
            f"unknown event type {event_type!r}; add it to prm.events.EVENTS (public) or "
            "prm.events.INTERNAL_EVENTS (in-process only)"
        )


def subscribe(event_type: str, handler: Handler) -> None:
    """Run `handler(event)` whenever `event_type` is emitted (call from AppConfig.ready();
    registering the same handler twice keeps one)."""
    _check_known(event_type)
    handlers = _SUBSCRIBERS.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def subscribers(event_type: str) -> tuple[Handler, ...]:
    return tuple(_SUBSCRIBERS.get(event_type, ()))


def emit(event_type: str, payload, tenant=None, **extra) -> None:
    """Publish one event in the caller's transaction: run its subscribers, and write it to
    the outbox when it is public.

    `payload` is a dict or a model instance (then `payload_of()` builds it and the tenant is
    the instance's); `extra` keys are added to it. Precondition: inside
    `tenant_context(tenant)` (RLS refuses rows of another tenant). Unknown event types, and
    internal events missing a declared payload key, raise.
    """
    _check_known(event_type)
    subject = None
    if not isinstance(payload, dict):
        subject = payload
        tenant = tenant if tenant is not None else payload.tenant_id
        payload = payload_of(payload)
    tenant_id = getattr(tenant, "pk", tenant)
    data = jsonable({**payload, **extra})
    if history.is_history():
        data[history.HISTORY_KEY] = True
    missing = set(INTERNAL_EVENTS.get(event_type, ())) - set(data)
    if missing:
        raise ValueError(f"{event_type} needs payload keys {sorted(missing)}")
    if event_type in EVENTS:
        OutboxEvent.objects.create(tenant_id=tenant_id, event_type=event_type, payload=data)
        transaction.on_commit(lambda: outbox_committed(tenant_id))
    event = Event(type=event_type, tenant_id=tenant_id, payload=data, subject=subject)
    for handler in subscribers(event_type):
        handler(event)


OutboxHook = Callable[[int], None]
_OUTBOX_HOOKS: list[OutboxHook] = []


def on_outbox_commit(hook: OutboxHook) -> None:
    """Register `hook(tenant_id)`, called after each commit that wrote outbox rows through
    `emit()` (the integrations app's relay registers itself here in its `ready()`). A hook
    must not raise: the change has already committed."""
    if hook not in _OUTBOX_HOOKS:
        _OUTBOX_HOOKS.append(hook)


def outbox_committed(tenant_id: int) -> None:
    for hook in _OUTBOX_HOOKS:
        hook(tenant_id)


def outbox_sql(event_type: str, payload_sql: str, source: str) -> str:
    """SQL that inserts one outbox row per row of `source` (a CTE or table name), for
    set-based services. `payload_sql` is a jsonb expression over the source's columns; the
    tenant is the transaction's tenant (the RLS setting)."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown event type {event_type!r}")
    # event_type is from the catalogue; payload_sql and source are code, never input.
    return (
        "INSERT INTO prm_outboxevent (tenant_id, event_type, payload) "  # noqa: S608
        "SELECT NULLIF(current_setting('prm.tenant_id', true), '')::bigint, "
        f"'{event_type}', {payload_sql} FROM {source}"
    )


def ready() -> None:
    """The capability and menu entry of notifications (called from PrmConfig.ready). Webhooks
    register theirs in the integrations app."""
    # local: prm.notifications imports this module at load time
    from prm import context_processors, notifications, roles  # noqa: F401 (tasks)

    roles.register({"notifications.use": set(roles.ALL_ROLES)})
    context_processors.NAV.append(
        context_processors.NavEntry(
            "account", 20, _("Notifications"), "notification-list", "notifications.use"
        )
    )
