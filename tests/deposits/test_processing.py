"""The processing pipeline end to end (in-process tasks): file-level refusals, each
per-record rule, one bad record never stopping the others, retries that change nothing."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts import services as accounts_services
from accounts.models import OrganisationStatus
from deposits.errors import ErrorCode
from deposits.models import RecordStatus, Submission, SubmissionStatus
from deposits.services import IncomingFile, submission_create, submission_process
from linking.models import Work
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip(
    "deposits.xml.parse", reason="the deposit parser (deposits/xml/parse.py) is not built yet"
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("installed_schema_dir")]


@pytest.fixture
def publisher():
    organisation = OrganisationFactory(name="Coastal Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def deposit(organisation, content: bytes, name: str = "deposit.xml") -> Submission:
    submission = submission_create(
        organisation=organisation, upload=IncomingFile(name=name, content=content), channel="command"
    )
    submission.refresh_from_db()
    return submission


def outcomes(submission: Submission) -> list[tuple[str, str, str]]:
    return list(submission.records.values_list("doi", "status", "code"))


def test_a_good_deposit_registers_and_logs_each_doi(publisher):
    submission = deposit(
        publisher, journal_deposit(Article("10.5555/Tide.1"), Article("10.5555/tide.2", first_page="9"))
    )
    assert submission.status == SubmissionStatus.COMPLETED
    assert outcomes(submission) == [
        ("10.5555/Tide.1", RecordStatus.SUCCESS, ""),  # the log names the DOI as the member wrote it
        ("10.5555/tide.2", RecordStatus.SUCCESS, ""),
    ]
    assert [r.message for r in submission.records.all()] == ["Successfully added", "Successfully added"]
    assert (submission.batch_id, submission.head_timestamp) == ("batch-1", 20240101000000)
    assert submission.depositor_email == "deposits@coastal.example"
    work = Work.objects.get(doi="10.5555/tide.1")  # the registry keeps DOIs lower-case
    assert work.organisation == publisher and work.url == "https://coastal.example/Tide.1"
    assert work.last_submission_id == submission.pk
    # The log goes to the address in the file's head, with the XML log attached.
    (message,) = mail.outbox
    assert message.to == ["deposits@coastal.example"]
    assert "completed" in message.subject
    name, attached, _type = message.attachments[0]
    assert name.endswith("log.xml") and b"<success_count>2</success_count>" in attached


def test_one_bad_record_does_not_stop_the_other(publisher):
    content = journal_deposit(
        Article("10.5555/good.1"),
        Article("10.5555/bad.2", orcid="https://orcid.org/0000-0002-1825-0098"),
    )
    submission = deposit(publisher, content)
    assert submission.status == SubmissionStatus.COMPLETED_WITH_WARNINGS
    assert outcomes(submission) == [
        ("10.5555/good.1", RecordStatus.SUCCESS, ""),
        ("10.5555/bad.2", RecordStatus.FAILURE, ErrorCode.ORCID_INVALID),
    ]
    failure = submission.records.get(doi="10.5555/bad.2")
    assert "0000-0002-1825-0098" in failure.message and "should be 7" in failure.message
    assert list(Work.objects.values_list("doi", flat=True)) == ["10.5555/good.1"]
    assert (submission.success_count, submission.failure_count) == (1, 1)


def test_timestamp_must_grow_for_each_update(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/t.1"), timestamp=100))
    same = deposit(publisher, journal_deposit(Article("10.5555/t.1", title="Changed"), timestamp=100))
    assert outcomes(same) == [("10.5555/t.1", RecordStatus.FAILURE, ErrorCode.TIMESTAMP_NOT_NEWER)]
    assert "less or equal to previously submitted version" in same.records.get().message
    assert Work.objects.get().title == "Tidal mixing in small estuaries"
    newer = deposit(publisher, journal_deposit(Article("10.5555/t.1", title="Changed"), timestamp=101))
    assert newer.records.get().message == "Successfully updated"
    assert Work.objects.get().title == "Changed"


def test_the_same_doi_twice_in_a_file(publisher):
    submission = deposit(
        publisher, journal_deposit(Article("10.5555/d.1"), Article("10.5555/D.1", first_page="5"))
    )
    assert outcomes(submission) == [
        ("10.5555/d.1", RecordStatus.SUCCESS, ""),
        ("10.5555/D.1", RecordStatus.FAILURE, ErrorCode.DUPLICATE_IN_FILE),
    ]
    assert Work.objects.get().first_page == "1"


def test_more_than_one_prefix_refuses_the_file(publisher):
    PrefixFactory(value="10.5556", organisation=publisher)
    submission = deposit(publisher, journal_deposit(Article("10.5555/a"), Article("10.5556/b")))
    assert submission.status == SubmissionStatus.FAILED
    assert [p["code"] for p in submission.problems] == [ErrorCode.MIXED_PREFIXES]
    assert not Work.objects.exists()


def test_a_prefix_of_another_member_refuses_the_file(publisher):
    other = OrganisationFactory(name="Other House")
    PrefixFactory(value="10.7777", organisation=other)
    submission = deposit(publisher, journal_deposit(Article("10.7777/theirs")))
    assert submission.status == SubmissionStatus.FAILED
    assert submission.problems[0]["code"] == ErrorCode.PREFIX_NOT_ALLOWED
    assert "Other House" in submission.problems[0]["message"]
    assert not Work.objects.exists()


def test_a_sponsor_deposits_for_its_sponsored_member():
    sponsor = OrganisationFactory(kind="sponsor")
    sponsored = OrganisationFactory(kind="sponsored_member", sponsor=sponsor)
    PrefixFactory(value="10.6001", organisation=sponsored)
    submission = deposit(sponsor, journal_deposit(Article("10.6001/s.1")))
    assert submission.status == SubmissionStatus.COMPLETED
    assert Work.objects.get().organisation == sponsored


def test_a_doi_owned_by_another_member_is_refused(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/moved.1")))
    newcomer = OrganisationFactory(name="Newcomer Press")
    accounts_services.prefix_transfer(
        prefix=publisher.prefixes.get(), to_organisation=newcomer, actor=None, reason="test"
    )
    # The DOI's owner is still Coastal Press: the new prefix owner may not update it.
    submission = deposit(newcomer, journal_deposit(Article("10.5555/moved.1"), timestamp=20250101000000))
    assert outcomes(submission) == [("10.5555/moved.1", RecordStatus.FAILURE, ErrorCode.DOI_OWNED_BY_OTHER)]
    assert "Coastal Press" in submission.records.get().message


def test_an_issn_owned_by_another_member_is_refused(publisher):
    deposit(publisher, journal_deposit(Article("10.5555/j.1")))
    rival = OrganisationFactory(name="Rival Press")
    PrefixFactory(value="10.8888", organisation=rival)
    submission = deposit(rival, journal_deposit(Article("10.8888/j.1")))
    assert outcomes(submission) == [("10.8888/j.1", RecordStatus.FAILURE, ErrorCode.TITLE_OWNED_BY_OTHER)]
    message = submission.records.get().message
    assert 'ISSN "1234-5679"' in message and "Coastal Press" in message


def test_an_invalid_issn_fails_its_records(publisher):
    submission = deposit(publisher, journal_deposit(Article("10.5555/i.1"), issn="1234-5678"))
    assert outcomes(submission) == [("10.5555/i.1", RecordStatus.FAILURE, ErrorCode.ISSN_INVALID)]
    assert "should be 9" in submission.records.get().message


def test_a_suspended_member_is_refused(publisher):
    accounts_services.organisation_set_status(
        organisation=publisher, status=OrganisationStatus.SUSPENDED, actor=None, reason="unpaid"
    )
    submission = deposit(publisher, journal_deposit(Article("10.5555/s.1")))
    assert submission.status == SubmissionStatus.FAILED
    assert submission.problems[0]["code"] == ErrorCode.ORGANISATION_INACTIVE


def test_a_malicious_entity_file_is_refused_and_kept(publisher):
    content = b"""<?xml version="1.0"?>
<!DOCTYPE doi_batch [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<doi_batch xmlns="http://www.crossref.org/schema/5.5.0" version="5.5.0"><head>&x;</head></doi_batch>"""
    submission = deposit(publisher, content, name="evil.xml")
    assert submission.status == SubmissionStatus.FAILED
    assert submission.problems[0]["code"] in (ErrorCode.ENTITY_FORBIDDEN, ErrorCode.DTD_FORBIDDEN)
    assert "root:" not in str(submission.problems)
    with submission.file.open("rb") as handle:
        assert handle.read() == content  # stored exactly as received


def test_a_truncated_file_fails_with_its_line(publisher):
    content = journal_deposit(Article("10.5555/cut.1"))[:-60]
    submission = deposit(publisher, content)
    assert submission.status == SubmissionStatus.FAILED
    problem = submission.problems[0]
    assert problem["code"] == ErrorCode.NOT_WELL_FORMED and problem["line"]


def test_processing_again_changes_nothing(publisher):
    submission = deposit(
        publisher, journal_deposit(Article("10.5555/r.1"), Article("10.5555/r.2", first_page="2"))
    )
    first = outcomes(submission)
    # As after a worker crash: the task runs again for a submission it already handled.
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.PROCESSING)
    again = submission_process(submission_id=submission.pk)
    assert outcomes(again) == first
    assert [r.message for r in again.records.all()] == ["Successfully added", "Successfully added"]
    assert Work.objects.count() == 2
    assert again.attempts == 2
