"""The raw Redis client behind the default Django cache, for the counters that need more
than the cache API (pipelines, hashes, EXPIRE NX)."""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def shared_redis():
    """The client, or None when the cache is not Redis (the embedded setup). Kept on the
    cache backend (one per thread): Django's cache API builds a new client object for
    every operation, which costs more than a resolution's other work."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    client = getattr(backend, "_raw_client", None)
    if client is None:
        client = backend._raw_client = backend._cache.get_client(write=True)
    return client
