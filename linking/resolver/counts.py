"""Resolution counts: one cheap increment per resolution, written to the database in batches.

Each process counts in memory first (no I/O on the request). With a Redis cache
(REDIS_URL) a process pushes its counts to Redis, where all web processes add up, every
`RESOLVER_PUSH_EVERY` resolutions or `RESOLVER_PUSH_SECONDS` seconds and when it exits:
one pipelined HINCRBY per DOI on a hash per month. `counts_flush` (the beat task, every
60 s) renames each month's hash away (atomic in Redis, so increments arriving meanwhile go
to a fresh hash), adds it to `ResolutionCount` and deletes it; a flush that dies leaves the
renamed hash for the next one. Without Redis (the embedded setup, one process, no beat)
the process flushes its own counts to the database every `RESOLVER_FLUSH_EVERY`
resolutions."""

from __future__ import annotations

import atexit
import threading
import time
import uuid
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone

from linking.shared_redis import shared_redis

FLUSH_EVERY_DEFAULT = 500
PUSH_EVERY_DEFAULT = 200
PUSH_SECONDS_DEFAULT = 1.0

_lock = threading.Lock()
_local: Counter[tuple[str, str]] = Counter()
_state = {"since_flush": 0, "last_push": time.monotonic()}


def _month() -> str:
    return timezone.now().strftime("%Y-%m")


def _namespace() -> str:
    # One Redis may serve several deployments (and parallel test databases): key by database.
    return f"resolver:counts:{connection.settings_dict['NAME']}"


def resolution_record(doi: str) -> None:
    """Count one resolution of `doi` (lower-cased) in the current month. No database write,
    and no Redis round trip except once per batch."""
    with _lock:
        _local[(doi, _month())] += 1
        _state["since_flush"] += 1
        pending = _state["since_flush"]
        waited = time.monotonic() - _state["last_push"]
    client = shared_redis()
    if client is not None:
        if pending >= getattr(settings, "RESOLVER_PUSH_EVERY", PUSH_EVERY_DEFAULT) or waited >= getattr(
            settings, "RESOLVER_PUSH_SECONDS", PUSH_SECONDS_DEFAULT
        ):
            _push(client)
    elif pending >= getattr(settings, "RESOLVER_FLUSH_EVERY", FLUSH_EVERY_DEFAULT):
        counts_flush()


def _drain_local() -> dict[tuple[str, str], int]:
    with _lock:
        taken = dict(_local)
        _local.clear()
        _state["since_flush"] = 0
        _state["last_push"] = time.monotonic()
    return taken


def _restore(taken: dict[tuple[str, str], int]) -> None:
    with _lock:
        _local.update(taken)


def _push(client) -> None:
    """Add this process's counts to the shared hashes in Redis."""
    taken = _drain_local()
    if not taken:
        return
    namespace = _namespace()
    pipe = client.pipeline(transaction=False)
    for (doi, month), count in taken.items():
        pipe.hincrby(f"{namespace}:{month}", doi, count)
    pipe.sadd(f"{namespace}:months", *{month for _, month in taken})
    try:
        pipe.execute()
    except Exception:
        _restore(taken)
        raise


def _push_at_exit() -> None:
    try:
        client = shared_redis()
        if client is not None:
            _push(client)
    except Exception:  # the process is going away; nothing to tell
        pass


atexit.register(_push_at_exit)


def _drain_redis(client) -> tuple[dict[tuple[str, str], int], list[str]]:
    namespace = _namespace()
    taken: Counter[tuple[str, str]] = Counter()
    # Hashes left by a flush that died after renaming come first.
    pending = [k.decode() if isinstance(k, bytes) else k for k in client.keys(f"{namespace}:flushing:*")]
    for raw_month in client.smembers(f"{namespace}:months"):
        month = raw_month.decode() if isinstance(raw_month, bytes) else raw_month
        if month != _month():
            client.srem(f"{namespace}:months", month)
        name = f"{namespace}:flushing:{month}:{uuid.uuid4().hex}"
        try:
            client.rename(f"{namespace}:{month}", name)
        except Exception as error:  # no hash: nothing counted since the last flush
            if "no such key" not in str(error).lower():
                raise
            continue
        pending.append(name)
    for name in pending:
        month = name.split(":flushing:", 1)[1].split(":", 1)[0]
        for doi, count in client.hgetall(name).items():
            taken[(doi.decode() if isinstance(doi, bytes) else doi, month)] += int(count)
    return dict(taken), pending


def counts_flush() -> int:
    """Add the counted resolutions to `ResolutionCount`; returns how many were added."""
    from linking.resolver.services import resolution_counts_add

    client = shared_redis()
    if client is None:
        taken = _drain_local()
        pending: list[str] = []
    else:
        _push(client)
        taken, pending = _drain_redis(client)
    if taken:
        try:
            resolution_counts_add(
                counts={(doi, date.fromisoformat(f"{month}-01")): n for (doi, month), n in taken.items()}
            )
        except Exception:
            if client is None:  # put them back for the next flush; Redis keeps its renamed hashes
                _restore(taken)
            raise
    if pending:
        client.delete(*pending)
    return sum(taken.values())
