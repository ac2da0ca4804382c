"""Whole-tenant data: export as a ZIP (a Celery job, progress, link by e-mail, expiring,
admins only) and deletion after a cooling-off period (request, cancel, expiry deletes every
row of that tenant and nothing of another)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from dealreg import services as deal_services
from prm import services
from prm.audit import log_action
from prm.errors import DomainError, PermissionDenied
from prm.models import AuditEvent, Tenant
from prm.tenancy import set_db_tenant, tenant_context
from tenantdata import services as tenant_data
from tenantdata.models import (
    DeletionStatus,
    ExportStatus,
    TenantDeletion,
    TenantExport,
    TenantTombstone,
)
from tenantdata.tasks import build_tenant_export
from tests.conftest import build_world, portal_client
from tests.factories import TenantExportFactory
from tests.html_helpers import find_all
from tests.mdf.test_mdf_support import make_program, request_fields


def _populate(world):
    """Rows in many tables, including the append-only ones (deal events, MDF ledger, audit)."""
    from mdf import services as mdf_services

    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": f"{world.tenant.slug} customer",
                "customer_domain_input": f"{world.tenant.slug}-customer.example",
                "amount": "25000",
                "expected_close_date": timezone.localdate() + datetime.timedelta(days=30),
            },
        )
        deal_services.deal_submit(by=world.partner_admin, deal=deal)
        program = make_program(world)
        mdf_services.allocation_add(program=program, partner=world.partner, amount="5000", by=None)
        mdf_services.request_submit(
            program=program, by=world.partner_admin, **request_fields(program)
        )
        services.api_key_create(member=world.admin, name="ci", scopes=["read"])
        log_action("test.probe", object_type="x", object_id="1")


def _counts(tenant_id: int) -> dict[str, int]:
    """Rows of `tenant_id` in every tenant table (RLS applies to the test role too)."""
    out = {}
    with transaction.atomic():
        set_db_tenant(tenant_id)
        with connection.cursor() as cur:
            for model in tenant_data.tenant_models():
                table = model._meta.db_table
                cur.execute(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [tenant_id])  # noqa: S608
                out[table] = cur.fetchone()[0]
        set_db_tenant(None)
    return out


def _build(world, django_capture_on_commit_callbacks) -> TenantExport:
    with tenant_context(world.tenant):
        export = tenant_data.export_request(by=world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        build_tenant_export.apply(kwargs={"tenant_id": world.tenant.pk, "export_id": export.pk})
    with tenant_context(world.tenant):
        export.refresh_from_db()
    return export


def _zip(export) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


# --- Export ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_one_csv_per_tenant_table_with_only_this_tenants_rows(
    world, stranger, django_capture_on_commit_callbacks
):
    _populate(world)
    _populate(stranger)
    export = _build(world, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    assert export.tables_done == export.tables_total == len(tenant_data.tenant_models())
    zf = _zip(export)
    manifest = json.loads(zf.read("manifest.json"))
    expected = _counts(world.tenant.pk)
    for model in tenant_data.tenant_models():
        table = model._meta.db_table
        rows = list(csv.DictReader(io.StringIO(zf.read(f"{table}.csv").decode())))
        assert {r["tenant_id"] for r in rows} <= {str(world.tenant.pk)}, table
        if table != "prm_auditevent":  # the export's own progress is audited afterwards
            assert len(rows) == expected[table] == manifest["tables"][table]["rows"], table
    assert expected["dealreg_deal"] == 1 and expected["mdf_ledgerentry"] >= 1


@pytest.mark.django_db
def test_export_leaves_out_credentials(world, django_capture_on_commit_callbacks):
    with tenant_context(world.tenant):
        _obj, key = services.api_key_create(member=world.admin, name="ci", scopes=["read"])
    zf = _zip(_build(world, django_capture_on_commit_callbacks))
    text = "".join(zf.read(n).decode() for n in zf.namelist())
    assert key not in text
    header = zf.read("prm_apikey.csv").decode().splitlines()[0]
    assert "key_hash" not in header and "prefix" in header
    assert "token_hash" not in zf.read("prm_invitation.csv").decode().splitlines()[0]


@pytest.mark.django_db
def test_export_link_is_emailed_and_downloads_as_an_attachment_for_admins(
    world, django_capture_on_commit_callbacks
):
    export = _build(world, django_capture_on_commit_callbacks)
    (message,) = [m for m in mail.outbox if world.admin.user.email in m.to]
    path = "/" + re.search(r"https?://\S+", message.body).group(0).split("/", 3)[3]
    assert path == f"/tenant-data/exports/{export.pk}/download/"
    resp = portal_client(world.tenant, world.admin).get(path)
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith("attachment")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert zipfile.ZipFile(io.BytesIO(b"".join(resp.streaming_content))).testzip() is None
    assert portal_client(world.tenant, world.channel_manager).get(path).status_code == 403
    with tenant_context(world.tenant):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"tenant.export_requested", "tenant.export_ready", "tenant.export_downloaded"} <= actions


@pytest.mark.django_db
def test_export_of_another_tenant_is_404(world, stranger, django_capture_on_commit_callbacks):
    export = _build(stranger, django_capture_on_commit_callbacks)
    resp = portal_client(world.tenant, world.admin).get(
        f"/tenant-data/exports/{export.pk}/download/"
    )
    assert resp.status_code == 404


@pytest.mark.django_db
def test_export_link_expires_and_the_sweep_deletes_the_file(
    world, django_capture_on_commit_callbacks
):
    export = _build(world, django_capture_on_commit_callbacks)
    name = export.file.name
    later = timezone.now() + datetime.timedelta(hours=tenant_data.export_hours() + 1)
    with tenant_context(world.tenant):
        TenantExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    path = f"/tenant-data/exports/{export.pk}/download/"
    assert portal_client(world.tenant, world.admin).get(path).status_code == 404
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.tenant):
        assert tenant_data.exports_purge_expired(now=later) == 1
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_export_page_shows_progress(world):
    with tenant_context(world.tenant):
        TenantExportFactory(
            tenant=world.tenant, requested_by=world.admin, tables_total=80, tables_done=20
        )
    html = portal_client(world.tenant, world.admin).get("/tenant-data/").content.decode()
    assert find_all(html, "progress", max="80", value="20") and "20/80" in html


@pytest.mark.django_db
def test_partners_cannot_request_an_export(world):
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        tenant_data.export_request(by=world.partner_admin)


# --- Deletion: request and cancel -------------------------------------------------------------


@pytest.mark.django_db
def test_deletion_needs_the_slug_typed_exactly(world):
    resp = portal_client(world.tenant, world.admin).post(
        "/tenant-data/deletion/", {"confirm": "not-the-slug"}
    )
    assert resp.status_code == 400
    with tenant_context(world.tenant):
        assert not TenantDeletion.objects.exists()


@pytest.mark.django_db
def test_deletion_cannot_be_requested_by_non_admins(world):
    for member in (world.channel_manager, world.partner_admin, world.partner_user):
        with tenant_context(world.tenant), pytest.raises(PermissionDenied):
            tenant_data.deletion_request(by=member, confirm=world.tenant.slug)
        resp = portal_client(world.tenant, member).post(
            "/tenant-data/deletion/", {"confirm": world.tenant.slug}
        )
        assert resp.status_code == 403
    with tenant_context(world.tenant):
        assert not TenantDeletion.objects.exists()


@pytest.mark.django_db
@override_settings(PRM_TENANT_DELETION_DAYS=30)
def test_requesting_deletion_marks_the_tenant_emails_admins_and_shows_a_banner_to_staff(
    world, django_capture_on_commit_callbacks
):
    second_admin = build_world("second").admin  # another tenant's admin: not told
    with django_capture_on_commit_callbacks(execute=True):
        resp = portal_client(world.tenant, world.admin).post(
            "/tenant-data/deletion/", {"confirm": world.tenant.slug}
        )
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        deletion = TenantDeletion.objects.get()
        audited = AuditEvent.objects.filter(action="tenant.deletion_requested").count()
    assert deletion.status == DeletionStatus.PENDING
    assert abs((deletion.due_at - timezone.now()) - datetime.timedelta(days=30)) < (
        datetime.timedelta(minutes=1)
    )
    assert audited == 1
    recipients = {to for m in mail.outbox for to in m.to}
    assert world.admin.user.email in recipients
    assert second_admin.user.email not in recipients
    for member, shown in [(world.channel_manager, True), (world.partner_admin, False)]:
        html = portal_client(world.tenant, member).get("/").content.decode()
        assert ("scheduled for deletion" in html) is shown


@pytest.mark.django_db
def test_an_admin_can_cancel_during_the_cooling_off_period(world):
    with tenant_context(world.tenant):
        tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
    resp = portal_client(world.tenant, world.admin).post("/tenant-data/deletion/cancel/")
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        deletion = TenantDeletion.objects.get()
        assert AuditEvent.objects.filter(action="tenant.deletion_cancelled").count() == 1
    assert (
        deletion.status == DeletionStatus.CANCELLED and deletion.cancelled_by_id == world.admin.pk
    )
    # Past the due date nothing happens to a cancelled request.
    later = timezone.now() + datetime.timedelta(days=60)
    assert tenant_data.deletion_execute(tenant_id=world.tenant.pk, now=later) is None
    assert Tenant.objects.filter(pk=world.tenant.pk).exists()


@pytest.mark.django_db
def test_nothing_is_deleted_before_the_cooling_off_period_ends(world):
    with tenant_context(world.tenant):
        tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
        with pytest.raises(DomainError):
            tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
    soon = timezone.now() + datetime.timedelta(days=tenant_data.cooling_off_days() - 1)
    assert tenant_data.deletion_execute(tenant_id=world.tenant.pk, now=soon) is None
    assert Tenant.objects.get(pk=world.tenant.pk).is_active


@pytest.mark.django_db
def test_the_app_role_cannot_purge_the_audit_trail_without_a_running_deletion(world):
    with tenant_context(world.tenant), connection.cursor() as cur:
        with pytest.raises(Exception, match="no deletion"), transaction.atomic():
            cur.execute("SELECT prm_tenant_purge_append_only('prm_auditevent', 10)")
        with pytest.raises(Exception, match="not an append-only"), transaction.atomic():
            cur.execute("SELECT prm_tenant_purge_append_only('prm_member', 10)")


def test_deletion_order_puts_every_referencing_table_before_the_table_it_references():
    position = {}
    for i, group in enumerate(tenant_data.deletion_order()):
        for model in group:
            position[model] = i
    for model, i in position.items():
        for f in model._meta.concrete_fields:
            target = getattr(f, "related_model", None)
            if f.is_relation and target in position and target is not model:
                assert position[target] >= i, (model, target)


# --- Deletion: expiry, with real commits ---------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(PRM_TENANT_DELETION_BATCH=2)
def test_expired_deletion_removes_every_row_and_file_of_the_tenant_and_nothing_else(
    world, stranger
):
    """Real commits: each batch is its own transaction, so the deferred foreign keys are
    checked batch by batch, as in production."""
    _populate(world)
    _populate(stranger)
    export = _build(world, lambda **kw: _NoCapture())
    assert export.status == ExportStatus.READY and default_storage.exists(export.file.name)
    with tenant_context(world.tenant):
        tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
    own_before, stranger_before = _counts(world.tenant.pk), _counts(stranger.tenant.pk)
    assert own_before["prm_auditevent"] > 0 and own_before["dealreg_dealevent"] > 0

    later = timezone.now() + datetime.timedelta(days=tenant_data.cooling_off_days() + 1)
    tombstone = tenant_data.deletion_execute(tenant_id=world.tenant.pk, now=later)

    assert tombstone is not None and tombstone.slug == world.tenant.slug
    assert tombstone.row_counts["dealreg_deal"] == 1
    assert all(n == 0 for n in _counts(world.tenant.pk).values())
    assert _counts(stranger.tenant.pk) == stranger_before
    assert not Tenant.objects.filter(pk=world.tenant.pk).exists()
    assert TenantTombstone.objects.filter(tenant_pk=world.tenant.pk).exists()
    assert not default_storage.exists(export.file.name)
    # Running again is harmless.
    assert tenant_data.deletion_execute(tenant_id=world.tenant.pk, now=later) is None


class _NoCapture:
    """Outside a test transaction on_commit callbacks run at commit: nothing to capture."""

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False
