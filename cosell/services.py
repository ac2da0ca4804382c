"""Writes for shared opportunities. Each service checks the move with cosell.states, writes,
audits (log_action), records a timeline row (Activity), emits the public event and tells the
people concerned (prm.notifications.notify), all in the caller's transaction.

Preconditions: inside tenant_context; the caller loaded the workspace through
cosell.selectors.opportunities_visible_to(by) (a workspace `by` cannot see is a 404 before any
service runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cosell import selectors
from cosell.models import (
    Activity,
    Comment,
    Mention,
    OpportunityStatus,
    Participant,
    PartyRole,
    SharedFile,
    SharedOpportunity,
    Task,
    TeamMember,
)
from cosell.states import COMMENT, OPPORTUNITY, TASK
from dealreg.models import Deal, DirectDeal
from mdf.files import clean_name, sha256_of, sniff_proof
from partners.models import Partner, PartnerStatus
from prm import events, notifications, selling
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import Member
from prm.roles import has_perm, require

MAX_COMMENT = 5000
# An @e-mail address in a comment's text (the picker sends ids; typing "@ana@example.com"
# mentions too).
MENTION_RE = re.compile(r"(?<![\w.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _label(member: Member | None) -> str:
    if member is None:
        return ""
    user = member.user
    return (user.full_name or "").strip() or user.email


def _record(opp: SharedOpportunity, by: Member | None, kind: str, **params) -> Activity:
    now = timezone.now()
    row = Activity.objects.create(
        tenant_id=opp.tenant_id,
        opportunity=opp,
        at=now,
        actor=by,
        actor_label=_label(by),
        kind=kind,
        params=params,
    )
    SharedOpportunity.objects.filter(pk=opp.pk).update(updated_at=now)
    return row


def _locked(opp: SharedOpportunity) -> SharedOpportunity:
    return (
        SharedOpportunity.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=opp.pk)
    )


def _path(opp: SharedOpportunity, anchor: str = "") -> str:
    return f"/shared/{opp.pk}/" + (f"#{anchor}" if anchor else "")


def _tell(
    members: Iterable[Member],
    opp: SharedOpportunity,
    *,
    event_type: str,
    subject,
    text: str,
    anchor: str = "",
    by: Member | None = None,
) -> None:
    """A notice to `members` (not to the person who acted), linking to the workspace."""
    people = [m for m in members if m is not None and (by is None or m.pk != by.pk)]
    if not people:
        return
    notifications.notify(
        people,
        group="cosell",
        subject=subject,
        template="cosell/emails/notice.txt",
        context={"opportunity": opp, "text": text, "actor": _label(by)},
        path=_path(opp, anchor),
        kind=event_type or "cosell.removed",
        event=notifications.event_for(event_type, opp) if event_type else None,
        obj=opp,
    )


def _auto_join(opp: SharedOpportunity, by: Member) -> None:
    """A vendor person who acts on a workspace they see but are not on joins it, so they can
    be mentioned and given tasks like the rest."""
    if by.partner_id is not None:
        return
    _member, created = TeamMember.objects.get_or_create(
        tenant_id=opp.tenant_id, opportunity=opp, member=by, defaults={"added_by": by}
    )
    if created:
        log_action("cosell.person_added", obj=opp, after={"member": by.pk, "joined": True})
        _record(opp, by, "joined")


# --- The workspace ------------------------------------------------------------------------


def may_open_as_vendor(by: Member, *, deal=None, direct_deal=None) -> bool:
    """Vendor people who run opportunities open a workspace on any deal; a sales rep on the
    deals whose customer they sell (prm.selling)."""
    if by.partner_id is not None or not has_perm(by.role, "cosell.use"):
        return False
    return has_perm(by.role, "cosell.manage") or selling.sells(
        by, deal=deal, direct_deal=direct_deal
    )


@transaction.atomic
def opportunity_open(
    *, by: Member, deal: Deal | None = None, direct_deal: DirectDeal | None = None
) -> tuple[SharedOpportunity, bool]:
    """The workspace of a deal registration (its partner's people or the vendor's) or of a
    direct deal (the vendor's). Opening one that exists returns it. Precondition: `by` sees
    the deal (dealreg's selectors)."""
    require(by, "cosell.use")
    if (deal is None) == (direct_deal is None):
        raise DomainError(_("Choose a deal registration or a direct deal."), field="deal")
    # Who may open it is checked before an existing one is returned: a rep who does not sell
    # the deal's customer learns nothing of its workspace.
    vendor = by.partner_id is None
    if vendor and not may_open_as_vendor(by, deal=deal, direct_deal=direct_deal):
        raise PermissionDenied()
    if deal is not None and not vendor and deal.partner_id != by.partner_id:
        raise DomainError(_("Only your own company's deals can be shared."), field="deal")
    existing = SharedOpportunity.objects.filter(
        **({"deal": deal} if deal is not None else {"direct_deal": direct_deal})
    ).first()
    if existing is not None:
        return existing, False
    if direct_deal is not None and not vendor:
        raise PermissionDenied()
    opp = SharedOpportunity.objects.create(
        tenant_id=by.tenant_id,
        deal=deal,
        direct_deal=direct_deal,
        partner_id=deal.partner_id if deal is not None else None,
        title=(deal or direct_deal).customer_name,
        created_by=by,
    )
    log_action("cosell.opportunity_opened", obj=opp, after={"deal": opp.source_label})
    _record(opp, by, "opened")
    if deal is not None:
        Participant.objects.create(
            tenant_id=opp.tenant_id,
            opportunity=opp,
            partner_id=deal.partner_id,
            role=PartyRole.RESELLER,
            is_owner=True,
            added_by=by,
        )
        # The partner's channel manager is on it from the start.
        manager_id = deal.partner.owner_id
        if manager_id and Member.objects.filter(pk=manager_id, is_active=True).exists():
            TeamMember.objects.create(
                tenant_id=opp.tenant_id, opportunity=opp, member_id=manager_id, added_by=by
            )
    else:
        for inf in direct_deal.influencers.select_related("partner"):
            Participant.objects.create(
                tenant_id=opp.tenant_id,
                opportunity=opp,
                partner=inf.partner,
                role=inf.role if inf.role in PartyRole.values else PartyRole.ADVISOR,
                added_by=by,
            )
    if vendor:
        TeamMember.objects.get_or_create(
            tenant_id=opp.tenant_id, opportunity=opp, member=by, defaults={"added_by": by}
        )
    return opp, True


def _move(opp: SharedOpportunity, by: Member, name: str, kind: str) -> SharedOpportunity:
    opp = _locked(opp)
    act = OPPORTUNITY.check(opp, by, name)
    old = opp.status
    opp.status = act.target
    opp.save(update_fields=["status"])
    log_action(
        f"cosell.opportunity_{kind}", obj=opp, before={"status": old}, after={"status": opp.status}
    )
    _record(opp, by, kind)
    return opp


@transaction.atomic
def opportunity_close(*, opportunity: SharedOpportunity, by: Member) -> SharedOpportunity:
    return _move(opportunity, by, "close", "closed")


@transaction.atomic
def opportunity_reopen(*, opportunity: SharedOpportunity, by: Member) -> SharedOpportunity:
    return _move(opportunity, by, "reopen", "reopened")


# --- Partners and people ------------------------------------------------------------------


def invitable_partners(opp: SharedOpportunity):
    """Active partners not yet on the workspace (the invite picker, names only)."""
    return (
        Partner.objects.filter(status=PartnerStatus.ACTIVE)
        .exclude(pk__in=opp.participants.values("partner_id"))
        .order_by("name")
    )


@transaction.atomic
def participant_add(
    *, opportunity: SharedOpportunity, by: Member, partner_id: int, role: str
) -> Participant:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "add_partner")
    if role not in PartyRole.values:
        raise DomainError(_("Choose the partner's role."), field="role")
    partner = invitable_partners(opp).filter(pk=partner_id).first()
    if partner is None:
        raise DomainError(_("Choose an active partner that is not on it yet."), field="partner")
    part = Participant.objects.create(
        tenant_id=opp.tenant_id, opportunity=opp, partner=partner, role=role, added_by=by
    )
    log_action("cosell.partner_added", obj=opp, after={"partner": partner.pk, "role": role})
    _record(opp, by, "partner_added", partner=partner.name, role=role)
    events.emit(
        "cosell.participant_added",
        opp,
        participant_partner_id=partner.pk,
        role=role,
        member_id=None,
    )
    members = Member.objects.filter(partner=partner, is_active=True)
    _tell(
        members,
        opp,
        event_type="cosell.participant_added",
        subject=gettext_lazy("Your company was added to a shared opportunity"),
        text=_("%(partner)s was invited as %(role)s.")
        % {"partner": partner.name, "role": PartyRole(role).label},
        by=by,
    )
    return part


@transaction.atomic
def participant_remove(
    *, opportunity: SharedOpportunity, by: Member, participant: Participant
) -> None:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "remove_partner")
    if participant.opportunity_id != opp.pk:
        raise DomainError(_("That partner is not on this workspace."), field="partner")
    if participant.is_owner:
        raise DomainError(
            _("The partner that registered the deal stays on its workspace."), field="partner"
        )
    partner = participant.partner
    participant.delete()
    # Its people no longer own tasks here.
    Task.objects.filter(opportunity=opp, owner__partner=partner).update(owner=None)
    log_action(
        "cosell.partner_removed",
        obj=opp,
        before={"partner": partner.pk, "role": participant.role},
    )
    _record(opp, by, "partner_removed", partner=partner.name)
    _tell(
        Member.objects.filter(partner=partner, is_active=True, role="partner_admin"),
        opp,
        event_type="",
        subject=gettext_lazy("Your company was removed from a shared opportunity"),
        text=_("%(partner)s was removed.") % {"partner": partner.name},
        by=by,
    )


def addable_people(opp: SharedOpportunity):
    """Vendor people (no partner) with access to co-selling, not yet on the team."""
    return (
        Member.objects.select_related("user")
        .filter(is_active=True, partner__isnull=True)
        .exclude(pk__in=opp.team.values("member_id"))
        .order_by("user__full_name", "user__email")
    )


@transaction.atomic
def team_member_add(*, opportunity: SharedOpportunity, by: Member, member_id: int) -> TeamMember:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "add_person")
    person = addable_people(opp).filter(pk=member_id).first()
    if person is None or not has_perm(person.role, "cosell.use"):
        raise DomainError(_("Choose a person of the vendor who is not on it yet."), field="member")
    row = TeamMember.objects.create(
        tenant_id=opp.tenant_id, opportunity=opp, member=person, added_by=by
    )
    log_action("cosell.person_added", obj=opp, after={"member": person.pk})
    _record(opp, by, "person_added", person=_label(person))
    events.emit(
        "cosell.participant_added", opp, participant_partner_id=None, role="", member_id=person.pk
    )
    _tell(
        [person],
        opp,
        event_type="cosell.participant_added",
        subject=gettext_lazy("You were added to a shared opportunity"),
        text=_("%(person)s was added.") % {"person": _label(person)},
        by=by,
    )
    return row


@transaction.atomic
def team_member_remove(
    *, opportunity: SharedOpportunity, by: Member, team_member: TeamMember
) -> None:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "remove_person")
    if team_member.opportunity_id != opp.pk:
        raise DomainError(_("That person is not on this workspace."), field="member")
    person = team_member.member
    team_member.delete()
    Task.objects.filter(opportunity=opp, owner=person).update(owner=None)
    log_action("cosell.person_removed", obj=opp, before={"member": person.pk})
    _record(opp, by, "person_removed", person=_label(person))
    _tell(
        [person],
        opp,
        event_type="",
        subject=gettext_lazy("You were removed from a shared opportunity"),
        text=_("%(person)s was removed.") % {"person": _label(person)},
        by=by,
    )


# --- Comments -----------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a comment."), field="body")
    if len(body) > MAX_COMMENT:
        raise DomainError(
            _("A comment has at most %(n)s characters.") % {"n": MAX_COMMENT}, field="body"
        )
    return body


def _mentioned(opp: SharedOpportunity, body: str, mention_ids: Iterable[int]) -> list[Member]:
    """The workspace's people a comment mentions: picked by id, or typed as @e-mail. Anyone
    else (another partner's people, another tenant's) is ignored: only participants hear."""
    emails = {e.lower() for e in MENTION_RE.findall(body)}
    ids = {int(i) for i in mention_ids or () if str(i).isdigit()}
    if not emails and not ids:
        return []
    people = selectors.people_of(opp)
    found = [m for m in people if m.pk in ids or m.user.email.lower() in emails]
    return found


@transaction.atomic
def comment_add(
    *,
    opportunity: SharedOpportunity,
    by: Member,
    body: str,
    mention_ids: Iterable[int] = (),
) -> Comment:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "comment")
    body = _clean_body(body)
    _auto_join(opp, by)
    comment = Comment.objects.create(tenant_id=opp.tenant_id, opportunity=opp, author=by, body=body)
    mentioned = [m for m in _mentioned(opp, body, mention_ids) if m.pk != by.pk]
    Mention.objects.bulk_create(
        [Mention(tenant_id=opp.tenant_id, comment=comment, member=m) for m in mentioned]
    )
    log_action(
        "cosell.comment_added",
        obj=opp,
        after={"comment": comment.pk, "mentions": [m.pk for m in mentioned]},
    )
    _record(opp, by, "comment_added", comment=comment.pk)
    events.emit(
        "cosell.comment_added",
        opp,
        comment_id=comment.pk,
        author_id=by.pk,
        mention_ids=[m.pk for m in mentioned],
    )
    _tell(
        mentioned,
        opp,
        event_type="cosell.comment_added",
        subject=gettext_lazy("You were mentioned on a shared opportunity"),
        text=body[:500],
        anchor=f"comment-{comment.pk}",
        by=by,
    )
    return comment


def _locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().select_related("opportunity").get(pk=comment.pk)


@transaction.atomic
def comment_edit(*, comment: Comment, by: Member, body: str) -> Comment:
    comment = _locked_comment(comment)
    COMMENT.check(comment, by, "edit")
    body = _clean_body(body)
    old = comment.body
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    log_action(
        "cosell.comment_edited",
        obj=comment.opportunity,
        before={"comment": comment.pk, "body": old},
        after={"body": body},
    )
    _record(comment.opportunity, by, "comment_edited", comment=comment.pk)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by: Member) -> Comment:
    comment = _locked_comment(comment)
    COMMENT.check(comment, by, "delete")
    old = comment.body
    comment.body = ""
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["body", "deleted_at"])
    comment.mentions.all().delete()
    log_action(
        "cosell.comment_deleted",
        obj=comment.opportunity,
        before={"comment": comment.pk, "body": old},
    )
    _record(comment.opportunity, by, "comment_deleted", comment=comment.pk)
    return comment


# --- Tasks --------------------------------------------------------------------------------


def _owner(opp: SharedOpportunity, owner_id) -> Member | None:
    if owner_id in (None, ""):
        return None
    owner = (
        selectors.people_of(opp).filter(pk=owner_id).first() if str(owner_id).isdigit() else None
    )
    if owner is None:
        raise DomainError(_("Choose one of the people on this workspace."), field="owner")
    return owner


def _assigned(opp: SharedOpportunity, task: Task, by: Member) -> None:
    _record(opp, by, "task_assigned", task=task.title, person=_label(task.owner))
    events.emit(
        "cosell.task_assigned",
        opp,
        task_id=task.pk,
        title=task.title,
        owner_id=task.owner_id,
        due_on=task.due_on,
    )
    _tell(
        [task.owner],
        opp,
        event_type="cosell.task_assigned",
        subject=gettext_lazy("A task on a shared opportunity was given to you"),
        text=task.title,
        anchor=f"task-{task.pk}",
        by=by,
    )


@transaction.atomic
def task_add(
    *,
    opportunity: SharedOpportunity,
    by: Member,
    title: str,
    owner_id: int | None = None,
    due_on=None,
) -> Task:
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "add_task")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Say what is to be done."), field="title")
    _auto_join(opp, by)
    owner = _owner(opp, owner_id)
    task = Task.objects.create(
        tenant_id=opp.tenant_id,
        opportunity=opp,
        title=title[:200],
        owner=owner,
        due_on=due_on,
        created_by=by,
    )
    log_action(
        "cosell.task_added",
        obj=opp,
        after={
            "task": task.pk,
            "title": task.title,
            "owner": task.owner_id,
            "due_on": str(due_on or ""),
        },
    )
    _record(opp, by, "task_added", task=task.title)
    if owner is not None:
        _assigned(opp, task, by)
    return task


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("opportunity").get(pk=task.pk)


@transaction.atomic
def task_update(*, task: Task, by: Member, **changes) -> Task:
    """Change a task's title, owner (`owner_id`) or due date (the API's PATCH)."""
    task = _locked_task(task)
    opp = task.opportunity
    OPPORTUNITY.check(opp, by, "add_task")
    before, after = {}, {}
    if "title" in changes:
        title = (changes["title"] or "").strip()
        if not title:
            raise DomainError(_("Say what is to be done."), field="title")
        before["title"], after["title"] = task.title, title[:200]
        task.title = title[:200]
    new_owner = False
    if "owner_id" in changes:
        owner = _owner(opp, changes["owner_id"])
        if (owner.pk if owner else None) != task.owner_id:
            before["owner"], after["owner"] = task.owner_id, owner.pk if owner else None
            task.owner = owner
            new_owner = owner is not None
    if "due_on" in changes and changes["due_on"] != task.due_on:
        before["due_on"], after["due_on"] = str(task.due_on or ""), str(changes["due_on"] or "")
        task.due_on = changes["due_on"]
    if not after:
        return task
    task.save(update_fields=["title", "owner", "due_on"])
    log_action("cosell.task_changed", obj=opp, before={"task": task.pk, **before}, after=after)
    if new_owner:
        _assigned(opp, task, by)
    else:
        _record(
            opp,
            by,
            "task_changed",
            task=task.title,
        )
    return task


@transaction.atomic
def task_set_done(*, task: Task, by: Member, done: bool) -> Task:
    task = _locked_task(task)
    TASK.check(task, by, "done" if done else "undone")
    task.done_at = timezone.now() if done else None
    task.done_by = by if done else None
    task.save(update_fields=["done_at", "done_by"])
    opp = task.opportunity
    log_action(
        "cosell.task_done" if done else "cosell.task_undone",
        obj=opp,
        after={"task": task.pk, "title": task.title},
    )
    _record(opp, by, "task_done" if done else "task_undone", task=task.title)
    if done:
        events.emit("cosell.task_done", opp, task_id=task.pk, title=task.title, done_by_id=by.pk)
        creator = task.created_by if task.created_by_id else None
        _tell(
            [creator] if creator and creator.is_active else [],
            opp,
            event_type="cosell.task_done",
            subject=gettext_lazy("A task on a shared opportunity is done"),
            text=task.title,
            anchor=f"task-{task.pk}",
            by=by,
        )
    return task


@transaction.atomic
def task_reminders_send(*, days_ahead: int = 2) -> int:
    """Remind each open task's owner once per due date, `days_ahead` days before it is due
    (and of anything already overdue that was not reminded). Idempotent: a conditional update
    claims each task before it is told."""
    today = timezone.localdate()
    horizon = today + timezone.timedelta(days=days_ahead)
    sent = 0
    for task in selectors.tasks_due_for_reminder(horizon):
        claimed = (
            Task.objects.filter(pk=task.pk, done_at__isnull=True)
            .exclude(reminded_for=task.due_on)
            .update(reminded_for=task.due_on)
        )
        if not claimed:
            continue
        notifications.notify(
            [task.owner],
            group="cosell",
            subject=gettext_lazy("A task on a shared opportunity is due soon"),
            template="cosell/emails/notice.txt",
            context={
                "opportunity": task.opportunity,
                "text": _("%(task)s, due %(date)s") % {"task": task.title, "date": task.due_on},
                "actor": "",
            },
            path=_path(task.opportunity, f"task-{task.pk}"),
            kind="cosell.task_due",
            key=f"cosell.task_due:{task.pk}:{task.due_on}",
            obj=task.opportunity,
        )
        sent += 1
    return sent


# --- Files --------------------------------------------------------------------------------


@transaction.atomic
def file_add(*, opportunity: SharedOpportunity, by: Member, upload) -> SharedFile:
    """A PDF, PNG or JPEG (checked from its bytes, as MDF proof is), at most 10 MB."""
    opp = _locked(opportunity)
    OPPORTUNITY.check(opp, by, "upload")
    if upload is None:
        raise DomainError(_("Choose a file."), field="file")
    try:
        content_type, ext = sniff_proof(upload)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file") from None
    _auto_join(opp, by)
    row = SharedFile(
        tenant_id=opp.tenant_id,
        opportunity=opp,
        original_name=clean_name(getattr(upload, "name", ""), "file"),
        content_type=content_type,
        ext=ext,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=by,
    )
    upload.seek(0)
    row.file.save(f"file.{ext}", upload, save=False)
    row.save()
    log_action(
        "cosell.file_added",
        obj=opp,
        after={"file": row.pk, "name": row.original_name, "size": row.size},
    )
    _record(opp, by, "file_added", file=row.original_name)
    return row


def opportunity_status_label(status: str) -> str:
    return str(OpportunityStatus(status).label)
