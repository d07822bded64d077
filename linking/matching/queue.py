"""What registration tells the matcher (called on commit of each registered batch)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

TASK_SIZE = 50


def works_registered(*, work_ids: Sequence[int], new_dois: Sequence[str]) -> None:
    """Queue matching of the references of `work_ids`, and a retry of stored unmatched
    references that the newly registered `new_dois` could match. Bulk loads may set
    MATCH_ON_REGISTRATION = False and match later (`manage.py shell`: services)."""
    if not getattr(settings, "MATCH_ON_REGISTRATION", True):
        return
    from linking.matching import tasks

    work_ids = list(work_ids)
    for start in range(0, len(work_ids), TASK_SIZE):
        tasks.match_work_references.delay(work_ids[start : start + TASK_SIZE])
    if new_dois:
        tasks.retry_unmatched_references.delay(list(new_dois))
