"""`make backup` / `make restore` (prm.backup) on the embedded PostgreSQL: a dump restores
every tenant's rows, with row-level security still forced."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import connection

from prm import backup
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_db():
    name = f"prm_restore_{uuid.uuid4().hex[:8]}"
    admin = backup.backup_url("postgres")
    with psycopg.connect(admin, autocommit=True) as su:
        su.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as su:
        su.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_every_tenants_rows_with_rls_still_forced(tmp_path, scratch_db):
    alpha, beta = build_world("bkalpha"), build_world("bkbeta")
    source = backup.backup_url(connection.settings_dict["NAME"])
    dump = backup.dump(tmp_path / "prm.dump", url=source)

    assert dump.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner-only"
    backup.restore(dump, url=backup.backup_url(scratch_db), clean=False)

    with psycopg.connect(backup.backup_url(scratch_db)) as restored:
        slugs = {r[0] for r in restored.execute("SELECT slug FROM prm_tenant").fetchall()}
        members = restored.execute(
            "SELECT count(*) FROM prm_member WHERE tenant_id = ANY(%s)",
            [[alpha.tenant.pk, beta.tenant.pk]],
        ).fetchone()[0]
        forced = restored.execute(
            "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'prm_member'"
        ).fetchone()[0]
    assert {"bkalpha", "bkbeta"} <= slugs
    assert members == 12  # six members per world (the sales rep is the sixth)
    assert forced is True


def test_restore_of_a_corrupt_file_changes_nothing(tmp_path, scratch_db):
    bad = tmp_path / "bad.dump"
    bad.write_bytes(b"PGDMP not really")
    with pytest.raises(Exception):  # noqa: B017 - pg_restore's exit status
        backup.restore(bad, url=backup.backup_url(scratch_db), clean=False)
    with psycopg.connect(backup.backup_url(scratch_db)) as db:
        tables = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]
    assert tables == 0


def test_restore_recomputes_the_deal_name_keys_instead_of_trusting_the_dump(tmp_path, scratch_db):
    """Issue #17: the name keys are derived data; a dump whose keys fell out of step with its
    deals restores with the keys recomputed, so conflict detection sees every registration."""
    from dealreg.models import Deal, DealNameKey, DealStatus
    from dealreg.rules import name_keys
    from prm.tenancy import tenant_context

    world = build_world("bkkeys")
    with tenant_context(world.tenant):
        deal = Deal.objects.create(
            tenant=world.tenant,
            partner=world.other_partner,
            status=DealStatus.APPROVED,
            customer_name="Vandelay BluePeak 46",
        )
        DealNameKey.objects.filter(deal_id=deal.pk).delete()  # out of step in the dump
    dump = backup.dump(
        tmp_path / "prm.dump", url=backup.backup_url(connection.settings_dict["NAME"])
    )

    backup.restore(dump, url=backup.backup_url(scratch_db), clean=False)

    with psycopg.connect(backup.backup_url(scratch_db)) as restored:
        keys = sorted(
            r[0]
            for r in restored.execute(
                "SELECT key FROM dealreg_dealnamekey WHERE deal_id = %s", [deal.pk]
            ).fetchall()
        )
    assert keys == name_keys(["46", "bluepeak", "vandelay"])
