"""The member pages under /account/<member_id>/deposits/: the list, the upload page and one
page per submission with its log, each only for people acting for the organisation
(404 for anyone else, also when guessing another member's submission ids), uploading
only for admins and depositors (403 for the other roles)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from accounts import services as accounts_services
from accounts.models import OrganisationStatus, Role
from deposits import services
from deposits.errors import ErrorCode, problem
from deposits.models import Channel, RecordStatus, Submission, SubmissionRecord, SubmissionStatus
from tests.deposits.support import (
    ARTICLE,
    ARTICLE_DOIS_AS_WRITTEN,
    _private_media,  # noqa: F401 - autouse fixture
    needs_parser,
    sample,
)
from tests.factories import OrganisationFactory, PrefixFactory, member, staff

pytestmark = pytest.mark.django_db

SMALL = b'<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1"/>\n'


def xml_file(name: str, content: bytes = SMALL) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/xml")


def url(name: str, organisation, submission=None) -> str:
    kwargs = {"member_id": organisation.member_id}
    if submission is not None:
        kwargs["submission_id"] = submission.pk
    return reverse(f"deposits:{name}", kwargs=kwargs)


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Lakeside University Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def logged_in(client: Client, organisation, *roles: str) -> Client:
    client.force_login(member(organisation, *roles))
    return client


def queued_submission(organisation, name: str = "issue-1.xml") -> Submission:
    return services.submission_create(
        organisation=organisation,
        upload=services.IncomingFile(name=name, content=SMALL),
        channel=Channel.UPLOAD,
    )


def finished_submission(organisation, name="issue-2.xml", records=(), problems=(), status=None) -> Submission:
    """A submission as processing leaves it, written directly (no parser needed)."""
    submission = queued_submission(organisation, name)
    for position, (doi, outcome, message) in enumerate(records):
        SubmissionRecord.objects.create(
            submission=submission, position=position, doi=doi, status=outcome, message=message
        )
    counts = {value: sum(1 for r in records if r[1] == value) for value in RecordStatus.values}
    if status is None:
        status = (
            SubmissionStatus.COMPLETED_WITH_WARNINGS
            if counts["Failure"] or counts["Warning"]
            else "completed"
        )
    Submission.objects.filter(pk=submission.pk).update(
        status=status,
        batch_id=f"batch-{name}",
        record_count=len(records),
        success_count=counts["Success"],
        warning_count=counts["Warning"],
        failure_count=counts["Failure"],
        problems=[p.as_dict() for p in problems],
        finished_at=timezone.now(),
    )
    submission.refresh_from_db()
    return submission


# --- who may see and do what -------------------------------------------------------------


def test_deposits_tab_is_shown_to_every_role(client, organisation):
    logged_in(client, organisation, Role.VIEWER)

    response = client.get(reverse("accounts:profile", kwargs={"member_id": organisation.member_id}))

    assert f'href="{url("list", organisation)}"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, organisation):
    response = client.get(url("upload", organisation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BILLING])
def test_upload_page_is_403_for_roles_that_do_not_deposit(client, organisation, role):
    logged_in(client, organisation, role)

    assert client.get(url("upload", organisation)).status_code == 403
    assert client.post(url("upload", organisation), {"files": [xml_file("a.xml")]}).status_code == 403
    assert not Submission.objects.exists()


def test_viewer_reads_the_list_without_an_upload_button(client, organisation):
    logged_in(client, organisation, Role.VIEWER)
    queued_submission(organisation, "issue-1.xml")

    response = client.get(url("list", organisation))

    assert response.status_code == 200
    assert "issue-1.xml" in response.content.decode()
    assert url("upload", organisation) not in response.content.decode()


def test_another_organisations_user_gets_404_everywhere(client, organisation):
    submission = finished_submission(organisation, records=[("10.5555/a", "Success", "Successfully added")])
    other = OrganisationFactory(name="Other Press")
    own = queued_submission(other, "own.xml")
    logged_in(client, other, Role.ADMIN)

    for name in ("list", "upload"):
        assert client.get(url(name, organisation)).status_code == 404, name
    assert client.post(url("upload", organisation), {"files": [xml_file("a.xml")]}).status_code == 404
    for name in ("detail", "log_xml", "log_json", "status", "file"):
        assert client.get(url(name, organisation, submission)).status_code == 404, name
        # Guessing the id under one's own member id finds nothing either.
        guessed = url(name, other, submission)
        assert client.get(guessed).status_code == 404, guessed
    assert client.get(url("detail", other, own)).status_code == 200
    assert Submission.objects.filter(organisation=organisation).count() == 1


def test_upload_is_csrf_protected(organisation):
    client = Client(enforce_csrf_checks=True)
    logged_in(client, organisation, Role.DEPOSITOR)

    response = client.post(url("upload", organisation), {"files": [xml_file("a.xml")]})

    assert response.status_code == 403
    assert not Submission.objects.exists()


# --- uploading ---------------------------------------------------------------------------


def test_upload_page_has_a_labelled_multiple_file_field(client, organisation):
    logged_in(client, organisation, Role.DEPOSITOR)

    page = client.get(url("upload", organisation)).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<label for="id_files">Deposit files', page)
    assert re.search(r'<input[^>]*type="file"[^>]*multiple', page)
    assert "csrfmiddlewaretoken" in page


def test_one_file_leads_to_its_submission_page(client, organisation):
    user = member(organisation, Role.DEPOSITOR)
    client.force_login(user)

    response = client.post(url("upload", organisation), {"files": [xml_file("issue-7.xml")]}, follow=True)

    submission = Submission.objects.get()
    assert response.redirect_chain[-1][0] == url("detail", organisation, submission)
    assert submission.channel == Channel.UPLOAD
    assert submission.user == user
    assert "issue-7.xml was received as submission" in response.content.decode()


def test_several_files_become_several_submissions(client, organisation):
    logged_in(client, organisation, Role.DEPOSITOR)
    files = [xml_file("issue-1.xml"), xml_file("issue-2.xml", SMALL + b"<!-- 2 -->"), xml_file("issue-3.xml")]

    response = client.post(
        url("upload", organisation), {"files": files, "operation": "doMDUpload"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("list", organisation)
    assert sorted(Submission.objects.values_list("file_name", flat=True)) == [
        "issue-1.xml",
        "issue-2.xml",
        "issue-3.xml",
    ]
    assert "3 files were received" in response.content.decode()
    second = Submission.objects.get(file_name="issue-2.xml")
    with second.file.open("rb") as handle:
        assert handle.read() == SMALL + b"<!-- 2 -->"


def test_resource_only_operation_from_the_page(client, organisation):
    logged_in(client, organisation, Role.ADMIN)

    client.post(url("upload", organisation), {"files": [xml_file("refs.xml")], "operation": "doDOICitUpload"})

    assert Submission.objects.get().operation == "doDOICitUpload"


def test_a_too_large_file_is_named_and_the_others_are_received(client, organisation, settings):
    settings.DEPOSIT_MAX_BYTES = 500
    logged_in(client, organisation, Role.DEPOSITOR)
    files = [xml_file("small.xml"), xml_file("huge-issue.xml", SMALL + b" " * 2000)]

    response = client.post(url("upload", organisation), {"files": files})

    assert response.status_code == 200
    page = response.content.decode()
    assert "huge-issue.xml is larger than 500 bytes" in page
    assert "Received: small.xml" in page
    assert list(Submission.objects.values_list("file_name", flat=True)) == ["small.xml"]


def test_only_too_large_files_say_so_and_not_choose_a_file(client, organisation, settings):
    settings.DEPOSIT_MAX_BYTES = 500
    logged_in(client, organisation, Role.DEPOSITOR)

    response = client.post(
        url("upload", organisation), {"files": [xml_file("huge.xml", SMALL + b" " * 2000)]}
    )

    page = response.content.decode()
    assert "huge.xml is larger than 500 bytes" in page
    assert "Choose at least one" not in page
    assert not Submission.objects.exists()


def test_no_file_chosen(client, organisation):
    logged_in(client, organisation, Role.DEPOSITOR)

    response = client.post(url("upload", organisation), {"operation": "doMDUpload"})

    assert "Choose at least one deposit XML file" in response.content.decode()


def test_full_queue_is_named_per_file(client, organisation, settings):
    settings.DEPOSIT_MAX_PENDING = 1
    logged_in(client, organisation, Role.DEPOSITOR)

    response = client.post(url("upload", organisation), {"files": [xml_file("one.xml"), xml_file("two.xml")]})

    assert "already has 1 submissions waiting" in response.content.decode()
    assert Submission.objects.count() == 1


def test_suspended_organisation_cannot_upload(client, organisation):
    logged_in(client, organisation, Role.ADMIN)
    accounts_services.organisation_set_status(
        organisation=organisation, status=OrganisationStatus.SUSPENDED, actor=None, reason="Unpaid invoices"
    )

    response = client.post(url("upload", organisation), {"files": [xml_file("a.xml")]})

    assert "Unpaid invoices" in response.content.decode()
    assert not Submission.objects.exists()


# --- the list and the submission page ------------------------------------------------------


def test_list_is_newest_first_with_status_counts_and_batch_id(client, organisation):
    logged_in(client, organisation, Role.VIEWER)
    finished_submission(
        organisation,
        "older.xml",
        records=[("10.5555/a", "Success", "Successfully added"), ("10.5555/b", "Failure", "DOI not valid")],
    )
    queued_submission(organisation, "newer.xml")

    page = client.get(url("list", organisation)).content.decode()

    assert page.index("newer.xml") < page.index("older.xml")
    assert "batch-older.xml" in page
    assert "Completed with warnings" in page and "Queued" in page
    assert re.search(r'<th scope="col">Failure</th>', page)


def test_submission_page_shows_each_doi_with_its_outcome_in_words(client, organisation):
    logged_in(client, organisation, Role.VIEWER)
    submission = finished_submission(
        organisation,
        records=[
            ("10.5555/ok", "Success", "Successfully added"),
            ("10.5555/look", "Warning", "Successfully added. Check the ISSN."),
            ("10.5555/bad", "Failure", "Line 40: '10.5555/bad' is not a valid DOI."),
        ],
    )

    page = client.get(url("detail", organisation, submission)).content.decode()

    assert "Completed with warnings" in page
    for doi, word in (("10.5555/ok", "Success"), ("10.5555/look", "Warning"), ("10.5555/bad", "Failure")):
        row = re.search(rf"<tr class=\"record-{word.lower()}\">(.*?)</tr>", page, re.S).group(1)
        assert doi in row
        assert re.search(rf"</span> {word}</span>", row), row
    assert "is not a valid DOI" in page
    assert "submission-status.js" not in page  # finished: nothing to poll
    for name in ("log_xml", "log_json", "file"):
        assert url(name, organisation, submission) in page


def test_outcome_filter_shows_only_that_outcome(client, organisation):
    logged_in(client, organisation, Role.VIEWER)
    submission = finished_submission(
        organisation,
        records=[("10.5555/ok", "Success", "Successfully added"), ("10.5555/bad", "Failure", "Not valid")],
    )

    page = client.get(url("detail", organisation, submission), {"outcome": "Failure"}).content.decode()

    assert "10.5555/bad" in page and "10.5555/ok" not in page


def test_a_failed_file_shows_its_problem_in_plain_words(client, organisation):
    logged_in(client, organisation, Role.DEPOSITOR)
    submission = finished_submission(
        organisation,
        problems=[problem(ErrorCode.MIXED_PREFIXES, prefixes="10.5555 and 10.6666")],
        status=SubmissionStatus.FAILED,
    )

    page = client.get(url("detail", organisation, submission)).content.decode()

    assert "Failed" in page
    assert "Error: More than one prefix" in page
    assert "All DOIs in one file must share one prefix; this file has 10.5555 and 10.6666" in page
    assert "The file was not processed" in page


def test_queued_page_polls_and_shows_its_place_in_the_queue(client, organisation):
    other = OrganisationFactory()
    queued_submission(other, "someone-elses.xml")
    queued_submission(organisation, "mine-first.xml")
    submission = queued_submission(organisation, "mine.xml")
    logged_in(client, organisation, Role.VIEWER)

    page = client.get(url("detail", organisation, submission)).content.decode()
    status = client.get(url("status", organisation, submission)).json()

    assert "submission-status.js" in page
    assert f'data-status-url="{url("status", organisation, submission)}"' in page
    assert "Waiting in the queue: 2 submissions ahead of it." in page
    assert status["queue_position"] == 2
    assert status["finished"] is False
    assert status["summary"] == "Waiting in the queue: 2 submissions ahead of it."


def test_processing_page_shows_records_done(client, organisation):
    submission = queued_submission(organisation)
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.PROCESSING)
    SubmissionRecord.objects.create(
        submission=submission, position=0, doi="10.5555/a", status="Success", message=""
    )
    logged_in(client, organisation, Role.VIEWER)

    status = client.get(url("status", organisation, submission)).json()

    assert status["records_done"] == 1
    assert status["queue_position"] is None
    assert status["summary"] == "Processing: 1 record done so far."


def test_logs_and_original_file_from_the_page(client, organisation):
    logged_in(client, organisation, Role.VIEWER)
    submission = finished_submission(organisation, records=[("10.5555/ok", "Success", "Successfully added")])

    xml = client.get(url("log_xml", organisation, submission))
    data = client.get(url("log_json", organisation, submission)).json()
    original = client.get(url("file", organisation, submission))

    root = etree.fromstring(xml.content)
    assert root.findtext("batch_data/success_count") == "1"
    assert data["records"][0]["doi"] == "10.5555/ok"
    assert b"".join(original.streaming_content) == SMALL
    assert "attachment" in original["Content-Disposition"]


def test_upload_and_read_the_log_with_real_processing(
    client, organisation, crossref_schemas, shared_dir, django_capture_on_commit_callbacks
):
    needs_parser()
    logged_in(client, organisation, Role.DEPOSITOR)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("upload", organisation), {"files": [xml_file(ARTICLE, sample(shared_dir))]})

    submission = Submission.objects.get()
    assert submission.is_finished
    page = client.get(url("detail", organisation, submission)).content.decode()
    # The journal record is a clean Success; the article is registered with a Warning that
    # its references cite DOIs not registered here.
    for doi, status in zip(ARTICLE_DOIS_AS_WRITTEN, ("success", "warning"), strict=True):
        row = re.search(rf"<tr class=\"record-(\w+)\">(?:(?!</tr>).)*{re.escape(doi)}.*?</tr>", page, re.S)
        assert row is not None, doi
        assert row.group(1) == status, row.group(0)
        assert f"</span> {status.title()}</span>" in row.group(0)


# --- the staff back office ------------------------------------------------------------------


def test_admin_finds_a_submission_by_a_doi_and_shows_its_log(client, organisation):
    client.force_login(staff())
    submission = finished_submission(
        organisation,
        records=[("10.5555/findme", "Failure", "Not valid")],
        problems=[problem(ErrorCode.MIXED_PREFIXES, prefixes="10.5555 and 10.6666")],
    )
    finished_submission(
        organisation, "other.xml", records=[("10.5555/else", "Success", "Successfully added")]
    )

    found = client.get(reverse("admin:deposits_submission_changelist"), {"q": "10.5555/findme"})
    change = client.get(reverse("admin:deposits_submission_change", args=[submission.pk]))

    assert found.status_code == 200
    assert "issue-2.xml" in found.content.decode() and "other.xml" not in found.content.decode()
    page = change.content.decode()
    assert change.status_code == 200
    assert "10.5555/findme" in page
    assert "&quot;code&quot;: &quot;MIXED_PREFIXES&quot;" in page  # the problems, pretty-printed
    assert client.get(reverse("admin:deposits_submission_add")).status_code == 403


def test_admin_process_again_processes_stuck_and_finished_submissions(
    client, organisation, django_capture_on_commit_callbacks, installed_schema_dir
):
    client.force_login(staff())
    stuck = queued_submission(organisation, "stuck.xml")  # queued, never picked up
    done = finished_submission(organisation, records=[("10.5555/a", "Success", "Successfully added")])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:deposits_submission_changelist"),
            {"action": "process_again", "_selected_action": [stuck.pk, done.pk]},
            follow=True,
        )

    assert "Sent to the worker again: 2." in response.content.decode()
    for submission in (stuck, done):
        submission.refresh_from_db()
        # Tasks run in-process here: both went through the pipeline again, start to finish.
        assert submission.attempts == 1 and submission.is_finished
        assert [h["status"] for h in submission.history][-2:] == ["processing", submission.status]
    assert "queued" in [h["status"] for h in done.history[1:]]
