"""The migrated template databases (prm.devstack): a template whose schema changed is copied
from another complete template of the same schema fingerprint (the test suite's and the
benchmarks' are the same schema) rather than migrated again; one that is in use is not
copied."""

from __future__ import annotations

import os
import time
import uuid

import psycopg
import pytest

from prm import devstack


@pytest.fixture
def fingerprint():
    """A schema no real template has, and no other test's (tests run side by side)."""
    return uuid.uuid4().hex


@pytest.fixture
def owner():
    conn = psycopg.connect(os.environ["DATABASE_OWNER_URL"], autocommit=True)
    made: list[str] = []

    def database(comment: str | None = None, table: str | None = None) -> str:
        name = f"prm_tpl_{uuid.uuid4().hex[:12]}"
        conn.execute(f"CREATE DATABASE {name}")
        made.append(name)
        if table:
            with psycopg.connect(devstack._for_db(os.environ["DATABASE_OWNER_URL"], name)) as db:
                db.execute(f"CREATE TABLE {table} (id int)")
        if comment:
            conn.execute(f"COMMENT ON DATABASE {name} IS '{comment}'")
        return name

    conn.database = database
    conn.made = made
    yield conn
    for name in made:
        # Not WITH (FORCE): the owner may not end the server's own sessions (an autovacuum
        # worker visiting a new database); they leave within moments.
        for attempt in range(100):
            try:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 99:
                    raise
                time.sleep(0.1)
    conn.close()


def _tables(name: str) -> list[str]:
    with psycopg.connect(devstack._for_db(os.environ["DATABASE_OWNER_URL"], name)) as db:
        rows = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def _comment(conn, name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return row[0] if row else None


def test_a_changed_template_is_copied_from_a_complete_one_of_the_same_schema(owner, fingerprint):
    sibling = owner.database(comment=f"schema {fingerprint}", table="migrated_marker")
    owner.database(comment=f"seeded small schema {fingerprint}", table="seeded_marker")
    template = f"prm_tpl_{uuid.uuid4().hex[:12]}"
    owner.made.append(template)

    env = {"DATABASE_OWNER_URL": os.environ["DATABASE_OWNER_URL"]}
    devstack.ensure_template(env, template, fingerprint, who="test")

    # The copy holds what the complete template held (not a seeded bench database), and is
    # marked with the schema, so the next run uses it as it is.
    assert _tables(template) == ["migrated_marker"]
    assert _comment(owner, template) == f"schema {fingerprint}"
    assert _comment(owner, sibling) == f"schema {fingerprint}"


def test_a_template_in_use_is_not_copied(owner, fingerprint):
    sibling = owner.database(comment=f"schema {fingerprint}", table="migrated_marker")
    template = f"prm_tpl_{uuid.uuid4().hex[:12]}"
    owner.made.append(template)
    with psycopg.connect(devstack._for_db(os.environ["DATABASE_OWNER_URL"], sibling)):
        copied = devstack._clone_sibling_template(owner, template, fingerprint, who="test")
    assert copied is False
    assert _comment(owner, template) is None  # nothing half made: migrate builds it instead


def test_no_template_of_the_same_schema_means_migrating(owner, fingerprint):
    owner.database(comment="schema " + "0" * 32, table="other_schema")
    template = f"prm_tpl_{uuid.uuid4().hex[:12]}"
    owner.made.append(template)
    assert devstack._clone_sibling_template(owner, template, fingerprint, who="test") is False
    assert _comment(owner, template) is None
