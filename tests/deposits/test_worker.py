"""A deposit queued by the web process is processed by a real Celery worker through Redis."""

from __future__ import annotations

import pytest

from deposits.models import Submission, SubmissionStatus
from deposits.services import IncomingFile, submission_create
from linking.models import Work
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip(
    "deposits.xml.parse", reason="the deposit parser (deposits/xml/parse.py) is not built yet"
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("installed_schema_dir"),
]


def test_the_worker_registers_a_deposit(celery_worker, wait_for):
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    submission = submission_create(
        organisation=organisation,
        upload=IncomingFile(
            name="issue-2.xml",
            content=journal_deposit(Article("10.5555/w.1"), Article("10.5555/w.2", first_page="2")),
        ),
        channel="http",
    )

    def finished():
        current = Submission.objects.get(pk=submission.pk)
        return current if current.is_finished else None

    done = wait_for(finished, timeout=60)
    assert done.status == SubmissionStatus.COMPLETED, done.problems
    assert done.task_id  # recorded when the web process queued it
    assert done.history[0]["status"] == "queued" and done.history[1]["status"] == "processing"
    assert sorted(Work.objects.values_list("doi", flat=True)) == ["10.5555/w.1", "10.5555/w.2"]
