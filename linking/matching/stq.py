"""Simple Text Query: a pasted reference list split into references and matched, inline
when it is short, else as a background job (`SimpleTextQueryJob`) run in chunks by the
matching worker, so a web worker never spends a minute on one request.

Retention: a job is shown for STQ_JOB_RETENTION after it was created; older jobs are
deleted whenever a new one is created, so no periodic task is needed."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from linking.matching.citations import short_citation
from linking.matching.matcher import reference_match
from linking.models import SimpleTextQueryJob, StqJobStatus, Work

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 5000  # the longest reference matched, here and by /match
MAX_STQ_REFERENCES = 1000
INLINE_STQ_REFERENCES = 20  # longer lists become a background job
STQ_CHUNK = 50  # references matched between two progress (and results) writes
STQ_JOB_RETENTION = timedelta(days=7)
# A public form must not flood the matching queue that deposited references share.
MAX_PENDING_STQ_JOBS = 50
PENDING_WINDOW = timedelta(hours=1)  # older unfinished jobs are stuck, not pending

UNFINISHED = (StqJobStatus.QUEUED, StqJobStatus.RUNNING)


class StqRefused(ValueError):
    """The pasted list cannot be matched; the message says why and what to do."""

    status = 400


class StqBusy(StqRefused):
    status = 503


def split_references(text: str) -> list[str]:
    """References separated by blank lines when there are any, else one per line."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return []
    if re.search(r"\n\s*\n", text):
        chunks = re.split(r"\n\s*\n", text)
        return [" ".join(c.split()) for c in chunks if c.strip()]
    return [line.strip() for line in text.split("\n") if line.strip()]


def stq_references(text: str) -> list[str]:
    """The references of a pasted list, or StqRefused when it breaks a limit."""
    references = split_references(text)
    if not references:
        raise StqRefused("Paste at least one reference.")
    if len(references) > MAX_STQ_REFERENCES:
        raise StqRefused(
            f"You pasted {len(references)} references; at most {MAX_STQ_REFERENCES} can be matched at once."
        )
    if any(len(r) > MAX_INPUT_CHARS for r in references):
        raise StqRefused(f"A reference may be at most {MAX_INPUT_CHARS} characters; check the separators.")
    return references


def stq_results(references: list[str]) -> list[dict]:
    """One row per reference: its matched DOI (or ""), confidence, method and citation."""
    matches = [reference_match(r) for r in references]
    works = {w.doi: w for w in Work.objects.filter(doi__in=[m.doi for m in matches if m])}
    rows = []
    for reference, found in zip(references, matches, strict=True):
        work = works.get(found.doi) if found else None
        rows.append(
            {
                "reference": reference,
                "doi": found.doi if found else "",
                "confidence": round(found.confidence, 3) if found else None,
                "method": found.method if found else "",
                "citation": short_citation(work) if work else "",
            }
        )
    return rows


@transaction.atomic
def stq_job_create(*, text: str, references: list[str], user=None) -> SimpleTextQueryJob:
    """Store a job for `references` and queue it on commit. Deletes expired jobs."""
    now = timezone.now()
    SimpleTextQueryJob.objects.filter(created_at__lt=now - STQ_JOB_RETENTION).delete()
    pending = SimpleTextQueryJob.objects.filter(
        status__in=UNFINISHED, created_at__gte=now - PENDING_WINDOW
    ).count()
    if pending >= MAX_PENDING_STQ_JOBS:
        raise StqBusy(
            "Many reference lists are being matched right now; try again in a few minutes, "
            f"or paste at most {INLINE_STQ_REFERENCES} references to match them at once."
        )
    job = SimpleTextQueryJob.objects.create(
        text=text,
        references=references,
        user=user if user is not None and user.is_authenticated else None,
        created_at=now,
    )
    transaction.on_commit(partial(_job_queue, job.pk))
    return job


def _job_queue(job_id: int) -> None:
    from linking.matching import tasks

    try:
        tasks.run_simple_text_query.delay(job_id)
    except Exception:
        # The broker is down (or, in-process, the job failed and is marked so already):
        # never leave a job "waiting for a worker" that no worker will see.
        log.exception("Simple Text Query job %s could not be run", job_id)
        stq_job_fail(job_id=job_id, detail="could not be queued")


def stq_job_run(*, job_id: int) -> SimpleTextQueryJob | None:
    """Match the job's references in chunks, saving progress and rows after each chunk, so
    the page shows progress and a redelivered task goes on where the last one stopped.
    None when the job is gone (deleted after retention)."""
    job = SimpleTextQueryJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    jobs = SimpleTextQueryJob.objects.filter(pk=job_id)
    if job.status == StqJobStatus.QUEUED:
        jobs.update(status=StqJobStatus.RUNNING, started_at=timezone.now())
    rows = list(job.results)
    for start in range(len(rows), job.total, STQ_CHUNK):
        rows += stq_results(job.references[start : start + STQ_CHUNK])
        jobs.update(results=rows, progress=len(rows))
    jobs.filter(status=StqJobStatus.RUNNING).update(status=StqJobStatus.DONE, finished_at=timezone.now())
    return jobs.first()


def stq_job_fail(*, job_id: int, detail: str) -> None:
    """Mark an unfinished job failed (a finished one keeps its outcome)."""
    SimpleTextQueryJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=StqJobStatus.FAILED, error=detail[:200], finished_at=timezone.now()
    )


def stq_job_find(*, public_id: uuid.UUID) -> SimpleTextQueryJob | None:
    """The job behind a results URL, unless it has passed its retention."""
    cutoff = timezone.now() - STQ_JOB_RETENTION
    return SimpleTextQueryJob.objects.filter(public_id=public_id, created_at__gte=cutoff).first()
