"""A reference citing a DOI that is not registered is logged as a Warning on its record
(the record itself is registered); references to registered DOIs, including ones of the
same file, are not."""

from __future__ import annotations

import pytest

from deposits.errors import ErrorCode
from deposits.models import RecordStatus
from deposits.services import IncomingFile, submission_create
from linking.models import Work
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

pytest.importorskip("deposits.xml.parse")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("installed_schema_dir")]


def with_references(content: bytes, *dois: str) -> bytes:
    citations = "".join(
        f'<citation key="ref{i}"><doi>{doi}</doi></citation>' for i, doi in enumerate(dois, 1)
    )
    head, tail = content.rsplit(b"</journal_article>", 1)
    return head + f"<citation_list>{citations}</citation_list></journal_article>".encode() + tail


def test_unknown_reference_dois_warn_and_known_ones_do_not():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    content = with_references(
        journal_deposit(Article("10.5555/cited.1"), Article("10.5555/citing.1", first_page="2")),
        "10.5555/CITED.1",  # registered by this same file
        "10.9999/nowhere.1",
    )
    submission = submission_create(
        organisation=organisation, upload=IncomingFile(name="refs.xml", content=content), channel="command"
    )
    first, second = submission.records.all()
    assert (first.status, first.code) == (RecordStatus.SUCCESS, "")
    assert (second.status, second.code) == (RecordStatus.WARNING, ErrorCode.REFERENCE_DOI_UNKNOWN)
    assert "ref2" in second.message and "10.9999/nowhere.1" in second.message
    assert "10.5555/CITED.1" not in second.message
    assert Work.objects.filter(doi="10.5555/citing.1").exists()
