"""Settings read from the environment (API.md "Configuration"); production differs only by it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ratings_inbox import embedded

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("DATA_DIR") or BASE_DIR / "var").resolve()


DEBUG = env_bool("DEBUG", True)


def require_production_environment(*, debug: bool) -> None:
    """With DEBUG off (production) the database, Redis and the key come from the environment (SCALE-1).

    The embedded PostgreSQL and Redis in DATA_DIR are for development only: a production process
    that started them would keep its data on its container's disk, unseen by the other processes.
    Checked before anything else is read, so nothing starts half-configured.
    """
    if debug:
        return
    missing = [name for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY") if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(
            "; ".join(f"{name} is not set" for name in missing)
            + ". With DEBUG off every process takes DATABASE_URL, REDIS_URL and SECRET_KEY from the environment"
            " (the embedded servers are for development only; SECRET_KEY: at least 50 random characters,"
            " e.g. python -c \"import secrets; print(secrets.token_urlsafe(50))\")."
        )


require_production_environment(debug=DEBUG)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Database -------------------------------------------------------------------------
# Three roles, created by `manage.py bootstrap_db` with the DATABASE_URL connection (a
# superuser is fine), which is used for nothing else (SEC-3, TEN-4):
# - DATABASE_OWNER_ROLE owns the schema and every table; `manage.py migrate` runs as it
#   (alias "owner"). BYPASSRLS, because FORCE row-level security applies to table owners and
#   data migrations span merchants.
# - DATABASE_APP_ROLE is what the web and worker processes run as (alias "default"): it owns
#   nothing, may only read and write rows, and row-level security applies to it.
# - DATABASE_SWEEPER_ROLE reads across merchants, nothing more (alias "sweeper"): the sweeps
#   list what is due with it and the operators' Django admin reads with it.
DATABASE_OWNER_ROLE = os.environ.get("DATABASE_OWNER_ROLE", "ratings_owner")
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "ratings_app")
DATABASE_SWEEPER_ROLE = os.environ.get("DATABASE_SWEEPER_ROLE", "ratings_sweeper")


def database_admin_params() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        params = embedded.ensure_postgres(DATA_DIR)
        params["NAME"] = "ratings_inbox"
        return params
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    return {
        "NAME": unquote(parsed.path.lstrip("/")) or "ratings_inbox",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": query.get("host", [parsed.hostname or ""])[0],
        "PORT": str(parsed.port or "5432"),
    }


def database_alias(role: str, **extra) -> dict:
    """A connection to the application's database as `role`, with DATABASE_URL's password."""
    return {
        "ENGINE": "ratings_inbox.postgres",  # the tenant set per transaction (SCALE-3)
        "NAME": DATABASE_ADMIN["NAME"],
        "USER": role,
        "PASSWORD": DATABASE_ADMIN["PASSWORD"],
        "HOST": DATABASE_ADMIN["HOST"],
        "PORT": DATABASE_ADMIN["PORT"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"application_name": "ratings_inbox"},
        **extra,
    }


def pooled(alias: dict, pooler: str) -> dict:
    """The alias through PgBouncer in transaction pooling mode at `pooler` (host:port, SCALE-3).

    Each transaction may get another server connection: the tenant is set per transaction
    (ratings_inbox.postgres), psycopg2 prepares no statements, and Django's server-side cursors
    (.iterator(), DECLARE ... WITH HOLD outside a transaction) are off.
    """
    host, _, port = pooler.rpartition(":")
    return {**alias, "HOST": host, "PORT": port or "6432", "DISABLE_SERVER_SIDE_CURSORS": True}


DATABASE_ADMIN = database_admin_params()
DATABASES = {
    "default": database_alias(DATABASE_APP_ROLE, ATOMIC_REQUESTS=True,
                              CONN_MAX_AGE=int(os.environ.get("CONN_MAX_AGE", "60"))),
    "owner": database_alias(DATABASE_OWNER_ROLE),
    "sweeper": database_alias(DATABASE_SWEEPER_ROLE, CONN_MAX_AGE=int(os.environ.get("CONN_MAX_AGE", "60"))),
}
# DATABASE_POOLER=pgbouncer:6432: the web and worker processes (aliases default and sweeper) go
# through PgBouncer; migrations and bootstrap_db connect to PostgreSQL itself, since CREATE INDEX
# CONCURRENTLY and the migrations' SET lock_timeout need a session of their own.
POOLED_ALIASES = ("default", "sweeper")
if os.environ.get("DATABASE_POOLER"):
    DATABASES.update({alias: pooled(DATABASES[alias], os.environ["DATABASE_POOLER"]) for alias in POOLED_ALIASES})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or embedded.ensure_redis(DATA_DIR)


def celery_broker_url(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        path, _, query = redis_url[len("unix://"):].partition("?")
        db = parse_qs(query).get("db", ["0"])[0]
        return f"redis+socket://{path}?virtual_host={db}"
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ri",
        "TIMEOUT": 300,
    }
}

CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing fails fast when Redis is down (one quick retry, not kombu's default of several
# seconds): the request that saved a rating is not held up, and the sweeps send what is due.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 600, "max_retries": 1, "interval_start": 0, "interval_step": 0.2,
    "interval_max": 0.5, "socket_connect_timeout": 2,
}
CELERY_TIMEZONE = "UTC"
# Beat keeps only the last run of each entry here; production points it at a tmpfs (compose `beat`,
# --schedule): lost at a restart, every entry simply runs once more. Exactly one beat runs.
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# Periodic sweeps (AR-4): they deliver what a lost task, a broker outage or a dead worker
# left behind. `celery -A ratings_inbox beat` runs them; each works in bounded batches.
SWEEP_INTERVAL_SECONDS = float(os.environ.get("SWEEP_INTERVAL_SECONDS", "60"))
SWEEP_GRACE_SECONDS = float(os.environ.get("SWEEP_GRACE_SECONDS", "30"))  # leave fresh rows to their task
SWEEP_BATCH_SIZE = int(os.environ.get("SWEEP_BATCH_SIZE", "200"))
SWEEP_TIME_BUDGET_SECONDS = 60
# The sweeps whose work is per merchant (SLA alerts, e-mails due) read up to this many due ids at
# once — ids are cheap, one index range — so that a backlog spread over many merchants is handled
# merchant by merchant in full batches (one transaction and INSERT, one claim and SMTP connection
# per EMAIL_BATCH_SIZE), not as a few rows of each merchant per sweep (issue 15).
SWEEP_WINDOW = int(os.environ.get("SWEEP_WINDOW", "5000"))
DIGEST_SWEEP_SECONDS = float(os.environ.get("DIGEST_SWEEP_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {
    "autoreply-sweep": {"task": "autoreply.tasks.autoreply_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    "email-sweep": {"task": "notifications.tasks.email_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    "gift-grants-expire": {"task": "gifts.tasks.grants_expire_sweep", "schedule": 300.0},  # GFT-3
    "customer-retention": {"task": "privacy.tasks.retention_sweep", "schedule": 86400.0},  # PRV-3, daily
    "sessions-clear": {"task": "accounts.tasks.sessions_clear", "schedule": 3600.0},  # SCALE-1
    # SLA-3: within a minute of the moment a case turns at risk or breaches: a tick every 30 s
    # leaves the other half minute for recording and sending (the sweep's SQL is ~0.1 ms).
    "sla-alerts-sweep": {"task": "alerts.tasks.sla_alerts_sweep", "schedule": min(SWEEP_INTERVAL_SECONDS, 30.0)},
    # SLA-5: each member's digest hour, in the merchant's zone.
    "digest-sweep": {"task": "alerts.tasks.digest_sweep", "schedule": DIGEST_SWEEP_SECONDS},
}
# E-mail delivery by the workers (AR-5). The lease outlasts CELERY_TASK_TIME_LIMIT, so a row
# is only taken over from a worker that is certainly gone.
EMAIL_SEND_LEASE_SECONDS = float(os.environ.get("EMAIL_SEND_LEASE_SECONDS", "180"))
EMAIL_SEND_MAX_ATTEMPTS = int(os.environ.get("EMAIL_SEND_MAX_ATTEMPTS", "8"))
EMAIL_RETRY_BASE_SECONDS = float(os.environ.get("EMAIL_RETRY_BASE_SECONDS", "30"))
EMAIL_RETRY_MAX_SECONDS = float(os.environ.get("EMAIL_RETRY_MAX_SECONDS", "3600"))
# Many due e-mails of one merchant go out together (issue 15): one task claims up to this many
# and sends them over one SMTP connection, stopping after EMAIL_BATCH_SECONDS (well inside the
# task's time limit, hence the lease) and handing what is left to a new batch.
EMAIL_BATCH_SIZE = int(os.environ.get("EMAIL_BATCH_SIZE", "50"))
EMAIL_BATCH_SECONDS = float(os.environ.get("EMAIL_BATCH_SECONDS", "60"))

# --- E-mail ---------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console:")


def email_settings(url: str) -> dict:
    if url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ValueError(f"EMAIL_URL scheme must be smtp, smtp+tls, smtp+ssl or console: {url!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or 25,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parsed.scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": 10,
    }


globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ratings Inbox <no-reply@ratings-inbox.local>")

# --- Django ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "merchants",
    "customers",
    "ratings",
    "gifts",
    "autoreply",
    "privacy",
    "intake",
    "inbox",
    "customer_pages",
    "demo",
    "analytics",
    "notifications",
    "alerts",
]

MIDDLEWARE = [
    "ratings_inbox.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ratings_inbox.toasts.HtmxToastMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "merchants.middleware.TenantMiddleware",
]

ROOT_URLCONF = "ratings_inbox.urls"
WSGI_APPLICATION = "ratings_inbox.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "merchants.context_processors.tenancy",
            ],
            "builtins": ["ratings_inbox.icons", "ratings_inbox.formatting"],
        },
    }
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security (PRODUCT.md SEC-4) ------------------------------------------------------
# With DEBUG off SECRET_KEY must come from the environment and the secure defaults are on;
# each can be switched by its variable (README "Configuration"), e.g. for a trial over plain
# HTTP: SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0.


def dev_secret_key(data_dir: Path) -> str:
    """A key generated once per data folder for development, readable by its owner alone."""
    path = data_dir / "secret_key"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)  # a key written by an older version may be world-readable
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def secret_key(*, debug: bool, data_dir: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the key must come from the environment "
            "(at least 50 random characters, e.g. python -c \"import secrets; print(secrets.token_urlsafe(50))\")."
        )
    return dev_secret_key(data_dir)


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER as `HTTP_X_FORWARDED_PROTO` (meaning `=https`) or `HEADER=value`."""
    name, _, expected = value.strip().partition("=")
    if not name:
        return None
    return (name.strip().upper(), expected.strip() or "https")


def security_settings(*, debug: bool) -> dict:
    secure = not debug
    return {
        "SECURE_SSL_REDIRECT": env_bool("SECURE_SSL_REDIRECT", secure),
        # The container health check asks over plain HTTP from inside (docker-compose.yml).
        "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
        "SECURE_HSTS_SECONDS": int(os.environ.get("SECURE_HSTS_SECONDS") or (31536000 if secure else 0)),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", secure),
        "SECURE_HSTS_PRELOAD": env_bool("SECURE_HSTS_PRELOAD", secure),
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", secure),
        "CSRF_COOKIE_SECURE": env_bool("CSRF_COOKIE_SECURE", secure),
        "SECURE_PROXY_SSL_HEADER": proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", "")),
        "CSRF_TRUSTED_ORIGINS": [
            origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
        ],
        "SECURE_REFERRER_POLICY": os.environ.get("SECURE_REFERRER_POLICY") or "same-origin",
    }


SECRET_KEY = secret_key(debug=DEBUG, data_dir=DATA_DIR)
globals().update(security_settings(debug=DEBUG))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every response carries this policy (django-csp): scripts and styles only from our own static
# files, no inline code, no eval; htmx is configured in templates/base.html to need neither.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Swagger UI's and the admin's stylesheets draw icons as data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"user": "1200/minute", "api_key": "1200/minute", "anon": "60/minute"},
}
# The API views' credentials (ratings_inbox.api.views.ApiView), each owned by its app. Token
# first: its WWW-Authenticate header makes missing credentials a 401, not a 403.
API_AUTHENTICATION_CLASSES = [
    "accounts.authentication.TokenAuthentication",
    "merchants.authentication.ApiKeyAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "Ratings Inbox API",
    "DESCRIPTION": "Public REST contract v1 of Ratings Inbox.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Enum names where two models share a field name ("status", "kind"); a gift's kind and a
    # grant's gift_kind are one choice set, so one enum.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "ratings.models.CaseStatus",
        "CaseEventKindEnum": "ratings.models.CaseEvent.Kind",
        "GrantStatusEnum": "gifts.models.GiftGrant.Status",
        "GiftKindEnum": "gifts.models.Gift.Kind",
        "EmailKindEnum": "notifications.models.OutgoingEmail.Kind",
        "EmailStatusEnum": "notifications.models.OutgoingEmail.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging in (PRODUCT.md SEC-1) ---------------------------------------------------
# Every login (the sign-in page, /admin/, POST /api/v1/auth/token/) is checked and counted by
# this backend against the lockout in accounts/lockout.py. A client's address is the socket's;
# behind N reverse proxies that each append to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Every new password passes these, whichever way it is set (commands, services, the admin).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# JSON lines with the request id and the merchant (ratings_inbox.logs) unless LOG_FORMAT=text;
# text by default with DEBUG on, for a developer's terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        },
        "json": {"()": "ratings_inbox.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Credentials and links that expire (SEC-5, SEC-6) ---------------------------------
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
# Rate and conversation links sent to customers; unsubscribe links never expire.
CUSTOMER_LINK_MAX_AGE_DAYS = int(os.environ.get("CUSTOMER_LINK_MAX_AGE_DAYS", "180"))
# Posts of a customer's form (rate, reply, unsubscribe) allowed per link and window.
CUSTOMER_FORM_POSTS_PER_WINDOW = int(os.environ.get("CUSTOMER_FORM_POSTS_PER_WINDOW", "10"))
CUSTOMER_FORM_WINDOW_SECONDS = int(os.environ.get("CUSTOMER_FORM_WINDOW_SECONDS", "600"))
