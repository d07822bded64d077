"""A worker killed while it registers a deposit leaves only whole batches behind, each
with its log lines, and the submission completes when it is processed again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from deposits.models import RecordStatus, Submission, SubmissionRecord, SubmissionStatus
from deposits.services import REGISTER_BATCH, IncomingFile, submission_create, submissions_requeue
from linking.models import Work
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse", reason="the deposit parser is not built yet")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("installed_schema_dir"),
]

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 10 * REGISTER_BATCH


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.TEST_REDIS_URL,
        "TEST_WORKER_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "SCHEMA_INSTALL_DIR": str(settings.SCHEMA_INSTALL_DIR),
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.MATCHING_QUEUE}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_worker_leaves_whole_batches_and_a_retry_completes(tasks_via_redis, wait_for):
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    content = journal_deposit(*[Article(f"10.5555/k.{n}", first_page=str(n + 1)) for n in range(ARTICLES)])

    worker = _start_worker()
    try:
        submission = submission_create(
            organisation=organisation, upload=IncomingFile(name="big.xml", content=content), channel="http"
        )
        # Kill it as soon as the first batch is in, while later ones are being written.
        wait_for(
            lambda: SubmissionRecord.objects.filter(submission=submission).exists(),
            timeout=120,
            interval=0.02,
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PROCESSING, "the worker finished before it could be killed"
    logged = SubmissionRecord.objects.filter(submission=submission).count()
    registered = Work.objects.count()
    assert 0 < registered < ARTICLES
    assert registered == logged and registered % REGISTER_BATCH == 0  # whole batches, each with its log

    # Staff process it again (admin action "Process again"); a new worker finishes the job.
    submissions_requeue(submission_ids=[submission.pk])
    worker = _start_worker()
    try:
        done = wait_for(
            lambda: (s := Submission.objects.get(pk=submission.pk)).is_finished and s, timeout=180
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert done.status == SubmissionStatus.COMPLETED, done.problems
    assert done.attempts == 2 and done.record_count == ARTICLES
    assert Work.objects.count() == ARTICLES
    assert set(done.records.values_list("status", "message").distinct()) == {
        (RecordStatus.SUCCESS, "Successfully added")
    }
