"""The machine endpoints, as publishing systems call them: `POST /servlet/deposit` answers
with a receipt (EZID looks for its exact sentence) and `/servlet/submissionDownload`
returns the log or the file as received, only ever to the organisation that sent it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from accounts import services as accounts_services
from accounts.models import OrganisationStatus
from deposits.models import Channel, Operation, RecordStatus, Submission, SubmissionStatus
from tests.deposits.faults import database_refuses_doi
from tests.deposits.support import (
    ARTICLE,
    ARTICLE_BATCH_ID,
    ARTICLE_DOIS,
    ARTICLE_DOIS_AS_WRITTEN,
    _private_media,  # noqa: F401 - autouse fixture
    depositor,
    needs_parser,
    sample,
)
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db

DEPOSIT = "/servlet/deposit"
DOWNLOAD = "/servlet/submissionDownload"
RECEIVED = "Your batch submission was successfully received."
# Not a valid deposit, which does not matter: nothing here is processed (on-commit
# callbacks of a test in a transaction never run unless captured).
SMALL = b'<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1"/>\n'


def xml_file(name: str = "issue-12.xml", content: bytes = SMALL) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/xml; charset=utf-8")


def deposit(client, credentials: dict, *, name="issue-12.xml", content=SMALL, headers=None, **fields):
    data = {"operation": "doMDUpload", **credentials, "fname": xml_file(name, content), **fields}
    return client.post(DEPOSIT, data, headers=headers or {})


@pytest.fixture
def press():
    return depositor()


# --- servlet/deposit: success -------------------------------------------------------------


def test_receipt_has_the_sentence_the_submission_id_and_the_file_name(client, press):
    response = deposit(client, press.fields(), name="issue-12.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert RECEIVED in body
    submission = Submission.objects.get()
    assert str(submission.pk) in body
    assert "issue-12.xml" in body
    assert submission.organisation == press.organisation
    assert submission.credential == press.credential
    assert submission.channel == Channel.HTTP
    assert submission.operation == Operation.METADATA
    assert submission.status == SubmissionStatus.QUEUED


def test_receipt_as_json_when_asked(client, press):
    response = deposit(client, press.fields(), headers={"Accept": "application/json"})

    assert response.status_code == 200
    data = response.json()
    submission = Submission.objects.get()
    assert data["message"] == RECEIVED
    assert data["submission_id"] == submission.pk
    assert data["file_name"] == "issue-12.xml"
    assert data["operation"] == "doMDUpload"


def test_the_stored_file_is_byte_identical_to_what_was_sent(client, press, shared_dir):
    # A byte-order mark, CRLF line ends, Latin-1 bytes: whatever arrives is kept as is.
    content = b"\xef\xbb\xbf" + sample(shared_dir).replace(b"\n", b"\r\n") + b"<!-- caf\xe9 -->\r\n"

    response = deposit(client, press.fields(), name=ARTICLE, content=content)

    assert response.status_code == 200
    submission = Submission.objects.get()
    with submission.file.open("rb") as handle:
        assert handle.read() == content
    assert submission.size == len(content)
    assert submission.sha256 == hashlib.sha256(content).hexdigest()
    assert submission.file_name == ARTICLE


def test_resource_only_operation_is_kept(client, press):
    response = deposit(client, press.fields(), operation="doDOICitUpload")

    assert response.status_code == 200
    assert Submission.objects.get().operation == Operation.RESOURCES


def test_credentials_on_the_query_string_and_usr_pwd_aliases(client, press):
    query = f"?login_id={press.username}&login_passwd={press.password}"
    on_query = client.post(DEPOSIT + query, {"fname": xml_file("a.xml")})
    aliases = client.post(DEPOSIT, {"usr": press.username, "pwd": press.password, "fname": xml_file("b.xml")})

    assert on_query.status_code == 200, on_query.content
    assert aliases.status_code == 200, aliases.content
    assert sorted(Submission.objects.values_list("file_name", flat=True)) == ["a.xml", "b.xml"]


def test_api_token_as_login_passwd(client, press):
    credential, token = accounts_services.credential_create_token(
        organisation=press.organisation, actor=None, label="CI"
    )

    response = deposit(client, {"login_id": "anything", "login_passwd": token})

    assert response.status_code == 200
    assert Submission.objects.get().credential == credential


def test_api_token_as_bearer(client, press):
    credential, token = accounts_services.credential_create_token(
        organisation=press.organisation, actor=None, label="CI"
    )

    response = deposit(client, {}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert Submission.objects.get().credential == credential


def test_personal_login_records_the_person(client, press):
    person = member(press.organisation, "depositor")

    response = deposit(client, {"login_id": f"{person.email}/{press.username}", "login_passwd": PASSWORD})

    assert response.status_code == 200
    submission = Submission.objects.get()
    assert submission.user == person
    assert submission.credential == press.credential


# --- servlet/deposit: refusals ------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    ["wrong password", "unknown user", "revoked credential", "no credentials", "bad token", "bad bearer"],
)
def test_bad_credentials_get_401_without_saying_which_part(client, press, case):
    credentials = press.fields()
    headers = {}
    if case == "wrong password":
        credentials["login_passwd"] = "not-the-password"
    elif case == "unknown user":
        credentials["login_id"] = "nobody-here"
    elif case == "revoked credential":
        accounts_services.credential_revoke(credential=press.credential, actor=None)
    elif case == "no credentials":
        credentials = {}
    elif case == "bad token":
        credentials = {"login_passwd": "dpt_000000000000_wrong"}
    elif case == "bad bearer":
        credentials, headers = {}, {"Authorization": "Bearer dpt_000000000000_wrong"}

    response = deposit(client, credentials, headers=headers)

    assert response.status_code == 401
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "WWW-Authenticate" in response
    for telltale in ("password is wrong", "unknown user", "revoked", "no such"):
        assert telltale not in text.lower()
    assert not Submission.objects.exists()


def test_wrong_password_and_unknown_user_get_the_same_answer(client, press):
    wrong = deposit(client, {"login_id": press.username, "login_passwd": "nope"})
    unknown = deposit(client, {"login_id": "somebody-else", "login_passwd": "nope"})

    assert wrong.content == unknown.content


def test_suspended_organisation_gets_403_with_the_reason(client, press):
    accounts_services.organisation_set_status(
        organisation=press.organisation,
        status=OrganisationStatus.SUSPENDED,
        actor=None,
        reason="Membership invoice unpaid for 120 days",
    )

    response = deposit(client, press.fields())

    assert response.status_code == 403
    text = response.content.decode()
    assert "suspended" in text
    assert "Membership invoice unpaid for 120 days" in text
    assert not Submission.objects.exists()


def test_closed_organisation_gets_403_also_with_a_token(client, press):
    _credential, token = accounts_services.credential_create_token(
        organisation=press.organisation, actor=None, label="CI"
    )
    accounts_services.organisation_set_status(
        organisation=press.organisation, status=OrganisationStatus.CLOSED, actor=None, reason="Left"
    )

    response = deposit(client, {}, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert "closed" in response.content.decode()


def test_suspended_organisation_with_a_wrong_password_learns_nothing(client, press):
    accounts_services.organisation_set_status(
        organisation=press.organisation, status=OrganisationStatus.SUSPENDED, actor=None, reason="Unpaid"
    )

    response = deposit(client, {"login_id": press.username, "login_passwd": "guess"})

    assert response.status_code == 401
    assert "suspended" not in response.content.decode()


def test_missing_file_gets_400_naming_the_field(client, press):
    response = client.post(DEPOSIT, {"operation": "doMDUpload", **press.fields()})

    assert response.status_code == 400
    assert "fname" in response.content.decode()


def test_file_in_another_field_gets_400_naming_fname(client, press):
    response = client.post(DEPOSIT, {**press.fields(), "mdFile": xml_file()})

    assert response.status_code == 400
    assert "'fname'" in response.content.decode()


def test_unknown_operation_gets_400_naming_the_allowed_values(client, press):
    response = deposit(client, press.fields(), operation="doQueryUpload")

    assert response.status_code == 400
    text = response.content.decode()
    assert "doQueryUpload" in text
    assert "doMDUpload" in text and "doDOICitUpload" in text
    assert not Submission.objects.exists()


def test_error_as_json_when_asked(client, press):
    response = deposit(client, press.fields(), operation="nonsense", headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert "doMDUpload" in response.json()["message"]


def test_file_over_the_limit_gets_413_naming_it(client, press, settings):
    settings.DEPOSIT_MAX_BYTES = 1000

    response = deposit(client, press.fields(), name="big-issue.xml", content=SMALL + b" " * 1000)

    assert response.status_code == 413
    text = response.content.decode()
    assert "big-issue.xml" in text
    assert "1000 bytes" in text
    assert not Submission.objects.exists()


def test_request_far_over_the_limit_gets_413_before_the_body_is_read(client, press, settings):
    settings.DEPOSIT_MAX_BYTES = 1000

    response = deposit(client, press.fields(), content=SMALL + b" " * (200 * 1024))

    assert response.status_code == 413
    assert "at most 1000 bytes" in response.content.decode()
    assert not Submission.objects.exists()


def test_oversized_form_fields_get_413_not_an_error_page(client, press, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000

    response = client.post(DEPOSIT, {**press.fields(), "fname": xml_file(), "notes": "x" * 5000})

    assert response.status_code == 413
    assert "fname" in response.content.decode()


def test_big_file_within_the_limit_goes_through_the_temporary_file_handler(client, press, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so the file is streamed to disk
    content = SMALL + b"<!--" + b"x" * 300_000 + b"-->\n"

    response = deposit(client, press.fields(), content=content)

    assert response.status_code == 200
    with Submission.objects.get().file.open("rb") as handle:
        assert handle.read() == content


def test_full_queue_gets_429(client, press, settings):
    settings.DEPOSIT_MAX_PENDING = 1
    assert deposit(client, press.fields(), name="first.xml").status_code == 200

    response = deposit(client, press.fields(), name="second.xml")

    assert response.status_code == 429
    assert "Retry-After" in response
    assert "waiting" in response.content.decode()
    assert Submission.objects.count() == 1


def test_get_gets_405_with_a_hint(client):
    response = client.get(DEPOSIT)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    text = response.content.decode()
    assert "POST" in text and "fname" in text and "login_id" in text


# --- servlet/submissionDownload -----------------------------------------------------------


def download(client, credentials: dict, method: str = "get", **params):
    return getattr(client, method)(DOWNLOAD, {**credentials, **params})


def test_result_of_a_queued_submission_says_queued(client, press):
    deposit(client, press.fields(), name="issue-12.xml")

    response = download(client, {"usr": press.username, "pwd": press.password}, file_name="issue-12.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "doi_batch_diagnostic"
    assert root.get("status") == "queued"
    assert root.findtext("submission_id") == str(Submission.objects.get().pk)


def test_contents_are_the_file_as_received_and_post_works_too(client, press):
    content = SMALL + b"<!-- exactly this -->"
    deposit(client, press.fields(), name="issue-12.xml", content=content)

    response = download(client, press.fields(), method="post", file_name="issue-12.xml", type="contents")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]


def test_the_newest_submission_with_the_file_name_wins(client, press):
    deposit(client, press.fields(), name="issue-12.xml", content=SMALL + b"<!-- first -->")
    deposit(client, press.fields(), name="issue-12.xml", content=SMALL + b"<!-- second -->")

    response = download(client, press.fields(), file_name="issue-12.xml", type="contents")

    assert b"".join(response.streaming_content).endswith(b"<!-- second -->")


def test_another_members_credentials_get_404(client, press):
    deposit(client, press.fields(), name="issue-12.xml")
    Submission.objects.update(batch_id="issue-12-batch")
    other = depositor(prefix="10.6666", username="other-press")

    by_name = download(client, other.fields(), file_name="issue-12.xml")
    by_batch = download(client, other.fields(), doi_batch_id="issue-12-batch")
    contents = download(client, other.fields(), file_name="issue-12.xml", type="contents")

    assert by_name.status_code == by_batch.status_code == contents.status_code == 404
    assert etree.fromstring(by_name.content).get("status") == "unknown_submission"
    assert "issue-12.xml" in etree.fromstring(by_name.content).findtext("msg")
    assert contents.content.decode().startswith("No submission of")
    assert SMALL not in contents.content


def test_download_refusals(client, press):
    deposit(client, press.fields(), name="issue-12.xml")

    assert (
        download(client, {**press.fields(), "login_passwd": "x"}, file_name="issue-12.xml").status_code == 401
    )
    assert download(client, press.fields()).status_code == 400
    assert download(client, press.fields(), file_name="issue-12.xml", type="pdf").status_code == 400
    assert client.put(DOWNLOAD).status_code == 405


def test_download_with_a_bearer_token(client, press):
    deposit(client, press.fields(), name="issue-12.xml")
    _credential, token = accounts_services.credential_create_token(
        organisation=press.organisation, actor=None, label="CI"
    )

    response = client.get(
        DOWNLOAD, {"file_name": "issue-12.xml"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200


# --- the whole road, with real processing ---------------------------------------------------


def test_deposit_then_poll_the_result_by_file_name_and_batch_id(
    client, crossref_schemas, shared_dir, django_capture_on_commit_callbacks
):
    needs_parser()
    press = depositor(prefix="10.5555")
    content = sample(shared_dir)

    with django_capture_on_commit_callbacks(execute=True):
        response = deposit(client, press.fields(), name=ARTICLE, content=content)
    assert response.status_code == 200

    submission = Submission.objects.get()
    assert submission.is_finished, submission.problems
    assert submission.batch_id == ARTICLE_BATCH_ID
    by_name = download(client, press.fields(), file_name=ARTICLE, type="result")
    by_batch = download(client, press.fields(), doi_batch_id=ARTICLE_BATCH_ID)
    assert by_name.status_code == by_batch.status_code == 200
    assert by_name.content == by_batch.content

    root = etree.fromstring(by_name.content)
    assert root.get("status") == "completed"
    assert root.findtext("submission_id") == str(submission.pk)
    assert root.findtext("batch_id") == ARTICLE_BATCH_ID
    batch = root.find("batch_data")
    assert int(batch.findtext("record_count")) == submission.record_count == len(ARTICLE_DOIS)
    assert int(batch.findtext("success_count")) == submission.success_count
    assert int(batch.findtext("warning_count")) == submission.warning_count
    assert int(batch.findtext("failure_count")) == submission.failure_count == 0
    outcomes = {
        d.findtext("doi"): d.get("status") for d in root.iter("record_diagnostic") if d.findtext("doi")
    }
    assert set(outcomes) == set(ARTICLE_DOIS_AS_WRITTEN)  # named as the member wrote them
    assert set(outcomes.values()) <= {RecordStatus.SUCCESS, RecordStatus.WARNING}

    contents = download(client, press.fields(), doi_batch_id=ARTICLE_BATCH_ID, type="contents")
    assert b"".join(contents.streaming_content) == content

    other = depositor(prefix="10.6666", username="other-press")
    assert download(client, other.fields(), doi_batch_id=ARTICLE_BATCH_ID).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
def test_a_crash_while_processing_in_process_still_gets_the_receipt(client):
    """Without a broker the file is processed inside the request; an unexpected error there
    (here the database itself refuses to store the record) must not turn the receipt of a
    stored file into a 500. The task marks it failed."""
    press = depositor()
    content = journal_deposit(Article("10.5555/crash.1"))

    with database_refuses_doi("10.5555/crash.1"):
        response = deposit(client, press.fields(), name="issue-12.xml", content=content)

    assert response.status_code == 200
    assert RECEIVED in response.content.decode()
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.FAILED
    assert submission.problems[0]["code"] == "INTERNAL_ERROR"
    root = etree.fromstring(download(client, press.fields(), file_name="issue-12.xml").content)
    assert root.get("status") == "completed"
    assert root.findtext("batch_data/failure_count") == "1"
