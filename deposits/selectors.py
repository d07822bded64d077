"""Reads of the deposits app, shared by the member pages, the HTTP endpoints, the command
and the admin. Every read that takes an organisation stays inside it: a submission of
another member is never found, so guessing ids or file names reveals nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import AuditEvent, Organisation
from deposits.errors import CATALOGUE, ErrorCode
from deposits.models import RecordStatus, Submission, SubmissionRecord, SubmissionStatus


def submissions_for_organisation(organisation: Organisation) -> QuerySet[Submission]:
    """The organisation's submissions, newest first."""
    return (
        Submission.objects.filter(organisation=organisation)
        .select_related("credential", "user")
        .order_by("-created_at", "-pk")
    )


def submission_for_organisation(*, organisation: Organisation, submission_id: int) -> Submission:
    """One submission of the organisation; 404 for any other (including other members')."""
    submission = (
        submissions_for_organisation(organisation)
        .select_related("organisation")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("No submission of this organisation has that id.")
    return submission


def submission_latest(
    *, organisation: Organisation, file_name: str = "", batch_id: str = ""
) -> Submission | None:
    """The newest submission of the organisation with this file name (as stored: path
    separators become '_') or this head doi_batch_id. None when there is none."""
    submissions = submissions_for_organisation(organisation)
    if file_name:
        stored_name = file_name.replace("/", "_").replace("\\", "_")[-200:]
        submissions = submissions.filter(file_name=stored_name)
    elif batch_id:
        submissions = submissions.filter(batch_id=batch_id)
    else:
        return None
    return submissions.first()


def submission_queue_position(submission: Submission) -> int | None:
    """How many queued submissions, of any organisation, were received before this one.
    None once it has left the queue."""
    if submission.status != SubmissionStatus.QUEUED:
        return None
    earlier = Q(created_at__lt=submission.created_at) | Q(
        created_at=submission.created_at, pk__lt=submission.pk
    )
    return Submission.objects.filter(earlier, status=SubmissionStatus.QUEUED).count()


def submission_records_done(submission: Submission) -> int:
    return submission.records.count()


def submission_progress(submission: Submission) -> dict:
    """What the live status of a submission page shows and polls for."""
    position = submission_queue_position(submission)
    done = submission_records_done(submission)
    if submission.is_finished:
        summary = f"{submission.get_status_display()}."
    elif position is not None:
        ahead = (
            "It is next in the queue." if position == 0 else f"{_count(position, 'submission')} ahead of it."
        )
        summary = f"Waiting in the queue: {ahead}"
    else:
        summary = f"Processing: {_count(done, 'record')} done so far."
    return {
        "submission_id": submission.pk,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "finished": submission.is_finished,
        "queue_position": position,
        "records_done": done,
        "summary": summary,
    }


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass(frozen=True)
class FileProblem:
    code: str
    title: str
    severity: str
    message: str
    line: int | None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def submission_file_problems(submission: Submission) -> list[FileProblem]:
    """The file-level problems with the catalogue title of each code."""
    found = []
    for item in submission.problems:
        try:
            title = CATALOGUE[ErrorCode(item.get("code"))].title
        except (ValueError, KeyError):
            title = str(item.get("code") or "Problem")
        found.append(
            FileProblem(
                code=str(item.get("code") or ""),
                title=title,
                severity=str(item.get("severity") or "error"),
                message=str(item.get("message") or ""),
                line=item.get("line"),
            )
        )
    return found


def submission_records(submission: Submission, *, status: str = "") -> QuerySet[SubmissionRecord]:
    records = submission.records.order_by("position")
    if status in RecordStatus.values:
        records = records.filter(status=status)
    return records


def organisation_status_reason(organisation: Organisation) -> str:
    """The reason staff gave when they set the organisation's current status (kept in the
    audit log by accounts.services.organisation_set_status); empty when none was given."""
    event = (
        AuditEvent.objects.filter(
            organisation=organisation, action=f"organisation.status.{organisation.status}"
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.message.strip() if event else ""
