"""Test settings: fast hashing, mail captured in memory, tasks in-process unless a
test asks for the real worker (tests/conftest.py starts one on REDIS_URL)."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tests choose per test whether tasks run in-process or on the real worker.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TEST_REDIS_URL = REDIS_URL

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the real Celery worker runs in another thread and must see
    # what the test committed. pytest-xdist adds a per-process suffix to the name.
    # TEST_SQLITE_NAME lets several test runs share a checkout.
    test_name = os.environ.get("TEST_SQLITE_NAME", "test-portal.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / test_name)}
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}

# Each test process has its own queue on the shared Redis, so parallel runs never take
# each other's tasks.
# A worker a test starts in another process is told this process's queue by TEST_WORKER_QUEUE.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_WORKER_QUEUE") or f"portal-test-{os.getpid()}"
MATCHING_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-matching"
CELERY_TASK_ROUTES = {"linking.matching.tasks.*": {"queue": MATCHING_QUEUE}}
