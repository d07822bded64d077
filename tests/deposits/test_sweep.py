"""Automatic redelivery: submissions left queued or processing with no progress (a worker
killed, a broker message lost) are sent to the worker again by the periodic sweep, and
failed with a clear message after too many attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from deposits.errors import ErrorCode
from deposits.models import Submission, SubmissionStatus
from deposits.services import submissions_sweep
from deposits.tasks import sweep_stuck_submissions
from linking.models import Work
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("installed_schema_dir")]


@pytest.fixture
def publisher():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def stuck_row(
    organisation, *, status: str, attempts: int, idle: timedelta, uid: str = "stuck-1"
) -> Submission:
    """A submission as a lost worker leaves it: its file stored, its state not finished,
    nothing moving for `idle`. No task for it is queued anywhere."""
    since = timezone.now() - idle
    submission = Submission(
        uid=uid,
        organisation=organisation,
        channel="http",
        file_name=f"{uid}.xml",
        status=status,
        attempts=attempts,
        history=[{"status": "queued", "at": since.isoformat()}],
        progress_at=since,
        started_at=since if status == SubmissionStatus.PROCESSING else None,
    )
    content = journal_deposit(Article("10.5555/s.1"), Article("10.5555/s.2", first_page="2"))
    submission.file.save(f"{uid}.xml", ContentFile(content), save=False)
    submission.size = len(content)
    submission.save()
    return submission


@pytest.mark.worker
def test_the_beat_task_requeues_a_stuck_submission_and_the_worker_finishes_it(
    publisher, settings, celery_worker, wait_for
):
    settings.DEPOSIT_STUCK_AFTER = 600
    stuck = stuck_row(publisher, status=SubmissionStatus.PROCESSING, attempts=1, idle=timedelta(hours=1))
    sweep_stuck_submissions.delay()  # as beat sends it

    def finished():
        current = Submission.objects.get(pk=stuck.pk)
        return current if current.is_finished else None

    done = wait_for(finished, timeout=60)
    assert done.status == SubmissionStatus.COMPLETED, done.problems
    assert done.attempts == 2
    assert any("requeued" in entry for entry in done.history)
    assert sorted(Work.objects.values_list("doi", flat=True)) == ["10.5555/s.1", "10.5555/s.2"]


def test_a_submission_making_progress_is_left_alone(publisher, settings):
    settings.DEPOSIT_STUCK_AFTER = 600
    stuck_row(publisher, status=SubmissionStatus.PROCESSING, attempts=1, idle=timedelta(minutes=2))
    assert submissions_sweep() == []
    assert Submission.objects.get().status == SubmissionStatus.PROCESSING


def test_a_lost_queued_message_is_sent_again(publisher, settings):
    settings.DEPOSIT_STUCK_AFTER = 600
    stuck = stuck_row(publisher, status=SubmissionStatus.QUEUED, attempts=0, idle=timedelta(hours=2))
    assert submissions_sweep() == [stuck.pk]  # tasks run in-process here: processed at once
    stuck.refresh_from_db()
    assert stuck.status == SubmissionStatus.COMPLETED and stuck.attempts == 1


def test_too_many_attempts_fail_with_a_clear_message(publisher, settings):
    settings.DEPOSIT_STUCK_AFTER = 600
    settings.DEPOSIT_MAX_ATTEMPTS = 3
    stuck = stuck_row(publisher, status=SubmissionStatus.PROCESSING, attempts=3, idle=timedelta(hours=1))
    assert submissions_sweep() == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == SubmissionStatus.FAILED and stuck.finished_at is not None
    (found,) = stuck.problems
    assert found["code"] == ErrorCode.PROCESSING_ABANDONED
    assert "started 3 times" in found["message"] and "Deposit the file again" in found["message"]
    assert not Work.objects.exists()
    # Sweeping again changes nothing: a failed submission is finished.
    assert submissions_sweep() == []
