"""Reads for applications, workflows and agreements. Each runs in the caller's tenant scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet
from django.utils import timezone

from onboarding import rules
from onboarding.models import (
    OPEN_APPLICATION_STATUSES,
    Agreement,
    AgreementAcceptance,
    Application,
    IdealPartnerProfile,
    IdealProfileSpecialty,
    OnboardingSettings,
    Workflow,
    WorkflowStatus,
    WorkflowStep,
    WorkflowTemplate,
)
from partners.models import Partner, PartnerDomain, PartnerStatus
from prm.models import Member
from prm.roles import PARTNER_ROLES, Role

# --- Applications -------------------------------------------------------------------------


def application_queue(*, status: str = "open") -> QuerySet[Application]:
    """The review queue, best fit first. `status` is a status value, 'open' or 'all'."""
    qs = Application.objects.select_related("reviewer__user", "partner").order_by(
        "-fit_score", "submitted_at", "id"
    )
    if status == "open":
        return qs.filter(status__in=OPEN_APPLICATION_STATUSES)
    if status and status != "all":
        return qs.filter(status=status)
    return qs


def application_specialty_names(application: Application) -> list[str]:
    return list(application.specialties.order_by("name").values_list("name", flat=True))


def duplicate_matches(
    *, domains: list[str], name_key: str, company_name: str, exclude_pk: int | None = None
) -> list[dict]:
    """Partners and other applications this company may already be: same registrable domain
    (free-mail domains never count), or the same normalised company name."""
    domains = rules.company_domains(domains)
    matches: list[dict] = []
    seen: set[tuple[str, int]] = set()

    def add(kind: str, pk: int, name: str, matched_on: str, value: str, status: str) -> None:
        if (kind, pk) in seen:
            return
        seen.add((kind, pk))
        matches.append(
            {
                "kind": kind,
                "id": pk,
                "name": name,
                "matched_on": matched_on,
                "value": value,
                "status": status,
            }
        )

    if domains:
        for d in PartnerDomain.objects.filter(domain__in=domains).select_related("partner"):
            add("partner", d.partner_id, d.partner.name, "domain", d.domain, d.partner.status)
    if company_name.strip():
        for p in Partner.objects.filter(name__iexact=company_name.strip()):
            add("partner", p.pk, p.name, "name", p.name, p.status)
    others = Application.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    conditions = Q()
    if domains:
        conditions |= Q(website_domain__in=domains) | Q(email_domain__in=domains)
    if name_key:
        conditions |= Q(name_key=name_key)
    if conditions:
        for a in others.filter(conditions).order_by("submitted_at")[:20]:
            if a.name_key == name_key and name_key:
                matched_on, value = "name", a.company_name
            else:
                matched_on = "domain"
                value = a.website_domain if a.website_domain in domains else a.email_domain
            add("application", a.pk, a.company_name, matched_on, value, a.status)
    return matches


def ideal_profile(tenant) -> rules.IdealProfile:
    """The tenant's IPP as the plain value the scoring rules take."""
    ipp = IdealPartnerProfile.objects.filter(tenant=tenant).first()
    if ipp is None:
        return rules.IdealProfile(weights={})
    names = frozenset(
        IdealProfileSpecialty.objects.filter(profile=ipp).values_list("specialty__name", flat=True)
    )
    return rules.IdealProfile(
        countries=frozenset(ipp.countries),
        regions=frozenset(ipp.regions),
        partner_types=frozenset(ipp.partner_types),
        specialties=names,
        size_bands=frozenset(ipp.size_bands),
        revenue_min=ipp.revenue_min,
        revenue_max=ipp.revenue_max,
        weights={
            "geography": ipp.weight_geography,
            "type": ipp.weight_type,
            "specialties": ipp.weight_specialties,
            "size": ipp.weight_size,
            "revenue": ipp.weight_revenue,
        },
    )


# --- Agreements ---------------------------------------------------------------------------


def current_agreement(partner_type: str) -> Agreement | None:
    """The latest published version for a partner type (None if there is none)."""
    return Agreement.objects.filter(partner_type=partner_type).order_by("-version").first()


def current_acceptance(partner: Partner) -> AgreementAcceptance | None:
    current = current_agreement(partner.partner_type)
    if current is None:
        return None
    return AgreementAcceptance.objects.filter(agreement=current, partner=partner).first()


def has_current_agreement(partner: Partner) -> bool:
    """True when the partner has accepted the current version of its type's agreement, or
    when no agreement is published for its type (there is nothing to accept)."""
    current = current_agreement(partner.partner_type)
    if current is None:
        return True
    return AgreementAcceptance.objects.filter(agreement=current, partner=partner).exists()


def deal_registration_allowed(partner: Partner) -> bool:
    """For the deal registration app: False when the tenant blocks deals until the current
    agreement is accepted and this partner has not accepted it."""
    block = (
        OnboardingSettings.objects.filter(tenant_id=partner.tenant_id)
        .values_list("block_deals_without_current_agreement", flat=True)
        .first()
    )
    return not block or has_current_agreement(partner)


def agreements_visible_to(member: Member) -> QuerySet[Agreement]:
    """Staff see every version; partner people see the versions of their own type."""
    qs = Agreement.objects.select_related("published_by__user").annotate(
        acceptance_count=Count("acceptances")
    )
    if member.role in PARTNER_ROLES:
        partner_type = Partner.objects.filter(pk=member.partner_id).values("partner_type")
        return qs.filter(partner_type__in=partner_type)
    return qs


def acceptances_visible_to(member: Member) -> QuerySet[AgreementAcceptance]:
    qs = AgreementAcceptance.objects.select_related("agreement", "partner").order_by(
        "-accepted_at", "-id"
    )
    if member.role in PARTNER_ROLES:
        return qs.filter(partner_id=member.partner_id)
    return qs


def agreement_overview() -> list[dict]:
    """Per partner type: the current version and how many partners accepted it."""
    latest = {}
    for a in Agreement.objects.annotate(n=Count("acceptances")).order_by(
        "partner_type", "-version"
    ):
        latest.setdefault(a.partner_type, a)
    live = dict(
        Partner.objects.filter(
            status__in=[PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED]
        )
        .values_list("partner_type")
        .annotate(n=Count("id"))
    )
    return [
        {"agreement": a, "accepted": a.n, "partners": live.get(t, 0)} for t, a in latest.items()
    ]


# --- Workflows ----------------------------------------------------------------------------


def workflow_templates() -> QuerySet[WorkflowTemplate]:
    return WorkflowTemplate.objects.prefetch_related("steps").order_by("partner_type", "name")


def workflows_visible_to(member: Member) -> QuerySet[Workflow]:
    """Staff see every partner's onboarding; partner people see their own company's."""
    qs = (
        Workflow.objects.select_related("partner")
        .prefetch_related("steps")
        .order_by("-started_at", "-id")
    )
    if member.role in PARTNER_ROLES:
        return qs.filter(partner_id=member.partner_id)
    return qs


def workflow_for(partner: Partner) -> Workflow | None:
    return (
        Workflow.objects.filter(partner=partner)
        .prefetch_related("steps__completed_by__user")
        .first()
    )


def onboarding_board(*, now: datetime.datetime | None = None) -> QuerySet[Workflow]:
    """Running workflows with their progress and how long their oldest overdue step has
    waited, the stuck ones first (one query, however many partners)."""
    now = now or timezone.now()
    open_q = Q(steps__completed_at__isnull=True)
    overdue_q = open_q & Q(steps__due_at__lt=now)
    return (
        Workflow.objects.filter(status=WorkflowStatus.RUNNING)
        .select_related("partner__owner__user")
        .annotate(
            total=Count("steps", filter=Q(steps__required=True)),
            done=Count("steps", filter=Q(steps__required=True, steps__completed_at__isnull=False)),
            overdue=Count("steps", filter=overdue_q),
            oldest_due=Min("steps__due_at", filter=overdue_q),
            next_due=Min("steps__due_at", filter=open_q),
        )
        .order_by(F("oldest_due").asc(nulls_last=True), "started_at")
    )


def overdue_steps(workflow: Workflow, *, now=None) -> list[WorkflowStep]:
    now = now or timezone.now()
    return [s for s in workflow.steps.all() if s.is_overdue(now)]


def time_to_value() -> dict:
    """Average days from approval to activation and to the first registered deal."""

    def avg_days(field: str) -> Decimal | None:
        span = ExpressionWrapper(F(field) - F("approved_at"), output_field=DurationField())
        value = (
            Partner.objects.filter(approved_at__isnull=False, **{f"{field}__isnull": False})
            .annotate(span=span)
            .aggregate(avg=Avg("span"))["avg"]
        )
        if value is None:
            return None
        return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))

    return {"to_activation": avg_days("activated_at"), "to_first_deal": avg_days("first_deal_at")}


def document_step_for(member: Member, pk: int) -> WorkflowStep | None:
    """An uploaded document's step, if this member may download it (staff, or the people of
    the partner that uploaded it)."""
    qs = WorkflowStep.objects.select_related("workflow").filter(pk=pk).exclude(document="")
    if member.role in PARTNER_ROLES:
        qs = qs.filter(workflow__partner_id=member.partner_id)
    return qs.first()


def reminder_recipients(partner_ids: list[int]) -> dict[int, list[str]]:
    """Partner admins' addresses per partner (partner users when a partner has no admin)."""
    out: dict[int, dict[str, list[str]]] = {}
    rows = Member.objects.filter(
        partner_id__in=partner_ids, is_active=True, role__in=list(PARTNER_ROLES)
    ).values_list("partner_id", "role", "user__email")
    for partner_id, role, email in rows:
        out.setdefault(partner_id, {}).setdefault(role, []).append(email)
    return {
        pid: sorted(roles.get(Role.PARTNER_ADMIN) or roles.get(Role.PARTNER_USER) or [])
        for pid, roles in out.items()
    }
