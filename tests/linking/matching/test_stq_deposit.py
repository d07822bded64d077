"""Depositing a Simple Text Query's references against an owned DOI (deposits/stq.py):
the references-only deposit is schema-valid, goes through the deposit pipeline, and its
references are matched in the background."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from lxml import etree

from deposits.models import Submission
from deposits.stq import references_deposit_xml, stq_deposit
from linking.models import WorkReference
from linking.services import records_register
from tests.factories import OrganisationFactory, member
from tests.linking.matching.conftest import citing

pytestmark = pytest.mark.django_db

PASTED = (
    "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven spin chains. "
    "Physical Review Letters, 86(3), 1234–1237.\n\n"
    "[3] A. Haddad, Phys. Rev. Lett. 104, 056802 (2010).\n\n"
    "Somebody S. An unregistered paper. J Unknown 1990;1:1-2."
)


def _post(user, data):
    request = RequestFactory().post("/simple-text-query/deposit/", data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return stq_deposit(request)


@pytest.mark.shared
def test_deposit_xml_is_valid_doi_resources(registry, shared_dir):
    schema = etree.XMLSchema(etree.parse(str(shared_dir / "schema/crossref-4.4.2/doi_resources4.4.2.xsd")))
    xml = references_deposit_xml(
        parent_doi="10.5555/citing.1", references=PASTED.split("\n\n"), email="a@example.org", name="P"
    )
    schema.assertValid(etree.fromstring(xml))
    assert b"<doi>10.5555/prl.1</doi>" in xml


@pytest.mark.shared
def test_member_deposits_references_and_they_are_matched(
    registry, django_capture_on_commit_callbacks, settings, shared_dir
):
    settings.CROSSREF_SCHEMA_DIR = str(shared_dir / "schema")
    records_register(records=[citing("10.5555/citing.1", [])], organisation=registry)
    user = member(registry, "depositor")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(user, {"parent_doi": "https://doi.org/10.5555/CITING.1", "references": PASTED})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.organisation == registry and submission.status.startswith("completed")
    refs = {r.key: r for r in WorkReference.objects.filter(work__doi="10.5555/citing.1")}
    assert {k: r.matched_doi for k, r in refs.items()} == {
        "ref1": "10.5555/prl.1",
        "ref2": "10.5555/prl.3",
        "ref3": "",
    }
    assert refs["ref3"].match_status == "unmatched"


def test_another_members_doi_is_refused(registry):
    records_register(records=[citing("10.5555/citing.1", [])], organisation=registry)
    stranger = OrganisationFactory()
    user = member(stranger, "admin")
    response = _post(user, {"parent_doi": "10.5555/citing.1", "references": PASTED})
    assert response.status_code == 403 and b"not under a prefix you may deposit for" in response.content
    assert not Submission.objects.exists()


@pytest.mark.shared
def test_a_finished_jobs_matches_are_deposited_as_they_are(
    registry, django_capture_on_commit_callbacks, settings, shared_dir
):
    """The deposit of a job's list takes the job's DOIs instead of matching again in the
    request (a thousand references would take most of a minute)."""
    from linking.models import SimpleTextQueryJob, StqJobStatus

    settings.CROSSREF_SCHEMA_DIR = str(shared_dir / "schema")
    records_register(records=[citing("10.5555/citing.1", [])], organisation=registry)
    references = PASTED.split("\n\n")
    # The job (made by an earlier matcher, say) linked the third reference, which the
    # matcher of today leaves unmatched: the deposit must carry the job's answer.
    dois = ["10.5555/prl.1", "10.5555/prl.3", "10.5555/prl.2"]
    job = SimpleTextQueryJob.objects.create(
        text=PASTED,
        references=references,
        status=StqJobStatus.DONE,
        progress=3,
        results=[{"reference": r, "doi": d} for r, d in zip(references, dois, strict=True)],
    )
    user = member(registry, "depositor")
    data = {"parent_doi": "10.5555/citing.1", "references": PASTED, "job": str(job.public_id)}
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(user, data).status_code == 302
    refs = {r.key: r.matched_doi for r in WorkReference.objects.filter(work__doi="10.5555/citing.1")}
    assert refs == {"ref1": "10.5555/prl.1", "ref2": "10.5555/prl.3", "ref3": "10.5555/prl.2"}
    # A job id for another list is ignored: the references are matched as usual.
    other = {
        **data,
        "parent_doi": "10.5555/citing.1",
        "references": PASTED + "\n\nExtra X. A fourth one. 2001.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(user, other).status_code == 302
    refs = {r.key: r.matched_doi for r in WorkReference.objects.filter(work__doi="10.5555/citing.1")}
    assert refs["ref3"] == "" and refs["ref1"] == "10.5555/prl.1"
