"""Mandatory e-mails (invitations, export links, deletion notices, operational alerts,
applicant mails, account mails) are written in the recipient's language too, without going
through notification preferences: a member who turned every group off still gets them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from onboarding.models import Application
from prm import services
from prm.models import AuditEvent, NotificationMode, NotificationPreference
from prm.tenancy import tenant_context
from tenantdata import privacy
from tenantdata import services as tenant_data
from tests.conftest import portal_client
from tests.factories import UserFactory
from tests.onboarding_helpers import public_client, specialty

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    translation.activate("en")  # as in a worker: no request chose a language
    yield
    translation.activate("en")


def _speaks(member, language: str) -> None:
    member.user.language = language
    member.user.save(update_fields=["language"])


def _german(msgid: str) -> str:
    with translation.override("de"):
        text = gettext(msgid)
    assert text != msgid, f"no German for {msgid!r}"
    return text


def _mails_to(email: str) -> list:
    return [m for m in mail.outbox if email in m.to]


def test_invitation_is_german_for_a_person_whose_account_speaks_german(
    world, django_capture_on_commit_callbacks
):
    german_user = UserFactory(language="de")
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            services.member_invite(
                tenant=world.tenant,
                by=world.admin,
                email=german_user.email,
                role="partner_user",
                partner=world.partner,
            )
    [message] = _mails_to(german_user.email)
    expected = _german("You are invited to %(tenant)s's partner portal") % {
        "tenant": world.tenant.name
    }
    assert message.subject == f"[{world.tenant.name}] {expected}"
    assert "Sie wurden zum Partnerportal" in message.body
    assert "Sie wurden zum Partnerportal" in message.alternatives[0][0]
    assert "List-Unsubscribe" not in message.extra_headers


def test_invitation_to_someone_without_an_account_is_in_the_default_language(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            services.member_invite(
                tenant=world.tenant,
                by=world.admin,
                email="new@example.com",
                role="partner_user",
                partner=world.partner,
            )
    [message] = _mails_to("new@example.com")
    assert "You have been invited to the" in message.body


def test_personal_data_export_link_is_german_even_with_every_notification_off(
    world, django_capture_on_commit_callbacks
):
    member = world.partner_user
    _speaks(member, "de")
    with tenant_context(world.tenant):
        for group in ("deals", "onboarding", "digest"):
            NotificationPreference.objects.create(
                tenant=world.tenant, member=member, group=group, mode=NotificationMode.OFF
            )
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            privacy.export_build(member_id=member.pk, token="tok-de")
    [message] = _mails_to(member.user.email)
    assert message.subject == (
        f"[{world.tenant.name}] {_german('Your personal data export is ready')}"
    )
    assert "/privacy/export/tok-de/" in message.body
    assert message.body.startswith(f"Guten Tag {member.user.display_name}")


def test_deletion_notice_reaches_each_admin_in_their_own_language(
    world, django_capture_on_commit_callbacks
):
    from tests.factories import MemberFactory

    english_admin = MemberFactory(tenant=world.tenant, role="admin")
    _speaks(world.admin, "de")
    _speaks(english_admin, "en")
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.tenant):
            tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
    [german] = _mails_to(world.admin.user.email)
    [english] = _mails_to(english_admin.user.email)
    assert german.subject.endswith(_german("The program is scheduled for deletion"))
    assert english.subject.endswith("The program is scheduled for deletion")
    assert world.admin.user.email in german.body and world.admin.user.email in english.body


def test_applicant_mail_is_in_the_language_they_used_on_the_form(
    world, django_capture_on_commit_callbacks
):
    data = {
        "company_name": "Globex Partners",
        "website": "https://www.globex.example",
        "country": "de",
        "partner_type": "system_integrator",
        "specialties": [specialty(world).pk],
        "size_band": "50-249",
        "expected_revenue": "250000",
        "contact_name": "Gill Globex",
        "contact_email": "gill@globex.example",
        "contact_phone": "+49 30 123456",
        "homepage": "",
    }
    client = public_client(world.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/apply/", data, HTTP_ACCEPT_LANGUAGE="de")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        assert Application.objects.get().language == "de"
        event = AuditEvent.objects.get(action="application.submitted")
        assert event.after["language"] == "de"
    [message] = _mails_to("gill@globex.example")
    expected = _german("We received your application to %(t)s's partner program") % {
        "t": world.tenant.name
    }
    assert message.subject == f"[{world.tenant.name}] {expected}"
    assert message.body.startswith("Guten Tag Gill Globex")


def test_password_reset_is_in_the_accounts_language_whatever_the_browser_says(
    world, django_capture_on_commit_callbacks
):
    _speaks(world.partner_user, "de")
    client = portal_client(world.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/accounts/password/reset/",
            {"email": world.partner_user.user.email},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert resp.status_code == 302
    [message] = _mails_to(world.partner_user.user.email)
    with translation.override("de"):
        german = gettext("Password Reset Email")  # allauth's own catalogue
    assert german != "Password Reset Email"
    assert message.subject.endswith(german)
