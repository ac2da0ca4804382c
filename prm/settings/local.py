"""Settings for `make run` on a developer's machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
PRM_WEBHOOKS_ALLOW_PRIVATE = True  # webhook receivers on this machine
