"""Production settings: HTTPS only, secure cookies, strict headers, SMTP e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PRM_PUBLIC_SCHEME = "https"
PRM_PUBLIC_PORT = env.str("PRM_PUBLIC_PORT", default="")
SECURE_SSL_REDIRECT = env.bool("PRM_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("PRM_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Never from the environment: a webhook must not reach the cluster's own network.
PRM_WEBHOOKS_ALLOW_PRIVATE = False
