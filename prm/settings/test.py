"""Settings for the test suite (pytest-django).

Tests connect as the owner role so pytest-django can create the test database and migrate
it. The owner is not a superuser and every tenant table has FORCED row-level security, so
the policies apply to these connections too; the app role is exercised explicitly by the
isolation tests and by the real Celery worker, which always connects as the app role.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, db_config, env

# A Celery worker started by the tests runs with PRM_TEST_WORKER=1 and connects as the app
# role, straight to the test database, as production workers do.
if env.bool("PRM_TEST_WORKER", default=False):
    DATABASES["default"] = db_config("DATABASE_URL")
else:
    DATABASES["default"] = db_config("DATABASE_OWNER_URL")
DATABASES["default"]["OPTIONS"] = {}
DATABASES["default"]["TEST"] = {"NAME": env.str("PRM_TEST_DB_NAME", default="test_prm")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Workers started by the fault tests write e-mails to files the test can count.
EMAIL_BACKEND = env.str(
    "PRM_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str("PRM_TEST_EMAIL_DIR", default=str(BASE_DIR / ".data" / "test-mail"))
CACHES["default"]["KEY_PREFIX"] = "prm-test"  # noqa: F405
ACCOUNT_RATE_LIMITS = False
CELERY_TASK_ALWAYS_EAGER = False
PRM_WEBHOOKS_ALLOW_PRIVATE = True  # the webhook tests run a receiver on loopback
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Files the suite uploads or renders stay out of the development media directory.
MEDIA_ROOT = env.path("PRM_TEST_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "test-media"))
# DNS is the outside world: tests publish records in a fake resolver, never the network.
PRM_DNS_RESOLVER = "tests.fake_dns.FakeResolver"
