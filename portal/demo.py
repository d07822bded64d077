"""A small generated registry for the demo portal: a journal with issues of articles that
cite each other, a dataset, a preprint, a book with chapters, funders, licences, a
retraction and a correction (Crossmark), and a DOI with several URLs.

Deterministic: the same seed gives the same records, so running it again re-registers the
same DOIs (updates) and adds nothing twice."""

from __future__ import annotations

import random
from collections.abc import Iterator

from deposits.rules import issn_check_digit, orcid_check_digit
from linking.records import (
    Affiliation,
    Container,
    Contributor,
    Funding,
    License,
    PartialDate,
    Reference,
    ResourceUrl,
    Update,
    WorkRecord,
)

GIVEN = ["Ada", "Bruno", "Chen", "Dalia", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kaja", "Luis"]
FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Novak", "Haddad", "Kowalski", "Mensah"]
TOPICS = [
    "soil microbiomes",
    "coastal erosion",
    "protein folding",
    "urban heat islands",
    "reading comprehension",
    "glacier retreat",
    "antibiotic resistance",
    "small-scale fisheries",
    "solar cell stability",
    "language acquisition",
]
FRAMES = [
    "A longitudinal study of {}",
    "Measuring {} with open data",
    "{}: a systematic review",
    "Rethinking {} in the Global South",
    "New methods for modelling {}",
]
FUNDERS = [
    ("100000001", "National Science Foundation"),
    ("501100000780", "European Commission"),
    ("501100001711", "Swiss National Science Foundation"),
]
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
AFFILIATIONS = [
    ("University of Demonstration", "https://ror.org/00demo001"),
    ("Institute for Example Research", "https://ror.org/00demo002"),
]


def _issn(seed: str) -> str:
    digits = seed[:7]
    return f"{digits[:4]}-{digits[4:]}{issn_check_digit(digits)}"


def _orcid(rng: random.Random) -> str:
    base = "".join(str(rng.randint(0, 9)) for _ in range(15))
    digits = base + orcid_check_digit(base)
    return "https://orcid.org/" + "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _authors(rng: random.Random, count: int) -> list[Contributor]:
    authors = []
    for position in range(count):
        name, ror = rng.choice(AFFILIATIONS)
        authors.append(
            Contributor(
                sequence="first" if position == 0 else "additional",
                given=rng.choice(GIVEN),
                family=rng.choice(FAMILY),
                orcid=_orcid(rng) if rng.random() < 0.6 else "",
                affiliations=[Affiliation(name=name, ids=[{"id": ror, "id-type": "ROR"}])],
            )
        )
    return authors


def demo_records(prefix: str, *, site: str, seed: int = 2026) -> Iterator[WorkRecord]:
    """The demo registry of one member, in an order where cited works come first."""
    rng = random.Random(seed)
    journal = Container(
        kind="journal",
        titles=["Journal of Demonstration Studies"],
        short_titles=["J. Demo. Stud."],
        issns=[{"value": _issn("2049363"), "type": "electronic"}],
        publisher="Demo Publisher",
    )
    articles: list[WorkRecord] = []
    for volume, year in enumerate(range(2020, 2027), start=1):
        for number in range(1, 9):
            topic = rng.choice(TOPICS)
            title = rng.choice(FRAMES).format(topic)
            title = title[0].upper() + title[1:]
            doi = f"{prefix}/jds.{year}.{number:03d}"
            first_page = number * 12 + 1
            cited = rng.sample(articles, k=min(len(articles), rng.randint(0, 4)))
            references = [
                Reference(key=f"ref{i + 1}", doi=target.doi, doi_asserted_by="publisher")
                for i, target in enumerate(cited)
            ]
            references.append(
                Reference(
                    key=f"ref{len(references) + 1}",
                    unstructured=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)[0]}. Notes on {topic}. "
                    f"Annals of Examples. {year - 3};{rng.randint(1, 40)}:{rng.randint(1, 300)}.",
                )
            )
            funder_id, funder_name = rng.choice(FUNDERS)
            record = WorkRecord(
                doi=doi,
                type="journal-article",
                titles=[title],
                container=journal,
                contributors=_authors(rng, rng.randint(1, 4)),
                issued=PartialDate(year, number, rng.randint(1, 28)),
                published_online=PartialDate(year, number, rng.randint(1, 28)),
                volume=str(volume),
                issue=str((number - 1) // 4 + 1),
                first_page=str(first_page),
                last_page=str(first_page + rng.randint(5, 11)),
                abstract=f"<jats:p>We study {topic} with data from {year - 4} to {year - 1}.</jats:p>",
                language="en",
                publisher="Demo Publisher",
                resource_urls=[ResourceUrl(url=f"{site}/demo/articles/{year}/{number}")],
                licenses=[License(url=LICENCE, start=PartialDate(year, number, 1), content_version="vor")],
                funding=[
                    Funding(
                        name=funder_name,
                        funder_id=f"10.13039/{funder_id}",
                        id_type="DOI",
                        awards=[f"{rng.choice('ABCDEFG')}{rng.randint(10000, 99999)}"],
                    )
                ],
                references=references,
            )
            articles.append(record)
            yield record

    retracted, corrected = articles[5], articles[11]
    yield WorkRecord(
        doi=f"{prefix}/jds.2025.retraction.001",
        type="journal-article",
        titles=[f"Retraction: {retracted.title}"],
        container=journal,
        issued=PartialDate(2025, 3),
        volume="6",
        publisher="Demo Publisher",
        resource_urls=[ResourceUrl(url=f"{site}/demo/notices/retraction-1")],
        updates=[Update(doi=retracted.doi, type="retraction", date=PartialDate(2025, 3, 2))],
    )
    yield WorkRecord(
        doi=f"{prefix}/jds.2024.correction.001",
        type="journal-article",
        titles=[f"Correction to: {corrected.title}"],
        container=journal,
        issued=PartialDate(2024, 6),
        volume="5",
        publisher="Demo Publisher",
        resource_urls=[ResourceUrl(url=f"{site}/demo/notices/correction-1")],
        updates=[Update(doi=corrected.doi, type="correction", date=PartialDate(2024, 6, 10))],
    )
    yield WorkRecord(
        doi=f"{prefix}/data.soil.2023",
        type="dataset",
        titles=["Soil microbiome samples from ten coastal sites, 2019-2023"],
        contributors=_authors(rng, 2),
        issued=PartialDate(2023),
        publisher="Demo Publisher",
        resource_urls=[
            ResourceUrl(url=f"{site}/demo/data/soil"),
            ResourceUrl(url=f"{site}/mirror/data/soil", kind="secondary", label="mirror"),
        ],
        licenses=[License(url="https://creativecommons.org/publicdomain/zero/1.0/")],
    )
    yield WorkRecord(
        doi=f"{prefix}/preprint.2026.001",
        type="posted-content",
        subtype="preprint",
        titles=["Early results on glacier retreat in the Andes"],
        contributors=_authors(rng, 3),
        posted=PartialDate(2026, 2, 14),
        issued=PartialDate(2026, 2, 14),
        publisher="Demo Publisher",
        resource_urls=[ResourceUrl(url=f"{site}/demo/preprints/1")],
    )
    book = Container(
        kind="book",
        titles=["A Handbook of Example Methods"],
        isbns=[{"value": "9780306406157", "type": "print"}],
        publisher="Demo Publisher",
    )
    yield WorkRecord(
        doi=f"{prefix}/handbook",
        type="book",
        titles=book.titles,
        isbns=book.isbns,
        contributors=_authors(rng, 2),
        issued=PartialDate(2022, 9),
        publisher="Demo Publisher",
        resource_urls=[ResourceUrl(url=f"{site}/demo/handbook")],
    )
    for chapter in range(1, 4):
        yield WorkRecord(
            doi=f"{prefix}/handbook.ch{chapter}",
            type="book-chapter",
            titles=[f"Chapter {chapter}: {rng.choice(FRAMES).format(rng.choice(TOPICS))}"],
            container=book,
            contributors=_authors(rng, 1),
            issued=PartialDate(2022, 9),
            first_page=str(chapter * 30 - 29),
            last_page=str(chapter * 30),
            publisher="Demo Publisher",
            resource_urls=[ResourceUrl(url=f"{site}/demo/handbook/{chapter}")],
        )


def demo_funders() -> list[tuple[str, str]]:
    return list(FUNDERS)
