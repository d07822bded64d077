"""Receiving deposit files over HTTP within the size limit.

Django stores an uploaded file whatever its size (in memory, then in a temporary file), and
its own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FILES) concern the other
form fields and the number of files, raising exceptions that would otherwise become a bare
400. `SizeGuard` goes first in the upload handler chain: it counts each file's bytes and
skips (reads past without keeping) every file beyond DEPOSIT_MAX_BYTES, remembering its
name, so the view can answer 413 naming the file."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import HttpRequest

from deposits import services
from deposits.errors import human_size
from deposits.models import Submission
from deposits.services import IncomingFile

logger = logging.getLogger(__name__)

# Room for the multipart boundaries, part headers and the credential fields around the
# file when the Content-Length of a one-file request is compared with the file limit.
FORM_OVERHEAD = 64 * 1024


class SizeGuard(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None, limit: int | None = None):
        super().__init__(request)
        self.limit = settings.DEPOSIT_MAX_BYTES if limit is None else limit
        self.too_large: list[str] = []
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large.append(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_size_guard(request: HttpRequest) -> SizeGuard:
    """Put a SizeGuard first; call before anything reads request.POST or request.FILES."""
    guard = SizeGuard(request)
    request.upload_handlers.insert(0, guard)
    return guard


def too_large_message(name: str) -> str:
    limit = human_size(settings.DEPOSIT_MAX_BYTES)
    return (
        f"{name} is larger than {limit}, the most one deposit may be. Split its records over "
        f"several doi_batch files, each under {limit}, and send them one by one."
    )


def request_too_large_message(length: int) -> str:
    limit = human_size(settings.DEPOSIT_MAX_BYTES)
    return (
        f"The request is {human_size(length)}; one deposit may be at most {limit}. Split the "
        f"records over several doi_batch files, each under {limit}, and send them one by one."
    )


def content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def incoming(uploaded: UploadedFile) -> IncomingFile:
    """The uploaded file's name and exact bytes."""
    content = b"".join(uploaded.chunks())
    return IncomingFile(name=uploaded.name or "deposit.xml", content=content)


def receive(**fields) -> Submission:
    """`services.submission_create`, for callers that must answer whatever processing does.

    Without a broker, tasks run in-process in the on-commit hook of submission_create, and
    an unexpected error there would propagate to the caller, which would then answer 500
    for a file that was stored. The outer atomic block moves that hook to its own end, when
    the submission is known, so the depositor still gets the receipt. Celery does not call
    the task's on_failure when eager tasks propagate their errors, so the submission is
    marked failed here, as on_failure would on a worker. SubmissionRefused (413, 429) is
    raised inside the block and passes through unchanged."""
    submission = None
    try:
        with transaction.atomic():
            submission = services.submission_create(**fields)
    except Exception as exc:
        if submission is None:
            raise
        logger.exception("Processing submission %s in-process failed", submission.pk)
        services.submission_fail(submission_id=submission.pk, detail=type(exc).__name__)
        submission.refresh_from_db()
    return submission
