"""CSV imports (prm.imports): parsing, dry-run preview, each importer, idempotency, reports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dealreg.models import Lead, NamedAccount
from imports.models import ImportJob
from mdf.models import ExchangeRate, LedgerEntry
from partners.models import Partner
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import TierFactory
from tests.import_helpers import import_csv, start_and_run, upload
from tests.mdf.test_mdf_support import make_program

pytestmark = pytest.mark.django_db

LEADS = "company,domain,country,amount,external_id\n" + "".join(
    f"Lead {i} Ltd,lead{i}.example,US,{1000 + i},CRM-{i}\n" for i in range(3)
)


def test_dry_run_lists_errors_per_row_and_writes_nothing(world):
    rows = LEADS + "Bad Co,bad.example,US,lots,CRM-9\n,x.example,US,1,CRM-10\n"
    resp, job = upload(world, world.channel_manager, "leads", rows)
    page = portal_client(world.tenant, world.channel_manager).get(resp["Location"])
    body = page.content.decode()
    assert "3 new, 0 to update, 0 unchanged, 2 with errors." in body
    assert "line 5: amount: The amount is not a number." in body
    assert "line 6: company: Enter the company." in body
    with tenant_context(world.tenant):
        assert not Lead.objects.exists()
        assert ImportJob.objects.get(pk=job.pk).status == "previewed"
        assert not AuditEvent.objects.filter(action__startswith="lead.").exists()


def test_wrong_header_is_refused_with_the_expected_columns(world):
    resp, job = upload(world, world.channel_manager, "leads", "firm,amount\nAcme,1\n")
    body = resp.content.decode()
    assert job is None and resp.status_code == 200
    assert "missing column: company" in body and "unknown column: firm" in body


def test_bom_and_semicolons_are_understood(world):
    data = "\ufeffcompany;country\nSemi Co;DE\n".encode()
    job = import_csv(world, world.channel_manager, "leads", data)
    assert job.created == 1
    with tenant_context(world.tenant):
        assert Lead.objects.get().country == "DE"


def test_too_many_rows_and_too_large_files_are_refused(world, settings):
    from imports import services as imports

    rows = "company\n" + "".join(f"C{i}\n" for i in range(imports.MAX_ROWS + 1))
    resp, job = upload(world, world.channel_manager, "leads", rows)
    assert job is None and "At most 5000 rows per import." in resp.content.decode()
    resp, job = upload(world, world.channel_manager, "leads", b"company\n" + b"x" * 2_200_000)
    assert job is None and "larger than 2 MB" in resp.content.decode()


def test_reimporting_the_same_leads_changes_nothing(world):
    first = import_csv(world, world.channel_manager, "leads", LEADS)
    second = import_csv(world, world.channel_manager, "leads", LEADS)
    assert (first.created, first.skipped) == (3, 0)
    assert (second.created, second.skipped, second.failed) == (0, 3, 0)
    with tenant_context(world.tenant):
        assert Lead.objects.count() == 3


def test_start_and_finish_are_audited_once_and_a_job_starts_once(world):
    resp, job = upload(world, world.channel_manager, "leads", LEADS)
    job = start_and_run(world, world.channel_manager, job)
    again = portal_client(world.tenant, world.channel_manager).post(
        f"/imports/jobs/{job.pk}/start/"
    )
    assert again.status_code == 302
    with tenant_context(world.tenant):
        assert AuditEvent.objects.filter(action="import.started").count() == 1
        finished = AuditEvent.objects.get(action="import.finished")
        assert finished.after["created"] == 3
        assert AuditEvent.objects.filter(action="lead.created").count() == 3


def test_redelivered_batch_does_nothing(world):
    from imports import services as imports

    resp, job = upload(world, world.channel_manager, "leads", LEADS)
    start_and_run(world, world.channel_manager, job)
    with tenant_context(world.tenant):
        assert imports.import_job_run_batch(job_id=job.pk, offset=0) is None
        assert Lead.objects.count() == 3


def test_error_csv_lists_the_rows_that_were_not_imported(world):
    job = import_csv(world, world.channel_manager, "leads", LEADS + "Bad,b.example,US,x,C\n")
    body = b"".join(
        portal_client(world.tenant, world.channel_manager)
        .get(f"/imports/jobs/{job.pk}/errors.csv")
        .streaming_content
    ).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("line,errors,company")
    assert len(lines) == 2 and "The amount is not a number." in lines[1]


def test_status_json_reports_progress(world):
    job = import_csv(world, world.channel_manager, "leads", LEADS)
    data = portal_client(world.tenant, world.channel_manager).get(
        f"/imports/jobs/{job.pk}/status.json"
    )
    assert data.json() == {
        "status": "done",
        "rows_done": 3,
        "total_rows": 3,
        "percent": 100,
        "created": 3,
        "updated": 0,
        "skipped": 0,
        "errors": 0,
    }


def test_partner_user_cannot_see_imports_and_stranger_jobs_are_404(world, stranger):
    job = import_csv(world, world.channel_manager, "leads", LEADS)
    # A partner's people import only their own accounts (accountmap): the staff's jobs are
    # neither listed for them nor reachable.
    partner = portal_client(world.tenant, world.partner_admin)
    assert f"/imports/jobs/{job.pk}/" not in partner.get("/imports/").content.decode()
    assert partner.get(f"/imports/jobs/{job.pk}/").status_code == 404
    assert partner.get("/imports/leads/").status_code == 403
    other = portal_client(stranger.tenant, stranger.channel_manager)
    assert other.get(f"/imports/jobs/{job.pk}/").status_code == 404
    # A channel manager may import leads but not exchange rates.
    cm = portal_client(world.tenant, world.channel_manager)
    assert cm.get("/imports/exchange-rates/").status_code == 403


# --- Importers ---------------------------------------------------------------------------


def test_partner_import_creates_then_updates_by_name(world):
    with tenant_context(world.tenant):
        TierFactory(tenant=world.tenant, name="Gold", rank=2)
    rows = (
        "name,domain,type,tier,region,country,status\n"
        "Acme Resale,acme-resale.example,reseller,Gold,emea,de,onboarding\n"
        "Bad Type,bad.example,wizard,,,,\n"
        "Bad Tier,badtier.example,isv,Diamond,,,\n"
    )
    resp, job = upload(world, world.admin, "partners", rows)
    body = portal_client(world.tenant, world.admin).get(resp["Location"]).content.decode()
    assert "type: Use one of" in body and "Unknown tier" in body
    job = start_and_run(world, world.admin, job)
    assert (job.created, job.failed) == (1, 2)
    with tenant_context(world.tenant):
        acme = Partner.objects.get(name="Acme Resale")
        assert (acme.tier.name, acme.region, acme.country, acme.status) == (
            "Gold",
            "emea",
            "DE",
            "onboarding",
        )
        assert acme.domains == ["acme-resale.example"]
    update = "name,type,status\nAcme Resale,isv,active\n"
    job = import_csv(world, world.admin, "partners", update)
    assert job.updated == 1
    again = import_csv(world, world.admin, "partners", update)
    assert (again.updated, again.skipped) == (0, 1)
    with tenant_context(world.tenant):
        acme.refresh_from_db()
        assert (acme.partner_type, acme.status) == ("isv", "active")


def test_named_account_import_upserts_by_external_id(world):
    job = import_csv(
        world,
        world.admin,
        "named-accounts",
        "name,domain,kind,external_id\nInitech,initech.com,named,SF-1\n",
    )
    assert job.created == 1
    job = import_csv(
        world,
        world.admin,
        "named-accounts",
        "name,domain,kind,external_id\nInitech Corp,initech.com,named,SF-1\n",
    )
    assert job.updated == 1
    with tenant_context(world.tenant):
        assert list(NamedAccount.objects.values_list("name", flat=True)) == ["Initech Corp"]


def test_exchange_rate_import_updates_a_changed_rate(world):
    import_csv(
        world,
        world.admin,
        "exchange-rates",
        "from_currency,to_currency,rate,valid_from\nEUR,USD,1.08,2030-01-01\n",
    )
    job = import_csv(
        world,
        world.admin,
        "exchange-rates",
        "from_currency,to_currency,rate,valid_from\neur,usd,1.10,2030-01-01\n",
    )
    assert job.updated == 1
    with tenant_context(world.tenant):
        assert ExchangeRate.objects.get().rate == Decimal("1.10")


def test_mdf_allocation_import_is_idempotent_and_checks_currency(world):
    with tenant_context(world.tenant):
        program = make_program(world, name="Q Program")
    rows = (
        "partner,program,amount,currency,external_id\n"
        f"{world.partner.name},Q Program,5000,USD,A-1\n"
        f"{world.other_partner.name},Q Program,100,EUR,A-2\n"
        "Nobody,Q Program,100,USD,A-3\n"
    )
    job = import_csv(world, world.admin, "mdf-allocations", rows)
    assert (job.created, job.failed) == (1, 2)
    messages = " ".join(e for r in job.error_rows for e in r["errors"])
    assert "currency: The program's currency is USD." in messages
    assert "partner: Unknown partner." in messages
    again = import_csv(world, world.admin, "mdf-allocations", rows)
    assert (again.created, again.skipped) == (0, 1)
    with tenant_context(world.tenant):
        entry = LedgerEntry.objects.get(program=program)
        assert (entry.partner_id, entry.amount, entry.key) == (
            world.partner.pk,
            Decimal("5000.00"),
            "csv:A-1",
        )
