"""A small registry with known words, shared by the search and discovery tests."""

from __future__ import annotations

from linking.records import (
    Affiliation,
    Container,
    Contributor,
    Funding,
    License,
    PartialDate,
    Reference,
    Update,
    WorkRecord,
)
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_NC = "https://creativecommons.org/licenses/by-nc/4.0/"


def person(given: str, family: str, **kwargs) -> Contributor:
    return Contributor(given=given, family=family, **kwargs)


def journal(name: str, issn: str) -> Container:
    return Container(
        kind="journal", titles=[name], issns=[{"value": issn, "type": "print"}], publisher="Tide Press"
    )


COASTAL = ("Coastal Letters", "1234-5679")
GLACIER = ("Journal of Glacier Studies", "2049-3630")


def records(prefix: str) -> list[WorkRecord]:
    return [
        WorkRecord(
            doi=f"{prefix}/tidal.1",
            type="journal-article",
            titles=["Tidal mixing in small estuaries"],
            container=journal(*COASTAL),
            contributors=[
                person("Mere", "Parata", sequence="first", orcid="https://orcid.org/0000-0002-1825-0097"),
                person("Jon", "Økland", affiliations=[Affiliation(name="University of Otago")]),
            ],
            issued=PartialDate(2024, 3),
            volume="12",
            issue="2",
            first_page="101",
            last_page="117",
            abstract="<jats:p>Salt wedges move with the tide.</jats:p>",
            licenses=[License(url=CC_BY)],
            funding=[Funding(name="Marsden Fund", funder_id="10.13039/501100009193", id_type="DOI")],
            references=[Reference(key="r1", unstructured="Smith J. Rivers. 2001.")],
        ),
        WorkRecord(
            doi=f"{prefix}/tidal.2",
            type="journal-article",
            titles=["Sediment transport under tidal forcing"],
            container=journal(*COASTAL),
            contributors=[person("Ana", "García")],
            issued=PartialDate(2023, 11, 2),
            volume="11",
            first_page="5",
            licenses=[License(url=CC_BY_NC)],
            funding=[
                Funding(name="National Science Foundation", funder_id="10.13039/100000001", id_type="DOI")
            ],
        ),
        WorkRecord(
            doi=f"{prefix}/glacier.1",
            type="journal-article",
            titles=["Glacier retreat and meltwater pulses"],
            container=journal(*GLACIER),
            contributors=[person("Hiroshi", "Tanaka", orcid="https://orcid.org/0000-0001-5109-3700")],
            issued=PartialDate(2024),
            volume="3",
            first_page="77",
            licenses=[License(url=CC_BY)],
            references=[Reference(key="g1", doi=f"{prefix}/tidal.1")],
            funding=[Funding(name="Marsden Fund", funder_id="10.13039/501100009193", id_type="DOI")],
        ),
        WorkRecord(
            doi=f"{prefix}/notice.1",
            type="journal-article",
            subtype="",
            titles=["Retraction: Glacier retreat and meltwater pulses"],
            container=journal(*GLACIER),
            issued=PartialDate(2024, 9),
            updates=[Update(doi=f"{prefix}/glacier.1", type="retraction", date=PartialDate(2024, 9, 1))],
        ),
        WorkRecord(
            doi=f"{prefix}/book.1",
            type="book-chapter",
            titles=["Estuaries of the southern ocean"],
            subtitles=["A field guide"],
            container=Container(kind="book", titles=["Southern Waters"], isbns=[{"value": "9780306406157"}]),
            contributors=[person("Sofia", "Rossi"), person("Kiri", "Parata", role="editor")],
            issued=PartialDate(2019),
            first_page="33",
        ),
    ]


def registry():
    """Two members: 10.5555 (the five works above) and 10.6666 (one dataset)."""
    first = OrganisationFactory(name="Tide Press", member_id=5555)
    PrefixFactory(value="10.5555", organisation=first)
    second = OrganisationFactory(name="Ice Data Centre", member_id=6666)
    PrefixFactory(value="10.6666", organisation=second)
    records_register(records=records("10.5555"), organisation=first)
    records_register(
        records=[
            WorkRecord(
                doi="10.6666/ice.core.7",
                type="dataset",
                titles=["Ice core chemistry, Law Dome"],
                contributors=[person("Lena", "Johansson")],
                issued=PartialDate(2021, 6),
                funding=[Funding(name="National Science Foundation", funder_id="10.13039/100000001")],
            )
        ],
        organisation=second,
    )
    return first, second
