"""Fill a PostgreSQL database quickly with N generated works for the search benchmark.

    .venv/bin/python bench/search_registry.py --works 1000000     # database portal_bench_search

The works follow bench/registry.py (same vocabulary, authors, journals, funders,
licences and type mix; `fast_work` builds the JSON record directly). The first 2000 go
through `records_register` (which creates the member, its prefixes, the journals and
their ISSNs); the rest are written with COPY straight into the works table and the side
tables the search page reads (funders, update relations, one reference row per work that
has references), then the search index is rebuilt once. `records_register` runs at a few
hundred works a second on the shared machine; this at over a thousand. Idempotent: tops
up to N.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

from bench import registry  # noqa: E402  (the generator shared with bench/registry.py)

TYPE_NAMES = [t for t, _ in registry.TYPES]
TYPE_WEIGHTS = [w for _, w in registry.TYPES]


def fast_work(number: int) -> dict:
    """Bench work `number` as the registry's JSON record, built directly (several times
    faster than building the dataclasses and `asdict`), with the distributions of
    bench/registry.py: type, 1-6 authors (30 % with ORCID, 50 % with an affiliation),
    journal among 300 with ISSN, year 1995-2025, 50 % abstracts, 60 % licences, 30 %
    funders, 0-25 references (kept as a count), a correction notice every 400th work."""
    rng = random.Random(number)
    words = registry.WORDS
    kind = rng.choices(TYPE_NAMES, TYPE_WEIGHTS)[0]
    year = rng.randint(1995, 2025)
    month = rng.randint(1, 12)
    day = rng.choice([None, rng.randint(1, 28)])
    contributors = []
    for position in range(rng.randint(1, 6)):
        contributors.append(
            {
                "role": "author",
                "sequence": "first" if position == 0 else "additional",
                "given": rng.choice(registry.GIVEN),
                "family": rng.choice(registry.FAMILY),
                "orcid": f"https://orcid.org/0000-0002-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                if rng.random() < 0.3
                else "",
                "affiliations": [{"name": f"University of {rng.choice(words).capitalize()}", "ids": []}]
                if rng.random() < 0.5
                else [],
            }
        )
    container = None
    if kind == "journal-article":
        journal = rng.randrange(registry.JOURNALS)
        name = " ".join(random.Random(-journal - 1).sample(words, random.Random(-journal - 1).randint(2, 3)))
        container = {
            "kind": "journal",
            "titles": [f"Journal of {name.capitalize()}"],
            "issns": [{"value": registry.issn(journal), "type": "print"}],
        }
    elif kind in ("book-chapter", "proceedings-article"):
        head = "Handbook" if kind == "book-chapter" else "Proceedings"
        container = {
            "kind": "book" if kind == "book-chapter" else "proceedings",
            "titles": [f"{head} of {' '.join(rng.sample(words, rng.randint(2, 3))).capitalize()}"],
        }
    title = " ".join(rng.sample(words, rng.randint(4, 10))).capitalize()
    issued = {"year": year, "month": month, "day": day}
    funder = rng.choice(registry.FUNDERS) if rng.random() < 0.3 else None
    record = {
        "doi": registry.doi_of(number),
        "type": kind,
        "titles": [title],
        "container": container,
        "contributors": contributors,
        "issued": issued,
        "published_online": issued,
        "volume": str(year - 1990) if container else "",
        "issue": str(rng.randint(1, 12)) if kind == "journal-article" else "",
        "first_page": str(rng.randint(1, 2000)) if container else "",
        "abstract": f"<jats:p>{' '.join(rng.sample(words, rng.randint(8, 20))).capitalize()}.</jats:p>"
        if rng.random() < 0.5
        else "",
        "publisher": "Bench Registry Press",
        "resource_urls": [
            {"url": f"https://publisher.bench.example/{kind}/{number}", "kind": "primary", "label": ""}
        ],
        "licenses": [
            {"url": rng.choice(registry.LICENSES), "start": issued, "content_version": "vor", "delay_days": 0}
        ]
        if rng.random() < 0.6
        else [],
        "funding": [{"name": funder[0], "funder_id": funder[1], "id_type": "DOI", "awards": [f"A-{number}"]}]
        if funder
        else [],
        "updates": [
            {"doi": registry.doi_of(rng.randrange(number)), "type": "correction", "date": issued, "label": ""}
        ]
        if number % 400 == 399
        else [],
    }
    record["_references"] = rng.randint(0, 25)
    return record


def _issued_of(record: dict) -> str:
    d = record["issued"]
    return f"{d['year']:04d}-{d['month'] or 0:02d}-{d['day'] or 0:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--database", default="portal_bench_search")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--no-index", action="store_true", help="Skip rebuilding the search index.")
    args = parser.parse_args()

    registry.database_ensure(args.database)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organisation, Prefix
    from accounts.services import organisation_create, prefix_assign
    from linking.models import TitleIdentifier, Work
    from linking.search import index_rebuild
    from linking.services import records_register

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(member_id=registry.MEMBER_ID).first() or organisation_create(
        name="Bench Registry Press", member_id=registry.MEMBER_ID, actor=None
    )
    for value in registry.PREFIXES:
        if not Prefix.objects.filter(value=value).exists():
            prefix_assign(organisation=organisation, value=value, actor=None)
    prefixes = dict(Prefix.objects.filter(value__in=registry.PREFIXES).values_list("value", "pk"))

    have = Work.objects.filter(organisation=organisation).count()
    if have == 0:
        # Without references: registering them would run reference matching in this
        # process (minutes); the COPY batches below keep theirs.
        first = [replace(registry.work(n), references=[]) for n in range(min(2000, args.works))]
        records_register(records=first, organisation=organisation, source="import")
        have = len(first)
    start = have
    while start and not Work.objects.filter(doi=registry.doi_of(start - 1)).exists():
        start -= 1
    journals = dict(TitleIdentifier.objects.filter(scheme="issn").values_list("value", "title_id"))
    print(f"{start} bench works present; loading {max(args.works - start, 0)} more", flush=True)

    began = time.perf_counter()
    now = timezone.now()
    work_columns = (
        "doi type subtype title container_id container_title volume issue first_page article_number issued "
        "url organisation_id prefix_id deposit_timestamp source data cited_by_count created_at updated_at "
        "indexed_at"
    ).split()
    for low in range(start, args.works, args.batch):
        high = min(low + args.batch, args.works)
        records = [fast_work(n) for n in range(low, high)]
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY linking_work ({', '.join(work_columns)}) FROM STDIN") as copy:
                for record in records:
                    container = record["container"] or {}
                    issns = container.get("issns") or []
                    references = record.pop("_references")
                    record["_has_references"] = references > 0
                    copy.write_row(
                        (
                            record["doi"],
                            record["type"],
                            "",
                            record["titles"][0],
                            journals.get(issns[0]["value"].replace("-", "")) if issns else None,
                            container["titles"][0] if container else "",
                            record["volume"],
                            record["issue"],
                            record["first_page"],
                            "",
                            _issued_of(record),
                            record["resource_urls"][0]["url"],
                            organisation.pk,
                            prefixes[record["doi"].split("/", 1)[0]],
                            20260101,
                            "import",
                            json.dumps({k: v for k, v in record.items() if not k.startswith("_")}),
                            0,
                            now,
                            now,
                            now,
                        )
                    )
            ids = dict(Work.objects.filter(doi__in=[r["doi"] for r in records]).values_list("doi", "pk"))
            with raw.copy("COPY linking_workfunder (work_id, funder_id, name, awards) FROM STDIN") as copy:
                for record in records:
                    for f in record["funding"]:
                        copy.write_row(
                            (ids[record["doi"]], f["funder_id"].lower(), f["name"], json.dumps(f["awards"]))
                        )
            with raw.copy(
                "COPY linking_workreference (work_id, key, position, doi, unstructured, data, matched_doi, "
                "match_status, method, match_key) FROM STDIN"
            ) as copy:
                for record in records:
                    if record["_has_references"]:
                        copy.write_row((ids[record["doi"]], "ref0", 0, "", "", "{}", "", "pending", "", ""))
            with raw.copy(
                "COPY linking_workrelation (work_id, kind, type, target, id_type, data) FROM STDIN"
            ) as copy:
                for record in records:
                    for u in record["updates"]:
                        copy.write_row(
                            (ids[record["doi"]], "update", u["type"], u["doi"].lower(), "doi", "{}")
                        )
        elapsed = time.perf_counter() - began
        print(f"{high} works ({(high - start) / elapsed:.0f} works/s)", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if not args.no_index:
        print("rebuilding the search index", flush=True)
        began = time.perf_counter()
        done = index_rebuild(progress=lambda n: n % 100000 == 0 and print(f"  {n} indexed", flush=True))
        print(f"indexed {done} works in {time.perf_counter() - began:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
