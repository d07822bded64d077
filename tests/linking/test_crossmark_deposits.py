"""Crossmark through the real deposit pipeline (schema validation, parsing, registration):
a retraction notice deposited before and after the work it retracts."""

from __future__ import annotations

import pytest

from deposits.models import SubmissionStatus
from deposits.services import IncomingFile, submission_create
from linking.crossmark import crossmark_status, updated_by_map
from linking.models import Work
from tests.deposits.conftest import installed_schema_dir  # noqa: F401 (fixture)
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("installed_schema_dir")]

CROSSMARK = (
    "<crossmark><crossmark_version>1</crossmark_version>"
    "<crossmark_policy>10.5555/crossmark-policy</crossmark_policy>"
    '<updates><update type="retraction" date="2024-07-15">10.5555/Original.1</update></updates>'
    "</crossmark>"
)


def notice_deposit() -> bytes:
    xml = journal_deposit(
        Article("10.5555/notice.1", title="Retraction: tides", first_page="99"), batch_id="notice"
    )
    text = xml.decode()
    return text.replace("<doi_data>", CROSSMARK + "<doi_data>", 1).encode()


def deposit(organisation, content: bytes, on_commit) -> None:
    with on_commit(execute=True):  # processing is queued on commit; tasks run in-process here
        submission = submission_create(
            organisation=organisation, upload=IncomingFile(name="d.xml", content=content), channel="command"
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.COMPLETED, submission.status


@pytest.mark.parametrize("order", ["original first", "notice first"])
def test_retraction_deposited_in_either_order(client, django_capture_on_commit_callbacks, order):
    organisation = OrganisationFactory(name="Coastal Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    deposits = [journal_deposit(Article("10.5555/Original.1"), batch_id="original"), notice_deposit()]
    if order == "notice first":
        deposits.reverse()
    for content in deposits:
        deposit(organisation, content, django_capture_on_commit_callbacks)
    (entry,) = updated_by_map(["10.5555/original.1"])["10.5555/original.1"]
    assert (entry["DOI"], entry["type"], entry["source"]) == ("10.5555/notice.1", "retraction", "publisher")
    assert entry["updated"]["date-parts"] == [[2024, 7, 15]]
    status = crossmark_status(Work.objects.get(doi="10.5555/original.1"))
    assert (status.state, status.notice_doi) == ("retracted", "10.5555/notice.1")
    page = client.get("/works/10.5555/original.1").content.decode()
    assert "crossmark-retracted" in page and 'href="/works/10.5555/notice.1"' in page
