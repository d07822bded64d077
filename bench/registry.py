"""Fill a PostgreSQL database with N generated works for the benchmarks.

    .venv/bin/python bench/registry.py --works 1000000            # database portal_bench
    .venv/bin/python bench/registry.py --works 20000 --database portal_bench_small

Creates the database when missing, migrates it, and registers generated works through
`linking.services.records_register` in batches under one bench member (member id 999998,
prefixes 10.99990-10.99993). Work number n always gets the same DOI and metadata, so a
second run tops up to N instead of starting again. The works vary: journal articles in
300 journals with ISSNs, book chapters, proceedings papers, preprints, datasets and
reports; 1-6 authors, some with ORCID iDs and affiliations; 0-25 references, some citing
earlier bench DOIs; funders; licences; every 100th work has secondary URLs (multiple
resolution) and every 400th a correction notice of an earlier work.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

MEMBER_ID = 999998
PREFIXES = ["10.99990", "10.99991", "10.99992", "10.99993"]
JOURNALS = 300

WORDS = (
    "adaptive analysis approach assessment behaviour binding boundary carbon cell change climate "
    "coastal cognitive complex control coupled data deep design detection diffusion dynamics early "
    "effect efficient energy environmental estimation evidence evolution experimental field flow "
    "framework functional gene genetic global graph growth health heat high human hydrogen immune "
    "impact inference interaction kinetic land language large learning light linear local long "
    "low magnetic marine measurement mechanism membrane metabolic method microbial model molecular "
    "multi network neural nonlinear novel ocean optical optimal patient performance phase plant "
    "policy population quantum random rapid regional response risk robust scale sediment sensor "
    "signal social soil spatial species stability statistical stress structure surface system "
    "temperature temporal theory thermal tissue transport treatment urban variation water wave"
).split()
GIVEN = (
    "Ana Bo Chen Dara Emeka Fatima Grace Hiroshi Ines Jamal Kiri Lena Mateo Nadia Olu Priya Rangi Sofia"
).split()
FAMILY = (
    "Smith García Wang Müller Okafor Tanaka Rossi Kowalski Nguyen Parata Silva Johansson Haddad "
    "O'Brien Dubois Kim Novak Singh Ahmed Jones"
).split()
FUNDERS = [
    ("National Science Foundation", "10.13039/100000001"),
    ("National Institutes of Health", "10.13039/100000002"),
    ("European Research Council", "10.13039/501100000781"),
    ("Wellcome Trust", "10.13039/100004440"),
    ("Marsden Fund", "10.13039/501100009193"),
    ("Deutsche Forschungsgemeinschaft", "10.13039/501100001659"),
]
LICENSES = [
    "https://creativecommons.org/licenses/by/4.0/",
    "https://creativecommons.org/licenses/by-nc/4.0/",
    "https://www.elsevier.com/tdm/userlicense/1.0/",
]
TYPES = [
    ("journal-article", 70),
    ("book-chapter", 8),
    ("proceedings-article", 8),
    ("posted-content", 6),
    ("dataset", 4),
    ("report", 4),
]


def issn(number: int) -> str:
    digits = f"{2000000 + number:07d}"
    check = (11 - sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def doi_of(number: int) -> str:
    return f"{PREFIXES[number % len(PREFIXES)]}/bench.{number:07d}"


def title_words(rng: random.Random, low: int, high: int) -> str:
    words = rng.sample(WORDS, rng.randint(low, high))
    return " ".join(words).capitalize()


def work(number: int):
    """The record of bench work `number` (the same every time)."""
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

    rng = random.Random(number)
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    year = rng.randint(1995, 2025)
    issued = PartialDate(year, rng.randint(1, 12), rng.choice([None, rng.randint(1, 28)]))
    contributors = []
    for position in range(rng.randint(1, 6)):
        contributors.append(
            Contributor(
                sequence="first" if position == 0 else "additional",
                given=rng.choice(GIVEN),
                family=rng.choice(FAMILY),
                orcid=f"https://orcid.org/0000-0002-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                if rng.random() < 0.3
                else "",
                affiliations=[Affiliation(name=f"University of {title_words(rng, 1, 1)}")]
                if rng.random() < 0.5
                else [],
            )
        )
    container = None
    if kind == "journal-article":
        journal = rng.randrange(JOURNALS)
        container = Container(
            kind="journal",
            titles=[f"Journal of {title_words(random.Random(-journal - 1), 2, 3)}"],
            issns=[{"value": issn(journal), "type": "print"}],
        )
    elif kind in ("book-chapter", "proceedings-article"):
        container = Container(
            kind="book" if kind == "book-chapter" else "proceedings",
            titles=[f"{'Handbook' if kind == 'book-chapter' else 'Proceedings'} of {title_words(rng, 2, 3)}"],
        )
    references = []
    for key in range(rng.randint(0, 25)):
        cited = rng.randrange(number) if number and rng.random() < 0.4 else None
        references.append(
            Reference(key=f"ref{key}", doi=doi_of(cited))
            if cited is not None
            else Reference(
                key=f"ref{key}",
                author=rng.choice(FAMILY),
                journal_title=f"Annals of {title_words(rng, 1, 2)}",
                year=str(rng.randint(1950, year)),
                volume=str(rng.randint(1, 80)),
                first_page=str(rng.randint(1, 900)),
            )
        )
    urls = [ResourceUrl(url=f"https://publisher.bench.example/{kind}/{number}")]
    if number % 100 == 7:
        urls += [
            ResourceUrl(url=f"https://mirror.bench.example/{number}", kind="secondary", label="mirror"),
            ResourceUrl(url=f"https://archive.bench.example/{number}", kind="secondary", label="archive"),
        ]
    updates = []
    if number % 400 == 399:
        updates = [Update(doi=doi_of(rng.randrange(number)), type="correction", date=issued)]
    funder = rng.choice(FUNDERS) if rng.random() < 0.3 else None
    return WorkRecord(
        doi=doi_of(number),
        type=kind,
        titles=[title_words(rng, 4, 10)],
        container=container,
        contributors=contributors,
        issued=issued,
        published_online=issued,
        volume=str(year - 1990) if container else "",
        issue=str(rng.randint(1, 12)) if kind == "journal-article" else "",
        first_page=str(rng.randint(1, 2000)) if container else "",
        abstract=f"<jats:p>{title_words(rng, 8, 20)}.</jats:p>" if rng.random() < 0.5 else "",
        publisher="Bench Registry Press",
        resource_urls=urls,
        licenses=[License(url=rng.choice(LICENSES), start=issued)] if rng.random() < 0.6 else [],
        funding=[Funding(name=funder[0], funder_id=funder[1], id_type="DOI", awards=[f"A-{number}"])]
        if funder
        else [],
        references=references,
        updates=updates,
    )


def database_ensure(name: str) -> None:
    """Create the PostgreSQL database `name` next to the default one when it is missing."""
    import psycopg

    base = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--database", default="portal_bench")
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()

    database_ensure(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.pop("REDIS_URL", None)  # no broker: the on-commit hooks run in this process

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Organisation, Prefix
    from accounts.services import organisation_create, prefix_assign
    from linking.models import Work
    from linking.services import records_register

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(member_id=MEMBER_ID).first() or organisation_create(
        name="Bench Registry Press", member_id=MEMBER_ID, actor=None
    )
    for value in PREFIXES:
        if not Prefix.objects.filter(value=value).exists():
            prefix_assign(organisation=organisation, value=value, actor=None)

    have = Work.objects.filter(organisation=organisation).count()
    start = have
    # Numbers are dense from 0 and each batch commits whole, so the count is where to resume.
    while start and not Work.objects.filter(doi=doi_of(start - 1)).exists():
        start -= 1
    print(f"{have} bench works present; registering {max(args.works - start, 0)} more", flush=True)
    began = time.perf_counter()
    done = 0
    for first in range(start, args.works, args.batch):
        records = [work(n) for n in range(first, min(first + args.batch, args.works))]
        records_register(records=records, organisation=organisation, source="import")
        done += len(records)
        elapsed = time.perf_counter() - began
        print(f"{first + len(records)} works ({done / elapsed:.0f} works/s)", flush=True)
    print(f"done: {Work.objects.filter(organisation=organisation).count()} bench works", flush=True)


if __name__ == "__main__":
    main()
