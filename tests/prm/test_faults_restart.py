"""PostgreSQL restarted under load: gunicorn keeps serving, requests during the outage get a
clean 503 with a message, nothing is half-written, and the same web process recovers by
itself once the database is back.

The test runs a PRIVATE embedded PostgreSQL (pgserver, data in a temporary directory) so the
shared server other suites use is never touched: it is migrated and seeded, gunicorn is
started against it as the app role (with the production connection pool), four clients keep
posting while the server is stopped (fast shutdown: in-flight transactions are cut) and
started again, and the outcome is read back from the database as its superuser.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psutil
import psycopg
import pytest
import requests

from prm import devstack
from tests.conftest import ROOT, data_file

# Over a minute of set-up (a private PostgreSQL migrated from scratch): started first in a
# parallel run (tests/conftest.py).
RUN_FIRST = True

SEED = """
from prm.models import Member, Tenant, User
from prm import services
from prm.tenancy import tenant_context
tenant = Tenant.objects.create(slug="restart", name="Restart Cloud", require_mfa_for_staff=False)
user = User.objects.create_user(email="admin@restart.example", password=None)
with tenant_context(tenant):
    member = Member.objects.create(tenant=tenant, user=user, role="admin")
    _row, key = services.api_key_create(member=member, name="load", scopes=["read", "write"])
print("KEY=" + key)
"""


class PrivatePostgres:
    """A pgserver instance of the test's own, stopped and started by pid."""

    def __init__(self) -> None:
        import pgserver

        # Short path: the Unix socket lives in the data directory (108-byte limit).
        self.dir = Path(tempfile.mkdtemp(prefix="prmpg"))
        self.server = pgserver.get_server(self.dir, cleanup_mode=None)
        self.superuser = self.server.get_uri()
        devstack.bootstrap_roles(self.superuser)
        sockdir = urllib.parse.parse_qs(urllib.parse.urlparse(self.superuser).query)["host"][0]
        self.owner_url = devstack._socket_url("postgres", devstack.OWNER, sockdir, devstack.DB)
        self.app_url = devstack._socket_url("postgres", devstack.APP, sockdir, devstack.DB)
        self.db_superuser = f"postgresql://postgres@/{devstack.DB}?host={sockdir}"

    def stop(self) -> None:
        pid = self.server.get_pid()
        os.kill(pid, signal.SIGINT)  # fast shutdown: sessions are terminated, work rolled back
        deadline = time.monotonic() + 30
        while psutil.pid_exists(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_pg():
    pg = PrivatePostgres()
    yield pg
    pg.destroy()


def _env(database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prm.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "PRM_DB_POOL_TIMEOUT": "3",  # while the server is down, fail in 3 s, not 10
        "PRM_LOG_LEVEL": "WARNING",
    }
    env.pop("PRM_TEST_WORKER", None)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def web(private_pg):
    owner = _env(private_pg.owner_url)
    _manage(owner, "migrate", "--noinput", "-v", "0")
    key = _manage(owner, "shell", "-c", SEED).strip().rsplit("KEY=", 1)[-1]
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(data_file("test-restart-gunicorn.log"), "w")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603
        [
            gunicorn,
            "prm.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        env=_env(private_pg.app_url),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"gunicorn exited; see {log.name}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    session = requests.Session()
    session.headers.update({"Host": "restart.localhost", "Authorization": f"Bearer {key}"})
    yield proc, base, session
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _workers(proc) -> set[int]:
    return {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}


def test_postgres_restart_under_load_gives_503s_no_half_writes_and_recovers(private_pg, web):
    proc, base, session = web
    url = base + "/api/v1/named-accounts/"
    assert session.get(url, timeout=10).status_code == 200
    workers_before = _workers(proc)
    results: list[tuple[str, int, dict | str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            ext = f"c{n}-{i}"
            try:
                resp = session.post(url, json={"name": f"Account {ext}", "external_id": ext})
                body = resp.json() if "json" in resp.headers.get("Content-Type", "") else resp.text
                outcome = (ext, resp.status_code, body)
            except requests.RequestException as exc:
                outcome = (ext, 0, repr(exc))
            with lock:
                results.append(outcome)
            time.sleep(0.02)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in clients:
        t.start()
    try:
        time.sleep(2)
        private_pg.stop()
        outage_started = len(results)
        time.sleep(4)
        private_pg.start()
        # Recovery without touching the web process: wait for a run of successes.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with lock:
                tail = [status for _e, status, _b in results[-12:]]
            if len(results) > outage_started + 12 and tail == [201] * 12:
                break
            time.sleep(0.2)
    finally:
        stop.set()
        for t in clients:
            t.join(timeout=30)

    statuses = [status for _e, status, _b in results]
    assert set(statuses) <= {201, 503}, sorted(set(statuses))
    unavailable = [body for _e, status, body in results if status == 503]
    assert unavailable, "no request saw the outage"
    assert all(
        b["type"] == "service_unavailable" and "Nothing was saved" in b["detail"]
        for b in unavailable
    )
    assert statuses[-12:] == [201] * 12, "the app did not recover by itself"
    assert proc.poll() is None and _workers(proc) == workers_before, "the web process restarted"

    created = {ext for ext, status, _b in results if status == 201}
    refused = {ext for ext, status, _b in results if status == 503}
    with psycopg.connect(private_pg.db_superuser) as db:
        rows = dict(db.execute("SELECT external_id, id::text FROM dealreg_namedaccount").fetchall())
        audited = [
            r[0]
            for r in db.execute(
                "SELECT object_id FROM prm_auditevent WHERE action = 'named_account.created'"
            ).fetchall()
        ]
    assert set(rows) == created, "a 503 saved something, or a 201 was lost"
    assert sorted(audited) == sorted(rows.values()), "a row without its audit entry (or twice)"
    assert refused and not refused & set(rows)
