"""Settings shared by every environment. Everything that differs comes from the environment.

Strict helpers: a value that is required and missing stops the process at start-up with a
clear message instead of failing later at the first request.
"""

from pathlib import Path
from urllib.parse import unquote

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# `.data/env` is written by `make run` / `make test` for the embedded services; real
# deployments pass the environment directly and have no such file.
if (BASE_DIR / ".data" / "env").exists():
    env.read_env(str(BASE_DIR / ".data" / "env"), overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Hosts are validated by prm.tenancy.middleware (a tenant host, a custom domain mapped to a
# tenant, or the base domain); anything else gets a 404 before any view runs.
ALLOWED_HOSTS = ["*"]
PRM_BASE_DOMAIN = env.str("PRM_BASE_DOMAIN", default="localhost").lower()
# Seconds a process keeps a host's tenant (prm.tenancy.resolve_tenant); a change made in
# another process (a tenant suspended, a domain removed) is seen within this time. 0: off.
PRM_TENANT_CACHE_SECONDS = env.int("PRM_TENANT_CACHE_SECONDS", default=2)
PRM_PUBLIC_SCHEME = env.str("PRM_PUBLIC_SCHEME", default="http")
PRM_PUBLIC_PORT = env.str("PRM_PUBLIC_PORT", default="8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_scopes",
    "django.contrib.postgres",
    "prm",
    "partners",
    "dealreg",
    "onboarding",
    "training",
    "mdf",
    "accountmap",
    "cosell",
    "incentives",
    "jointplans",
    "marketing",
    "community",
    "locator",
    "analytics",
    "predict",
    "imports",
    "tenantdata",
    "integrations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "prm.middleware.HostileInputMiddleware",
    "prm.middleware.ServiceUnavailableMiddleware",
    "prm.tenancy.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "prm.middleware.MemberMiddleware",
    "prm.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "prm.urls"
PUBLIC_URLCONF = "prm.urls_public"
WSGI_APPLICATION = "prm.wsgi.application"

# Inputs without `maxlength`: the server refuses text over a limit instead of the browser
# cutting it silently (prm/renderers.py).
FORM_RENDERER = "prm.renderers.FormRenderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prm.context_processors.portal",
                "tenantdata.services.deletion_banner",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# DATABASE_URL is the role the process runs as: in production the app role, which owns
# nothing and is subject to row-level security. Migrations run with DATABASE_OWNER_URL.


def db_config(var: str) -> dict:
    """Parse a database URL; a percent-encoded host is a Unix socket directory."""
    config = env.db_url(var)
    config["HOST"] = unquote(config.get("HOST") or "")
    return config


DATABASES = {"default": db_config("DATABASE_URL")}
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": env.int("PRM_DB_POOL_MIN", default=1),
    "max_size": env.int("PRM_DB_POOL_MAX", default=10),
    "timeout": env.int("PRM_DB_POOL_TIMEOUT", default=10),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# Name of the non-owner role the application connects as; grants and RLS target it.
PRM_DB_APP_ROLE = env.str("PRM_DB_APP_ROLE", default="prm_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("PRM_CACHE_PREFIX", default="prm"),
        "TIMEOUT": 300,
    },
    # Pages kept in each process's memory, under keys that change when their content does
    # (campaign landing pages): no round trip to Redis on the busiest public pages.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "prm-pages",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("PRM_TASK_TIME_LIMIT", default=300)
# Soft limits are set per task (soft_time_limit=) where a task can clean up before the hard one.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
# An unacknowledged task (its worker died) is delivered again after this many seconds. The
# fault tests shorten it (PRM_BROKER_VISIBILITY_TIMEOUT) to see redelivery in test time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("PRM_BROKER_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TIMEZONE = "UTC"
# Two beats never send the same job twice: each claims its schedule slot in Redis first.
CELERY_BEAT_SCHEDULER = "prm.beat:LockedScheduler"
# Separate queues, so a long nightly rollup or a burst of e-mail never delays a deal decision;
# in production each gets its own workers (docs/scaling.md). Every worker this project starts
# consumes all of them (a worker without -Q takes every queue in CELERY_TASK_QUEUES), so no
# task is stranded. Tasks not routed here go to the default queue, "celery".
PRM_CELERY_QUEUES = ("celery", "approvals", "rollups", "fresh", "email", "integrations")
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {name: {"routing_key": name} for name in PRM_CELERY_QUEUES}
CELERY_TASK_ROUTES = {
    # Deal decisions, re-evaluation sweeps, expiry and lead routing time-outs; MDF expiry.
    "dealreg.notify": {"queue": "email"},  # a task named exactly wins over dealreg.*
    "dealreg.*": {"queue": "approvals"},
    "mdf.daily": {"queue": "approvals"},
    "mdf.daily_all": {"queue": "approvals"},
    # Set-based recomputation: health, attribution/ROPI, reviews, tiers, MDF accruals.
    "analytics.nightly": {"queue": "rollups"},
    "analytics.nightly_all": {"queue": "rollups"},
    "analytics.run_rollups": {"queue": "rollups"},
    # The rollups of the partners a change just moved (seconds-fresh figures): short tasks
    # that must not wait behind a nightly run of another tenant.
    "analytics.refresh_rollups": {"queue": "fresh"},
    "analytics.refresh_rollups_sweep": {"queue": "fresh"},
    "analytics.refresh_rollups_sweep_all": {"queue": "fresh"},
    "analytics.build_review": {"queue": "rollups"},
    "partners.evaluate_tiers": {"queue": "rollups"},
    "partners.evaluate_tiers_all": {"queue": "rollups"},
    "mdf.accrue_program": {"queue": "rollups"},
    # E-mail: notices, reminders and digests.
    "prm.notifications.*": {"queue": "email"},
    "partners.notify_tier_event": {"queue": "email"},
    "mdf.notify": {"queue": "email"},
    "analytics.notify_at_risk": {"queue": "email"},
    "onboarding.send_reminders": {"queue": "email"},
    "onboarding.send_reminders_all": {"queue": "email"},
    "marketing.send_sequences": {"queue": "email"},
    "marketing.send_sequences_all": {"queue": "email"},
    # Outbound webhooks (slow or failing receivers stay out of everyone else's way): the
    # integrations app's relay, whose task names keep their historical prm.webhooks prefix.
    "prm.webhooks.*": {"queue": "integrations"},
}
# Campaign e-mail sequences: sends per tenant per minute and per hour (what exceeds waits for
# the sender's next run), and the contact list's caps.
PRM_CAMPAIGN_MAIL_PER_MINUTE = env.int("PRM_CAMPAIGN_MAIL_PER_MINUTE", default=60)
PRM_CAMPAIGN_MAIL_PER_HOUR = env.int("PRM_CAMPAIGN_MAIL_PER_HOUR", default=1000)
PRM_CAMPAIGN_MAX_CONTACTS = env.int("PRM_CAMPAIGN_MAX_CONTACTS", default=10000)
# Task modules outside an app's tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = ("prm.hosts",)
# Whole-tenant export links (hours) and the cooling-off period before a tenant is deleted.
PRM_TENANT_EXPORT_HOURS = env.int("PRM_TENANT_EXPORT_HOURS", default=72)
PRM_TENANT_DELETION_DAYS = env.int("PRM_TENANT_DELETION_DAYS", default=14)
PRM_TENANT_DELETION_BATCH = 1000

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "prm.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "prm.auth.AccountAdapter"
# Reset keys are bound to the tenant (or base domain) they were issued on (prm.auth).
ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR = "prm.auth.HostBoundTokenGenerator"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("PRM_MFA_ISSUER", default="PRM")

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PRM <no-reply@prm.localhost>")

# --- I18N ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in itself: a person looking for theirs recognises it in any UI language.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and one date-time format per language (prm/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["prm.formats"]

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("PRM_STATIC_ROOT", default=str(BASE_DIR / ".data" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: there is no MEDIA_URL route; files are served by authorised views.
MEDIA_ROOT = env.path("PRM_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
MEDIA_URL = "/private-media-not-served/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "prm.api.auth.ApiKeyAuthentication",
        "prm.api.auth.MemberSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["prm.api.permissions.IsMember"],
    "DEFAULT_PAGINATION_CLASS": "prm.api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "prm.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "prm.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "prm.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "prm.api.parsers.JSONParser",  # refuses JSON nested too deeply with a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["prm.api.renderers.JSONRenderer"],  # DRF bytes, by orjson
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PRM API",
    "DESCRIPTION": (
        "REST API of the PRM partner relationship management platform. Requests are made to "
        "the tenant's own host (for example `https://acme.example.com/api/v1/`) and "
        "authenticated with `Authorization: Bearer <api key>`. Errors use one format: "
        '`{"type": ..., "detail": ..., "errors": {field: [messages]}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # Status is a field name of several models; name each choice set once.
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "TierChangeStatusEnum": "partners.models.TierChangeStatus",
        # Role is a member's role (prm.roles) and an influencer's role on a deal (dealreg).
        "MemberRoleEnum": "prm.roles.Role",
        "InfluencerRoleEnum": "dealreg.models.InfluencerRole",
        # `type` of the one error format (prm.api.schema), beside the partner and deal types.
        "ErrorTypeEnum": "prm.api.schema.ERROR_TYPES",
        # Kind: an onboarding step's and an incentive program's; an account's population.
        "StepKindEnum": "onboarding.models.StepKind",
        "IncentiveProgramKindEnum": "incentives.models.ProgramKind",
        "PayoutBatchStatusEnum": "incentives.models_payouts.BatchStatus",
        "PayeeStatusEnum": "incentives.models_payouts.PayeeStatus",
        "PayoutHoldReasonEnum": "incentives.models_payouts.HoldReason",
        "AccountStatusEnum": "accountmap.models.AccountStatus",
        "AccountSharedFieldEnum": "accountmap.models.SHAREABLE_FIELDS",
        "CampaignSequenceStatusEnum": "marketing.campaign_models.SequenceStatus",
    },
    # No SECURITY / securitySchemes here: each operation's requirements and the schemes come
    # from its authentication classes through the extensions in prm.api.auth (ApiKey and the
    # session's cookieAuth). A global SECURITY entry would be appended to each operation again.
}

# --- Security -----------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Webhook URLs resolving to private, loopback or link-local addresses (and plain http) are
# refused unless this is set; local and test settings set it for loopback receivers.
PRM_WEBHOOKS_ALLOW_PRIVATE = env.bool("PRM_WEBHOOKS_ALLOW_PRIVATE", default=False)
CSRF_COOKIE_HTTPONLY = False
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx in compose: 1).
PRM_TRUSTED_PROXY_COUNT = env.int("PRM_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = PRM_TRUSTED_PROXY_COUNT
PRM_INVITATION_DAYS = env.int("PRM_INVITATION_DAYS", default=7)
PRM_IDEMPOTENCY_HOURS = env.int("PRM_IDEMPOTENCY_HOURS", default=24)
# Custom domains (prm.hosts): proven by a DNS TXT record, re-checked periodically.
PRM_DNS_RESOLVER = env.str("PRM_DNS_RESOLVER", default="dns.resolver.Resolver")
PRM_DNS_TIMEOUT = env.float("PRM_DNS_TIMEOUT", default=5.0)
PRM_HOST_RECHECK_HOURS = env.int("PRM_HOST_RECHECK_HOURS", default=24)  # verified hosts
PRM_HOST_PENDING_RECHECK_MINUTES = env.int("PRM_HOST_PENDING_RECHECK_MINUTES", default=30)
PRM_HOST_RECHECK_BATCH = env.int("PRM_HOST_RECHECK_BATCH", default=40)  # per sweep

# List CSV exports stream at most this many rows; a longer export ends with a note saying so.
PRM_CSV_EXPORT_MAX_ROWS = env.int("PRM_CSV_EXPORT_MAX_ROWS", default=100_000)
# Uploaded images (logo, MDF proofs) with more pixels are refused from their header.
PRM_MAX_IMAGE_PIXELS = env.int("PRM_MAX_IMAGE_PIXELS", default=40_000_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("PRM_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
