"""`python manage.py deposit FILE... --member ID`: each file becomes a submission (channel
"command"); the outcome is printed when known, and the exit code says whether any file
failed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import services as accounts_services
from accounts.models import OrganisationStatus
from deposits.models import Channel, Operation, Submission, SubmissionStatus
from linking.models import Work
from tests.deposits.faults import database_refuses_doi
from tests.deposits.support import (
    ARTICLE,
    ARTICLE_DOIS,
    _private_media,  # noqa: F401 - autouse fixture
    depositor,
    needs_parser,
    sample,
)
from tests.deposits.xmlfactory import Article, journal_deposit

SMALL = b'<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1"/>\n'


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("deposit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("deposit", *args, stdout=out, stderr=err)
    return raised.value, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_files_become_submissions_of_the_member(tmp_path):
    press = depositor()
    first, second = tmp_path / "issue-1.xml", tmp_path / "issue-2.xml"
    first.write_bytes(SMALL)
    second.write_bytes(SMALL + b"<!-- 2 -->")

    out, _err = run(str(first), str(second), "--member", str(press.organisation.member_id))

    submissions = Submission.objects.order_by("pk")
    assert [s.file_name for s in submissions] == ["issue-1.xml", "issue-2.xml"]
    assert {s.channel for s in submissions} == {Channel.COMMAND}
    assert {s.organisation for s in submissions} == {press.organisation}
    with submissions[1].file.open("rb") as handle:
        assert handle.read() == SMALL + b"<!-- 2 -->"
    assert f"issue-1.xml: received as submission {submissions[0].pk}." in out


@pytest.mark.django_db
def test_operation_option(tmp_path):
    press = depositor()
    path = tmp_path / "refs.xml"
    path.write_bytes(SMALL)

    run(str(path), "--member", str(press.organisation.member_id), "--operation", "doDOICitUpload")

    assert Submission.objects.get().operation == Operation.RESOURCES


@pytest.mark.django_db
def test_unknown_member_and_inactive_member_are_refused(tmp_path):
    path = tmp_path / "a.xml"
    path.write_bytes(SMALL)
    with pytest.raises(CommandError, match="No organisation has member id 424242"):
        run(str(path), "--member", "424242")

    press = depositor()
    accounts_services.organisation_set_status(
        organisation=press.organisation, status=OrganisationStatus.SUSPENDED, actor=None, reason="Unpaid"
    )
    with pytest.raises(CommandError, match="suspended"):
        run(str(path), "--member", str(press.organisation.member_id))
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_unreadable_and_too_large_files_fail_with_exit_code_1(tmp_path, settings):
    settings.DEPOSIT_MAX_BYTES = 500
    press = depositor()
    good, big = tmp_path / "good.xml", tmp_path / "big.xml"
    good.write_bytes(SMALL)
    big.write_bytes(SMALL + b" " * 1000)

    error, out, err = run_failing(
        str(good), str(big), str(tmp_path / "missing.xml"), "--member", str(press.organisation.member_id)
    )

    assert error.returncode == 1
    assert "2 of 3 files failed" in str(error)
    assert "big.xml: refused." in err
    assert "missing.xml: cannot be read" in err
    assert "good.xml: received" in out
    assert list(Submission.objects.values_list("file_name", flat=True)) == ["good.xml"]


@pytest.mark.django_db(transaction=True)
def test_in_process_run_prints_the_outcome(tmp_path, crossref_schemas, shared_dir):
    needs_parser()
    press = depositor(prefix="10.5555")
    path = tmp_path / ARTICLE
    path.write_bytes(sample(shared_dir))

    out, _err = run(str(path), "--member", str(press.organisation.member_id), "--wait")

    submission = Submission.objects.get()
    assert submission.status in (SubmissionStatus.COMPLETED, SubmissionStatus.COMPLETED_WITH_WARNINGS)
    assert f"{ARTICLE}: submission {submission.pk} completed" in out
    assert f"{len(ARTICLE_DOIS)} records, {submission.success_count} success" in out
    assert "0 failure" in out


@pytest.mark.django_db(transaction=True)
def test_a_failed_file_is_explained_and_exits_1(tmp_path, crossref_schemas, shared_dir):
    needs_parser()
    press = depositor(prefix="10.5555")
    good, bad = tmp_path / ARTICLE, tmp_path / "not-xml.xml"
    good.write_bytes(sample(shared_dir))
    bad.write_bytes(sample(shared_dir, "doaj__not_xml.xml"))

    error, out, _err = run_failing(str(good), str(bad), "--member", str(press.organisation.member_id))

    assert error.returncode == 1
    assert "1 of 2 files failed" in str(error)
    failed = Submission.objects.get(file_name="not-xml.xml")
    assert failed.status == SubmissionStatus.FAILED
    assert f"not-xml.xml: submission {failed.pk} failed" in out
    assert "Error (NOT_XML)" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
def test_a_crash_while_processing_is_reported_as_a_failed_file(tmp_path):
    press = depositor()
    path = tmp_path / "issue-1.xml"
    path.write_bytes(journal_deposit(Article("10.5555/crash.1")))

    with database_refuses_doi("10.5555/crash.1"):  # a real fault, inside the database
        error, out, _err = run_failing(str(path), "--member", str(press.organisation.member_id))

    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.FAILED
    assert error.returncode == 1
    assert f"issue-1.xml: submission {submission.pk} failed" in out
    assert "Error (INTERNAL_ERROR): Processing this submission stopped unexpectedly (" in out
    assert not Work.objects.exists()  # nothing half-written
