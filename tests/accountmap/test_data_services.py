"""Accounts and populations (accountmap.services, accountmap.importers): upserts by external
id are idempotent and audited, the side comes from the member, CSV imports preview each row
with its errors, a partner's registrations are its accounts, the vendor's customers keep
dealreg's named accounts in step, owners resolve to members."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accountmap import services
from accountmap.models import Account, Population
from dealreg import services as deal_services
from dealreg.models import NamedAccount
from imports.models import ImportJob
from prm.audit import AuditEvent
from prm.errors import DomainError, PermissionDenied
from prm.tenancy import tenant_context
from tests.conftest import portal_client
from tests.factories import AccountFactory
from tests.import_helpers import import_csv, upload

pytestmark = pytest.mark.django_db


def _audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_an_upsert_by_external_id_is_idempotent_and_audited_once(world):
    with tenant_context(world.tenant):
        values = {
            "name": "Initech",
            "domain": "https://www.initech.example/x",
            "status": "customer",
        }
        first, created = services.account_upsert(
            by=world.admin, external_id="SF-1", source="crm", **values
        )
        again, created_again = services.account_upsert(
            by=world.admin, external_id="SF-1", source="crm", **values
        )
        assert (created, created_again) == (True, False)
        assert first.pk == again.pk and first.domain == "initech.example"
        assert first.partner_id is None
        assert Account.objects.count() == 1
        assert _audits("account.created") == 1 and _audits("account.updated") == 0
        services.account_upsert(by=world.admin, external_id="SF-1", source="crm", name="Initech 2")
        assert _audits("account.updated") == 1


def test_a_partner_member_writes_its_own_partners_side(world):
    with tenant_context(world.tenant):
        account, _ = services.account_upsert(
            by=world.partner_user, external_id="X-1", source="api", name="Ours"
        )
        assert account.partner_id == world.partner.pk
        # the same external id on the vendor's side is another account
        vendor, created = services.account_upsert(
            by=world.admin, external_id="X-1", source="crm", name="Vendor's"
        )
        assert created and vendor.partner_id is None


def test_a_channel_manager_may_not_write_vendor_accounts(world):
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        services.account_create(by=world.channel_manager, name="Nope")


def test_a_partner_cannot_edit_another_partners_account(world):
    with tenant_context(world.tenant):
        theirs = AccountFactory(tenant=world.tenant, partner=world.other_partner)
        with pytest.raises(PermissionDenied):
            services.account_update(by=world.partner_user, account=theirs, name="Taken")


def test_bad_values_name_every_field_at_fault_and_write_nothing(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.account_create(
                by=world.admin,
                name="",
                domain="not a domain",
                country="Narnia",
                owner_email="nobody",
                employees=-4,
            )
        assert set(exc.value.errors) == {"name", "domain", "country", "owner_email", "employees"}
        assert Account.objects.count() == 0


def test_the_owner_email_of_a_member_links_the_member(world):
    with tenant_context(world.tenant):
        account = services.account_create(
            by=world.admin, name="Owned", owner_email=world.channel_manager.user.email.upper()
        )
        assert account.owner_member_id == world.channel_manager.pk
        # a partner person is not the owner of a vendor account
        other = services.account_create(
            by=world.admin, name="Other", owner_email=world.partner_user.user.email
        )
        assert other.owner_member_id is None


def test_a_vendor_customer_keeps_its_named_account_in_step(world):
    with tenant_context(world.tenant):
        account, _ = services.account_upsert(
            by=world.admin, external_id="SF-9", source="crm", name="Named Co",
            domain="named.example", status="customer",
        )  # fmt: skip
        named = NamedAccount.objects.get()
        assert (named.name, named.domain, named.kind, named.is_active) == (
            "Named Co", "named.example", "named", True,
        )  # fmt: skip
        services.account_update(by=world.admin, account=account, status="opportunity")
        named.refresh_from_db()
        assert named.kind == "opportunity"
        services.account_update(by=world.admin, account=account, status="prospect")
        named.refresh_from_db()
        assert named.is_active is False
        assert NamedAccount.objects.count() == 1


def test_a_vendor_prospect_makes_no_named_account(world):
    with tenant_context(world.tenant):
        services.account_create(by=world.admin, name="Maybe", status="prospect")
        assert not NamedAccount.objects.exists()


def test_a_partners_registration_is_its_account_and_follows_the_deal(world):
    with tenant_context(world.tenant):
        deal = deal_services.deal_save(
            by=world.partner_admin,
            data={
                "customer_name": "Registered Corp",
                "customer_domain_input": "registered.example",
                "amount": "1000",
                "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
            },
            submit=True,
        )
        account = Account.objects.get(deal=deal)
        assert (account.partner_id, account.status, account.source, account.domain) == (
            world.partner.pk, "opportunity", "registration", "registered.example",
        )  # fmt: skip
        deal.refresh_from_db()
        if deal.status != "approved":
            deal = deal_services.deal_approve(deal=deal, by=world.channel_manager)
        deal_services.deal_close(
            deal=deal, by=world.channel_manager, won=True, amount=Decimal("1000")
        )
        account.refresh_from_db()
        assert account.status == "customer"


def test_bulk_upsert_is_all_or_nothing(world):
    with tenant_context(world.tenant):
        with pytest.raises(DomainError) as exc:
            services.accounts_bulk_upsert(
                by=world.admin,
                items=[
                    {"external_id": "A", "name": "Good"},
                    {"external_id": "B", "name": ""},
                    {"external_id": "A", "name": "Again"},
                ],
                source="crm",
            )
        assert set(exc.value.item_errors) == {1, 2}
        assert not Account.objects.exists()


def test_a_population_counts_its_accounts(world):
    from accountmap import selectors  # noqa: PLC0415 (read next to the write it checks)

    with tenant_context(world.tenant):
        AccountFactory(tenant=world.tenant, status="customer", employees=5000, region="EMEA")
        AccountFactory(tenant=world.tenant, status="customer", employees=10, region="EMEA")
        AccountFactory(tenant=world.tenant, partner=world.partner, status="customer")
        big = services.population_create(
            by=world.admin, name="Big EMEA", regions=["emea"], min_employees=1000
        )
        assert selectors.population_counts([big]) == {big.pk: 1}
        big = services.population_update(by=world.admin, population=big, min_employees=None)
        assert selectors.population_counts([big]) == {big.pk: 2}
        with pytest.raises(DomainError) as exc:
            services.population_create(by=world.admin, name="big emea")
        assert exc.value.field == "name"
        with pytest.raises(DomainError):
            services.population_update(
                by=world.admin, population=big, min_employees=10, max_employees=5
            )
        services.population_delete(by=world.admin, population=big)
        assert not Population.objects.exists()
        assert _audits("population.created") == 1 and _audits("population.deleted") == 1


# --- CSV import ---------------------------------------------------------------------------

CSV = (
    "name,domain,status,owner_email,industry,region,country,employees,external_id\n"
    "Alpha GmbH,alpha.example,customer,,Software,EMEA,DE,120,A-1\n"
    "Beta Ltd,beta.example,prospect,,Retail,EMEA,GB,,\n"
    ",nameless.example,customer,,,,,,A-3\n"
    "Gamma,gamma.example,maybe,,,,,,A-4\n"
    "Delta,delta.example,customer,,,,Narnia,,A-5\n"
)


def test_a_partner_uploads_a_preview_with_an_error_per_row_and_nothing_written(world):
    resp, job = upload(world, world.partner_user, "partner-accounts", CSV)
    assert resp.status_code == 302
    with tenant_context(world.tenant):
        errors = {r["line"]: r["errors"] for r in job.preview if r["errors"]}
        assert set(errors) == {4, 5, 6}
        assert "status" in errors[5][0] and "country" in errors[6][0]
        assert not Account.objects.exists()


def test_the_import_writes_the_partners_accounts_and_a_second_run_changes_nothing(world):
    job = import_csv(world, world.partner_user, "partner-accounts", CSV)
    assert (job.created, job.failed) == (2, 3)
    with tenant_context(world.tenant):
        assert set(Account.objects.values_list("partner_id", flat=True)) == {world.partner.pk}
        alpha = Account.objects.get(external_id="A-1")
        assert (alpha.country, alpha.employees, alpha.source) == ("DE", 120, "csv")
    again = import_csv(world, world.partner_user, "partner-accounts", CSV)
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


def test_a_partner_sees_only_its_own_companys_import_jobs(world):
    import_csv(world, world.partner_user, "partner-accounts", CSV)
    client = portal_client(world.tenant, world.other_partner_user)
    with tenant_context(world.tenant):
        job = ImportJob.objects.get()
    assert client.get(f"/imports/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/imports/jobs/{job.pk}/errors.csv").status_code == 404
    own = portal_client(world.tenant, world.partner_admin)
    assert own.get(f"/imports/jobs/{job.pk}/").status_code == 200


def test_staff_import_vendor_accounts(world):
    job = import_csv(world, world.admin, "vendor-accounts", CSV)
    assert job.created == 2
    with tenant_context(world.tenant):
        assert set(Account.objects.values_list("partner_id", flat=True)) == {None}
