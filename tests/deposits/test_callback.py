"""The submission log is POSTed to the member's deposit_callback_url when processing ends:
a real HTTP server in a thread receives it from a real worker through Redis; a receiver
that is down at first gets it on a later attempt; every attempt is in the history."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from deposits.callbacks import callback_post
from deposits.models import Submission
from deposits.services import IncomingFile, submission_create
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("installed_schema_dir")]


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that answers the statuses in `answers` in turn (the
    last one from then on) and keeps what it was sent."""

    def __init__(self, answers: list[int]):
        self.answers = list(answers)
        self.received: list[tuple[int, dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                receiver.received.append((status, dict(self.headers), body))
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/crossref/log"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_callbacks(settings):
    settings.DEPOSIT_CALLBACK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    settings.DEPOSIT_CALLBACK_BACKOFF = 0.2
    settings.DEPOSIT_CALLBACK_TIMEOUT = 5


def publisher(url: str):
    organisation = OrganisationFactory(deposit_callback_url=url)
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def deposit(organisation) -> Submission:
    return submission_create(
        organisation=organisation,
        upload=IncomingFile(name="issue.xml", content=journal_deposit(Article("10.5555/cb.1"))),
        channel="http",
    )


def callbacks(submission_id: int) -> list[dict]:
    return [e for e in Submission.objects.get(pk=submission_id).history if "callback" in e]


@pytest.mark.worker
def test_the_worker_posts_the_log_and_retries_a_receiver_that_was_down(
    local_callbacks, celery_worker, wait_for
):
    with Receiver([503, 200]) as receiver:
        submission = deposit(publisher(receiver.url))
        history = wait_for(lambda: [e for e in callbacks(submission.pk) if e["callback"] == "delivered"], 60)
    assert [s for s, _, _ in receiver.received] == [503, 200]
    attempts = callbacks(submission.pk)
    assert [(e["callback"], e["attempt"], e["http_status"]) for e in attempts] == [
        ("retry", 1, 503),
        ("delivered", 2, 200),
    ]
    assert history[0]["url"] == receiver.url
    _, headers, body = receiver.received[-1]
    assert headers["Content-Type"] == "application/xml; charset=utf-8"
    assert headers["X-Submission-Id"] == str(submission.pk)
    log = etree.fromstring(body)
    assert log.tag == "doi_batch_diagnostic" and log.get("status") == "completed"
    assert log.findtext("record_diagnostic/doi") == "10.5555/cb.1"
    assert log.findtext("batch_data/success_count") == "1"


def test_in_process_delivery_posts_once_after_processing(local_callbacks):
    with Receiver([200]) as receiver:
        submission = deposit(publisher(receiver.url))
    submission.refresh_from_db()
    assert submission.is_finished
    assert len(receiver.received) == 1
    assert [e["callback"] for e in callbacks(submission.pk)] == ["delivered"]


def test_a_receiver_that_refuses_is_not_retried(local_callbacks):
    with Receiver([404]) as receiver:
        submission = deposit(publisher(receiver.url))
    (entry,) = callbacks(submission.pk)
    assert (entry["callback"], entry["http_status"]) == ("refused", 404)
    assert "not retried" in entry["detail"]


def test_redirects_are_not_followed(local_callbacks):
    with Receiver([302]) as receiver:
        submission = deposit(publisher(receiver.url))
    (entry,) = callbacks(submission.pk)
    assert (entry["callback"], entry["http_status"]) == ("refused", 302)
    assert len(receiver.received) == 1


def test_an_unreachable_receiver_does_not_hold_up_processing(local_callbacks):
    with Receiver([200]) as receiver:
        url = receiver.url
    # The server is closed: nothing listens on that port any more.
    submission = deposit(publisher(url))
    submission.refresh_from_db()
    assert submission.status == "completed"
    (entry,) = callbacks(submission.pk)
    assert entry["callback"] == "retry" and "could not be reached" in entry["detail"]


def test_private_addresses_are_refused_by_default(settings):
    settings.DEPOSIT_CALLBACK_ALLOW_PRIVATE = False
    with Receiver([200]) as receiver:
        submission = deposit(publisher(receiver.url))
        delivery = callback_post(Submission.objects.select_related("organisation").get(pk=submission.pk))
    assert delivery.outcome == "refused" and "private or local address" in delivery.detail
    assert receiver.received == []


def test_no_callback_url_no_post(local_callbacks):
    submission = deposit(publisher(""))
    assert callbacks(submission.pk) == []
