"""Polite pool and rate limits (spec 3.8).

A request that names a contact (`mailto=` or `mailto:` in the User-Agent) is in the polite
pool and gets the higher limit. Counting is a fixed one-interval window per client and
pool in the Django cache, so every worker process shares it through Redis (REDIS_URL) or,
embedded, through the local cache. Limits come from settings `API_RATE_LIMITS`
({"public": (requests, seconds), "polite": ...}), by default the public API's."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from linking.shared_redis import shared_redis

DEFAULT_LIMITS = {"public": (5, 1), "polite": (10, 1)}
CONCURRENCY = {"public": 1, "polite": 3}


@dataclass(frozen=True)
class Verdict:
    pool: str
    limit: int
    interval: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {
            "x-api-pool": self.pool,
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-interval": f"{self.interval}s",
            "x-concurrency-limit": str(CONCURRENCY.get(self.pool, 1)),
        }


def pool_of(request: HttpRequest) -> str:
    if request.GET.get("mailto", "").strip():
        return "polite"
    agent = request.headers.get("User-Agent", "") + " " + request.headers.get("X-User-Agent", "")
    return "polite" if "mailto:" in agent.lower() else "public"


def client_of(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def request_admit(request: HttpRequest) -> Verdict:
    """Count this request against its client's window and say whether it may proceed."""
    pool = pool_of(request)
    limits = {**DEFAULT_LIMITS, **getattr(settings, "API_RATE_LIMITS", {})}
    limit, interval = limits[pool]
    window = int(time.time() // interval)
    key = f"api-rate:{pool}:{client_of(request)}:{window}"
    allowed = _count(key, interval) <= limit
    return Verdict(pool=pool, limit=int(limit), interval=int(interval), allowed=allowed)


def _count(key: str, interval: int) -> int:
    """Add one to the window's counter and return it. On Redis: INCR and EXPIRE NX in one
    pipelined round trip on a client kept per process (the cache API would build a client
    and make two round trips: several times the cost of the rest of the request)."""
    client = shared_redis()
    if client is None:
        try:
            return cache.incr(key)
        except ValueError:
            return 1 if cache.add(key, 1, timeout=interval + 1) else cache.incr(key)
    name = cache.make_and_validate_key(key)
    pipe = client.pipeline(transaction=False)
    pipe.incr(name)
    pipe.expire(name, interval + 1, nx=True)
    count, _ = pipe.execute()
    return int(count)
