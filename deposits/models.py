"""Submissions: every file that arrives, kept as received, with its state and its log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import DepositCredential, Organisation


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    COMPLETED_WITH_WARNINGS = "completed_with_warnings", "Completed with warnings"
    FAILED = "failed", "Failed"


FINISHED = (SubmissionStatus.COMPLETED, SubmissionStatus.COMPLETED_WITH_WARNINGS, SubmissionStatus.FAILED)


class Channel(models.TextChoices):
    UPLOAD = "upload", "Upload page"
    HTTP = "http", "HTTP deposit endpoint"
    FORM = "form", "Web deposit form"
    COMMAND = "command", "Command line"


class Operation(models.TextChoices):
    METADATA = "doMDUpload", "Metadata deposit"
    RESOURCES = "doDOICitUpload", "Resource-only or references deposit"


def submission_path(submission: Submission, filename: str) -> str:
    return f"submissions/{timezone.now():%Y/%m}/{submission.uid}-{filename}"


class Submission(models.Model):
    uid = models.CharField(max_length=32, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    credential = models.ForeignKey(
        DepositCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    operation = models.CharField(max_length=16, choices=Operation.choices, default=Operation.METADATA)
    file = models.FileField(upload_to=submission_path, max_length=500)
    file_name = models.CharField(max_length=255, db_index=True)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=32, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED, db_index=True
    )
    history = models.JSONField(default=list, help_text="Every status change with its time.")
    batch_id = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="The head's doi_batch_id"
    )
    head_timestamp = models.BigIntegerField(null=True, blank=True)
    depositor_email = models.EmailField(blank=True)
    schema = models.CharField(max_length=200, blank=True, help_text="The schema the file was validated with.")
    problems = models.JSONField(default=list, help_text="File-level problems and warnings.")
    record_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    progress_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When processing last moved on (a status change or a registered batch); "
        "the sweep sends submissions stuck longer than DEPOSIT_STUCK_AFTER to the worker again.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["status", "progress_at"], name="submission_status_progress"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.pk} ({self.file_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class RecordStatus(models.TextChoices):
    SUCCESS = "Success", "Success"
    WARNING = "Warning", "Warning"
    FAILURE = "Failure", "Failure"


class SubmissionRecord(models.Model):
    """The outcome for one DOI of a submission, in document order."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="records")
    position = models.PositiveIntegerField()
    doi = models.CharField(max_length=2048, blank=True, db_index=True)
    status = models.CharField(max_length=8, choices=RecordStatus.choices)
    code = models.CharField(max_length=40, blank=True)
    message = models.TextField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"], name="unique_record_position")
        ]

    def __str__(self) -> str:
        return f"{self.doi}: {self.status}"
