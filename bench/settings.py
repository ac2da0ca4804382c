"""Settings for `make bench`: the development settings pointed (by prm.devstack bench) at the
prm_bench database and Redis db 9, plus bench/urls.py with a minimal JSON view used as the
API benchmark's baseline. Never used in production."""

from prm.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "prm-bench"  # noqa: F405
# Decisions e-mail reviewers; the benchmark keeps those messages in memory (the outside world).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
