"""Thin Celery tasks of reference matching, taking ids and DOIs."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import OperationalError

from linking.matching import services, stq

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


class SimpleTextQueryTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = kwargs.get("job_id") or (args[0] if args else None)
        if job_id is not None:
            stq.stq_job_fail(job_id=job_id, detail=type(exc).__name__)


@shared_task(base=SimpleTextQueryTask, acks_late=True, reject_on_worker_lost=True, **_RETRY)
def run_simple_text_query(job_id: int) -> str:
    try:
        job = stq.stq_job_run(job_id=job_id)
    except OperationalError:
        raise  # retried with back-off; on_failure marks the job failed when retries run out
    except Exception as exc:
        # In-process (eager) runs re-raise before on_failure is called, so mark it here too.
        stq.stq_job_fail(job_id=job_id, detail=type(exc).__name__)
        raise
    return job.status if job is not None else "deleted"
