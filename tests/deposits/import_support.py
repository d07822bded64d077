"""Shared by the import_works tests: the crossref-sample folder, the README's counts, and
readers of the source records the registered works are compared with."""

from __future__ import annotations

import functools
import gzip
import io
import json
from pathlib import Path

from django.core.management import call_command
from lxml import etree

from deposits.imports.base import open_source
from deposits.imports.rest_json import items_from_json
from deposits.imports.unixref import items_from_xml, localname
from linking.records import PartialDate, WorkRecord

SETS = [
    "rest-api-works.jsonl.gz",
    "public-data-file",
    "unixref-oai-pmh",
    "unixref-single",
    "unixsd-feed-corpus",
    "unixsd-api",
]
# README.md's table: set → (files, records, distinct DOIs, members).
README = {
    "rest-api-works.jsonl.gz": (1, 1918, 1918, 154),
    "public-data-file": (13, 6019, 6019, 13),
    "unixref-oai-pmh": (31, 6145, 6079, 0),
    "unixref-single": (11, 11, 9, 1),
    "unixsd-feed-corpus": (179, 179, 179, 25),
    "unixsd-api": (47, 47, 47, 32),
}
README_MEMBERS_ALL = 172  # "all" row; deposit-xml/ names no member, so the six sets hold them all


@functools.cache
def rest_works(sample: Path) -> list[dict]:
    with gzip.open(sample / "rest-api-works.jsonl.gz", "rt") as handle:
        return [json.loads(line) for line in handle]


@functools.cache
def pdf_works(sample: Path) -> list[dict]:
    works = []
    for path in sorted((sample / "public-data-file").iterdir()):
        text = gzip.decompress(path.read_bytes()).decode()
        if path.name.endswith(".jsonl.gz"):
            works += [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            works += json.loads(text)["items"]
    return works


def rest_work(sample: Path, doi: str) -> dict:
    return next(w for w in rest_works(sample) if w["DOI"].lower() == doi)


def parts(date: PartialDate | None) -> list[int] | None:
    return date.parts() if date else None


def stand_in_converter(content: etree._Element) -> list[WorkRecord]:
    """Stands in for deposits.xml.parse.records_from_item_element in the envelope tests:
    one bare record per doi_data of the content element outside citation lists, containers
    first, as the deposit parser returns them."""
    records = []
    for data in content.iter("{*}doi_data", "doi_data"):
        if any(localname(a) == "citation_list" for a in data.iterancestors()):
            continue
        doi = "".join(data.find("{*}doi").itertext()).strip()
        records.append(WorkRecord(doi=doi, type=localname(data.getparent()).replace("_", "-")))
    return records


def read_items(path: Path, **kwargs):
    with open_source(path) as (kind, handle):
        if kind == "json":
            layout, items = items_from_json(handle)
        else:
            layout, items = items_from_xml(handle.read(), **kwargs)
        return layout, list(items)


# -- REST API JSON ---------------------------------------------------------------------------


def summary(*args) -> dict:
    """import_works run as the command, with its --json report."""
    out = io.StringIO()
    call_command("import_works", *map(str, args), "--json", stdout=out)
    return json.loads(out.getvalue())
