"""Deposit files from the command line, as the upload page does:

    python manage.py deposit issue-12.xml issue-13.xml --member 90001 --wait

Each file becomes its own submission (channel "command"). With --wait, or when tasks run
in-process (no broker configured), it prints each submission's outcome. The exit code is 1
when any file was refused, failed, or had records that failed; warnings alone are success."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from deposits import selectors, services
from deposits.access import organisation_refusal
from deposits.models import Channel, Operation, Submission, SubmissionStatus
from deposits.tasks import process_submission
from deposits.uploads import receive


class Command(BaseCommand):
    help = "Deposit Crossref XML files for a member; each file becomes its own submission."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Deposit XML files.")
        parser.add_argument("--member", required=True, type=int, help="The member id of the organisation.")
        parser.add_argument(
            "--operation",
            choices=Operation.values,
            default=Operation.METADATA,
            help="doMDUpload (full records, the default) or doDOICitUpload (resource-only additions).",
        )
        parser.add_argument(
            "--wait", action="store_true", help="Wait for each submission to finish and print its outcome."
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="Seconds to wait for all submissions (with --wait)."
        )

    def handle(
        self, *args, files: list[str], member: int, operation: str, wait: bool, timeout: float, **options
    ):
        organisation = Organisation.objects.filter(member_id=member).first()
        if organisation is None:
            raise CommandError(f"No organisation has member id {member}.")
        if not organisation.is_active:
            raise CommandError(organisation_refusal(organisation))

        failed = 0
        created: list[Submission] = []
        for name in files:
            path = Path(name)
            try:
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"{name}: cannot be read ({exc.strerror or exc}).")
                failed += 1
                continue
            try:
                submission = receive(
                    organisation=organisation,
                    upload=services.IncomingFile(name=path.name, content=content),
                    channel=Channel.COMMAND,
                    operation=operation,
                )
            except services.SubmissionRefused as refused:
                self.stderr.write(f"{path.name}: refused. {refused.message}")
                failed += 1
                continue
            self.stdout.write(f"{path.name}: received as submission {submission.pk}.")
            created.append(submission)

        in_process = bool(process_submission.app.conf.task_always_eager)
        deadline = time.monotonic() + timeout
        for submission in created:
            submission.refresh_from_db()
            if wait and not in_process:
                submission = self._wait(submission, deadline)
            if not submission.is_finished:
                self.stdout.write(
                    f"{submission.file_name}: submission {submission.pk} is "
                    f"{submission.get_status_display().lower()}; its log is on the member's Deposits page."
                )
                continue
            self._summary(submission)
            if submission.status == SubmissionStatus.FAILED or submission.failure_count:
                failed += 1

        if failed:
            raise CommandError(f"{failed} of {len(files)} files failed.", returncode=1)

    def _wait(self, submission: Submission, deadline: float) -> Submission:
        while not submission.is_finished and time.monotonic() < deadline:
            time.sleep(0.5)
            submission.refresh_from_db()
        return submission

    def _summary(self, submission: Submission) -> None:
        style = {
            SubmissionStatus.COMPLETED: self.style.SUCCESS,
            SubmissionStatus.COMPLETED_WITH_WARNINGS: self.style.WARNING,
        }.get(submission.status, self.style.ERROR)
        self.stdout.write(
            style(
                f"{submission.file_name}: submission {submission.pk} "
                f"{submission.get_status_display().lower()}: "
                f"{submission.record_count} records, {submission.success_count} success, "
                f"{submission.warning_count} warning, {submission.failure_count} failure."
            )
        )
        for problem in selectors.submission_file_problems(submission):
            word = "Error" if problem.is_error else "Warning"
            self.stdout.write(f"  {word} ({problem.code}): {problem.message}")
        for record in selectors.submission_records(submission).exclude(status="Success"):
            self.stdout.write(f"  {record.status} {record.doi or '(no DOI)'}: {record.message}")
