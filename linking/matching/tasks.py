"""Thin Celery tasks of reference matching, taking ids and DOIs."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from linking.matching import services

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_kwargs": {"max_retries": 5}}


@shared_task(acks_late=True, **_RETRY)
def match_work_references(work_ids: list[int]) -> int:
    return services.work_references_match(work_ids=work_ids)


@shared_task(acks_late=True, **_RETRY)
def retry_unmatched_references(new_dois: list[str]) -> int:
    return services.unmatched_references_retry(new_dois=new_dois)


@shared_task(acks_late=True, **_RETRY)
def reconcile_cited_by() -> int:
    return services.cited_by_reconcile()


@shared_task(acks_late=True, **_RETRY)
def send_citation_alerts() -> dict[int, int]:
    from linking.matching.alerts import citation_alerts_send

    return citation_alerts_send()
