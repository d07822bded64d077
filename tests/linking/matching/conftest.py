"""A small registry with confusable neighbours: same journal, same first author, nearby
years and pages, so a matcher that trusts one field alone links the wrong work."""

from __future__ import annotations

import pytest

from linking.matching.candidates import titles_reset
from linking.records import Container, Contributor, PartialDate, Reference, WorkRecord
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

PHYS = Container(
    kind="journal",
    titles=["Physical Review Letters"],
    short_titles=["Phys. Rev. Lett."],
    issns=[{"value": "0031-9007", "type": "print"}],
)
OCEAN = Container(kind="journal", titles=["Journal of Coastal Research"], issns=[{"value": "0749-0208"}])


def person(family: str, given: str = "A.", sequence: str = "additional") -> Contributor:
    return Contributor(family=family, given=given, sequence=sequence)


def article(
    doi: str, title: str, authors: list[str], year: int, volume: str, page: str, **extra
) -> WorkRecord:
    return WorkRecord(
        doi=doi,
        type="journal-article",
        titles=[title],
        container=extra.pop("container", PHYS),
        contributors=[person(a, sequence="first" if i == 0 else "additional") for i, a in enumerate(authors)],
        issued=PartialDate(year),
        volume=volume,
        issue=extra.pop("issue", "3"),
        first_page=page,
        last_page=extra.pop("last_page", ""),
        **extra,
    )


WORKS = [
    article(
        "10.5555/prl.1",
        "Quantum coherence in driven spin chains",
        ["Okafor", "Lindqvist"],
        2001,
        "86",
        "1234",
        last_page="1237",
    ),
    # Same first author, same journal, a year later: the confuser of prl.1.
    article(
        "10.5555/prl.2",
        "Spin chains out of equilibrium",
        ["Okafor", "Brandt"],
        2002,
        "88",
        "2101",
        last_page="2104",
    ),
    article(
        "10.5555/prl.3",
        "Thermal transport in graphene ribbons",
        ["Haddad"],
        2010,
        "104",
        "056802",
        issue="5",
    ),
    article(
        "10.5555/jcr.1",
        "Sediment budgets of barrier islands",
        ["García Márquez", "Ngata"],
        1998,
        "14",
        "455",
        container=OCEAN,
        last_page="471",
    ),
    WorkRecord(
        doi="10.5555/book.1",
        type="book",
        titles=["Coastal Processes and Management"],
        contributors=[person("Whitfield", "R.", "first")],
        issued=PartialDate(2015),
        isbns=[{"value": "978-0-306-40615-7", "type": "print"}],
        publisher="Harbour Press",
    ),
]


@pytest.fixture
def organisation(db):
    org = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=org)
    return org


@pytest.fixture
def registry(organisation):
    titles_reset()
    records_register(records=WORKS, organisation=organisation, source="import")
    titles_reset()
    return organisation


def citing(doi: str, references: list[Reference]) -> WorkRecord:
    return WorkRecord(
        doi=doi,
        type="journal-article",
        titles=[f"A paper that cites ({doi})"],
        container=OCEAN,
        contributors=[person("Citer", "C.", "first")],
        issued=PartialDate(2020),
        volume="36",
        first_page="1",
        references=references,
    )
