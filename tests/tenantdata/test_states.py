"""Exports, deletions and a person's export move only as tenantdata.states declares; the
portal offers, and the API lists, exactly the actions the machines allow; the app registers
its capabilities, menu entries and sweep itself."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from prm.errors import DomainError
from prm.roles import has_perm
from prm.states import ActionNotAllowed
from prm.tenancy import tenant_context
from tenantdata import services as tenant_data
from tenantdata.models import DeletionStatus, ExportStatus, TenantDeletion, TenantExport
from tenantdata.states import DELETION_MACHINE, EXPORT_MACHINE
from tests.conftest import ROOT, api_client, portal_client

pytestmark = pytest.mark.django_db


def _export(world, *, status: str, expires_in_hours: int = 1, with_file: bool = True):
    with tenant_context(world.tenant):
        export = TenantExport.objects.create(
            tenant=world.tenant,
            requested_by=world.admin,
            status=status,
            tables_total=10,
            tables_done=10 if status == ExportStatus.READY else 3,
            expires_at=timezone.now() + datetime.timedelta(hours=expires_in_hours),
        )
        if with_file:
            export.file.save("export.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    return export


def test_the_declared_moves_of_an_export_and_a_deletion():
    assert EXPORT_MACHINE.targets(ExportStatus.QUEUED) == {ExportStatus.RUNNING, "failed"}
    assert EXPORT_MACHINE.targets(ExportStatus.READY) == set()
    with pytest.raises(ActionNotAllowed):
        EXPORT_MACHINE.check_move(ExportStatus.READY, ExportStatus.RUNNING)
    assert DELETION_MACHINE.targets(DeletionStatus.PENDING) == {"cancelled", "running"}
    with pytest.raises(ActionNotAllowed):
        DELETION_MACHINE.check_move(DeletionStatus.CANCELLED, DeletionStatus.RUNNING)


def test_a_ready_export_is_not_built_twice(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    export = _export(world, status=ExportStatus.READY)
    assert tenant_data.export_build(tenant_id=world.tenant.pk, export_id=export.pk) is None
    with tenant_context(world.tenant):
        export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.tables_done == 10


def test_a_cancelled_deletion_cannot_be_cancelled_again(world):
    with tenant_context(world.tenant):
        tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
        tenant_data.deletion_cancel(by=world.admin)
        with pytest.raises(DomainError):
            tenant_data.deletion_cancel(by=world.admin)
        deletion = TenantDeletion.objects.get()
    with pytest.raises(ActionNotAllowed):
        DELETION_MACHINE.check(deletion, world.admin, "cancel")


def test_the_page_offers_the_download_only_while_the_export_is_live(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    live = _export(world, status=ExportStatus.READY)
    expired = _export(world, status=ExportStatus.READY, expires_in_hours=-1)
    running = _export(world, status=ExportStatus.RUNNING, with_file=False)
    html = portal_client(world.tenant, world.admin).get("/tenant-data/").content.decode()
    assert f"/tenant-data/exports/{live.pk}/download/" in html
    assert f"/tenant-data/exports/{expired.pk}/download/" not in html
    assert "Expired" in html
    assert f"/tenant-data/exports/{running.pk}/download/" not in html
    assert html.count("data-pending") == 1  # the running export only


def test_the_page_offers_cancelling_only_while_a_deletion_is_pending(world):
    client = portal_client(world.tenant, world.admin)
    assert "/tenant-data/deletion/cancel/" not in client.get("/tenant-data/").content.decode()
    with tenant_context(world.tenant):
        tenant_data.deletion_request(by=world.admin, confirm=world.tenant.slug)
    assert "/tenant-data/deletion/cancel/" in client.get("/tenant-data/").content.decode()
    # The banner links staff to it only when they may cancel (admins).
    admin_home = client.get("/").content.decode()
    manager_home = portal_client(world.tenant, world.channel_manager).get("/").content.decode()
    assert "scheduled for deletion" in admin_home and "scheduled for deletion" in manager_home
    assert "Review or cancel" in admin_home and "Review or cancel" not in manager_home


def test_the_api_lists_the_same_allowed_actions(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ready = _export(world, status=ExportStatus.READY)
    queued = _export(world, status=ExportStatus.QUEUED, with_file=False)
    api = api_client(world.tenant, world.admin)
    assert api.get(f"/api/v1/tenant/exports/{ready.pk}/").json()["allowed_actions"] == ["download"]
    assert api.get(f"/api/v1/tenant/exports/{queued.pk}/").json()["allowed_actions"] == []
    resp = api.post("/api/v1/tenant/deletion/", {"confirm": world.tenant.slug}, format="json")
    assert resp.status_code == 201 and resp.json()["allowed_actions"] == ["cancel"]
    resp = api.post("/api/v1/tenant/deletion/cancel/", {}, format="json")
    assert resp.json()["status"] == "cancelled" and resp.json()["allowed_actions"] == []


def test_the_app_registers_its_capabilities_menu_and_sweep():
    from prm.celery import app
    from prm.context_processors import NAV

    assert has_perm("admin", "tenant_data.manage") and not has_perm(
        "channel_manager", "privacy.erase"
    )
    assert has_perm("partner_user", "privacy.export_own")
    assert {"tenant-data", "privacy"} <= {entry.url_name for entry in NAV}
    sweeps = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "prm.tenant_data.sweep_all"
    ]
    assert len(sweeps) == 1
    # The task names are the ones they had in the core (messages queued before the move).
    app.loader.import_default_modules()
    assert {
        "prm.tenant_data.build_export",
        "prm.tenant_data.sweep",
        "prm.tenant_data.sweep_all",
        "prm.privacy.build_personal_export",
    } <= set(app.tasks)


def test_core_pages_show_the_deletion_banner_and_erase_section_only_through_the_registries(
    world,
):
    from prm import context_processors

    assert "tenant_data/_deletion_banner.html" in context_processors.PAGE_BANNERS
    assert "privacy/_member_section.html" in context_processors.MEMBER_PAGE_SECTIONS
    core = (ROOT / "templates" / "base.html").read_text() + (
        ROOT / "templates" / "prm" / "member_detail.html"
    ).read_text()
    assert "tenant_data/" not in core and "privacy-erase" not in core
    page = portal_client(world.tenant, world.admin).get(f"/members/{world.partner_user.pk}/")
    assert f"/privacy/erase/{world.partner_user.pk}/" in page.content.decode()
