"""The schema is ready to be distributed by tenant (Citus): proved on the live test database
(pg_catalog) and the models, and the checker is shown to fail on schemas that are not."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from partners.models import Partner
from prm import distribution
from prm.distribution import ForeignKey, Table, Unique
from prm.tenancy import tenant_context
from tests.conftest import build_world
from tests.factories import TierFactory

# --- The live schema ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrated_schema_breaks_no_distribution_rule():
    tables = distribution.read_schema()
    assert len(tables) > 50, "read_schema() found too few tables to be the migrated schema"
    assert distribution.problems(tables) == []


@pytest.mark.django_db
def test_every_constraint_the_models_call_for_exists_after_migrate():
    assert distribution.missing_constraints() == []
    assert distribution.ensure() == [], "ensure() must be a no-op on a migrated schema"


@pytest.mark.django_db
def test_every_tenant_model_is_a_distributed_table_with_a_required_tenant():
    tables = distribution.read_schema()
    for model in distribution.distributed_models():
        meta = model._meta
        assert meta.db_table in tables, f"{meta.label} has no table (a missing migration?)"
        table = tables[meta.db_table]
        assert distribution.is_distributed(table), meta.db_table
        if meta.db_table not in distribution.NULLABLE_TENANT:
            assert not meta.get_field("tenant").null, meta.label
            assert table.columns["tenant_id"] is False, meta.db_table


@pytest.mark.django_db
def test_every_table_without_a_tenant_is_a_documented_reference_table():
    tables = distribution.read_schema()
    global_tables = {name for name, t in tables.items() if not t.has_tenant}
    assert global_tables == set(distribution.REFERENCE_TABLES)
    assert all(reason.strip() for reason in distribution.REFERENCE_TABLES.values())


@pytest.mark.django_db
def test_a_missing_composite_key_is_recreated_and_validated_over_existing_rows():
    world = build_world("dist")
    table = distribution.read_schema()["partners_partner"]
    composite = next(fk for fk in table.foreign_keys if fk.columns == ("tenant_id", "tier_id"))
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: ALTER is allowed
        cur.execute(f"ALTER TABLE partners_partner DROP CONSTRAINT {composite.name}")
    assert [r.name for r in distribution.missing_constraints()] == [composite.name]

    statements = distribution.ensure()

    assert len(statements) == 2
    assert statements[0].endswith("NOT VALID") and "VALIDATE" in statements[1]
    assert distribution.missing_constraints() == []
    with tenant_context(world.tenant):
        assert Partner.objects.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_row_pointing_into_another_tenant():
    own, other = build_world("distown"), build_world("distother")
    with tenant_context(other.tenant):
        foreign_tier = TierFactory(tenant=other.tenant, name="Gold", rank=3)
    with tenant_context(own.tenant):
        with pytest.raises(IntegrityError), transaction.atomic():
            # The plain foreign key is satisfied (the tier exists); only the composite
            # (tenant_id, tier_id) key sees that it belongs to another tenant.
            Partner.objects.filter(pk=own.partner.pk).update(tier_id=foreign_tier.pk)
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _relations_without_db_key() -> dict[str, object]:
    found = {}
    for model in distribution.distributed_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and not f.db_constraint:
                found[f"{model._meta.label}.{f.name}"] = f
    return found


def test_every_field_without_a_database_key_is_documented():
    # A ForeignKey with db_constraint=False is either checked by its composite key alone or
    # a documented derived row's key, never forgotten.
    found = _relations_without_db_key()
    assert set(found) == set(distribution.COMPOSITE_ONLY) | set(distribution.DERIVED)
    assert not set(distribution.COMPOSITE_ONLY) & set(distribution.DERIVED)
    distributed = {m._meta.db_table for m in distribution.distributed_models()}
    for label, f in found.items():
        if label in distribution.DERIVED:
            continue
        if f.name != "tenant":
            assert f.related_model._meta.db_table in distributed, label
            continue
        # The tenant is implied only through a NOT NULL composite key of the same model.
        assert any(
            g.is_relation
            and g.name != "tenant"
            and not g.null
            and g.related_model._meta.db_table in distributed
            for g in f.model._meta.concrete_fields
        ), label


@pytest.mark.django_db
def test_composite_only_keys_are_required_and_present():
    required = {(r.table, r.columns) for r in distribution.required_constraints()}
    for label, f in _relations_without_db_key().items():
        key = (f.model._meta.db_table, ("tenant_id", f.column))
        if label in distribution.DERIVED:
            assert key not in required, label
        elif f.name != "tenant":
            assert key in required, label
    schema = distribution.read_schema()
    snapshot = schema["analytics_healthsnapshot"]
    assert sorted(fk.columns for fk in snapshot.foreign_keys) == [
        ("tenant_id", "partner_id"),
        ("tenant_id", "tier_id"),
    ]
    # Derived rows: no key at all (the computation that writes them is what keeps them right).
    assert schema["accountmap_overlap"].foreign_keys == []
    # What points at an overlap: the composite key alone.
    for table in ("accountmap_overlapnotice", "accountmap_introrequest"):
        to_overlap = [
            fk.columns for fk in schema[table].foreign_keys if fk.ref_table == "accountmap_overlap"
        ]
        assert to_overlap == [("tenant_id", "overlap_id")], table


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["missing", "other_tenant"])
def test_a_composite_only_key_still_refuses_a_bad_partner(target):
    from analytics.models import HealthSnapshot

    own, other = build_world("coown"), build_world("coother")
    partner_id = other.partner.pk if target == "other_tenant" else 10**12
    with tenant_context(own.tenant):
        with pytest.raises(IntegrityError), transaction.atomic():
            HealthSnapshot.objects.create(
                tenant=own.tenant, partner_id=partner_id, day="2026-12-06", score=50
            )
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # A good row passes the same check.
        with transaction.atomic():
            HealthSnapshot.objects.create(
                tenant=own.tenant, partner=own.partner, day="2026-12-06", score=50
            )
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- The checker on synthetic schemas -------------------------------------------------------


def _tenant_table(name: str, **extra) -> Table:
    columns = {"id": False, "tenant_id": False, **extra.pop("columns", {})}
    uniques = [Unique(f"{name}_pkey", ("id",), primary=True)]
    uniques.append(Unique(f"{name}_tid", ("tenant_id", "id")))
    uniques += extra.pop("uniques", [])
    return Table(name, columns, uniques, extra.pop("foreign_keys", []))


def _schema(*tables: Table) -> dict[str, Table]:
    base = [
        Table("prm_tenant", {"id": False}, [Unique("prm_tenant_pkey", ("id",), primary=True)]),
        _tenant_table("partners_partner"),
    ]
    return {t.name: t for t in [*base, *tables]}


def _check(tables: dict[str, Table]) -> list[str]:
    return distribution.problems(
        tables, reference={"prm_tenant": "tenants"}, unique_exceptions={}, nullable_tenant={}
    )


def test_a_well_formed_synthetic_schema_passes():
    fks = [
        ForeignKey("fk_plain", ("partner_id",), "partners_partner", ("id",)),
        ForeignKey(
            "fk_tenant", ("tenant_id", "partner_id"), "partners_partner", ("tenant_id", "id")
        ),
        ForeignKey("fk_t", ("tenant_id",), "prm_tenant", ("id",)),
    ]
    deal = _tenant_table(
        "dealreg_deal",
        columns={"partner_id": True},
        uniques=[Unique("deal_code", ("tenant_id", "code"))],
        foreign_keys=fks,
    )
    assert _check(_schema(deal)) == []


def test_a_new_table_that_is_neither_tenant_nor_reference_fails():
    found = _check(_schema(Table("shiny_new", {"id": False})))
    assert found and "shiny_new: no tenant_id" in found[0]


def test_a_global_unique_on_a_tenant_table_fails():
    deal = _tenant_table("dealreg_deal", uniques=[Unique("deal_token", ("token",))])
    assert _check(_schema(deal)) == [
        "dealreg_deal.deal_token: unique on ('token',) without tenant_id"
    ]


def test_a_partial_unique_index_without_the_tenant_fails_too():
    deal = _tenant_table("dealreg_deal", uniques=[Unique("deal_open", ("domain",), partial=True)])
    assert len(_check(_schema(deal))) == 1


def test_a_tenant_table_without_the_tenant_id_key_fails():
    table = _tenant_table("mdf_claim")
    table.uniques = [u for u in table.uniques if not u.name.endswith("_tid")]
    assert _check(_schema(table)) == ["mdf_claim: no UNIQUE (tenant_id, id)"]


def test_a_foreign_key_between_tenant_tables_without_the_composite_key_fails():
    deal = _tenant_table(
        "dealreg_deal",
        columns={"partner_id": False},
        foreign_keys=[ForeignKey("fk_plain", ("partner_id",), "partners_partner", ("id",))],
    )
    found = _check(_schema(deal))
    assert len(found) == 1 and "has no composite foreign key" in found[0]


def test_a_composite_key_on_the_wrong_column_does_not_count():
    deal = _tenant_table(
        "dealreg_deal",
        columns={"partner_id": False, "owner_id": True},
        foreign_keys=[
            ForeignKey("fk_plain", ("partner_id",), "partners_partner", ("id",)),
            ForeignKey(
                "fk_other", ("tenant_id", "owner_id"), "partners_partner", ("tenant_id", "id")
            ),
        ],
    )
    assert len(_check(_schema(deal))) == 1


def test_a_nullable_tenant_column_fails():
    table = _tenant_table("mdf_claim")
    table.columns["tenant_id"] = True
    assert _check(_schema(table)) == ["mdf_claim: tenant_id is nullable"]


def test_a_reference_table_pointing_at_a_tenant_table_fails():
    ref = Table(
        "prm_tenant",
        {"id": False, "partner_id": True},
        foreign_keys=[ForeignKey("fk", ("partner_id",), "partners_partner", ("id",))],
    )
    found = _check({"prm_tenant": ref, "partners_partner": _tenant_table("partners_partner")})
    assert len(found) == 1 and "reference table points at tenant table" in found[0]


def test_documented_exceptions_are_honoured_and_stale_reference_entries_fail():
    deal = _tenant_table("dealreg_lead", uniques=[Unique("lead_deal_key", ("deal_id",))])
    tables = _schema(deal)
    assert distribution.problems(
        tables,
        reference={"prm_tenant": "tenants", "gone_table": "removed"},
        unique_exceptions={("dealreg_lead", ("deal_id",)): "one-to-one"},
        nullable_tenant={},
    ) == ["gone_table: listed as a reference table but does not exist"]
