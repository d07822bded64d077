"""Funders deposited by name only are matched to the funder registry: the registered
record carries the registry id, and the log says what was matched, or that nothing was."""

from __future__ import annotations

import pytest

from deposits.errors import ErrorCode
from deposits.models import RecordStatus
from deposits.services import IncomingFile, submission_create
from linking.models import Funder, Work, WorkFunder
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("installed_schema_dir")]

FUNDREF = (
    '<fr:program xmlns:fr="http://www.crossref.org/fundref.xsd" name="fundref">'
    '<fr:assertion name="funder_name">{name}</fr:assertion>'
    '<fr:assertion name="award_number">AB-123</fr:assertion></fr:program>'
)


def deposit_with_funder(name: str, capture):
    organisation = OrganisationFactory(name="Coastal Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    xml = journal_deposit(Article("10.5555/funded.1")).decode()
    xml = xml.replace("<doi_data>", FUNDREF.format(name=name) + "<doi_data>", 1)
    with capture(execute=True):  # processing is queued on commit
        submission = submission_create(
            organisation=organisation,
            upload=IncomingFile(name="f.xml", content=xml.encode()),
            channel="command",
        )
    submission.refresh_from_db()
    return submission.records.get()


def test_a_funder_named_as_in_the_registry_is_registered_with_its_id(django_capture_on_commit_callbacks):
    Funder.objects.create(funder_id="100000001", name="National Science Foundation", alt_names=["NSF"])
    line = deposit_with_funder("the national science foundation", django_capture_on_commit_callbacks)
    assert line.status == RecordStatus.WARNING
    assert [p["code"] for p in line.details["problems"]] == [ErrorCode.FUNDER_NAME_MATCHED]
    assert "10.13039/100000001" in line.details["problems"][0]["message"]
    stored = WorkFunder.objects.get(work=Work.objects.get(doi="10.5555/funded.1"))
    assert (stored.funder_id, stored.awards) == ("10.13039/100000001", ["AB-123"])


def test_a_funder_missing_from_the_registry_is_reported_and_kept_by_name(django_capture_on_commit_callbacks):
    line = deposit_with_funder("Fondation Imaginaire", django_capture_on_commit_callbacks)
    assert [p["code"] for p in line.details["problems"]] == [ErrorCode.FUNDER_NAME_UNKNOWN]
    assert "Fondation Imaginaire" in line.details["problems"][0]["message"]
    stored = WorkFunder.objects.get(work__doi="10.5555/funded.1")
    assert (stored.funder_id, stored.name) == ("", "Fondation Imaginaire")
