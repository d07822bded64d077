"""Thin tasks: one submission per task, by id. Retried with back-off when the database is
briefly unavailable; anything else marks the submission failed, so none stays pending."""

from __future__ import annotations

from celery import Task, shared_task
from django.db import OperationalError

from deposits import services
from deposits.models import Submission


class SubmissionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        submission_id = kwargs.get("submission_id") or (args[0] if args else None)
        if submission_id is not None:
            services.submission_fail(submission_id=submission_id, detail=type(exc).__name__)


@shared_task(
    base=SubmissionTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def process_submission(submission_id: int) -> str:
    try:
        return services.submission_process(submission_id=submission_id).status
    except OperationalError:
        raise  # retried with back-off; on_failure marks it failed when retries run out
    except Exception as exc:
        # In-process (eager) runs re-raise before on_failure is called, so mark it here too.
        services.submission_fail(submission_id=submission_id, detail=type(exc).__name__)
        raise


def queue_submission(submission_id: int) -> None:
    """Send a submission to the worker and remember the task id (shown to staff)."""
    result = process_submission.delay(submission_id)
    Submission.objects.filter(pk=submission_id).update(task_id=result.id or "")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_submission_log(submission_id: int) -> None:
    from deposits.mail import mail_submission_log

    mail_submission_log(submission_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_submission_log(self, submission_id: int) -> str:
    """POST the log to the member's callback URL; retried with doubling back-off while the
    receiver is down, up to DEPOSIT_CALLBACK_MAX_ATTEMPTS. In-process (eager) runs try once,
    so a slow receiver never holds up processing."""
    from deposits.callbacks import callback_backoff, callback_max_attempts

    attempt = self.request.retries + 1
    delivery = services.submission_callback_deliver(submission_id=submission_id, attempt=attempt)
    if delivery.should_retry and attempt < callback_max_attempts() and not self.request.is_eager:
        raise self.retry(countdown=callback_backoff(attempt))
    return delivery.outcome


@shared_task
def sweep_stuck_submissions() -> int:
    """Every few minutes (beat): send submissions that stopped making progress to the worker
    again, or fail them after too many attempts."""
    return len(services.submissions_sweep())
