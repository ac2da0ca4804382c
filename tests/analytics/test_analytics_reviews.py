"""Quarterly business review PDFs: requested in the portal, built in Celery, downloadable by
the partner's people, its channel manager and admins only."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from analytics import reviews, services
from analytics.models import BusinessReview
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import BusinessReviewFactory

Q2 = datetime.date(2026, 4, 1)


def ready_review(world) -> BusinessReview:
    """A ready review of world.partner (managed by world.channel_manager), built once."""
    if getattr(world, "_review", None) is None:
        with tenant_context(world.tenant):
            world.partner.owner = world.channel_manager
            world.partner.save()
            review = BusinessReviewFactory(
                tenant=world.tenant,
                partner=world.partner,
                period_start=Q2,
                status=BusinessReview.Status.READY,
            )
            review.pdf.save("qbr.pdf", ContentFile(b"%PDF-1.4 test"))
        world._review = review
    return world._review


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_built_review_is_a_pdf_with_the_partners_name(world):
    with tenant_context(world.tenant):
        services.health_compute(tenant=world.tenant)
        services.rollups_compute(tenant=world.tenant, periods=[Q2])
        review = BusinessReviewFactory(tenant=world.tenant, partner=world.partner, period_start=Q2)
        assert reviews.review_build(tenant=world.tenant, review_id=review.pk)
        review.refresh_from_db()
        with review.pdf.open("rb") as f:
            data = f.read()
    assert (review.status, data[:5]) == (BusinessReview.Status.READY, b"%PDF-")


def test_partner_requests_a_review_of_its_own_company(world, django_capture_on_commit_callbacks):
    client = portal_client(world.tenant, world.partner_admin)
    with django_capture_on_commit_callbacks() as queued:
        resp = client.post(
            "/analytics/reviews/", {"partner": world.partner.pk, "quarter": Q2.isoformat()}
        )
    with tenant_context(world.tenant):
        review = BusinessReview.objects.get()
    assert (resp.status_code, review.partner_id, len(queued)) == (302, world.partner.pk, 1)


def test_partner_cannot_request_a_review_of_another_partner(world):
    client = portal_client(world.tenant, world.partner_admin)
    resp = client.post(
        "/analytics/reviews/", {"partner": world.other_partner.pk, "quarter": Q2.isoformat()}
    )
    assert resp.status_code == 200 and b"Select a valid choice" in resp.content


def test_partner_downloads_its_review(world):
    review = ready_review(world)
    resp = portal_client(world.tenant, world.partner_user).get(
        f"/analytics/reviews/{review.pk}.pdf"
    )
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")


def test_other_partner_cannot_download_the_review(world):
    review = ready_review(world)
    resp = portal_client(world.tenant, world.other_partner_user).get(
        f"/analytics/reviews/{review.pk}.pdf"
    )
    assert resp.status_code == 404


def test_manager_of_another_partner_cannot_download_the_review(world):
    from prm.roles import Role
    from tests.factories import MemberFactory

    review = ready_review(world)
    with tenant_context(world.tenant):
        other_manager = MemberFactory(tenant=world.tenant, role=Role.CHANNEL_MANAGER)
    resp = portal_client(world.tenant, other_manager).get(f"/analytics/reviews/{review.pk}.pdf")
    assert resp.status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_review_is_built_by_the_worker(celery_worker, settings):
    from tests.conftest import build_world, wait_for

    world = build_world("qbrworker")
    with tenant_context(world.tenant):
        review = reviews.review_request(
            tenant=world.tenant, partner=world.partner, period_start=Q2, by=world.partner_admin
        )

    def ready():
        with tenant_context(world.tenant):
            return BusinessReview.objects.get(pk=review.pk).status == "ready"

    assert wait_for(ready, timeout=60)
