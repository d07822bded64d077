"""Periodic flush of resolution counters (on the beat schedule every 60 s)."""

from __future__ import annotations

from celery import shared_task

from linking.resolver.counts import counts_flush


@shared_task(acks_late=True)
def flush_resolution_counts() -> int:
    return counts_flush()
