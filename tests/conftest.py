"""Shared fixtures. Services the suite needs are real: the database of DATABASE_URL (or
SQLite), a Celery worker on REDIS_URL, Debian's chromium. Where one is missing a test is
skipped with the reason, except when CI is set: then it fails."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"
IN_CI = bool(os.environ.get("CI"))


def missing_service(reason: str) -> None:
    """Skip locally, fail in CI: a test that needs a service must never pass silently."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        missing_service(f"{SHARED_DIR} is absent: these tests read the real shared records and schemas")
    return SHARED_DIR


@pytest.fixture
def tasks_via_redis(settings):
    """Tasks queued during the test go to the Redis broker instead of running in-process."""
    from portal.celery import app

    if not settings.TEST_REDIS_URL:
        missing_service("REDIS_URL is not set: this test needs a real Celery worker on Redis")
    import redis

    try:
        redis.Redis.from_url(settings.TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        missing_service(f"Redis at {settings.TEST_REDIS_URL} does not answer: {exc}")
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.task_always_eager = True


@contextmanager
def running_worker(app, queues: list[str]):
    """A real Celery worker in a thread of this process, consuming `queues` on Redis."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import close_old_connections

    def close_worker_connections(**_kwargs):
        # A real worker's Django fixup does this; the in-thread test worker must too, or
        # its database session outlives the test and blocks dropping the test database.
        close_old_connections()

    task_postrun.connect(close_worker_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, queues=queues, shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connections)


@pytest.fixture
def celery_worker(transactional_db, tasks_via_redis, settings):
    """A real Celery worker consuming this process's deposit and matching queues on the
    Redis broker. Tasks queued during the test go through Redis to it."""
    queues = [settings.CELERY_TASK_DEFAULT_QUEUE, settings.MATCHING_QUEUE]
    with running_worker(tasks_via_redis, queues) as worker:
        yield worker


@pytest.fixture
def wait_for():
    """Poll `condition` until it is true or `timeout` seconds pass."""
    import time

    def wait(condition, timeout: float = 20.0, interval: float = 0.05):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        raise AssertionError(f"condition not met within {timeout}s")

    return wait


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Cached figures (member statistics, facet counts, rate-limit windows, resolution
    targets) never leak from one test into the next. Only in-memory caches are emptied: a
    Redis cache is shared with the other test processes."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from linking.resolver.cache import TARGETS

    yield
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()
    TARGETS.clear()  # the rolled-back test's DOIs and URLs
