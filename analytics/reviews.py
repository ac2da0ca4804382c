"""Quarterly business reviews: a PDF per partner and quarter with the quarter's KPIs, the
health score and its drivers, charts (the same SVG as the portal), tier progress and the goals
for the next tier. Requested in the portal, built by a Celery task, downloaded by the
partner's people, its channel manager and admins."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from analytics.dashboards import partner_dashboard_context
from analytics.models import BusinessReview
from analytics.services import quarter_start
from jointplans import selectors as plan_selectors
from partners.models import Partner
from prm.audit import log_action
from prm.models import Member, Tenant
from prm.pdf import html_to_pdf
from prm.roles import Role
from prm.tasks import dispatch


def reviews_visible_to(member: Member) -> QuerySet[BusinessReview]:
    """Admins: every review; channel managers: their partners'; partner people: their own."""
    qs = BusinessReview.objects.select_related("partner")
    if member.role == Role.ADMIN:
        return qs
    if member.role == Role.CHANNEL_MANAGER:
        return qs.filter(partner__owner=member)
    return qs.filter(partner_id=member.partner_id)


def reviewable_partners(member: Member) -> QuerySet[Partner]:
    if member.role == Role.ADMIN:
        return Partner.objects.all()
    if member.role == Role.CHANNEL_MANAGER:
        return Partner.objects.filter(owner=member)
    return Partner.objects.filter(pk=member.partner_id)


def last_complete_quarter(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return quarter_start(quarter_start(today) - datetime.timedelta(days=1))


@transaction.atomic
def review_request(*, tenant, partner: Partner, period_start: datetime.date, by: Member):
    """Queue (or re-queue) the review of `partner` for the quarter starting `period_start`."""
    # local: analytics.tasks imports this module at load time
    from analytics import tasks

    review, _created = BusinessReview.objects.select_for_update().get_or_create(
        tenant=tenant,
        partner=partner,
        period_start=quarter_start(period_start),
        defaults={"requested_by": by},
    )
    if not _created:
        BusinessReview.objects.filter(pk=review.pk).update(
            status=BusinessReview.Status.QUEUED, requested_by=by
        )
        review.refresh_from_db()
    log_action("analytics.review_requested", obj=review, after={"quarter": review.label})
    dispatch(tasks.build_review, tenant=tenant, review_id=review.pk)
    return review


def _quarter_end(start: datetime.date) -> datetime.date:
    return quarter_start(start + datetime.timedelta(days=100)) - datetime.timedelta(days=1)


def _context(review: BusinessReview) -> dict:
    partner = Partner.objects.select_related("tier").get(pk=review.partner_id)
    ctx = partner_dashboard_context(partner)
    quarter = next((q for q in ctx["quarters"] if q["period_start"] == review.period_start), None)
    # The joint business plan that covers the quarter, plan against actual.
    plan = plan_selectors.plan_for_review(
        review.partner_id, review.period_start, _quarter_end(review.period_start)
    )

    ctx.update(
        {
            "tenant": Tenant.objects.get(pk=review.tenant_id),
            "review": review,
            "quarter": quarter,
            "generated_at": timezone.now(),
            "joint_plan": plan,
            "joint_plan_goals": plan_selectors.progress(plan) if plan else [],
        }
    )
    return ctx


def review_build(*, tenant, review_id: int) -> bool:
    """Render the PDF and store it. Idempotent: a rerun replaces the file."""
    review = BusinessReview.objects.filter(pk=review_id).first()
    if review is None:
        return False
    pdf = html_to_pdf(render_to_string("analytics/review_pdf.html", _context(review)))
    name = review.pdf.storage.save(
        f"business-reviews/{tenant.pk}/{review.partner_id}-{review.label.replace(' ', '-')}.pdf",
        ContentFile(pdf),
    )
    BusinessReview.objects.filter(pk=review.pk).update(
        pdf=name, status=BusinessReview.Status.READY, generated_at=timezone.now()
    )
    return True
