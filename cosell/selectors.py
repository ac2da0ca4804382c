"""Reads for shared opportunities. Every read goes through `opportunities_visible_to`, so a
workspace a member is not on is a 404 like a missing one."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cosell.models import (
    Activity,
    Comment,
    Participant,
    SharedFile,
    SharedOpportunity,
    Task,
    TeamMember,
)
from prm import selling
from prm.models import Member
from prm.roles import has_perm


def sold_by_q(member: Member) -> Q:
    """The workspaces of the deals whose customer `member` sells (prm.selling: the vendor
    rep of the account), as a filter."""
    sold = selling.deals_sold_by(member)
    q = Q(pk__in=[])
    for ids in sold["deal"]:
        q |= Q(deal_id__in=ids)
    for ids in sold["direct_deal"]:
        q |= Q(direct_deal_id__in=ids)
    return q


def opportunities_visible_to(member: Member) -> QuerySet[SharedOpportunity]:
    """Vendor people who see every workspace (`cosell.view_all`) see all of them; a partner's
    people the ones their company is on; other vendor people (sales reps) the ones they were
    added to by name and those of the deals whose customer they sell."""
    qs = SharedOpportunity.objects.select_related("partner", "deal", "direct_deal")
    if not has_perm(member.role, "cosell.use"):
        return qs.none()
    if has_perm(member.role, "cosell.view_all"):
        return qs
    on_team = Exists(TeamMember.objects.filter(opportunity=OuterRef("pk"), member=member))
    if member.partner_id is None:
        return qs.filter(Q(on_team) | sold_by_q(member))
    on_it = Exists(
        Participant.objects.filter(opportunity=OuterRef("pk"), partner_id=member.partner_id)
    )
    return qs.filter(on_it | on_team)


def my_opportunities(member: Member) -> QuerySet[SharedOpportunity]:
    """The list page: the workspaces a person is on (for people who see every workspace, the
    ones they are on first, then the rest), most recently active first."""
    on_team = Exists(TeamMember.objects.filter(opportunity=OuterRef("pk"), member=member))
    return (
        opportunities_visible_to(member)
        .annotate(on_team=on_team)
        .order_by("-on_team", "-updated_at", "-id")
    )


def participants_of(opp: SharedOpportunity) -> QuerySet[Participant]:
    return opp.participants.select_related("partner").order_by("-is_owner", "partner__name")


def team_of(opp: SharedOpportunity) -> QuerySet[TeamMember]:
    return opp.team.select_related("member__user", "member__partner").order_by("added_at", "id")


def people_of(opp: SharedOpportunity) -> QuerySet[Member]:
    """The workspace's people: who can be mentioned and own tasks. The active members of its
    partners and the people added by name."""
    partner_ids = opp.participants.values("partner_id")
    team_ids = opp.team.values("member_id")
    return (
        Member.objects.select_related("user", "partner")
        .filter(is_active=True)
        .filter(Q(partner_id__in=partner_ids) | Q(pk__in=team_ids))
        .order_by("partner__name", "user__full_name", "user__email")
    )


def is_person_of(opp: SharedOpportunity, member: Member) -> bool:
    return people_of(opp).filter(pk=member.pk).exists()


def comments_of(opp: SharedOpportunity) -> QuerySet[Comment]:
    return opp.comments.select_related("author__user", "author__partner").prefetch_related(
        "mentions__member__user"
    )


def tasks_of(opp: SharedOpportunity) -> QuerySet[Task]:
    return opp.tasks.select_related("owner__user", "done_by__user", "opportunity")


def files_of(opp: SharedOpportunity) -> QuerySet[SharedFile]:
    return opp.files.select_related("uploaded_by__user")


def timeline_of(opp: SharedOpportunity) -> QuerySet[Activity]:
    return opp.activities.select_related("actor__user")


def last_activity_id(opp: SharedOpportunity) -> int:
    """The newest timeline row: the page's cursor for live updates."""
    return opp.activities.order_by("-id").values_list("id", flat=True).first() or 0


def tasks_due_for_reminder(on_or_before) -> QuerySet[Task]:
    """Open tasks with an owner, due by `on_or_before`, not yet reminded for that due date,
    on open workspaces."""
    return (
        Task.objects.select_related("opportunity", "owner__user")
        .filter(
            done_at__isnull=True,
            owner__isnull=False,
            owner__is_active=True,
            due_on__isnull=False,
            due_on__lte=on_or_before,
            opportunity__status="open",
        )
        .exclude(reminded_for=F("due_on"))
    )
