"""Background matching of deposited references, retries when new works arrive, cited-by
counts, unknown reference DOIs and citation alerts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from linking.matching.alerts import citation_alerts_send
from linking.matching.selectors import citing_works, unknown_reference_dois
from linking.matching.services import cited_by_reconcile
from linking.models import Work, WorkReference
from linking.records import Reference
from linking.services import records_register
from tests.factories import ContactFactory
from tests.linking.matching.conftest import OCEAN, article, citing

pytestmark = pytest.mark.django_db

APA = (
    "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven spin chains. "
    "Physical Review Letters, 86(3), 1234–1237."
)
FUTURE = "Tanaka, H. (2023). Tidal inlets after storms. Journal of Coastal Research, 39(2), 301–315."


def references() -> list[Reference]:
    return [
        Reference(key="r1", unstructured=APA),
        Reference(
            key="r2",
            author="Okafor",
            year="2002",
            journal_title="Phys. Rev. Lett.",
            volume="88",
            first_page="2101",
        ),
        Reference(key="r3", doi="10.5555/JCR.1"),
        Reference(key="r4", doi="10.5555/future.2"),
        Reference(key="r5", unstructured=FUTURE),
        Reference(key="r6", unstructured="Okafor A (2001) personal communication."),
    ]


def register(records, organisation, capture):
    with capture(execute=True):
        records_register(records=records, organisation=organisation)


def by_key(doi: str) -> dict[str, WorkReference]:
    return {r.key: r for r in WorkReference.objects.filter(work__doi=doi)}


def test_deposited_references_are_matched_after_registration(registry, django_capture_on_commit_callbacks):
    register([citing("10.5555/citing.1", references())], registry, django_capture_on_commit_callbacks)
    refs = by_key("10.5555/citing.1")
    assert {k: r.matched_doi for k, r in refs.items() if r.match_status == "matched"} == {
        "r1": "10.5555/prl.1",
        "r2": "10.5555/prl.2",
        "r3": "10.5555/jcr.1",
    }
    assert (refs["r1"].method, refs["r2"].method, refs["r3"].method) == (
        "search-validated",
        "structured-validated",
        "doi",
    )
    assert refs["r3"].confidence == 1.0 and refs["r1"].matched_at is not None
    assert {k: r.match_status for k, r in refs.items() if k in ("r4", "r5", "r6")} == dict.fromkeys(
        ("r4", "r5", "r6"), "unmatched"
    )
    assert refs["r4"].match_key == "doi:10.5555/future.2"
    assert refs["r5"].match_key == "tanaka:2023"
    counts = dict(Work.objects.filter(doi__startswith="10.5555/").values_list("doi", "cited_by_count"))
    assert (
        counts["10.5555/prl.1"],
        counts["10.5555/prl.2"],
        counts["10.5555/jcr.1"],
        counts["10.5555/prl.3"],
    ) == (
        1,
        1,
        1,
        0,
    )
    assert list(citing_works("https://doi.org/10.5555/PRL.1").values_list("doi", flat=True)) == [
        "10.5555/citing.1"
    ]


def test_unknown_reference_dois(registry):
    assert unknown_reference_dois(
        ["10.5555/PRL.1", "doi:10.5555/nope", " ", "https://doi.org/10.5555/jcr.1"]
    ) == {"10.5555/nope"}


def test_new_works_retry_only_the_references_they_could_match(registry, django_capture_on_commit_callbacks):
    register([citing("10.5555/citing.1", references())], registry, django_capture_on_commit_callbacks)
    # An unmatched reference with a key no new work produces: it must not be re-run.
    WorkReference.objects.filter(key="r6").update(method="untouched")
    new = [
        article("10.5555/future.2", "Any title", ["Someone"], 2020, "1", "1", container=OCEAN),
        article(
            "10.5555/jcr.2023",
            "Tidal inlets after storms",
            ["Tanaka"],
            2023,
            "39",
            "301",
            container=OCEAN,
            issue="2",
        ),
    ]
    register(new, registry, django_capture_on_commit_callbacks)
    refs = by_key("10.5555/citing.1")
    assert (refs["r4"].match_status, refs["r4"].matched_doi, refs["r4"].method) == (
        "matched",
        "10.5555/future.2",
        "doi",
    )
    assert (refs["r5"].match_status, refs["r5"].matched_doi) == ("matched", "10.5555/jcr.2023")
    assert (refs["r6"].match_status, refs["r6"].method) == ("unmatched", "untouched")
    assert Work.objects.get(doi="10.5555/jcr.2023").cited_by_count == 1


def test_cited_by_follows_redeposits(registry, django_capture_on_commit_callbacks):
    register([citing("10.5555/citing.1", references()[:1])], registry, django_capture_on_commit_callbacks)
    register([citing("10.5555/citing.2", references()[:1])], registry, django_capture_on_commit_callbacks)
    assert Work.objects.get(doi="10.5555/prl.1").cited_by_count == 2
    # citing.2 is deposited again without that reference: the count follows once reconciled.
    register(
        [citing("10.5555/citing.2", [Reference(key="x", doi="10.5555/prl.3")])],
        registry,
        django_capture_on_commit_callbacks,
    )
    assert Work.objects.get(doi="10.5555/prl.3").cited_by_count == 1
    cited_by_reconcile()
    assert Work.objects.get(doi="10.5555/prl.1").cited_by_count == 1


class _Callback(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        _Callback.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def callback_server():
    _Callback.received = []
    server = HTTPServer(("127.0.0.1", 0), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/citations", _Callback.received
    server.shutdown()


def test_citation_alerts_mail_and_callback_once(
    registry, django_capture_on_commit_callbacks, callback_server
):
    url, received = callback_server
    registry.citation_callback_url = url
    registry.save()
    ContactFactory(organisation=registry, email="editor@example.org")
    register([citing("10.5555/citing.1", references()[:3])], registry, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    sent = citation_alerts_send()
    assert sent == {registry.pk: 3}
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"] and "10.5555/citing.1 cites 10.5555/prl.1" in message.body
    (payload,) = received
    assert {(c["cited"], c["citing"]) for c in payload["citations"]} == {
        ("10.5555/prl.1", "10.5555/citing.1"),
        ("10.5555/prl.2", "10.5555/citing.1"),
        ("10.5555/jcr.1", "10.5555/citing.1"),
    }
    assert citation_alerts_send() == {}  # nothing is sent twice
    assert len(mail.outbox) == 1 and len(received) == 1


@pytest.mark.worker
def test_a_real_worker_matches_deposited_references(celery_worker, wait_for):
    from tests.factories import OrganisationFactory, PrefixFactory
    from tests.linking.matching.conftest import WORKS

    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    records_register(records=WORKS, organisation=organisation)
    records_register(records=[citing("10.5555/citing.w", references()[:3])], organisation=organisation)

    def matched():
        refs = by_key("10.5555/citing.w")
        return len(refs) == 3 and all(r.match_status == "matched" for r in refs.values())

    wait_for(matched, timeout=180)
    assert Work.objects.get(doi="10.5555/prl.1").cited_by_count == 1
