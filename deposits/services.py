"""Every write of the deposits app: taking a submission in, and processing it.

`submission_create` stores the file as received and queues processing; `submission_process`
(run by a Celery task) validates, parses, applies the rules, registers accepted records in
batches and writes the per-record log. Processing is idempotent: a retry after a crash
starts the log again and treats records this submission already registered as done."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import DepositCredential, Organisation, OrganisationStatus, User
from accounts.selectors import prefixes_depositable_by
from deposits.callbacks import Delivery
from deposits.errors import DepositProblem, ErrorCode, human_size, problem
from deposits.funder_names import funders_match_names
from deposits.log_lines import log_row, reference_warnings, unknown_reference_dois
from deposits.models import (
    FINISHED,
    Channel,
    Operation,
    RecordStatus,
    Submission,
    SubmissionRecord,
    SubmissionStatus,
)
from deposits.reading import deposit_read
from deposits.records import ParsedRecord
from deposits.rules import RecordContext, file_problems, record_problems
from linking import selectors as registry
from linking.conflicts import ConflictOutcome, conflicts_record
from linking.services import records_register, resources_register

logger = logging.getLogger(__name__)

REGISTER_BATCH = 500


class SubmissionRefused(Exception):
    """The file cannot even be queued (too large, too many pending). `status` is the HTTP
    status an endpoint answers with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class IncomingFile:
    name: str
    content: bytes


def _new_uid() -> str:
    return timezone.now().strftime("%Y%m%d%H%M%S%f")


def submission_create(
    *,
    organisation: Organisation,
    upload: IncomingFile,
    channel: str,
    operation: str = Operation.METADATA,
    credential: DepositCredential | None = None,
    user: User | None = None,
) -> Submission:
    """Store the file exactly as received and queue it. Refuses (SubmissionRefused) only
    what must not be queued: an oversized file or a full queue."""
    from deposits import tasks

    if len(upload.content) > settings.DEPOSIT_MAX_BYTES:
        raise SubmissionRefused(
            f"{upload.name} is {human_size(len(upload.content))}; one deposit may be at most "
            f"{human_size(settings.DEPOSIT_MAX_BYTES)}. Split it into smaller files.",
            status=413,
        )
    pending = Submission.objects.filter(
        organisation=organisation, status__in=[SubmissionStatus.QUEUED, SubmissionStatus.PROCESSING]
    ).count()
    if pending >= settings.DEPOSIT_MAX_PENDING:
        raise SubmissionRefused(
            f"{organisation.name} already has {pending} submissions waiting; send more once they are done.",
            status=429,
        )
    Channel(channel)
    Operation(operation)
    name = (upload.name or "deposit.xml").replace("/", "_").replace("\\", "_")[-200:]
    with transaction.atomic():
        submission = Submission(
            uid=_new_uid(),
            organisation=organisation,
            credential=credential,
            user=user if user is not None and user.pk else None,
            channel=channel,
            operation=operation,
            file_name=name,
            size=len(upload.content),
            sha256=hashlib.sha256(upload.content).hexdigest(),
            history=[{"status": SubmissionStatus.QUEUED, "at": timezone.now().isoformat()}],
            progress_at=timezone.now(),
        )
        submission.file.save(name, ContentFile(upload.content), save=False)
        submission.save()
        # robust: the file is stored whatever happens next; a failure to queue or an
        # in-process crash is logged and the submission is marked failed, never lost.
        transaction.on_commit(lambda: tasks.queue_submission(submission.pk), robust=True)
    return submission


def _save(submission: Submission) -> None:
    """Save a submission being processed without writing `task_id`: the web process records
    it after queueing, possibly after the worker loaded the row."""
    submission.save(update_fields=_PROCESSING_FIELDS)


_PROCESSING_FIELDS = [
    f.name for f in Submission._meta.concrete_fields if not f.primary_key and f.name != "task_id"
]


def _transition(submission: Submission, status: str, **fields) -> None:
    """The one place a submission changes state; a finished one mails its log on commit."""
    from deposits import tasks

    submission.status = status
    submission.progress_at = timezone.now()
    submission.history = [*submission.history, {"status": status, "at": submission.progress_at.isoformat()}]
    for name, value in fields.items():
        setattr(submission, name, value)
    _save(submission)
    if status in FINISHED:
        transaction.on_commit(lambda: tasks.send_submission_log.delay(submission.pk))
        if submission.organisation.deposit_callback_url:
            transaction.on_commit(lambda: tasks.deliver_submission_log.delay(submission.pk), robust=True)


def _finish_with_file_problems(submission: Submission, problems: list[DepositProblem]) -> Submission:
    submission.problems = [*submission.problems, *[p.as_dict() for p in problems]]
    _transition(submission, SubmissionStatus.FAILED, finished_at=timezone.now())
    return submission


def submission_process(*, submission_id: int) -> Submission:
    """Process one queued submission from start to finish."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("organisation", "credential")
            .get(pk=submission_id)
        )
        if submission.status in FINISHED:
            return submission
        submission.records.all().delete()
        submission.problems = []
        _transition(
            submission,
            SubmissionStatus.PROCESSING,
            started_at=timezone.now(),
            attempts=submission.attempts + 1,
        )

    organisation = submission.organisation
    if organisation.status != OrganisationStatus.ACTIVE:
        return _finish_with_file_problems(
            submission,
            [
                problem(
                    ErrorCode.ORGANISATION_INACTIVE,
                    organisation=organisation.name,
                    status=organisation.get_status_display().lower(),
                )
            ],
        )
    reading = deposit_read(submission)
    result = reading.result
    warnings = list(result.warnings)
    if result.errors:
        return _finish_with_file_problems(submission, [*result.errors, *warnings])
    head = reading.head
    warnings += _operation_warning(submission, reading.kind)
    submission.batch_id = head.doi_batch_id[:100]
    submission.head_timestamp = head.timestamp
    submission.depositor_email = head.depositor_email[:254]
    submission.schema = str(result.schema_used or "")[:200]
    submission.problems = [p.as_dict() for p in warnings]
    _save(submission)

    allowed = list(prefixes_depositable_by(organisation))
    refused = file_problems(
        prefixes=reading.prefixes,
        has_records=reading.has_records,
        allowed=allowed,
        login=_login_name(submission),
    )
    if refused:
        return _finish_with_file_problems(submission, refused)

    prefix_owner = {p.value: p.organisation for p in allowed}
    owner = prefix_owner.get(next(iter(reading.prefixes), ""), organisation)
    context = RecordContext(
        organisation=organisation,
        may_act_for={organisation.pk, *organisation.sponsored.values_list("pk", flat=True)},
        timestamp=head.timestamp,
        submission_id=submission.pk,
    )
    batch: list[ParsedRecord] = []
    start = 0
    for record in reading.records:
        batch.append(record)
        if len(batch) == REGISTER_BATCH:
            _process_batch(submission, batch, start, context, owner)
            start, batch = start + len(batch), []
    if batch:
        _process_batch(submission, batch, start, context, owner)

    return _complete(submission)


def _login_name(submission: Submission) -> str:
    if submission.credential is not None:
        return submission.credential.username or f"token {submission.credential.token_prefix}"
    return submission.user.email if submission.user else "these credentials"


def _operation_warning(submission: Submission, kind: str) -> list[DepositProblem]:
    expected = Operation.RESOURCES if kind == "resources" else Operation.METADATA
    if submission.operation == expected:
        return []
    sent = submission.operation
    submission.operation = expected
    return [
        problem(
            ErrorCode.OPERATION_MISMATCH,
            sent=sent,
            used=expected,
            kind="resource-only" if kind == "resources" else "metadata",
        )
    ]


def _process_batch(
    submission: Submission,
    batch: list[ParsedRecord],
    start: int,
    context: RecordContext,
    owner: Organisation,
) -> None:
    """Check and register one batch atomically, with its log lines."""
    with transaction.atomic():
        stored_before = registry.works_stored(item.doi for item in batch if item.doi)
        problems = record_problems(batch, context, stored_before)
        accepted = [item for i, item in enumerate(batch) if i not in problems]
        for position, found in funders_match_names(accepted).items():
            accepted[position].problems = [*accepted[position].problems, *found]
        records = [item.record for item in accepted if item.record is not None]
        resources = [item.resource for item in accepted if item.resource is not None]
        conflicts: dict[str, ConflictOutcome] = {}
        if records:
            records_register(
                records=records,
                organisation=owner,
                source="form" if submission.channel == Channel.FORM else "deposit",
                submission_id=submission.pk,
                deposit_timestamp=submission.head_timestamp,
            )
            conflicts = conflicts_record(dois=[r.doi for r in records], submission_id=submission.pk)
        if resources:
            resources_register(resources=resources, submission_id=submission.pk)
        unknown = unknown_reference_dois(accepted)
        rows = []
        for offset, item in enumerate(batch):
            outcome = conflicts.get(item.doi) if offset not in problems else None
            if offset not in problems and unknown:
                item.problems = [*item.problems, *reference_warnings(item, unknown)]
            rows.append(
                log_row(submission, start + offset, item, problems.get(offset), stored_before, outcome)
            )
        SubmissionRecord.objects.bulk_create(rows)
        Submission.objects.filter(pk=submission.pk).update(progress_at=timezone.now())


def _count_records(submission: Submission) -> None:
    # Counted by the database: a 200 MB file has some 35,000 outcome rows.
    counts = {status: 0 for status in RecordStatus.values}
    counts.update(submission.records.order_by().values_list("status").annotate(n=Count("pk")))
    submission.record_count = sum(counts.values())
    submission.success_count = counts[RecordStatus.SUCCESS]
    submission.warning_count = counts[RecordStatus.WARNING]
    submission.failure_count = counts[RecordStatus.FAILURE]


def _complete(submission: Submission) -> Submission:
    _count_records(submission)
    if submission.record_count and submission.failure_count == submission.record_count:
        status = SubmissionStatus.FAILED
    elif submission.failure_count or submission.warning_count or submission.problems:
        status = SubmissionStatus.COMPLETED_WITH_WARNINGS
    else:
        status = SubmissionStatus.COMPLETED
    _transition(submission, status, finished_at=timezone.now())
    return submission


def submission_fail(*, submission_id: int, detail: str) -> None:
    """Mark a submission failed after an unexpected error, so nothing stays pending."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status in FINISHED:
            return
        submission.problems = [
            *submission.problems,
            problem(ErrorCode.INTERNAL_ERROR, detail=detail).as_dict(),
        ]
        _transition(submission, SubmissionStatus.FAILED, finished_at=timezone.now())


def submissions_sweep() -> list[int]:
    """Submissions queued or processing with no progress for DEPOSIT_STUCK_AFTER seconds
    (a lost worker, a lost broker message) go to the worker again; after
    DEPOSIT_MAX_ATTEMPTS starts they fail with a message saying so. Returns the ids handled.
    Safe to run concurrently with processing: a batch in progress holds its row locked, and
    processing is idempotent."""
    from deposits import tasks

    now = timezone.now()
    cutoff = now - timedelta(seconds=getattr(settings, "DEPOSIT_STUCK_AFTER", 30 * 60))
    max_attempts = getattr(settings, "DEPOSIT_MAX_ATTEMPTS", 3)
    handled = []
    with transaction.atomic():
        stuck = (
            Submission.objects.select_for_update(skip_locked=True)
            .select_related("organisation")
            .filter(status__in=[SubmissionStatus.QUEUED, SubmissionStatus.PROCESSING], progress_at__lt=cutoff)
            .order_by("pk")
        )
        for submission in stuck:
            handled.append(submission.pk)
            since = submission.progress_at.isoformat()
            if submission.attempts >= max_attempts:
                _count_records(submission)
                submission.problems = [
                    *submission.problems,
                    problem(
                        ErrorCode.PROCESSING_ABANDONED, attempts=submission.attempts, since=since
                    ).as_dict(),
                ]
                _transition(submission, SubmissionStatus.FAILED, finished_at=now)
                continue
            submission.progress_at = now
            submission.history = [
                *submission.history,
                {
                    "status": submission.status,
                    "requeued": f"no progress since {since}",
                    "at": now.isoformat(),
                },
            ]
            submission.save(update_fields=["progress_at", "history"])
            transaction.on_commit(lambda pk=submission.pk: tasks.queue_submission(pk), robust=True)
    return handled


@transaction.atomic
def submissions_requeue(*, submission_ids: Iterable[int]) -> int:
    """Send submissions (for example ones stuck after an outage) to the worker again."""
    from deposits import tasks

    count = 0
    for submission in Submission.objects.filter(pk__in=list(submission_ids)):
        if submission.status in FINISHED:
            # Processing again is idempotent: records this submission registered stay as they are.
            _transition(submission, SubmissionStatus.QUEUED, finished_at=None)
        transaction.on_commit(lambda pk=submission.pk: tasks.queue_submission(pk), robust=True)
        count += 1
    return count


def submission_callback_deliver(*, submission_id: int, attempt: int) -> Delivery:
    """One attempt to POST a finished submission's log to its member's callback URL,
    recorded in the submission's history (the network call is made outside any transaction)."""
    from deposits.callbacks import callback_post

    submission = Submission.objects.select_related("organisation").get(pk=submission_id)
    url = submission.organisation.deposit_callback_url
    if not url or submission.status not in FINISHED:
        return Delivery("refused", "no callback URL" if not url else "the submission is not finished")
    delivery = callback_post(submission)
    entry = {
        "callback": delivery.outcome,
        "url": url,
        "attempt": attempt,
        "http_status": delivery.http_status,
        "detail": delivery.detail,
        "at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission_id)
        locked.history = [*locked.history, entry]
        locked.save(update_fields=["history"])
    return delivery
