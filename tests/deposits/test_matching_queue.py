"""Reference matching runs on a queue of its own, so deposits never wait behind it."""

from __future__ import annotations

import json

import pytest
import redis
from django.conf import settings

from deposits.models import Submission, SubmissionStatus
from deposits.services import IncomingFile, submission_create
from linking.models import Work
from tests.conftest import running_worker
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _queued_task_names(client: redis.Redis, queue: str) -> list[str]:
    return [json.loads(message)["headers"]["task"] for message in client.lrange(queue, 0, -1)]


def completed(submission: Submission) -> bool:
    return Submission.objects.get(pk=submission.pk).status == SubmissionStatus.COMPLETED


def test_deposits_complete_while_matching_waits_in_its_own_queue(tasks_via_redis, wait_for):
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    deposit_queue, matching_queue = settings.CELERY_TASK_DEFAULT_QUEUE, settings.MATCHING_QUEUE
    assert deposit_queue != matching_queue
    client.delete(deposit_queue, matching_queue)
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)

    def deposit(name: str, first_page: int) -> Submission:
        content = journal_deposit(
            Article(f"10.5555/{name}.1", first_page=str(first_page)),
            Article(f"10.5555/{name}.2", first_page=str(first_page + 1)),
            batch_id=name,
        )
        return submission_create(
            organisation=organisation,
            upload=IncomingFile(name=f"{name}.xml", content=content),
            channel="command",
        )

    try:
        # A worker for deposits only: if matching shared its queue, it would run (or wait
        # for) the matching tasks; here they stay queued and both deposits still finish.
        with running_worker(tasks_via_redis, [deposit_queue]):
            first = deposit("first", 1)
            wait_for(lambda: completed(first), timeout=120)
            waiting = _queued_task_names(client, matching_queue)
            assert waiting and all(name.startswith("linking.matching.tasks.") for name in waiting)
            second = deposit("second", 10)
            wait_for(lambda: completed(second), timeout=120)
        assert Work.objects.filter(doi__startswith="10.5555/").count() == 4
        assert len(_queued_task_names(client, matching_queue)) >= len(waiting) + 1
        left_in_deposit_queue = _queued_task_names(client, deposit_queue)
        assert not any(name.startswith("linking.matching.") for name in left_in_deposit_queue)
    finally:
        client.delete(deposit_queue, matching_queue)
