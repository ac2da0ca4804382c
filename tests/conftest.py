"""Fixtures: two tenants (the test's own and a stranger), a member of every role in each,
clients bound to a tenant host, and a real Celery worker for integration tests."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from prm import services
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.factories import MemberFactory, PartnerFactory, TenantFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def host_of(tenant) -> str:
    return f"{tenant.slug}.{settings.PRM_BASE_DOMAIN}"


@dataclass
class World:
    """One tenant with a partner and a member of each role."""

    tenant: object
    partner: object
    other_partner: object
    admin: object
    channel_manager: object
    partner_admin: object
    partner_user: object
    other_partner_user: object
    sales_rep: object

    def member(self, role: str):
        return getattr(self, role)


def build_world(slug: str) -> World:
    tenant = TenantFactory(slug=slug, name=slug.title() + " Cloud")
    partner = PartnerFactory(tenant=tenant, name=f"{slug} Partner A")
    other = PartnerFactory(tenant=tenant, name=f"{slug} Partner B")
    return World(
        tenant=tenant,
        partner=partner,
        other_partner=other,
        admin=MemberFactory(tenant=tenant, role=Role.ADMIN),
        channel_manager=MemberFactory(tenant=tenant, role=Role.CHANNEL_MANAGER),
        partner_admin=MemberFactory(tenant=tenant, role=Role.PARTNER_ADMIN, partner=partner),
        partner_user=MemberFactory(tenant=tenant, role=Role.PARTNER_USER, partner=partner),
        other_partner_user=MemberFactory(tenant=tenant, role=Role.PARTNER_USER, partner=other),
        sales_rep=MemberFactory(tenant=tenant, role=Role.SALES_REP),
    )


@pytest.fixture
def world(db) -> World:
    return build_world("own")


@pytest.fixture
def stranger(db) -> World:
    return build_world("stranger")


@pytest.fixture(autouse=True)
def _fake_dns():
    """The fake DNS (tests/fake_dns.py) starts empty in every test."""
    from tests import fake_dns

    fake_dns.reset()
    yield
    fake_dns.reset()


@pytest.fixture
def in_tenant():
    """`with in_tenant(t):` for test code that reads tenant rows (scope + RLS)."""
    return tenant_context


def portal_client(tenant, member=None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    if member is not None:
        client.force_login(member.user)
    return client


def api_client(tenant, member=None, scopes=("read", "write")) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(tenant))
    if member is not None:
        with tenant_context(tenant):
            _obj, key = services.api_key_create(member=member, name="test", scopes=list(scopes))
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def make_user(db):
    return UserFactory


def data_file(name: str) -> Path:
    """A log or scratch file under .data/ of this test process alone: under pytest-xdist
    each worker (gw0, gw1, ...) writes its own (test-worker-gw0.log), so two never mix."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        stem, dot, ext = name.partition(".")
        name = f"{stem}-{worker}{dot}{ext}"
    path = ROOT / ".data" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- A real Celery worker -----------------------------------------------------------------


def _test_db_url(var: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ[var]
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    """Starts `celery worker` as a separate process, connected as the app role to the test
    database, for one test module, and stops it at the module's end.

    Scoped to the module on purpose: a worker left running would execute tasks that other
    modules' committed-database tests queue, concurrently with their teardown (TRUNCATE),
    which deadlocks. Messages left in the queue by earlier tests are purged before start."""
    from prm.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "PRM_TEST_WORKER": "1",
        "DATABASE_URL": _test_db_url("DATABASE_URL"),
        "DJANGO_SETTINGS_MODULE": "prm.settings.test",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(data_file("test-worker.log"), "a")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603
        [
            celery,
            "-A",
            "prm",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "-Q",
            ",".join(settings.PRM_CELERY_QUEUES),  # every queue: nothing is stranded
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from prm.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited; see {log.name}")
        if app.control.ping(timeout=0.5):
            break
    else:
        proc.terminate()
        raise RuntimeError("celery worker did not answer within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    app.control.purge()


# --- Parallel runs (pytest-xdist) --------------------------------------------------------


@functools.cache
def starts_processes_per_module(path: str) -> bool:
    """A test module that starts a process for its tests (the real Celery worker, or
    Chromium for the browser journeys), or that says RUN_WHOLE_ON_ONE_WORKER (an expensive
    module-scoped fixture): worth running whole on one xdist worker."""
    if path.startswith("tests/browser/"):
        return True
    file = ROOT / path
    if not file.is_file():
        return False
    text = file.read_text(encoding="utf-8")
    return "celery_worker" in text or "\nRUN_WHOLE_ON_ONE_WORKER = True" in text


def pytest_collection_modifyitems(config, items):
    """Tests of a module that says RUN_FIRST = True (a single test of minutes) go first, so
    xdist starts them early instead of leaving one worker busy with them at the end while the
    other idles. (xdist already starts the modules that run whole, largest first.)"""

    def early(item) -> bool:
        return bool(getattr(getattr(item, "module", None), "RUN_FIRST", False))

    first = [item for item in items if early(item)]
    if first:
        items[:] = first + [item for item in items if not early(item)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (`make test`): tests are shared out one by one, so a large module
    (the permission matrix) is split between the xdist workers, except the modules that start
    a Celery worker or Chromium, which run whole on one worker so the process starts once.

    The groups are chosen here, in the controller, by module path: xdist's own `xdist_group`
    mark does not work with pytest 9 (xdist 3.8 appends the group to `item._nodeid`, which
    pytest no longer reads)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleProcessScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if starts_processes_per_module(path):
                return path
            return super()._split_scope(nodeid)

    return ModuleProcessScheduling(config, log)


def wait_worker_idle(timeout: float = 60.0) -> None:
    """Waits until the test worker has no task running or reserved and its queues are empty,
    seen twice in a row (a finishing task may queue another on commit). Call it at the end
    of a test that leaves follow-up work behind (notifications, relays), so the committed-data
    teardown (TRUNCATE) does not race the worker's writes and deadlock."""
    from prm.celery import app

    def idle() -> bool:
        insp = app.control.inspect(timeout=1.0, limit=1)
        active, reserved = insp.active() or {}, insp.reserved() or {}
        if any(active.values()) or any(reserved.values()):
            return False
        with app.connection_for_read() as conn:
            client = conn.default_channel.client  # Redis: a queue is a list, gone when empty
            return all(client.llen(q) == 0 for q in settings.PRM_CELERY_QUEUES)

    quiet = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        quiet = quiet + 1 if idle() else 0
        if quiet >= 2:
            return
        time.sleep(0.2)
    pytest.fail(f"the worker was still busy after {timeout} s")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before any fixture of a test that ran with the real worker is torn down, wait for the
    worker to finish what the test left queued (notifications, relays, follow-up tasks):
    the committed-data teardown TRUNCATEs every table and would deadlock with a task that is
    still writing."""
    if "celery_worker" in getattr(item, "fixturenames", ()):
        try:
            wait_worker_idle()
        except (Exception, pytest.fail.Exception) as exc:  # keep the test's own result
            item.warn(pytest.PytestWarning(f"worker not idle before teardown: {exc}"))
    yield


def wait_for(predicate, timeout: float = 45.0, interval: float = 0.1):
    """Poll until predicate() is truthy; returns its value or fails the test. The default
    leaves room for a loaded CI machine: a passing test returns as soon as it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
