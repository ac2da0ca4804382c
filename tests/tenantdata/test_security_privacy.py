"""Personal data: a member's export (built by a task, link by e-mail, only for them, expiring)
and erasure by a tenant admin (personal fields gone everywhere, business records intact)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection

from dealreg import services as deal_services
from dealreg.models import Deal
from prm.audit import audit_context, log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent, User
from prm.tenancy import tenant_context
from tenantdata import privacy
from tenantdata.tasks import build_personal_export
from tests.conftest import portal_client

pytestmark = pytest.mark.django_db


def _activity(world, member):
    """Some of `member`'s footprint: a deal they registered and an audited request."""
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=member, data={"customer_name": "Globex", "customer_domain_input": "globex.example"}
        )
        with audit_context(
            user_id=member.user_id,
            actor_label=member.user.email,
            ip="198.51.100.23",
            user_agent="Mozilla/5.0 (Personal Browser)",
        ):
            log_action("deal.viewed", obj=deal)
    return deal


def _run_export(world, member, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        build_personal_export.apply(
            kwargs={"tenant_id": world.tenant.pk, "member_id": member.pk, "token": "tok-1"}
        )
    (message,) = [m for m in mail.outbox if member.user.email in m.to]
    return re.search(r"https?://\S+/privacy/export/\S+/", message.body).group(0)


# --- Export ---------------------------------------------------------------------------------


def test_requesting_an_export_queues_the_task_for_that_member(world, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "tenantdata.privacy.dispatch", lambda task, **kw: queued.append((task.name, kw))
    )
    with tenant_context(world.tenant):
        privacy.export_request(member=world.partner_user)
    ((name, kwargs),) = queued
    assert name == "prm.privacy.build_personal_export"
    assert kwargs["member_id"] == world.partner_user.pk and kwargs["tenant"] == world.tenant


def test_export_link_arrives_by_email_and_downloads_the_members_data(
    world, django_capture_on_commit_callbacks
):
    deal = _activity(world, world.partner_admin)
    link = _run_export(world, world.partner_admin, django_capture_on_commit_callbacks)
    path = "/" + link.split("/", 3)[3]
    resp = portal_client(world.tenant, world.partner_admin).get(path)
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    data = json.loads(resp.content)
    assert data["account"]["email"] == world.partner_admin.user.email
    assert any(e["ip"] == "198.51.100.23" for e in data["audit_trail"])
    assert deal.pk in [row["id"] for row in data["records"]["dealreg.deal"]["created_by"]]


def test_export_holds_no_credentials(world, django_capture_on_commit_callbacks):
    from prm import services

    with tenant_context(world.tenant):
        _obj, key = services.api_key_create(member=world.partner_user, name="x", scopes=["read"])
    _run_export(world, world.partner_user, django_capture_on_commit_callbacks)
    payload = cache.get(privacy.CACHE_PREFIX + "tok-1")["json"]
    assert key not in payload
    assert world.partner_user.user.password not in payload
    assert "key_hash" not in payload


def test_another_member_cannot_download_someone_elses_export(
    world, django_capture_on_commit_callbacks
):
    link = _run_export(world, world.partner_user, django_capture_on_commit_callbacks)
    path = "/" + link.split("/", 3)[3]
    assert portal_client(world.tenant, world.admin).get(path).status_code == 404


def test_export_expires(world, django_capture_on_commit_callbacks):
    link = _run_export(world, world.partner_user, django_capture_on_commit_callbacks)
    cache.delete(privacy.CACHE_PREFIX + "tok-1")  # what the timeout does after EXPORT_HOURS
    path = "/" + link.split("/", 3)[3]
    assert portal_client(world.tenant, world.partner_user).get(path).status_code == 404


def test_the_privacy_page_shows_progress_then_the_download_link(
    world, django_capture_on_commit_callbacks
):
    client = portal_client(world.tenant, world.partner_user)
    assert "export-progress" not in client.get("/privacy/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post("/privacy/").status_code == 302
    assert len(queued) == 1  # the job is queued after commit, not run yet
    page = client.get("/privacy/").content.decode()
    assert "<progress" in page and "data-pending" in page
    assert "/privacy/export/" not in page
    with tenant_context(world.tenant):
        member = world.partner_user
    status = privacy.export_status(member=member)
    with django_capture_on_commit_callbacks(execute=True):
        build_personal_export.apply(
            kwargs={"tenant_id": world.tenant.pk, "member_id": member.pk, "token": status.token}
        )
    page = client.get("/privacy/").content.decode()
    assert "<progress" not in page
    link = re.search(r'href="(/privacy/export/[^"]+/)"', page).group(1)
    assert client.get(link)["Content-Disposition"].startswith("attachment")
    # Nobody else sees it on their page.
    other = portal_client(world.tenant, world.admin).get("/privacy/").content.decode()
    assert link not in other


# --- Erasure --------------------------------------------------------------------------------


def test_erasure_pseudonymises_the_audit_trail(world):
    _activity(world, world.partner_admin)
    user_id = world.partner_admin.user_id
    with tenant_context(world.tenant):
        privacy.person_erase(by=world.admin, member=world.partner_admin)
        rows = list(AuditEvent.objects.filter(actor_id=user_id))
    assert rows
    for row in rows:
        assert row.actor_label == f"erased-{user_id}@erased.invalid"
        assert row.ip is None and row.user_agent == ""


def test_erasure_pseudonymises_the_account_of_a_person_in_no_other_tenant(world):
    email = world.partner_user.user.email
    with tenant_context(world.tenant):
        privacy.person_erase(by=world.admin, member=world.partner_user)
    user = User.objects.get(pk=world.partner_user.user_id)
    assert user.email != email and user.full_name == "" and not user.is_active
    assert not user.has_usable_password()


def test_erasure_keeps_business_records_consistent(world):
    deal = _activity(world, world.partner_admin)
    with tenant_context(world.tenant):
        privacy.person_erase(by=world.admin, member=world.partner_admin)
        kept = Deal.objects.get(pk=deal.pk)
    assert kept.partner_id == world.partner.pk
    assert kept.created_by_id == world.partner_admin.pk
    assert kept.customer_name == "Globex"


def test_erasure_leaves_other_peoples_audit_rows_alone(world):
    _activity(world, world.partner_admin)
    _activity(world, world.other_partner_user)
    with tenant_context(world.tenant):
        privacy.person_erase(by=world.admin, member=world.partner_admin)
        other = AuditEvent.objects.filter(actor_id=world.other_partner_user.user_id).first()
    assert other.actor_label == world.other_partner_user.user.email
    assert other.ip == "198.51.100.23"


def test_only_tenant_admins_can_erase(world):
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        privacy.person_erase(by=world.channel_manager, member=world.partner_user)


def test_an_admin_cannot_erase_themselves(world):
    with tenant_context(world.tenant), pytest.raises(DomainError):
        privacy.person_erase(by=world.admin, member=world.admin)


def test_erase_page_needs_the_email_typed_to_confirm(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(f"/privacy/erase/{world.partner_user.pk}/", {"confirm": "nope"})
    assert resp.status_code == 400
    assert User.objects.get(pk=world.partner_user.user_id).is_active


def test_erase_page_erases_after_confirmation(world):
    client = portal_client(world.tenant, world.admin)
    resp = client.post(
        f"/privacy/erase/{world.partner_user.pk}/", {"confirm": world.partner_user.user.email}
    )
    assert resp.status_code == 302
    assert not User.objects.get(pk=world.partner_user.user_id).is_active


def test_app_role_may_pseudonymise_through_the_function_but_not_update_the_audit_table():
    role = settings.PRM_DB_APP_ROLE
    with connection.cursor() as cur:
        cur.execute(
            "SELECT has_function_privilege(%s, 'prm_audit_pseudonymise(bigint,text,text)',"
            " 'EXECUTE'), has_table_privilege(%s, 'prm_auditevent', 'UPDATE')",
            [role, role],
        )
        can_execute, can_update = cur.fetchone()
    assert can_execute is True
    assert can_update is False
