"""A 1,000-lead CSV imported by the real Celery worker, with progress (committed data)."""

from __future__ import annotations

import pytest

from dealreg.models import Lead
from imports.models import ImportJob
from prm.tenancy import tenant_context
from tests.conftest import build_world, portal_client, wait_for
from tests.import_helpers import upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]


def test_thousand_leads_import_in_the_worker_with_progress(celery_worker):
    world = build_world("impw")
    rows = "company,domain,country,amount,external_id\n" + "".join(
        f"Lead {i} GmbH,lead{i}.example,DE,{100 + i},CRM-{i}\n" for i in range(1000)
    )
    rows += "Broken,broken.example,DE,not-a-number,CRM-X\n"
    resp, job = upload(world, world.channel_manager, "leads", rows)
    client = portal_client(world.tenant, world.channel_manager)
    preview = client.get(resp["Location"]).content.decode()
    assert "1000 new, 0 to update, 0 unchanged, 1 with errors." in preview
    assert client.post(f"/imports/jobs/{job.pk}/start/").status_code == 302

    seen = set()

    def finished():
        status = client.get(f"/imports/jobs/{job.pk}/status.json").json()
        seen.add(status["percent"])
        return status if status["status"] == "done" else None

    status = wait_for(finished, timeout=240, interval=0.5)
    assert status["percent"] == 100 and status["rows_done"] == 1001
    assert (status["created"], status["skipped"], status["errors"]) == (1000, 0, 1)
    assert len(seen) > 1  # progress was visible between batches
    report = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "Import finished" in report and "errors.csv" in report
    with tenant_context(world.tenant):
        assert Lead.objects.count() == 1000
        assert ImportJob.objects.get(pk=job.pk).error_rows[0]["line"] == 1002
