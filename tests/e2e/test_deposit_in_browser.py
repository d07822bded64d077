"""A depositor uploads a real Crossref file in a real browser, watches the submission page
wait in the queue, and sees it finish by itself (the page polls its status) with each DOI
listed as Success; then a file that is not XML, shown as a failed file with its reason."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from deposits import services, tasks
from deposits.models import Submission, SubmissionStatus
from linking.models import Work
from tests.deposits.support import ARTICLE, ARTICLE_DOIS, needs_parser
from tests.e2e.conftest import snap
from tests.factories import PASSWORD, OrganisationFactory, PrefixFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_depositor_uploads_and_watches_the_submission_finish(
    page, settings, tmp_path, monkeypatch, shared_dir
):
    needs_parser()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CROSSREF_SCHEMA_DIR = str(shared_dir / "schema")
    samples = shared_dir / "samples" / "deposits"
    organisation = OrganisationFactory(name="Lakeside University Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    person = member(organisation, Role.DEPOSITOR, email="dara@lakeside.example")
    # Hold new submissions in the queue (as a busy worker would) so the page has to wait.
    held: list[int] = []
    monkeypatch.setattr(tasks, "queue_submission", held.append)

    page.goto("/auth/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Lakeside University Press").wait_for()
    page.get_by_role("link", name="Deposits", exact=True).click()
    page.get_by_role("heading", name="Deposits").wait_for()
    snap(page, "01-deposits-empty")

    page.get_by_role("link", name="Upload deposit files").click()
    page.get_by_label("Deposit files").set_input_files(str(samples / ARTICLE))
    snap(page, "02-upload-form")
    page.get_by_role("button", name="Upload").click()

    page.get_by_role("heading", name=re.compile(rf"Submission \d+: {re.escape(ARTICLE)}")).wait_for()
    page.get_by_text("Waiting in the queue: It is next in the queue.").wait_for()
    snap(page, "03-queued")
    submission = Submission.objects.get()
    assert held == [submission.pk]

    # The worker takes it; the open page notices by itself and shows the result.
    services.submission_process(submission_id=submission.pk)
    page.get_by_text("Status: ✓ Completed").or_(
        page.get_by_text("Status: ! Completed with warnings")
    ).wait_for(timeout=30_000)
    snap(page, "04-finished")
    submission.refresh_from_db()
    assert submission.status in (SubmissionStatus.COMPLETED, SubmissionStatus.COMPLETED_WITH_WARNINGS)
    for doi in ARTICLE_DOIS:
        outcome = page.get_by_role("row").filter(has_text=doi).locator(".badge")
        # Registered; a Warning when its references cite DOIs not registered here.
        assert outcome.inner_text().strip() in ("✓ Success", "! Warning"), doi
        assert Work.objects.filter(doi=doi.lower()).exists(), doi
    assert page.locator("#submission-progress").count() == 0

    # A file that is not XML, processed in-process this time: a failed file with its reason.
    monkeypatch.undo()
    page.get_by_role("link", name="All deposits").click()
    page.get_by_role("link", name="Upload deposit files").click()
    page.get_by_label("Deposit files").set_input_files(str(samples / "doaj__not_xml.xml"))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Status: ✗ Failed").wait_for()
    assert page.get_by_text("Error: Not XML").is_visible()
    snap(page, "05-failed-file")

    page.get_by_role("link", name="All deposits").click()
    rows = page.get_by_role("row")
    assert rows.nth(1).get_by_text("doaj__not_xml.xml").is_visible()  # newest first
    snap(page, "06-deposits-list")
