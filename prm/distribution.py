"""Keeps the schema ready to be distributed by tenant (Citus), applied after every `migrate`.

A distributed PostgreSQL (Citus, sharded by `tenant_id`) accepts a table only if every unique
constraint includes the distribution column, and a foreign key between two distributed tables
only if both sides carry it. Single-node PostgreSQL needs none of that to work, so it is easy
to lose; this module keeps it true for every model, including models added later:

* every tenant table gets `UNIQUE (tenant_id, id)`: the key other tenant tables reference and
  the primary key the table gets on Citus (see docs/scaling.md);
* every foreign key from a tenant table to another tenant table is doubled by a composite
  `FOREIGN KEY (tenant_id, x_id) REFERENCES other (tenant_id, id)`, so a row can never point
  into another tenant, whatever the application does.

Why after `migrate` rather than migrations in each app: the constraints follow from the models
(like the row-level security in `prm.rls`), so a new model or foreign key cannot be forgotten,
no app's migration history changes, and `makemigrations --check` stays clean. The statements
are idempotent: what already exists (looked up by definition, not by name) is skipped.

`read_schema()` describes the live database from pg_catalog and `problems()` checks such a
description against the rules; the test suite runs both on the test database, and the rules
also on synthetic descriptions to show they fail when they should.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections

log = logging.getLogger(__name__)

TENANT_COLUMN = "tenant_id"
TENANT_TABLE = "prm_tenant"

# Global tables: no tenant column, one copy on every node on Citus (create_reference_table).
# A table that has no tenant_id and is not listed here fails tests/prm/test_distribution.py.
REFERENCE_TABLES: dict[str, str] = {
    "prm_tenant": "the tenants themselves; every tenant row references one",
    "prm_user": "one global identity per person, a member of several tenants",
    "prm_user_groups": "Django auth's user-group link (unused by the app, part of the user)",
    "prm_user_user_permissions": "Django auth's user-permission link (unused by the app)",
    "auth_group": "Django auth groups (unused by the app)",
    "auth_group_permissions": "Django auth group permissions (unused by the app)",
    "auth_permission": "Django's permission catalogue, the same for everyone",
    "django_content_type": "Django's model catalogue, the same for everyone",
    "django_migrations": "migration history of the schema",
    "django_session": "sessions are per person and host, read before a tenant is known",
    "account_emailaddress": "allauth: e-mail addresses of the global user",
    "account_emailconfirmation": "allauth: e-mail confirmation keys of the global user",
    "mfa_authenticator": "allauth: TOTP secrets and recovery codes of the global user",
    "prm_tenanttombstone": "record of a deleted tenant, which outlives it (tenantdata/services.py)",
}

# Tables that have a tenant column but are global by design (reference tables on Citus).
REFERENCE_TABLES_WITH_TENANT: dict[str, str] = {
    "prm_tenanthost": "the host -> tenant map, read before any tenant is known; host is "
    "globally unique on purpose (one host serves one tenant)",
}

# Tenant tables whose tenant_id may be NULL, and why.
NULLABLE_TENANT: dict[str, str] = {
    "prm_auditevent": "sign-in events on the bare base domain happen before a tenant is "
    "known; on Citus they move to a reference table first (docs/scaling.md)",
}

# Unique indexes on tenant tables that leave tenant_id out: (table, columns) -> reason.
UNIQUE_EXCEPTIONS: dict[tuple[str, tuple[str, ...]], str] = {
    ("partners_partnermetrics", ("partner_id",)): "a OneToOneField's own index; the same "
    "rule is UNIQUE (tenant_id, partner_id) (partnermetrics_unique), and the Citus cut-over "
    "drops the single-column index",
    ("dealreg_lead", ("deal_id",)): "a OneToOneField's own index; the Citus cut-over "
    "replaces it with UNIQUE (tenant_id, deal_id) (docs/scaling.md)",
}


# Foreign keys the database keeps only as the composite (tenant_id, x_id) key: the field has
# db_constraint=False, so Django's single-column key is not created. The composite key implies
# it, and a table written tens of thousands of rows at a time pays each key as one more check
# per row at commit. A model's `tenant` may be listed when another of its keys is composite
# and NOT NULL: the row it references carries the tenant key. "app.Model.field" -> why.
# tests/prm/test_distribution.py: a field with db_constraint=False on a tenant table must be
# listed here, and each listed key is still enforced.
COMPOSITE_ONLY: dict[str, str] = {
    "analytics.HealthSnapshot.tenant": "45,000 snapshots a night; implied by the partner key",
    "analytics.HealthSnapshot.partner": "45,000 snapshots a night; the composite key stays",
    "analytics.HealthSnapshot.tier": "45,000 snapshots a night; the composite key stays",
    "partners.TierChange.tenant": "a mass tier move writes ~30,000 at once; implied by the "
    "partner key",
    "partners.TierChange.partner": "a mass tier move writes ~30,000 at once; composite stays",
    "partners.TierChange.from_tier": "a mass tier move writes ~30,000 at once; composite stays",
    "partners.TierChange.to_tier": "a mass tier move writes ~30,000 at once; composite stays",
    "partners.Partner.tier": "a mass tier move updates ~30,000 partners at once; composite stays",
    "accountmap.OverlapNotice.overlap": "deleted with their overlaps, up to 1.5 million "
    "at once when the vendor's accounts are replaced; the composite key stays",
    "accountmap.IntroRequest.overlap": "deleted with their overlaps, up to 1.5 million at "
    "once; the composite key stays",
}

# Foreign keys with no database key at all, because their rows are derived: a cache of a
# computation over other rows, written by one statement that reads those rows in the same
# transaction, under the tenant's row-level security, and removed by the same computation
# (and by Django's on_delete) when they go. The computation is what keeps them right, as for
# a materialized view, which PostgreSQL gives no foreign keys at all. Listed only where the
# keys would cost more than the computation: each key is one check per written row at
# commit, with a row lock on the referenced row. "app.Model.field" -> why.
# tests/prm/test_distribution.py: a listed field has no key in the database, single or
# composite, and none is required of it.
DERIVED: dict[str, str] = {
    "accountmap.Overlap.tenant": "written only by accountmap.sql.REFRESH, whose rows carry "
    "the tenant the policy lets it read and write",
    "accountmap.Overlap.partner": "accountmap.sql.REFRESH copies it from the partner "
    "account it matched",
    "accountmap.Overlap.vendor_account": "accountmap.sql.REFRESH writes the pairs it has "
    "just matched; 1.5 million keys a full run cost more than the run (bench/README.md)",
    "accountmap.Overlap.partner_account": "as vendor_account",
}


def composite_only(field) -> bool:
    meta = field.model._meta
    return f"{meta.label}.{field.name}" in COMPOSITE_ONLY


def derived(field) -> bool:
    meta = field.model._meta
    return f"{meta.label}.{field.name}" in DERIVED


# --- A description of a schema --------------------------------------------------------------


@dataclass(frozen=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    primary: bool = False
    partial: bool = False


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass
class Table:
    name: str
    columns: dict[str, bool]  # column -> nullable
    uniques: list[Unique] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    @property
    def has_tenant(self) -> bool:
        return TENANT_COLUMN in self.columns


def read_schema(using: str = "default") -> dict[str, Table]:
    """Every ordinary table of the current schema, with its unique indexes (constraints and
    plain unique indexes alike) and foreign keys, from pg_catalog."""
    conn = connections[using]
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, a.attname, NOT a.attnotnull FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
            "ORDER BY c.relname, a.attnum"
        )
        tables: dict[str, Table] = {}
        for table, column, nullable in cur.fetchall():
            tables.setdefault(table, Table(table, {})).columns[column] = nullable
        # Expression columns (attnum 0) show as NULL names: such an index never "includes"
        # tenant_id unless a plain column does.
        cur.execute(
            "SELECT t.relname, i.relname, x.indisprimary, x.indpred IS NOT NULL, "
            "  array_agg(a.attname ORDER BY k.ord) "
            "FROM pg_index x "
            "JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
            "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "WHERE n.nspname = current_schema() AND x.indisunique "
            "GROUP BY 1, 2, 3, 4"
        )
        for table, name, primary, partial, columns in cur.fetchall():
            if table in tables:
                tables[table].uniques.append(Unique(name, tuple(columns), primary, partial))
        cur.execute(
            "SELECT t.relname, con.conname, r.relname, "
            "  array_agg(a.attname ORDER BY k.ord), array_agg(ra.attname ORDER BY k.ord) "
            "FROM pg_constraint con "
            "JOIN pg_class t ON t.oid = con.conrelid "
            "JOIN pg_class r ON r.oid = con.confrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY "
            "  AS k(attnum, refnum, ord) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = k.refnum "
            "WHERE n.nspname = current_schema() AND con.contype = 'f' "
            "GROUP BY 1, 2, 3"
        )
        for table, name, ref_table, columns, ref_columns in cur.fetchall():
            if table in tables:
                tables[table].foreign_keys.append(
                    ForeignKey(name, tuple(columns), ref_table, tuple(ref_columns))
                )
    return tables


# --- The rules ------------------------------------------------------------------------------


def is_distributed(table: Table) -> bool:
    return table.has_tenant and table.name not in REFERENCE_TABLES_WITH_TENANT


def problems(
    tables: dict[str, Table],
    *,
    reference: dict[str, str] | None = None,
    unique_exceptions: dict[tuple[str, tuple[str, ...]], str] | None = None,
    nullable_tenant: dict[str, str] | None = None,
) -> list[str]:
    """Everything in `tables` that would stop distribution by tenant_id; empty when ready."""
    reference = REFERENCE_TABLES if reference is None else reference
    unique_exceptions = UNIQUE_EXCEPTIONS if unique_exceptions is None else unique_exceptions
    nullable_tenant = NULLABLE_TENANT if nullable_tenant is None else nullable_tenant
    found: list[str] = []
    for name in sorted(tables):
        table = tables[name]
        if not table.has_tenant:
            if name not in reference:
                found.append(
                    f"{name}: no {TENANT_COLUMN} and not a documented reference table "
                    "(add tenant_id, or list it in prm.distribution.REFERENCE_TABLES)"
                )
            for fk in table.foreign_keys:
                target = tables.get(fk.ref_table)
                if target is not None and is_distributed(target):
                    found.append(
                        f"{name}.{fk.name}: a reference table points at tenant table {fk.ref_table}"
                    )
            continue
        if not is_distributed(table):
            continue
        if table.columns[TENANT_COLUMN] and name not in nullable_tenant:
            found.append(f"{name}: {TENANT_COLUMN} is nullable")
        if not any(
            not u.partial and set(u.columns) == {TENANT_COLUMN, "id"} for u in table.uniques
        ):
            found.append(f"{name}: no UNIQUE ({TENANT_COLUMN}, id)")
        for u in table.uniques:
            if u.primary and u.columns == ("id",):
                continue  # becomes (tenant_id, id) at the Citus cut-over
            if TENANT_COLUMN in u.columns or (name, u.columns) in unique_exceptions:
                continue
            found.append(f"{name}.{u.name}: unique on {u.columns} without {TENANT_COLUMN}")
        for fk in table.foreign_keys:
            target = tables.get(fk.ref_table)
            if target is None or not is_distributed(target) or TENANT_COLUMN in fk.columns:
                continue
            wanted = dict(zip(fk.columns, fk.ref_columns, strict=True))
            wanted[TENANT_COLUMN] = TENANT_COLUMN
            if not any(
                other.ref_table == fk.ref_table
                and dict(zip(other.columns, other.ref_columns, strict=True)) == wanted
                for other in table.foreign_keys
            ):
                found.append(
                    f"{name}.{fk.name}: {fk.columns} -> {fk.ref_table} has no composite "
                    f"foreign key ({TENANT_COLUMN}, ...) -> ({TENANT_COLUMN}, ...)"
                )
    for name in sorted(set(reference) - set(tables)):
        found.append(f"{name}: listed as a reference table but does not exist")
    return found


# --- Making the schema pass -----------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    table: str
    name: str
    sql: str  # the constraint definition, after ADD CONSTRAINT <name>
    columns: tuple[str, ...]
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()


def _name(prefix: str, *parts: str) -> str:
    name = "_".join((prefix, *parts))
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{name[:54]}_{digest}"


def distributed_models() -> list:
    """Concrete models with a `tenant` foreign key to prm.Tenant, minus reference tables."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        tenant = next((f for f in meta.concrete_fields if f.name == "tenant"), None)
        if tenant is None or not tenant.is_relation:
            continue
        if tenant.related_model._meta.db_table != TENANT_TABLE:
            continue
        if meta.db_table in REFERENCE_TABLES_WITH_TENANT:
            continue
        found.append(model)
    return found


def required_constraints() -> list[Required]:
    """The UNIQUE (tenant_id, id) and composite foreign keys the models call for."""
    models = distributed_models()
    tenant_tables = {m._meta.db_table for m in models}
    required: list[Required] = []
    for model in models:
        meta = model._meta
        pk = meta.pk.column
        required.append(
            Required(
                meta.db_table,
                _name("dist_uniq", meta.db_table),
                f"UNIQUE ({TENANT_COLUMN}, {pk})",
                (TENANT_COLUMN, pk),
            )
        )
    for model in models:
        meta = model._meta
        for f in meta.concrete_fields:
            if not f.is_relation or f.name == "tenant":
                continue
            if not f.db_constraint and not composite_only(f):
                continue
            target = f.related_model._meta.db_table
            if target not in tenant_tables:
                continue
            ref = f.target_field.column
            required.append(
                Required(
                    meta.db_table,
                    _name("dist_fk", meta.db_table, f.column),
                    f"FOREIGN KEY ({TENANT_COLUMN}, {f.column}) "
                    f"REFERENCES {target} ({TENANT_COLUMN}, {ref}) "
                    "DEFERRABLE INITIALLY DEFERRED",
                    (TENANT_COLUMN, f.column),
                    target,
                    (TENANT_COLUMN, ref),
                )
            )
    return required


def missing_constraints(using: str = "default") -> list[Required]:
    """Required constraints the live schema lacks (compared by definition, not by name)."""
    tables = read_schema(using)
    missing = []
    for req in required_constraints():
        table = tables.get(req.table)
        if table is None:
            continue  # not migrated yet
        if req.ref_table is None:
            present = any(
                not u.partial and set(u.columns) == set(req.columns) for u in table.uniques
            )
        else:
            wanted = dict(zip(req.columns, req.ref_columns, strict=True))
            present = any(
                fk.ref_table == req.ref_table
                and dict(zip(fk.columns, fk.ref_columns, strict=True)) == wanted
                for fk in table.foreign_keys
            )
        if not present:
            missing.append(req)
    return missing


def ensure(using: str = "default") -> list[str]:
    """Create the missing constraints; return the statements run. Idempotent.

    Unique constraints first (the foreign keys reference them). Foreign keys are added
    NOT VALID and then validated, which checks existing rows without blocking writes."""
    conn = connections[using]
    qn = conn.ops.quote_name
    todo = missing_constraints(using)
    statements: list[str] = []
    for req in sorted(todo, key=lambda r: r.ref_table is not None):
        add = f"ALTER TABLE {qn(req.table)} ADD CONSTRAINT {qn(req.name)} {req.sql}"
        if req.ref_table is None:
            statements.append(add)
        else:
            statements.append(add + " NOT VALID")
            statements.append(f"ALTER TABLE {qn(req.table)} VALIDATE CONSTRAINT {qn(req.name)}")
    with conn.cursor() as cur:
        for sql in statements:
            cur.execute(sql)
    if statements:
        log.info("distribution: %d constraint statements applied", len(statements))
    return statements


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    ensure(using)
