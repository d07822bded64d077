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

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import DepositCredential, Organisation, OrganisationStatus, User
from accounts.selectors import prefixes_depositable_by
from deposits.errors import DepositProblem, ErrorCode, human_size, problem
from deposits.models import (
    FINISHED,
    Channel,
    Operation,
    RecordStatus,
    Submission,
    SubmissionRecord,
    SubmissionStatus,
)
from deposits.records import ParsedDeposit, ParsedRecord
from deposits.rules import RecordContext, doi_prefix, file_problems, record_problems
from linking import selectors as registry
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
        )
        submission.file.save(name, ContentFile(upload.content), save=False)
        submission.save()
        # robust: the file is stored whatever happens next; a failure to queue or an
        # in-process crash is logged and the submission is marked failed, never lost.
        transaction.on_commit(lambda: tasks.queue_submission(submission.pk), robust=True)
    return submission


def _transition(submission: Submission, status: str, **fields) -> None:
    """The one place a submission changes state; a finished one mails its log on commit."""
    from deposits import tasks

    submission.status = status
    submission.history = [*submission.history, {"status": status, "at": timezone.now().isoformat()}]
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.save()
    if status in FINISHED:
        transaction.on_commit(lambda: tasks.send_submission_log.delay(submission.pk))


def _finish_with_file_problems(submission: Submission, problems: list[DepositProblem]) -> Submission:
    submission.problems = [*submission.problems, *[p.as_dict() for p in problems]]
    _transition(submission, SubmissionStatus.FAILED, finished_at=timezone.now())
    return submission


def submission_process(*, submission_id: int) -> Submission:
    """Process one queued submission from start to finish."""
    from deposits.xml.parse import parse_deposit_tree
    from deposits.xml.validate import validate_deposit

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
    with submission.file.open("rb") as handle:
        result = validate_deposit(handle.read())
    warnings = list(result.warnings)
    if result.errors:
        return _finish_with_file_problems(submission, [*result.errors, *warnings])
    parsed = parse_deposit_tree(result.tree)
    warnings += _operation_warning(submission, parsed)
    submission.batch_id = parsed.head.doi_batch_id[:100]
    submission.head_timestamp = parsed.head.timestamp
    submission.depositor_email = parsed.head.depositor_email[:254]
    submission.schema = str(result.schema_used or "")[:200]
    submission.problems = [p.as_dict() for p in warnings]
    submission.save()

    allowed = list(prefixes_depositable_by(organisation))
    refused = file_problems(parsed, organisation=organisation, allowed=allowed, login=_login_name(submission))
    if refused:
        return _finish_with_file_problems(submission, refused)

    prefix_owner = {p.value: p.organisation for p in allowed}
    first_doi = next((r.doi for r in parsed.records if r.doi), "")
    owner = prefix_owner.get(doi_prefix(first_doi), organisation)
    context = RecordContext(
        organisation=organisation,
        may_act_for={organisation.pk, *organisation.sponsored.values_list("pk", flat=True)},
        timestamp=parsed.head.timestamp,
        submission_id=submission.pk,
    )
    for start in range(0, len(parsed.records), REGISTER_BATCH):
        batch = parsed.records[start : start + REGISTER_BATCH]
        _process_batch(submission, batch, start, context, owner)

    return _complete(submission)


def _login_name(submission: Submission) -> str:
    if submission.credential is not None:
        return submission.credential.username or f"token {submission.credential.token_prefix}"
    return submission.user.email if submission.user else "these credentials"


def _operation_warning(submission: Submission, parsed: ParsedDeposit) -> list[DepositProblem]:
    expected = Operation.RESOURCES if parsed.kind == "resources" else Operation.METADATA
    if submission.operation == expected:
        return []
    sent = submission.operation
    submission.operation = expected
    return [
        problem(
            ErrorCode.OPERATION_MISMATCH,
            sent=sent,
            used=expected,
            kind="resource-only" if parsed.kind == "resources" else "metadata",
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
        records = [item.record for item in accepted if item.record is not None]
        resources = [item.resource for item in accepted if item.resource is not None]
        if records:
            records_register(
                records=records,
                organisation=owner,
                source="form" if submission.channel == Channel.FORM else "deposit",
                submission_id=submission.pk,
                deposit_timestamp=submission.head_timestamp,
            )
        if resources:
            resources_register(resources=resources, submission_id=submission.pk)
        rows = []
        for offset, item in enumerate(batch):
            rows.append(_log_row(submission, start + offset, item, problems.get(offset), stored_before))
        SubmissionRecord.objects.bulk_create(rows)


def _log_row(
    submission: Submission,
    position: int,
    item: ParsedRecord,
    problems: list[DepositProblem] | None,
    stored_before: dict,
) -> SubmissionRecord:
    doi = item.doi.strip()
    if problems:
        first = problems[0]
        return SubmissionRecord(
            submission=submission,
            position=position,
            doi=doi[:2048],
            status=RecordStatus.FAILURE,
            code=first.code,
            message=" ".join(p.message for p in problems),
            details={"problems": [p.as_dict() for p in problems]},
        )
    earlier = stored_before.get(doi.lower())
    added = earlier is None or earlier.last_submission_id == submission.pk and _added_here(doi, submission)
    warnings = [p for p in item.problems if not p.is_error]
    message = "Successfully added" if added else "Successfully updated"
    if warnings:
        message += ". " + " ".join(p.message for p in warnings)
    return SubmissionRecord(
        submission=submission,
        position=position,
        doi=doi,
        status=RecordStatus.WARNING if warnings else RecordStatus.SUCCESS,
        code=warnings[0].code if warnings else "",
        message=message,
        details={"problems": [p.as_dict() for p in warnings]} if warnings else {},
    )


def _added_here(doi: str, submission: Submission) -> bool:
    """On a retry, a DOI this submission registered the first time was added if it did
    not exist before the submission arrived."""
    work = registry.work_by_doi(doi)
    return work is not None and work.created_at >= submission.created_at


def _complete(submission: Submission) -> Submission:
    counts = {status: 0 for status in RecordStatus.values}
    for status in submission.records.values_list("status", flat=True):
        counts[status] += 1
    submission.record_count = sum(counts.values())
    submission.success_count = counts[RecordStatus.SUCCESS]
    submission.warning_count = counts[RecordStatus.WARNING]
    submission.failure_count = counts[RecordStatus.FAILURE]
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
