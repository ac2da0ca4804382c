"""Settings for the test suite (pytest-django).

Tests connect as the owner role so pytest-django can create the test database and migrate
it. The owner is not a superuser and every tenant table has FORCED row-level security, so
the policies apply to these connections too; the app role is exercised explicitly by the
isolation tests and by the real Celery worker, which always connects as the app role.

Parallel runs (pytest-xdist, `make test`): each xdist worker process has PYTEST_XDIST_WORKER
set (gw0, gw1, ...), and so has every process it starts (Celery workers, manage.py,
gunicorn), since they inherit its environment. pytest-django gives each worker its own test
database (test_prm_gw0, ...); below, each also gets its own Redis database (the suite's
database plus the worker's number: cache, broker and Celery control), cache prefix, media
and mail directories, so two workers never see each other's keys, queues or files.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_URL, DATABASES, REDIS_URL, db_config, env

XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
XDIST_INDEX = int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER else 0


def redis_url_plus(url: str, offset: int) -> str:
    """`url` with its Redis database number raised by `offset`: the `db` or `virtual_host`
    query parameter of a Unix-socket URL (unix://, redis+socket://), else the path
    (redis://host:6379/1)."""
    if not offset:
        return url
    parts = urlsplit(url)
    if parts.scheme in ("unix", "redis+socket"):
        # Rebuilt by hand: urlunsplit would drop the empty host (unix:///path -> unix:/path).
        base, _, query_string = url.partition("?")
        query = dict(parse_qsl(query_string))
        key = "virtual_host" if parts.scheme == "redis+socket" else "db"
        query[key] = str(int(query.get(key) or 0) + offset)
        return f"{base}?{urlencode(query)}"
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{db + offset}"))


REDIS_URL = redis_url_plus(REDIS_URL, XDIST_INDEX)
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
if XDIST_INDEX:
    # Celery prefers a CELERY_BROKER_URL environment variable (which .data/env and `make test`
    # set) to the setting, but the read/write URLs to both: every connection (tasks, the
    # worker's consumer, control broadcasts) goes through one of them.
    CELERY_BROKER_URL = redis_url_plus(CELERY_BROKER_URL, XDIST_INDEX)
    CELERY_BROKER_READ_URL = CELERY_BROKER_WRITE_URL = CELERY_BROKER_URL

# A Celery worker started by the tests runs with PRM_TEST_WORKER=1 and connects as the app
# role, straight to the test database, as production workers do.
if env.bool("PRM_TEST_WORKER", default=False):
    DATABASES["default"] = db_config("DATABASE_URL")
else:
    DATABASES["default"] = db_config("DATABASE_OWNER_URL")
DATABASES["default"]["OPTIONS"] = {}
DATABASES["default"]["TEST"] = {
    "NAME": env.str("PRM_TEST_DB_NAME", default="test_prm"),
    # `make test` (prm.devstack) keeps a migrated template: test databases are copies of it,
    # and pytest-django's migrate then only finds nothing to apply (post_migrate still runs).
    "TEMPLATE": env.str("PRM_TEST_DB_TEMPLATE", default="") or None,
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Workers started by the fault tests write e-mails to files the test can count.
EMAIL_BACKEND = env.str(
    "PRM_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str(
    "PRM_TEST_EMAIL_DIR", default=str(BASE_DIR / ".data" / "test-mail" / (XDIST_WORKER or "main"))
)
CACHES["default"]["KEY_PREFIX"] = f"prm-test-{XDIST_WORKER}" if XDIST_WORKER else "prm-test"  # noqa: F405
ACCOUNT_RATE_LIMITS = False
# Each test builds its tenants afresh (and a flush sends no signals): no host cache, except
# in tests/prm/test_tenant_host_cache.py, which turns it on.
PRM_TENANT_CACHE_SECONDS = 0
CELERY_TASK_ALWAYS_EAGER = False
PRM_WEBHOOKS_ALLOW_PRIVATE = True  # the webhook tests run a receiver on loopback
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Files the suite uploads or renders stay out of the development media directory.
MEDIA_ROOT = env.path(
    "PRM_TEST_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "test-media" / (XDIST_WORKER or "main"))
)
# DNS is the outside world: tests publish records in a fake resolver, never the network.
PRM_DNS_RESOLVER = "tests.fake_dns.FakeResolver"
