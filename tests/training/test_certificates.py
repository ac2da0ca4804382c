"""Certifications: earned by passing their courses, counted in PartnerMetrics, expiring with
reminders (frozen time, idempotent sweep), renewed by re-taking the courses, verified on a
public page, and downloaded as a PDF by the people allowed to see them."""

from __future__ import annotations

import base64
import datetime

import pytest
import time_machine
import weasyprint
from django.core import mail
from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from partners.models import PartnerMetrics
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import api_client, portal_client
from tests.factories import MemberFactory, PartnerMetricsFactory
from tests.html_helpers import find
from tests.training.helpers import certify, make_course, pass_course
from training import services, tasks
from training.models import Certificate, CertificateNotice, Enrollment, QuizAttempt
from training.pdf import certificate_context

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)
# A 1 x 1 PNG (a real image: the certificate embeds the tenant's logo).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sales(world):
    return make_course(world)


@pytest.fixture
def certification(world, sales):
    return certify(world, courses=[sales], months=12)


def certified(world, member, course) -> Certificate:
    with time_machine.travel(T0, tick=False):
        pass_course(world, member, course)
    with tenant_context(world.tenant):
        return Certificate.objects.get(member=member)


def metrics(world, partner=None) -> int:
    with tenant_context(world.tenant):
        return PartnerMetrics.objects.get(partner=partner or world.partner).certified_people


def sweep(world, when):
    with time_machine.travel(when, tick=False):
        return tasks.sweep_certificates(tenant_id=world.tenant.pk)


# --- Earning ------------------------------------------------------------------------------


def test_passing_every_course_issues_the_certificate_with_expiry(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    assert cert.status == "active" and cert.issued_at == T0
    assert cert.expires_at == datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.UTC)
    assert len(cert.code) == 20
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="training.certificate_issued").count() == 1


def test_a_certification_of_two_courses_needs_both(world, sales):
    impl = make_course(world, code="IMPL-201", questions=[])
    certify(world, courses=[sales, impl], code="ACIE")
    pass_course(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        assert not Certificate.objects.filter(member=world.partner_user).exists()
    pass_course(world, world.partner_user, impl)
    with tenant_context(world.tenant):
        assert Certificate.objects.filter(member=world.partner_user).count() == 1


def test_defining_a_certification_certifies_people_who_already_passed(world, sales):
    pass_course(world, world.partner_user, sales)
    certify(world, courses=[sales])
    with tenant_context(world.tenant):
        assert Certificate.objects.filter(member=world.partner_user).exists()


def test_issue_mail_goes_after_commit(
    world, certification, sales, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pass_course(world, world.partner_user, sales)
    (msg,) = [m for m in mail.outbox if "certified" in m.subject]
    assert msg.to == [world.partner_user.user.email]
    assert "/learning/certificates/" in msg.body


# --- PartnerMetrics.certified_people ------------------------------------------------------


def test_certified_people_counts_valid_holders_per_partner(world, certification, sales):
    certified(world, world.partner_user, sales)
    assert metrics(world) == 1
    with time_machine.travel(T0, tick=False):
        pass_course(world, world.partner_admin, sales)
    assert metrics(world) == 2
    with tenant_context(world.tenant):
        assert not PartnerMetrics.objects.filter(partner=world.other_partner).exists()


def test_the_upsert_keeps_the_other_metrics(world, certification, sales):
    with tenant_context(world.tenant):
        PartnerMetricsFactory(
            tenant=world.tenant, partner=world.partner, won_deals_12m=7, health_score=60
        )
    certified(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        m = PartnerMetrics.objects.get(partner=world.partner)
    assert (m.certified_people, m.won_deals_12m, m.health_score) == (1, 7, 60)


def test_a_deactivated_holder_stops_counting(world, certification, sales):
    certified(world, world.partner_user, sales)
    from prm import services as prm_services

    with tenant_context(world.tenant):
        prm_services.member_set_active(member=world.partner_user, by=world.admin, active=False)
    assert metrics(world) == 0


# --- Expiry and reminders -----------------------------------------------------------------


def test_reminders_at_30_and_7_days_then_expiry_each_once(
    world, certification, sales, django_capture_on_commit_callbacks
):
    cert = certified(world, world.partner_user, sales)
    expires = cert.expires_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(world, expires - datetime.timedelta(days=31))["reminded"] == 0
        assert sweep(world, expires - datetime.timedelta(days=29))["reminded"] == 1
        assert sweep(world, expires - datetime.timedelta(days=28))["reminded"] == 0
        assert sweep(world, expires - datetime.timedelta(days=6))["reminded"] == 1
        assert sweep(world, expires - datetime.timedelta(days=5))["reminded"] == 0
        assert metrics(world) == 1
        assert sweep(world, expires + datetime.timedelta(minutes=1))["expired"] == 1
        assert sweep(world, expires + datetime.timedelta(days=1)) == {"expired": 0, "reminded": 0}
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 3
    assert sum("expires soon" in s for s in subjects) == 2 and "expired" in subjects[-1]
    with tenant_context(world.tenant):
        kinds = list(CertificateNotice.objects.values_list("kind", "recipients"))
        assert Certificate.objects.get(pk=cert.pk).status == "expired"
    assert {k for k, _to in kinds} == {"reminder_30", "reminder_7", "expired"}
    assert all(to == [world.partner_user.user.email] for _k, to in kinds)
    assert metrics(world) == 0


def test_a_late_first_sweep_sends_only_the_7_day_reminder(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    sweep(world, cert.expires_at - datetime.timedelta(days=3))
    with tenant_context(world.tenant):
        assert list(CertificateNotice.objects.values_list("kind", flat=True)) == ["reminder_7"]


def test_the_cross_tenant_sweep_fans_out_one_task_per_tenant(world, stranger, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.sweep_certificates, "delay", lambda **kw: queued.append(kw))
    assert tasks.sweep_certificates_all() == 2
    assert {q["tenant_id"] for q in queued} == {world.tenant.pk, stranger.tenant.pk}


def test_the_sweep_stays_in_its_tenant(world, stranger, certification, sales):
    cert = certified(world, world.partner_user, sales)
    later = cert.expires_at + datetime.timedelta(days=1)
    assert sweep(stranger, later)["expired"] == 0
    assert sweep(world, later)["expired"] == 1


# --- Renewal ------------------------------------------------------------------------------


def test_retaking_the_courses_renews_with_the_same_code(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    renew_at = cert.expires_at - datetime.timedelta(days=10)
    with time_machine.travel(renew_at, tick=False):
        with tenant_context(world.tenant):
            enrollment = Enrollment.objects.get(member=world.partner_user, course=sales)
            services.enrollment_restart(by=world.partner_user, enrollment=enrollment)
        assert metrics(world) == 1  # still certified while renewing
        pass_course(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        renewed = Certificate.objects.get(pk=cert.pk)
        enrollment.refresh_from_db()
    assert renewed.code == cert.code and renewed.renewals == 1
    assert renewed.issued_at == renew_at and renewed.first_issued_at == T0
    assert renewed.expires_at > cert.expires_at
    assert enrollment.cycle == 2 and enrollment.completed_at == renew_at


def test_an_expired_certificate_is_renewed_by_retaking(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    after = cert.expires_at + datetime.timedelta(days=3)
    sweep(world, after)
    assert metrics(world) == 0
    with time_machine.travel(after, tick=False):
        client = portal_client(world.tenant, world.partner_user)
        assert client.post(f"/learning/courses/{sales.pk}/restart/").status_code == 302
        pass_course(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        assert Certificate.objects.get(pk=cert.pk).status == "active"
    assert metrics(world) == 1


def test_restarting_an_unfinished_course_is_refused(world, sales):
    client = api_client(world.tenant, world.partner_user)
    enrollment = client.post(f"/api/v1/courses/{sales.pk}/enrol/").json()
    resp = client.post(f"/api/v1/enrollments/{enrollment['id']}/restart/")
    assert resp.status_code == 400 and resp.json()["type"] == "validation_error"


# --- Verification -------------------------------------------------------------------------


def test_the_public_page_verifies_a_valid_certificate(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    with time_machine.travel(T0 + datetime.timedelta(days=1), tick=False):
        resp = portal_client(world.tenant).get(f"/verify/{cert.code}")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "This certificate is valid" in html and cert.holder_name in html
    assert certification.name in html and world.tenant.name in html
    assert world.partner_user.user.email not in html and world.partner.name not in html


def test_the_public_page_shows_an_expired_certificate_as_expired(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    with time_machine.travel(cert.expires_at + datetime.timedelta(days=1), tick=False):
        resp = portal_client(world.tenant).get(f"/verify/{cert.code.lower()}")
    assert resp.status_code == 200 and "has expired" in resp.content.decode()


def test_an_unknown_code_or_another_tenants_code_is_404(world, stranger):
    assert portal_client(world.tenant).get("/verify/NOSUCHCODE2345678ABC").status_code == 404
    course = make_course(stranger)
    certify(stranger, courses=[course])
    theirs = certified(stranger, stranger.partner_user, course)
    assert portal_client(stranger.tenant).get(f"/verify/{theirs.code}").status_code == 200
    assert portal_client(world.tenant).get(f"/verify/{theirs.code}").status_code == 404


def test_api_verify_matches_the_public_page(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    client = api_client(world.tenant, world.other_partner_user)
    body = client.get(f"/api/v1/certificates/verify/?code={cert.code}").json()
    assert set(body) == {"holder_name", "certification", "is_valid", "expires_at", "tenant"}
    assert client.get("/api/v1/certificates/verify/?code=NOPE").status_code == 404


# --- The PDF ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("partner_user", 200),  # the holder
        ("partner_admin", 200),  # their partner's admin
        ("channel_manager", 200),
        ("admin", 200),
        ("other_partner_user", 404),  # another partner's person: not visible
    ],
)
def test_certificate_pdf_download_permissions(world, certification, sales, role, status):
    cert = certified(world, world.partner_user, sales)
    resp = portal_client(world.tenant, world.member(role)).get(
        f"/learning/certificates/{cert.pk}.pdf"
    )
    assert resp.status_code == status
    if status == 200:
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"].startswith("attachment;")
        assert resp.content.startswith(b"%PDF-")


def test_a_colleague_who_is_not_partner_admin_cannot_download(world, certification, sales):
    cert = certified(world, world.partner_admin, sales)
    colleague = MemberFactory(tenant=world.tenant, role="partner_user", partner=world.partner)
    resp = portal_client(world.tenant, colleague).get(f"/learning/certificates/{cert.pk}.pdf")
    assert resp.status_code == 404


def test_the_pdf_names_holder_certification_dates_code_and_tenant(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        cert = Certificate.objects.select_related("certification").get(pk=cert.pk)
        html = render_to_string(
            "training/pdf/certificate.html",
            certificate_context(tenant=world.tenant, certificate=cert),
        )
    for text in (cert.holder_name, certification.name, cert.code, world.tenant.name):
        assert text in html
    assert world.partner.name in html
    assert f"/verify/{cert.code}" in html
    assert world.tenant.primary_colour in html
    assert "15 Jan 2026" in html and "15 Jan 2027" in html  # the one date format (prm/formats)


def test_the_pdf_is_one_landscape_page_with_logo_and_verification_qr(world, certification, sales):
    cert = certified(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        world.tenant.logo.save("logo.png", ContentFile(PNG), save=True)
        cert = Certificate.objects.select_related("certification").get(pk=cert.pk)
        context = certificate_context(tenant=world.tenant, certificate=cert)
        html = render_to_string("training/pdf/certificate.html", context)
    assert context["logo"].startswith("data:image/png;base64,") and context["logo"] in html
    assert context["qr"].startswith("data:image/svg+xml;base64,") and context["qr"] in html
    document = weasyprint.HTML(string=html).render()
    assert len(document.pages) == 1
    page = document.pages[0]
    assert page.width > page.height  # landscape
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-")


def test_the_passed_quiz_page_announces_the_certificate_with_its_links(world, certification, sales):
    pass_course(world, world.partner_user, sales)
    with tenant_context(world.tenant):
        cert = Certificate.objects.get(member=world.partner_user)
        attempt = QuizAttempt.objects.filter(member=world.partner_user).latest("id")
    page = portal_client(world.tenant, world.partner_user).get(f"/learning/attempts/{attempt.pk}/")
    find(page, "h2", text=f"Certificate issued: {certification.name}")
    find(page, "a", href=f"/learning/certificates/{cert.pk}.pdf")
    find(page, "a", href=f"/verify/{cert.code}")
