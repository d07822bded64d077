"""records_register and resources_register: the one road into the registry."""

from __future__ import annotations

import pytest

from linking.models import ResourceUrl, Title, Work, WorkFunder, WorkReference, WorkRelation
from linking.records import (
    Container,
    Contributor,
    Funding,
    PartialDate,
    Reference,
    Relation,
    Update,
    WorkRecord,
    work_record_from_json,
)
from linking.records import (
    ResourceUrl as Url,
)
from linking.services import ResourceRecord, records_register, resources_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db


def article(doi: str, **changes) -> WorkRecord:
    record = WorkRecord(
        doi=doi,
        type="journal-article",
        titles=["Tidal mixing in small estuaries"],
        container=Container(
            kind="journal", titles=["Coastal Letters"], issns=[{"value": "1234-5679", "type": "print"}]
        ),
        contributors=[
            Contributor(
                sequence="first", given="Mere", family="Parata", orcid="https://orcid.org/0000-0002-1825-0097"
            )
        ],
        issued=PartialDate(2024, 3),
        volume="12",
        issue="2",
        first_page="101",
        resource_urls=[Url(url="https://coastal.example/articles/1")],
        references=[
            Reference(key="r1", doi="10.5555/Cited.1"),
            Reference(key="r2", unstructured="Smith J. 2001."),
        ],
        relations=[Relation(type="isPreprintOf", id="10.5555/PRE.1")],
        updates=[Update(doi="10.5555/old.1", type="correction", date=PartialDate(2024, 3, 2))],
        funding=[Funding(name="Marsden Fund", funder_id="10.13039/501100009193", awards=["M-1"])],
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def test_new_records_are_stored_with_their_parts(organisation):
    result = records_register(
        records=[article("10.5555/ABC.1")],
        organisation=organisation,
        deposit_timestamp=20240301,
        submission_id=7,
    )
    assert [(r.doi, r.created) for r in result] == [("10.5555/abc.1", True)]
    work = Work.objects.get()
    assert work.doi == "10.5555/abc.1"
    assert work.prefix.value == "10.5555" and work.organisation == organisation
    assert (work.type, work.volume, work.issued, work.url) == (
        "journal-article",
        "12",
        "2024-03-00",
        "https://coastal.example/articles/1",
    )
    assert work.deposit_timestamp == 20240301 and work.last_submission_id == 7
    assert work.container.title == "Coastal Letters"
    assert list(work.references.values_list("key", "doi")) == [("r1", "10.5555/cited.1"), ("r2", "")]
    assert set(WorkRelation.objects.values_list("kind", "type", "target")) == {
        ("relation", "isPreprintOf", "10.5555/pre.1"),
        ("update", "correction", "10.5555/old.1"),
    }
    assert WorkFunder.objects.get().funder_id == "10.13039/501100009193"
    assert work_record_from_json(work.data) == article("10.5555/abc.1")


def test_redeposit_replaces_the_whole_record(organisation):
    records_register(records=[article("10.5555/abc.1")], organisation=organisation, deposit_timestamp=1)
    result = records_register(
        records=[article("10.5555/abc.1", references=[], funding=[], titles=["Corrected title"])],
        organisation=organisation,
        deposit_timestamp=2,
    )
    assert result[0].created is False
    work = Work.objects.get()
    assert work.title == "Corrected title" and work.deposit_timestamp == 2
    assert not WorkReference.objects.exists() and not WorkFunder.objects.exists()
    assert Title.objects.count() == 1  # the same journal, found by its ISSN


def test_resource_deposit_replaces_only_its_parts(organisation):
    records_register(records=[article("10.5555/abc.1")], organisation=organisation)
    extra = WorkRecord(
        doi="10.5555/abc.1",
        type="",
        resource_urls=[
            Url(url="https://coastal.example/articles/1"),
            Url(url="https://mirror.example/1", kind="secondary", label="Mirror"),
        ],
    )
    resources_register(
        resources=[ResourceRecord(doi="10.5555/ABC.1", parts=extra, replace={"resource_urls"})]
    )
    work = Work.objects.get()
    assert list(ResourceUrl.objects.values_list("kind", "label")) == [
        ("primary", ""),
        ("secondary", "Mirror"),
    ]
    assert work.references.count() == 2  # untouched
    assert work_record_from_json(work.data).title == "Tidal mixing in small estuaries"


def test_resource_record_refuses_unknown_parts():
    with pytest.raises(ValueError, match="titles"):
        ResourceRecord(doi="10.5555/x", parts=WorkRecord(doi="10.5555/x", type=""), replace={"titles"})


def test_secondary_urls_from_a_resource_deposit_keep_the_primary(organisation):
    records_register(records=[article("10.5555/mr.1")], organisation=organisation)
    first = WorkRecord(
        doi="10.5555/mr.1", type="", resource_urls=[Url(url="https://a.example", kind="secondary", label="A")]
    )
    resources_register(resources=[ResourceRecord(doi="10.5555/mr.1", parts=first)])
    second = WorkRecord(
        doi="10.5555/mr.1", type="", resource_urls=[Url(url="https://b.example", kind="secondary", label="B")]
    )
    resources_register(resources=[ResourceRecord(doi="10.5555/mr.1", parts=second)])
    work = Work.objects.get()
    assert list(work.resource_urls.values_list("kind", "url")) == [
        ("primary", "https://coastal.example/articles/1"),
        ("secondary", "https://b.example"),
    ]
    assert work.url == "https://coastal.example/articles/1"
