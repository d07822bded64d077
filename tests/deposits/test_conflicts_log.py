"""Rule 5, conflicts, through real processing: the record is registered with a Warning
"Added with conflict" naming the other DOIs and the fix, a WorkConflict is written, and
the doi_batch_diagnostic carries conflict_id / dois_in_conflict / resolved_conflict_ids."""

from __future__ import annotations

import pytest
from lxml import etree

from deposits.errors import ErrorCode
from deposits.log import diagnostic_xml
from deposits.models import RecordStatus, SubmissionStatus
from deposits.services import IncomingFile, submission_create
from linking.models import Work, WorkConflict
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("installed_schema_dir")]


@pytest.fixture
def publisher():
    organisation = OrganisationFactory(name="Coastal Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def deposit(organisation, content: bytes):
    submission = submission_create(
        organisation=organisation, upload=IncomingFile(name="d.xml", content=content), channel="command"
    )
    submission.refresh_from_db()
    return submission


def test_a_second_doi_with_the_same_citation_is_added_with_conflict(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/first.1", first_page="7")))
    submission = deposit(
        publisher,
        journal_deposit(
            Article("10.5555/Second.1", first_page="7", title="Other title"), timestamp=20250101000000
        ),
    )
    assert submission.status == SubmissionStatus.COMPLETED_WITH_WARNINGS
    record = submission.records.get()
    assert (record.doi, record.status, record.code) == (
        "10.5555/Second.1",
        RecordStatus.WARNING,
        ErrorCode.ADDED_WITH_CONFLICT,
    )
    assert record.message.startswith("Added with conflict")
    assert "10.5555/first.1" in record.message and "volume 3, issue 2, first page 7" in record.message
    assert "alias" in record.message  # the fix is named
    assert Work.objects.filter(doi="10.5555/second.1").exists()  # registered all the same
    conflict = WorkConflict.objects.get()
    assert (conflict.work.doi, conflict.other.doi, conflict.submission_id) == (
        "10.5555/second.1",
        "10.5555/first.1",
        submission.pk,
    )
    log = etree.fromstring(diagnostic_xml(submission))
    (diagnostic,) = log.findall("record_diagnostic")
    assert diagnostic.get("status") == "Warning"
    assert diagnostic.findtext("msg").startswith("Added with conflict")
    assert diagnostic.findtext("conflict_id") == str(conflict.pk)
    assert [d.text for d in diagnostic.find("dois_in_conflict")] == ["10.5555/first.1"]
    assert log.findtext("batch_data/warning_count") == "1"


def test_two_records_of_one_file_conflict_with_each_other(publisher):
    submission = deposit(publisher, journal_deposit(Article("10.5555/twin.1"), Article("10.5555/twin.2")))
    assert [r.status for r in submission.records.all()] == [RecordStatus.WARNING, RecordStatus.WARNING]
    assert WorkConflict.objects.count() == 1
    assert [r.details["dois_in_conflict"] for r in submission.records.all()] == [
        ["10.5555/twin.2"],
        ["10.5555/twin.1"],
    ]


def test_redepositing_with_distinguishing_pages_resolves_it(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/x.1"), Article("10.5555/x.2")))
    (conflict_id,) = WorkConflict.objects.values_list("pk", flat=True)
    fixed = deposit(
        publisher, journal_deposit(Article("10.5555/x.2", first_page="30"), timestamp=20250101000000)
    )
    record = fixed.records.get()
    assert record.status == RecordStatus.SUCCESS
    assert record.message == f"Successfully updated (resolved conflict {conflict_id})"
    assert not WorkConflict.objects.exists()
    log = etree.fromstring(diagnostic_xml(fixed))
    assert log.findtext("record_diagnostic/resolved_conflict_ids") == str(conflict_id)


def test_the_same_doi_deposited_again_is_no_conflict(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/again.1")))
    again = deposit(
        publisher, journal_deposit(Article("10.5555/again.1", title="Retitled"), timestamp=20250101000000)
    )
    assert again.records.get().message == "Successfully updated"
    assert not WorkConflict.objects.exists()
