"""Fault tests: workers killed mid-task, the broker down, the database gone.

Each test starts its own Celery worker processes (consuming a queue of their own, so the
session's shared worker never takes these tasks) in a new process group, so they can be
killed with SIGKILL like an OOM killer or a lost machine would.
"""

from __future__ import annotations

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from celery.app import routes as celery_routes
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from dealreg import services as deal_services
from dealreg.models import Deal, DealStatus
from prm.celery import app
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.conftest import ROOT, _test_db_url, build_world, portal_client, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


# --- Workers the test owns -----------------------------------------------------------------


class OwnWorker:
    """A `celery worker` on `queue`, in its own process group (SIGKILL takes the pool too)."""

    def __init__(
        self, queue: str, mail_dir: Path, *, visibility_timeout: int = 3600, also_default=False
    ):
        # also_default: consume every standard queue too (settings.PRM_CELERY_QUEUES), for
        # tasks the worker itself queues, so none is stranded.
        self.queue = ",".join((*settings.PRM_CELERY_QUEUES, queue)) if also_default else queue
        self.name = f"faults-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
        env = {
            **os.environ,
            "PRM_TEST_WORKER": "1",
            "DATABASE_URL": _test_db_url("DATABASE_URL"),
            "DJANGO_SETTINGS_MODULE": "prm.settings.test",
            "PRM_BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "PRM_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "PRM_TEST_EMAIL_DIR": str(mail_dir),
        }
        celery = str(Path(sys.executable).with_name("celery"))
        self.log = open(ROOT / ".data" / f"test-{self.name.split('@')[0]}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                celery,
                "-A",
                "prm",
                "worker",
                "-l",
                "info",
                "-Q",
                self.queue,
                "--concurrency",
                "2",
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "-n",
                self.name,
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited; see {self.log.name}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        self.kill()
        raise RuntimeError(f"worker did not answer within 60 s; see {self.log.name}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no shutdown code runs, nothing is acknowledged."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=20)
        self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self.log.close()


@pytest.fixture
def fault_queue(monkeypatch):
    """Route every deal task of this test to a queue only the test's own workers consume."""
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(
        app.amqp.router, "routes", celery_routes.prepare({"dealreg.*": {"queue": queue}})
    )
    return queue


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def workers():
    started: list[OwnWorker] = []

    def start(*args, **kwargs) -> OwnWorker:
        w = OwnWorker(*args, **kwargs)
        started.append(w)
        return w

    yield start
    for w in started:
        if w.proc.poll() is None:
            w.stop()


# Customers that share no name tokens, so conflict detection sends none of them to review.
CUSTOMERS = ("Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent")


def _deal_data(n: int) -> dict:
    return {
        "customer_name": CUSTOMERS[n],
        "customer_domain_input": f"{CUSTOMERS[n].lower()}.example",
        "country": "US",
        "amount": Decimal("20000"),
        "currency": "USD",
        "expected_close_date": timezone.now().date() + datetime.timedelta(days=30),
        "deal_type": "new",
        "partner_role": "resell",
    }


def _form(n: int) -> dict:
    """The same deal as the portal's form posts it (its "Submit for approval" button)."""
    data = _deal_data(n)
    return {k: str(v) for k, v in data.items()}


def _statuses(world) -> dict[int, str]:
    with tenant_context(world.tenant):
        return dict(Deal.objects.values_list("pk", "status"))


def _superuser_url() -> str:
    """The embedded server's superuser, over the socket directory the app uses."""
    netloc = urlsplit(os.environ["DATABASE_OWNER_URL"]).netloc
    sockdir = unquote(netloc.rsplit("@", 1)[-1])
    return f"postgresql://postgres@/postgres?host={sockdir}"


def _owner_conn():
    url = _test_db_url("DATABASE_OWNER_URL")
    return psycopg.connect(url, autocommit=False)


# --- A worker killed in the middle of deal approvals ---------------------------------------


def test_worker_killed_mid_approval_redelivers_every_deal_and_each_completes_once(
    fault_queue, mail_dir, workers
):
    world = build_world("kill")
    with tenant_context(world.tenant):
        deals = [
            deal_services.deal_save(by=world.partner_admin, data=_deal_data(n), submit=True)
            for n in range(6)
        ]
    # Hold row locks on two deals so both worker processes are stuck inside deal_evaluate,
    # mid-transaction, when the worker dies. The blocker is closed whatever happens: left
    # open after a failure, its locks would hold the test database's flush forever.
    stuck = [deals[2].pk, deals[3].pk]
    with _owner_conn() as blocker:
        blocker.execute("SELECT set_config('prm.tenant_id', %s, true)", [str(world.tenant.pk)])
        blocker.execute("SELECT id FROM dealreg_deal WHERE id = ANY(%s) FOR UPDATE", [stuck])

        # also_default: the e-mail queue too, where each approval queues its e-mail.
        first = workers(fault_queue, mail_dir, visibility_timeout=2, also_default=True)

        # pg_locks covers the whole server: count only sessions on this test database (another
        # xdist worker's database may have waits of its own at the same moment).
        this_database = (
            "l.pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())"
        )

        def both_children_waiting_on_the_locks() -> bool:
            # pg_stat_activity is read once per transaction unless cleared: the worker's
            # processes connect after the blocker's transaction began.
            blocker.execute("SELECT pg_stat_clear_snapshot()")
            row = blocker.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                f"WHERE NOT l.granted AND c.relname = 'dealreg_deal' AND {this_database}"
            ).fetchone()
            waiting = row[0]
            if waiting:
                return waiting >= 2
            # Tuple locks show as transactionid waits when the row lock is held.
            row = blocker.execute(
                "SELECT count(*) FROM pg_locks l "
                f"WHERE NOT l.granted AND l.locktype = 'transactionid' AND {this_database}"
            ).fetchone()
            return row[0] >= 2

        # A loaded machine takes a while to start two worker processes.
        wait_for(both_children_waiting_on_the_locks, timeout=120)
        before_kill = _statuses(world)
        first.kill()
        blocker.rollback()

    assert before_kill[deals[2].pk] == DealStatus.SUBMITTED
    assert before_kill[deals[3].pk] == DealStatus.SUBMITTED
    # Redelivery: a new worker restores messages left unacknowledged longer than the
    # visibility timeout, at start-up and then periodically.
    time.sleep(3)
    workers(fault_queue, mail_dir, visibility_timeout=2, also_default=True)
    wait_for(lambda: all(s == DealStatus.APPROVED for s in _statuses(world).values()), timeout=60)

    def mails() -> list[str]:
        return [p.read_text(errors="replace") for p in mail_dir.iterdir()]

    # The approval e-mails follow on the e-mail task each approval queued (dealreg.notify),
    # some of them redelivered from the killed worker too.
    wait_for(lambda: all(any(f"/deals/{d.pk}/" in m for m in mails()) for d in deals), timeout=60)
    time.sleep(3)  # a duplicate delivery, if any, would land now

    with tenant_context(world.tenant):
        approvals = list(
            AuditEvent.objects.filter(action="deal.approved").values_list("object_id", flat=True)
        )
    assert sorted(approvals) == sorted(str(d.pk) for d in deals)
    sent_mails = mails()
    for deal in deals:
        sent = [m for m in sent_mails if f"/deals/{deal.pk}/" in m]
        assert len(sent) == 1, f"deal {deal.pk}: {len(sent)} approval e-mails"


# --- Redis down while partners register deals ---------------------------------------------


@pytest.fixture
def broker_down():
    """Point the web process's producer at a Redis that does not answer; `.undo()` (or the
    end of the test) brings it back."""
    import kombu

    def dead_broker(*args, **kwargs):
        return kombu.Connection("redis://127.0.0.1:1/0", transport_options={"max_retries": 0})

    def fresh_pools():
        app._pool = None
        app.amqp._producer_pool = None

    patch = pytest.MonkeyPatch()
    fresh_pools()
    patch.setattr(app, "connection_for_write", dead_broker)
    yield patch
    patch.undo()
    fresh_pools()


def test_portal_accepts_deals_while_redis_is_down_and_the_sweep_runs_them_later(
    fault_queue, mail_dir, workers, broker_down
):
    world = build_world("noredis")
    client = portal_client(world.tenant, world.partner_admin)
    for n in range(3):
        data = _form(n)
        resp = client.post("/deals/new/submit/", data)
        assert resp.status_code == 302, resp.content[:500]
    assert set(_statuses(world).values()) == {DealStatus.SUBMITTED}

    broker_down.undo()  # Redis is back
    app._pool = None
    app.amqp._producer_pool = None
    # The deals have waited longer than the sweep's grace period.
    with tenant_context(world.tenant):
        Deal.objects.update(submitted_at=timezone.now() - datetime.timedelta(minutes=5))
    workers(fault_queue, mail_dir, also_default=True)
    from dealreg.tasks import sweep_pending

    sweep_pending.apply_async(kwargs={"tenant_id": world.tenant.pk}, queue=fault_queue)
    wait_for(lambda: set(_statuses(world).values()) == {DealStatus.APPROVED}, timeout=30)


# --- PostgreSQL unavailable ----------------------------------------------------------------


def _terminate(pid: int) -> None:
    with psycopg.connect(_superuser_url(), autocommit=True) as su:
        su.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(autouse=True)
def _reconnect_after_outage():
    """Tests that cut the database leave the connection broken; the next test starts on a
    fresh one (in production the next request's request_started does this)."""
    yield
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def test_database_connection_lost_mid_request_gives_503_and_writes_nothing(monkeypatch):
    world = build_world("nodb")
    client = portal_client(world.tenant, world.partner_admin)
    client.get("/deals/")  # opens the connection

    real_event = deal_services.deals._event

    def event_then_lose_the_database(*args, **kwargs):
        # The deal row is already inserted in the request's transaction; the server goes
        # away before it commits.
        result = real_event(*args, **kwargs)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        _terminate(pid)
        return result

    monkeypatch.setattr(deal_services.deals, "_event", event_then_lose_the_database)
    data = _form(1)
    resp = client.post("/deals/new/submit/", data)

    assert resp.status_code == 503
    assert resp["Retry-After"] == "5"
    monkeypatch.undo()
    close_old_connections()  # what the next request's request_started does
    assert _statuses(world) == {}, "a half-written deal survived the outage"


def test_api_answers_503_with_a_message_while_the_database_is_unreachable():
    world = build_world("nodbapi")
    from tests.conftest import api_client

    client = api_client(world.tenant, world.partner_admin)
    client.get("/api/v1/me/")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    _terminate(pid)
    # The next request's first query fails (the connection is gone).
    client.handler.enforce_csrf_checks = False
    resp = client.get("/api/v1/deals/")
    assert resp.status_code == 503
    assert resp.json()["type"] == "service_unavailable"


def test_app_recovers_by_itself_after_the_database_connection_is_lost():
    world = build_world("recover")
    client = portal_client(world.tenant, world.partner_admin)
    assert client.get("/deals/").status_code == 200
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    _terminate(pid)
    assert client.get("/deals/").status_code == 503
    close_old_connections()  # request boundary, as in production (request_started)
    assert client.get("/deals/").status_code == 200
