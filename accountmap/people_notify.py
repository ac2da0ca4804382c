"""Telling reps of new overlaps on open opportunities.

The overlap computation emits `accountmap.overlaps_found` (partner_id, overlap_ids) for the
overlaps that are new; `on_overlaps_found` queues `people_notify_overlaps_batch`, whose service
`overlaps_notify` tells, for each overlap where either side's account is an open
opportunity, the reps of both sides (once per overlap: `OverlapNotice` records it).

What each rep hears follows the other side's sharing level for that overlap, so a notice
never shows what the other side did not share:
- hidden: nothing (the rep is not told; their side may not even count such overlaps);
- counts: that their own account overlaps an account of the other side, no name of the
  partner and no contact;
- overlaps / all: the partner (for a vendor rep), and the other side's reps' names and
  e-mails, so they can talk.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accountmap.models import AccountStatus, Level, Overlap
from accountmap.models_people import OverlapNotice
from accountmap.people import account_reps, overlap_level
from prm import notifications
from prm.events import Event
from prm.i18n import lazy_format
from prm.models import Member
from prm.roles import Role
from prm.tasks import dispatch_batched

GROUP = "accounts"
SHARED = frozenset({Level.OVERLAPS, Level.ALL})
# Overlap ids per queued telling task.
NOTIFY_BATCH = 2000


def on_overlaps_found(event: Event) -> None:
    """Subscriber of accountmap.overlaps_found: quick, in the emitting transaction; the
    telling runs on the worker after the commit. A full computation emits one event per
    partner with new overlaps (tens of thousands at once): they are queued together, a task
    per ~2,000 overlaps (prm.tasks.dispatch_batched), not a message per partner."""
    # The task module imports this one (the service); importing it here keeps that one way.
    from accountmap.tasks_people import notify_overlaps_batch

    ids = [int(i) for i in event.payload.get("overlap_ids") or []]
    if ids:
        dispatch_batched(
            notify_overlaps_batch,
            tenant_id=event.tenant_id,
            item=[int(event.payload["partner_id"]), ids],
            size=NOTIFY_BATCH,
            weight=lambda item: len(item[1]),
        )


def _partner_reps(overlap: Overlap) -> list[Member]:
    """The partner account's owner or territory reps, else the partner's admins."""
    reps = account_reps(overlap.partner_account)
    reps = [m for m in reps if m.partner_id == overlap.partner_id]
    if reps:
        return reps
    return list(
        Member.objects.select_related("user")
        .filter(partner_id=overlap.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
        .order_by("pk")
    )


def _vendor_reps(overlap: Overlap) -> list[Member]:
    return [m for m in account_reps(overlap.vendor_account) if m.partner_id is None]


def _subject(plain, other: str, contacts: list[Member]):
    """The notice's title (the account's name follows it): with the other side and its
    first rep's contact when they are shared, else `plain`."""
    if not other:
        return plain
    if not contacts:
        return lazy_format(_("Open opportunity to co-sell with %(other)s"), other=other)
    first = contacts[0]
    return lazy_format(
        _("Open opportunity to co-sell with %(other)s (%(name)s, %(email)s)"),
        other=other,
        name=first.user.display_name,
        email=first.user.email,
    )


def _contacts(members: list[Member]) -> list[dict]:
    return [{"name": m.user.display_name, "email": m.user.email} for m in members]


def overlaps_notify(*, partner_id: int, overlap_ids: list[int]) -> dict[str, int]:
    """Tell both sides' reps of each new overlap on an open opportunity, once per overlap.
    Precondition: inside the overlaps' tenant context. Returns counts for the caller."""
    told = {"overlaps": 0, "vendor": 0, "partner": 0}
    overlaps = (
        Overlap.objects.filter(pk__in=overlap_ids, partner_id=partner_id)
        .filter(
            Q(vendor_account__status=AccountStatus.OPPORTUNITY)
            | Q(partner_account__status=AccountStatus.OPPORTUNITY)
        )
        .select_related("partner", "vendor_account__owner_member__user")
        .select_related("partner_account__owner_member__user")
        .order_by("pk")
    )
    for overlap in overlaps:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    notice = OverlapNotice.objects.create(
                        tenant_id=overlap.tenant_id, overlap=overlap
                    )
            except IntegrityError:
                continue  # told already
            vendor, partner = _overlap_notify(overlap)
            notice.vendor_members, notice.partner_members = vendor, partner
            notice.save(update_fields=["vendor_members", "partner_members"])
            told["overlaps"] += 1
            told["vendor"] += vendor
            told["partner"] += partner
    return told


def _overlap_notify(overlap: Overlap) -> tuple[int, int]:
    """Tell each side's reps of the overlap, when the other side shares it (overlaps or all:
    at counts or hidden a notice about one account would reveal the record)."""
    vendor_reps = _vendor_reps(overlap)
    partner_reps = _partner_reps(overlap)
    to_vendor, _f = overlap_level(overlap, "to_vendor")
    to_partner, _f = overlap_level(overlap, "to_partner")
    key = f"accountmap.overlap:{overlap.pk}"
    n_vendor = n_partner = 0
    if vendor_reps and to_vendor in SHARED:
        plain = _("Open opportunity overlaps a partner's account")
        _tell(vendor_reps, plain, overlap.vendor_account, overlap.partner.name, partner_reps,
              path="/my-accounts/", key=key)  # fmt: skip
        n_vendor = len(vendor_reps)
    if partner_reps and to_partner in SHARED:
        plain = _("Open opportunity overlaps the vendor's account")
        # The partner's link: the overlaps the vendor shares with it, found by this account.
        path = reverse("account-overlaps") + "?" + urlencode({"q": overlap.partner_account.name})
        _tell(partner_reps, plain, overlap.partner_account, overlap.tenant.name, vendor_reps,
              path=path, key=key)  # fmt: skip
        n_partner = len(partner_reps)
    return n_vendor, n_partner


def _tell(reps, plain, account, other: str, other_reps, *, path: str, key: str) -> None:
    """One side's notice: its own account, the other side and that side's reps' contacts."""
    notifications.notify(
        reps,
        group=GROUP,
        kind="accountmap.overlap",
        subject=_subject(plain, other, other_reps),
        template="accountmap/people/emails/overlap.txt",
        context={"account": account, "other": other, "contacts": _contacts(other_reps)},
        path=path,
        key=key,
        obj=account,
    )
