"""Settings shared by every environment. Everything configurable comes from the
environment through django-environ; each external service has a safe embedded default."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "django_countries",
    "django_htmx",
    "accounts",
    "linking",
    "deposits",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
]

# Local state (the embedded database, uploads) lives in var/, which git ignores.
(BASE_DIR / "var").mkdir(exist_ok=True)

# SQLite by default; DATABASE_URL (postgres://...) selects PostgreSQL through psycopg 3.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    # Write transactions take the lock when they begin, so two writers wait for each
    # other instead of failing with "database is locked" when one upgrades its lock.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# Mail: console in development; EMAIL_URL (smtp+tls://user:pass@host:587) in production.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": 30,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="support@doi-portal.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: REDIS_URL selects a real broker; without it tasks run in-process on commit.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
# Reference matching has a queue of its own: a deposit must never wait behind the
# hundreds of thousands of references an earlier large deposit queued for matching.
MATCHING_QUEUE = env("CELERY_MATCHING_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-matching")
CELERY_TASK_ROUTES = {"linking.matching.tasks.*": {"queue": MATCHING_QUEUE}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work (run `celery -A portal beat` beside the worker in production).
CELERY_BEAT_SCHEDULE = {
    "flush-resolution-counts": {"task": "linking.resolver.tasks.flush_resolution_counts", "schedule": 60.0},
    "send-citation-alerts": {"task": "linking.matching.tasks.send_citation_alerts", "schedule": 24 * 3600.0},
    "refresh-search-terms": {"task": "linking.search.tasks.refresh_search_terms", "schedule": 24 * 3600.0},
    "reconcile-cited-by": {"task": "linking.matching.tasks.reconcile_cited_by", "schedule": 24 * 3600.0},
    "sweep-stuck-submissions": {"task": "deposits.tasks.sweep_stuck_submissions", "schedule": 300.0},
    "create-due-invoices": {"task": "accounts.billing.tasks.create_due_invoices", "schedule": 24 * 3600.0},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DOI registration agency portal API",
    "VERSION": "1.0.0",
}

# The public face of this deployment.
SITE_NAME = env("SITE_NAME", default="DOI Registration Portal")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# New members receive the lowest free prefix in this inclusive range (10.START to 10.END).
PREFIX_POOL_START = env.int("PREFIX_POOL_START", default=50000)
PREFIX_POOL_END = env.int("PREFIX_POOL_END", default=59999)

# Invitations to join an organisation expire after this many days.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Staff who are told about new membership applications.
STAFF_NOTIFY_EMAILS = env.list("STAFF_NOTIFY_EMAILS", default=[])

# Crossref XML schemas. The 5.5.0 set is fetched at setup (scripts/fetch-schemas) into
# SCHEMA_INSTALL_DIR from the pinned commonmeta-py wheel; CROSSREF_SCHEMA_DIR points at a
# folder of further versions laid out as crossref-X.Y.Z/ (tests and CI use ../shared/schema).
SCHEMA_INSTALL_DIR = env.path("SCHEMA_INSTALL_DIR", default=BASE_DIR / "var" / "schemas")
CROSSREF_SCHEMA_DIR = env("CROSSREF_SCHEMA_DIR", default="")
# Largest deposit file accepted (bytes); larger uploads get 413.
DEPOSIT_MAX_BYTES = env.int("DEPOSIT_MAX_BYTES", default=250 * 1024 * 1024)
# At most this many submissions of one organisation wait in the queue; more get 429.
DEPOSIT_MAX_PENDING = env.int("DEPOSIT_MAX_PENDING", default=10000)
# Files larger than this are read in streaming passes, never held whole in memory.
DEPOSIT_STREAM_BYTES = env.int("DEPOSIT_STREAM_BYTES", default=16 * 1024 * 1024)
# An invalid streamed file up to this size is validated again as a tree, for precise messages.
DEPOSIT_TREE_MAX_BYTES = env.int("DEPOSIT_TREE_MAX_BYTES", default=64 * 1024 * 1024)
# A submission with no progress for this many seconds is queued again, at most
# DEPOSIT_MAX_ATTEMPTS times in all, then failed with a message.
DEPOSIT_STUCK_AFTER = env.int("DEPOSIT_STUCK_AFTER", default=30 * 60)
DEPOSIT_MAX_ATTEMPTS = env.int("DEPOSIT_MAX_ATTEMPTS", default=3)
# Submission logs POSTed to a member's callback URL: timeout (s), attempts, first back-off (s,
# doubled each time), and whether private addresses may receive them (never in production).
DEPOSIT_CALLBACK_TIMEOUT = env.float("DEPOSIT_CALLBACK_TIMEOUT", default=10)
DEPOSIT_CALLBACK_MAX_ATTEMPTS = env.int("DEPOSIT_CALLBACK_MAX_ATTEMPTS", default=6)
DEPOSIT_CALLBACK_BACKOFF = env.float("DEPOSIT_CALLBACK_BACKOFF", default=30)
DEPOSIT_CALLBACK_ALLOW_PRIVATE = env.bool("DEPOSIT_CALLBACK_ALLOW_PRIVATE", default=False)
