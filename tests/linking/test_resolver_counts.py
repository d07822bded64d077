"""Resolution counts: counted without a database write per request, added to
ResolutionCount by a flush (in-process counters, or Redis shared by all web processes)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from linking.models import ResolutionCount
from linking.records import PartialDate, WorkRecord
from linking.records import ResourceUrl as Url
from linking.resolver.counts import counts_flush
from linking.resolver.services import resolution_counts_add
from linking.resolver.tasks import flush_resolution_counts
from linking.services import records_register
from tests.conftest import missing_service
from tests.factories import OrganisationFactory

MONTH = timezone.now().date().replace(day=1)


def register(*dois: str) -> None:
    records = [
        WorkRecord(
            doi=doi,
            type="dataset",
            titles=["Counted"],
            issued=PartialDate(2020),
            resource_urls=[Url(url=f"https://data.example/{doi}")],
        )
        for doi in dois
    ]
    records_register(records=records, organisation=OrganisationFactory())


def counts() -> dict[str, int]:
    return dict(ResolutionCount.objects.filter(month=MONTH).values_list("doi", "count"))


@pytest.fixture(autouse=True)
def empty_counters(db):
    counts_flush()  # counts of earlier tests in this process stay out of this one
    ResolutionCount.objects.all().delete()
    yield


@pytest.mark.django_db
def test_resolutions_write_nothing_until_the_flush(client, django_assert_num_queries):
    register("10.5555/count.a", "10.5555/count.b")
    with django_assert_num_queries(1):  # the lookup only
        assert client.get("/10.5555/COUNT.A").status_code == 302
    client.get("/10.5555/count.a")
    client.get("/doi/10.5555/count.b")
    client.get("/10.5555/count.missing")  # unknown DOIs are not counted
    assert counts() == {}
    assert flush_resolution_counts() == 3
    assert counts() == {"10.5555/count.a": 2, "10.5555/count.b": 1}
    client.get("/10.5555/count.a")
    flush_resolution_counts()
    assert counts() == {"10.5555/count.a": 3, "10.5555/count.b": 1}
    assert flush_resolution_counts() == 0


@pytest.mark.django_db
def test_the_embedded_setup_flushes_every_n_resolutions(client, settings):
    settings.RESOLVER_FLUSH_EVERY = 3
    register("10.5555/every")
    for _ in range(2):
        client.get("/10.5555/every")
    assert counts() == {}
    client.get("/10.5555/every")
    assert counts() == {"10.5555/every": 3}


@pytest.mark.django_db
def test_upsert_adds_to_existing_rows():
    resolution_counts_add(counts={("10.5555/u", date(2026, 1, 1)): 5})
    resolution_counts_add(counts={("10.5555/u", date(2026, 1, 1)): 7, ("10.5555/u", date(2026, 2, 1)): 1})
    rows = dict(ResolutionCount.objects.filter(doi="10.5555/u").values_list("month", "count"))
    assert rows == {date(2026, 1, 1): 12, date(2026, 2, 1): 1}


@pytest.fixture
def redis_cache(settings):
    if not settings.TEST_REDIS_URL:
        missing_service("REDIS_URL is not set: the shared counters live in Redis")
    cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
        }
    }
    with override_settings(CACHES=cache):
        import redis

        client = redis.Redis.from_url(settings.TEST_REDIS_URL)
        for key in client.scan_iter(f"resolver:counts:{connection.settings_dict['NAME']}:*"):
            client.delete(key)
        yield client


@pytest.mark.worker
def test_redis_counters_are_flushed_by_the_worker(client, settings, redis_cache, celery_worker, wait_for):
    settings.RESOLVER_PUSH_EVERY = 2  # each process pushes its counts to Redis every 2 resolutions
    settings.RESOLVER_PUSH_SECONDS = 3600  # (or after this long)
    register("10.5555/redis.a", "10.5555/redis.b")
    for path in ["/10.5555/redis.a", "/10.5555/REDIS.A", "/10.5555/redis.b"]:
        assert client.get(path).status_code == 302
    assert counts() == {}
    namespace = f"resolver:counts:{connection.settings_dict['NAME']}"
    month = timezone.now().strftime("%Y-%m")
    assert redis_cache.hget(f"{namespace}:{month}", "10.5555/redis.a") == b"2"  # pushed after the second
    assert redis_cache.hget(f"{namespace}:{month}", "10.5555/redis.b") is None  # not yet pushed
    flush_resolution_counts.delay()
    wait_for(lambda: counts() == {"10.5555/redis.a": 2, "10.5555/redis.b": 1})
    assert not list(redis_cache.scan_iter(f"{namespace}:flushing:*"))
    client.get("/10.5555/redis.b")
    flush_resolution_counts.delay()
    wait_for(lambda: counts() == {"10.5555/redis.a": 2, "10.5555/redis.b": 2})


@pytest.mark.django_db
def test_a_flush_that_failed_is_picked_up_by_the_next(client, settings, redis_cache):
    settings.RESOLVER_PUSH_EVERY = 1
    register("10.5555/retry")
    client.get("/10.5555/retry")
    namespace = f"resolver:counts:{connection.settings_dict['NAME']}"
    month = timezone.now().strftime("%Y-%m")
    # What a flush that died after taking the hash away leaves behind.
    redis_cache.rename(f"{namespace}:{month}", f"{namespace}:flushing:{month}:dead")
    client.get("/10.5555/retry")
    assert counts_flush() == 2
    assert counts() == {"10.5555/retry": 2}
