"""The live part of a submission page (htmx): while queued it polls itself and says its
place in the queue; while processing, how many records are done; once finished it tells
htmx to reload the page, whose live part no longer polls and shows each record in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from deposits import services
from deposits.models import Channel, SubmissionRecord, SubmissionStatus
from tests.deposits.support import _private_media  # noqa: F401 - autouse fixture
from tests.factories import OrganisationFactory, PrefixFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Harbour Light Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def queued(organisation, name="issue.xml"):
    return services.submission_create(
        organisation=organisation,
        upload=services.IncomingFile(name=name, content=b"<doi_batch/>"),
        channel=Channel.FORM,
    )


def live_url(organisation, submission) -> str:
    return reverse(
        "deposits:live", kwargs={"member_id": organisation.member_id, "submission_id": submission.pk}
    )


def test_queued_then_processing_then_finished(client, organisation):
    client.force_login(member(organisation, Role.VIEWER))
    queued(OrganisationFactory())
    submission = queued(organisation)
    headers = {"HX-Request": "true"}

    page = client.get(live_url(organisation, submission), headers=headers)
    body = page.content.decode()
    assert 'hx-trigger="every 2s"' in body and live_url(organisation, submission) in body
    assert "Waiting in the queue: 1 submission ahead of it." in body
    assert "HX-Refresh" not in page.headers

    submission.status = SubmissionStatus.PROCESSING
    submission.save()
    SubmissionRecord.objects.create(
        submission=submission, position=0, doi="10.5555/a", status="Success", message="ok"
    )
    body = client.get(live_url(organisation, submission), headers=headers).content.decode()
    assert "Processing: 1 record done so far." in body and 'hx-trigger="every 2s"' in body

    submission.status = SubmissionStatus.COMPLETED
    submission.success_count = submission.record_count = 1
    submission.save()
    finished = client.get(live_url(organisation, submission), headers=headers)
    assert finished.headers["HX-Refresh"] == "true"
    page = client.get(
        reverse(
            "deposits:detail", kwargs={"member_id": organisation.member_id, "submission_id": submission.pk}
        )
    ).content.decode()
    assert "hx-trigger" not in page and "htmx.min.js" not in page
    assert "Registered: the DOI resolves" in page


def test_another_members_live_status_is_not_found(client, organisation):
    client.force_login(member(organisation, Role.VIEWER))
    theirs = queued(OrganisationFactory())
    other_url = reverse(
        "deposits:live", kwargs={"member_id": organisation.member_id, "submission_id": theirs.pk}
    )
    assert client.get(other_url).status_code == 404
