"""A per-process cache of resolution targets (DOI → where it resolves), so a resolution
usually costs no database round trip.

Anything that changes where a DOI resolves calls `resolution_targets_changed` (on commit of
a registration or a resource-only deposit, and on any save or delete of a work or one of
its URLs, as the admin does). That empties this process's cache and bumps a generation
number in the shared Django cache (Redis in production). Every process compares its
generation with the shared one at most once every `RESOLVER_GENERATION_CHECK` seconds
(default 1) and empties its cache when it moved, so a new URL is served everywhere within
about a second. Entries also expire after `RESOLVER_CACHE_SECONDS` (default 300): the bound
when processes share no cache. `RESOLVER_CACHE_SIZE` (default 50,000 DOIs; 0 turns the
cache off) keeps memory small. Unknown DOIs are never cached: a new registration must
resolve at once."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "resolver:generation"


class TargetCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._generation: object = None
        self._checked_at = float("-inf")

    @staticmethod
    def _setting(name: str, default: float) -> float:
        return float(getattr(settings, name, default))

    def _fresh(self, now: float) -> None:
        if now - self._checked_at < self._setting("RESOLVER_GENERATION_CHECK", 1.0):
            return
        self._checked_at = now
        generation = cache.get(GENERATION_KEY)
        if generation != self._generation:
            self._generation = generation
            self._entries.clear()

    def get(self, doi: str):
        """The cached target of `doi`, or None when it must be read from the database."""
        if not self._setting("RESOLVER_CACHE_SIZE", 50_000):
            return None
        now = time.monotonic()
        with self._lock:
            self._fresh(now)
            entry = self._entries.get(doi)
            if entry is None:
                return None
            stored_at, target = entry
            if now - stored_at > self._setting("RESOLVER_CACHE_SECONDS", 300):
                del self._entries[doi]
                return None
            self._entries.move_to_end(doi)
            return target

    def put(self, doi: str, target: object) -> None:
        size = int(self._setting("RESOLVER_CACHE_SIZE", 50_000))
        if not size or target is None:
            return
        with self._lock:
            self._entries[doi] = (time.monotonic(), target)
            self._entries.move_to_end(doi)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


TARGETS = TargetCache()


def resolution_targets_changed(*_args, **_kwargs) -> None:
    """Forget cached targets here and tell every other process to (see the module text).
    Takes and ignores any arguments, so it can be a signal receiver or an on-commit hook."""
    TARGETS.clear()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet
        cache.set(GENERATION_KEY, 1, timeout=None)
