"""The matcher gives the same answers on SQLite and PostgreSQL: real records are loaded,
a share held out, references written in two styles (with and without titles), and the
answers compared with the ones recorded in same_answers.json (made on SQLite; this test
runs on both databases). A wrong link fails the test whatever was recorded."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from deposits.imports.loader import works_import
from linking.matching.candidates import titles_reset
from linking.matching.matcher import reference_match
from linking.models import Work
from linking.search import index_works, search_terms_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

EXPECTED = Path(__file__).with_name("same_answers.json")
RECORDS = 160


def _year(record: dict) -> str:
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    return str(parts[0][0]) if parts and parts[0] and parts[0][0] else ""


def _strings(record: dict) -> dict[str, str]:
    people = [p.get("family") or p.get("name") or "" for p in record.get("author") or []]
    authors = ", ".join(p for p in people[:3] if p) + (" et al." if len(people) > 3 else "")
    container = (record.get("container-title") or [""])[0]
    title = (record.get("title") or [""])[0]
    volume, page, year = record.get("volume", ""), record.get("page", ""), _year(record)
    return {
        "titled": f"{authors} ({year}). {title}. {container}, {volume}, {page}.",
        "titleless": f"{authors}, {container} {volume}, {page.split('-')[0]} ({year}).",
    }


def test_same_answers_on_both_databases(shared_dir, tmp_path):
    with gzip.open(shared_dir / "data/crossref-sample/rest-api-works.jsonl.gz", "rt") as handle:
        records = [json.loads(line) for _, line in zip(range(RECORDS), handle, strict=False)]
    sample = tmp_path / "sample.jsonl.gz"
    with gzip.open(sample, "wt") as handle:
        handle.write("\n".join(json.dumps(r) for r in records))
    works_import(paths=[sample])
    rng = random.Random(7)
    held = {r["DOI"].lower() for r in records if rng.random() < 0.4}
    held_ids = list(Work.objects.filter(doi__in=held).values_list("pk", flat=True))
    Work.objects.filter(pk__in=held_ids).delete()
    index_works(held_ids)
    search_terms_refresh()
    titles_reset()
    answers = {}
    for record in records:
        doi = record["DOI"].lower()
        for style, text in _strings(record).items():
            match = reference_match(text)
            answers[f"{doi} {style}"] = match.doi if match else None
            assert match is None or (doi not in held and match.doi == doi), (text, match)
    if not EXPECTED.exists():
        EXPECTED.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
        pytest.fail(f"{EXPECTED.name} was missing and has been recorded: check it, commit it, run again")
    expected = json.loads(EXPECTED.read_text())
    assert answers == expected
    assert sum(1 for v in answers.values() if v) >= 0.6 * sum(1 for k in answers if k.split()[0] not in held)
