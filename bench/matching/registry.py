"""The evaluation registry: a fresh database of the sample's real records, a share held out."""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from bench.matching import ROOT, SHARED

WORKS = SHARED / "rest-api-works.jsonl.gz"
NOT_CITABLE = ("journal-issue", "journal", "journal-volume", "component", "peer-review")
PROTECTED = ("portal", "portal_bench", "postgres")


def database_fresh(url: str | None) -> str:
    """Point Django at a fresh database for the evaluation (dropped and re-created)."""
    if not url:
        path = ROOT / "var" / "bench-matching.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = url.rsplit("/", 1)[1]
        if name in PROTECTED:
            raise SystemExit(f"Refusing to drop {name}: give the evaluation its own database.")
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return url


def records_load() -> list[dict]:
    with gzip.open(WORKS, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def record_good(record: dict) -> bool:
    """Crossref's filter: >= 3 of authors/title/year/volume/pages, or authors+year, or title+year."""
    has = {
        "authors": bool(record.get("author")),
        "title": bool(record.get("title")),
        "year": bool((record.get("issued") or {}).get("date-parts", [[None]])[0][0]),
        "volume": bool(record.get("volume")),
        "pages": bool(record.get("page")),
    }
    if record.get("type") in NOT_CITABLE:
        return False
    return sum(has.values()) >= 3 or (has["authors"] and has["year"]) or (has["title"] and has["year"])


@dataclass
class Registry:
    records: list[dict]  # good records that were registered, in seeded order
    held: list[dict]  # the first share of them, deleted again
    held_dois: set[str]
    registered: set[str]  # every DOI registered before the hold-out

    @property
    def kept_dois(self) -> set[str]:
        return self.registered - self.held_dois

    def sample(self, count: int, held_out: float) -> list[dict]:
        """`count` works, the share `held_out` of them held out of the registry."""
        held_count = int(count * held_out)
        return self.held[:held_count] + self.records[len(self.held) :][: count - held_count]


def registry_build(url: str, held_out: float, rng: random.Random) -> Registry:
    """Migrate, import the sample records, then delete a random share `held_out` of the good
    ones from the registry and its search index, so references to them must find nothing."""
    from django.core.management import call_command

    from portal.celery import app

    # Registration queues reference matching; the evaluation times matching itself, so the
    # loaded works' own references are left unmatched (tasks go to the in-memory broker).
    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0)
    from deposits.imports.loader import works_import
    from linking.matching.candidates import titles_reset
    from linking.models import Work
    from linking.search import index_works, search_terms_refresh

    clock = time.monotonic()
    works_import(paths=[WORKS])
    records = [r for r in records_load() if record_good(r)]
    registered = set(Work.objects.values_list("doi", flat=True))
    records = [r for r in records if r["DOI"].lower() in registered]
    rng.shuffle(records)
    held = records[: int(len(records) * held_out)]
    held_dois = {r["DOI"].lower() for r in held}
    held_ids = list(Work.objects.filter(doi__in=held_dois).values_list("pk", flat=True))
    Work.objects.filter(pk__in=held_ids).delete()
    index_works(held_ids)
    search_terms_refresh()
    titles_reset()
    print(
        f"registry: {Work.objects.count()} works ({len(held_dois)} of {len(records)} good records held out) "
        f"on {url.split('://')[0]} in {time.monotonic() - clock:.0f}s"
    )
    return Registry(records=records, held=held, held_dois=held_dois, registered=registered)
