"""`make backup` / `make restore`: pg_dump and pg_restore of the PRM database.

Every tenant table has FORCED row-level security, which applies to the tables' owner too, so
a dump made as the owner or the app role would see no rows (pg_dump refuses, rather than
writing an empty backup). Backups therefore run as a role that bypasses RLS:

* the embedded server (`make run`): its superuser `postgres`, over the same socket;
* an external server: PRM_BACKUP_DATABASE_URL, a role with BYPASSRLS (or a superuser).

The dump is pg_dump's custom format (compressed, restorable table by table) and includes the
roles' grants and the RLS policies. The binaries come from the pgserver package when present,
else from PATH.

    python -m prm.backup dump  .data/backups/prm.dump
    python -m prm.backup restore .data/backups/prm.dump   # replaces the current contents
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psycopg
from psycopg import sql

from prm.devstack import prepare_env


def pg_binary(name: str) -> str:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        path = Path(POSTGRES_BIN_PATH) / name
        if path.exists():
            return str(path)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install the PostgreSQL client tools")
    return found


def backup_url(database: str | None = None) -> str:
    """A URL for a role that bypasses RLS, on the database in use (or `database`)."""
    explicit = os.environ.get("PRM_BACKUP_DATABASE_URL")
    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL") and not os.environ.get("DATABASE_OWNER_URL"):
        raise SystemExit("Set PRM_BACKUP_DATABASE_URL (a role with BYPASSRLS) for backups.")
    if not os.environ.get("DATABASE_OWNER_URL"):
        os.environ.update(prepare_env())
    parts = urlsplit(os.environ["DATABASE_OWNER_URL"])
    host = unquote(parts.netloc.rsplit("@", 1)[-1])
    if not host.startswith("/"):
        raise SystemExit("Set PRM_BACKUP_DATABASE_URL (a role with BYPASSRLS) for backups.")
    name = database or parts.path.lstrip("/")
    return f"postgresql://postgres@/{name}?host={quote(host)}"


def dump(path: str | Path, *, url: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed binary, arguments are ours
        [pg_binary("pg_dump"), "--format=custom", "--file", str(path), url or backup_url()],
        check=True,
    )
    path.chmod(0o600)  # personal data: readable by the operator only
    return path


# Derived tables (such as deal registration's name lookup keys) are recomputed after a
# restore rather than trusted from the dump: each app that keeps one declares a function
# `<app>_after_restore()` in its migrations, and restore calls every such function.
AFTER_RESTORE = r"""
SELECT p.proname FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND p.proname LIKE '%\_after\_restore' AND p.pronargs = 0
ORDER BY p.proname
"""


def after_restore(url: str) -> list[str]:
    """Run every `*_after_restore()` function of the restored database, in one transaction."""
    with psycopg.connect(url) as conn:
        names = [r[0] for r in conn.execute(AFTER_RESTORE).fetchall()]
        for name in names:
            conn.execute(sql.SQL("SELECT {}()").format(sql.Identifier(name)))
    return names


def restore(path: str | Path, *, url: str | None = None, clean: bool = True) -> None:
    """Restore a dump in one transaction: on any error nothing changes. Then recompute the
    derived tables (after_restore)."""
    url = url or backup_url()
    args = [pg_binary("pg_restore"), "--single-transaction", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    subprocess.run([*args, "--dbname", url, str(path)], check=True)  # noqa: S603
    after_restore(url)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("dump", "restore"):
        print("usage: python -m prm.backup dump|restore FILE", file=sys.stderr)
        return 2
    command, path = argv
    if command == "dump":
        print(f"backup written to {dump(path)}")
    else:
        if not Path(path).exists():
            print(f"no such backup: {path}", file=sys.stderr)
            return 2
        restore(path)
        print(f"restored {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
