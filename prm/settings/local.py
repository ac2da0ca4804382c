"""Settings for `make run` on a developer's machine."""

from .base import *  # noqa: F403
from .base import env

# Off by default, so a mistyped address shows the product's branded 404 page (not Django's
# debug page listing every URL pattern); PRM_DEBUG=1 opts in to the debug pages.
DEBUG = env.bool("PRM_DEBUG", default=False)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
PRM_WEBHOOKS_ALLOW_PRIVATE = True  # webhook receivers on this machine
