"""import_works: REST API JSON and Public Data File records, converted field by field and
compared with the JSON they came from."""

from __future__ import annotations

import gzip
import json

import pytest

from deposits.imports.base import ItemRefused, Refusal
from deposits.imports.rest_json import split_pages, work_record_from_rest
from linking.records import PartialDate
from tests.deposits.import_support import (
    parts,
    pdf_works,
    read_items,
    rest_work,
    rest_works,
)

pytestmark = pytest.mark.shared


def test_json_layouts_are_told_apart_by_content(sample, tmp_path):
    works = rest_works(sample)[:3]
    shapes = {
        "lines.xml": ("JSON lines", "\n".join(json.dumps(w) for w in works) + "\n"),
        "single.jsonl": ("REST API work", json.dumps({"status": "ok", "message": works[0]}, indent=1)),
        "page.txt": ("REST API list page", json.dumps({"message": {"items": works}}, indent=1)),
        "shard.json": ("Public Data File shard", json.dumps({"items": works}, indent=2)),
        "bare": ("work", json.dumps(works[1], indent=2)),
        "page-on-one-line.json": (
            "REST API list page",
            "\n" + json.dumps({"message": {"items": works}}) + "\n\n",
        ),
    }
    for name, (layout, text) in shapes.items():
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode()) if name == "shard.json" else text.encode())
        found, items = read_items(path)
        assert found == layout, name
        assert [i.doi for i in items] == (
            [works[0]["DOI"]]
            if layout == "REST API work"
            else [works[1]["DOI"]]
            if layout == "work"
            else [w["DOI"] for w in works]
        )
    # The real files: a Public Data File shard, and the 2025 dump layout (JSON lines, gzipped).
    assert read_items(sample / "public-data-file" / "crossref-lmdb-1.json.gz")[0] == "Public Data File shard"
    layout, items = read_items(sample / "public-data-file" / "alexandria3k-crossref-2025.jsonl.gz")
    assert (layout, len(items), items[0].position) == ("JSON lines", 3, "line 1")


def test_rest_work_maps_every_field_workrecord_holds(sample):
    source = rest_work(sample, "10.1371/journal.pgen.1011490")
    record = work_record_from_rest(source)
    assert (record.doi, record.type) == ("10.1371/journal.pgen.1011490", "journal-article")
    assert record.titles == source["title"]
    assert record.container.kind == "journal"
    assert record.container.titles == source["container-title"]
    assert record.container.short_titles == source["short-container-title"]
    assert record.container.issns == [{"value": i["value"], "type": i["type"]} for i in source["issn-type"]]
    assert record.publisher == source["publisher"]
    authors = [c for c in record.contributors if c.role == "author"]
    assert [(c.given, c.family, c.orcid, c.orcid_authenticated, c.sequence) for c in authors] == [
        (
            a.get("given", ""),
            a.get("family", ""),
            a.get("ORCID", ""),
            bool(a.get("authenticated-orcid")),
            a["sequence"],
        )
        for a in source["author"]
    ]
    assert parts(record.issued) == source["issued"]["date-parts"][0]
    assert (record.volume, record.issue, record.first_page, record.last_page) == (
        source["volume"],
        source["issue"],
        "e1011490",
        "",
    )
    assert [(r.url, r.kind) for r in record.resource_urls] == [
        (source["resource"]["primary"]["URL"], "primary")
    ]
    assert [(x.url, x.content_type, x.intended_application) for x in record.links] == [
        (x["URL"], x["content-type"], x["intended-application"]) for x in source["link"]
    ]
    (license,) = record.licenses
    assert (license.url, parts(license.start), license.content_version, license.delay_days) == (
        source["license"][0]["URL"],
        source["license"][0]["start"]["date-parts"][0],
        "vor",
        0,
    )
    assert [(f.name, f.funder_id, f.awards) for f in record.funding] == [
        (f["name"], f.get("DOI", ""), f.get("award", [])) for f in source["funder"]
    ]
    assert len(record.references) == len(source["reference"]) == 48
    with_doi = [r for r in source["reference"] if r.get("DOI")]
    mapped = {r.key: r for r in record.references}
    for ref in with_doi:
        assert (mapped[ref["key"]].doi, mapped[ref["key"]].doi_asserted_by) == (
            ref["DOI"],
            ref["doi-asserted-by"],
        )
    (update,) = record.updates
    assert (update.doi, update.type, parts(update.date), update.label) == (
        "10.1371/journal.pgen.1011490",
        "new_version",
        [2024, 12, 9],
        "New version",
    )
    assert record.crossmark == {
        "policy": "10.1371/journal.pgen.corrections_policy",
        "domains": ["www.plosgenetics.org"],
    }
    assert (record.member_id, record.prefix) == (int(source["member"]), source["prefix"])
    assert record.extra["created"] == source["created"]["date-time"]
    assert record.deposit_timestamp == int(
        source["deposited"]["date-time"][:19].translate({ord(c): None for c in "-T:"})
    )
    for derived in ("indexed", "score", "reference-count", "is-referenced-by-count", "published", "URL"):
        assert derived not in record.extra


def test_rest_containers_contributors_dates_and_relations(sample):
    chapter = work_record_from_rest(rest_work(sample, "10.1017/cbo9780511614415.023"))
    assert (chapter.container.kind, chapter.container.titles) == (
        "book",
        ["Issues and Perspectives in Landscape Ecology"],
    )
    assert (chapter.first_page, chapter.last_page, chapter.extra["edition-number"]) == ("217", "229", "1")
    proceedings = work_record_from_rest(rest_work(sample, "10.1145/3484266.3487381"))
    assert proceedings.container.kind == "proceedings"
    # A suffix, a partial print date, and an owner prefix (10.1017) other than the DOI's.
    first = work_record_from_rest(rest_work(sample, "10.1001/10-v4n2-hsf10003"))
    assert (first.contributors[0].family, first.contributors[0].suffix) == ("Hodge", "Jr")
    assert parts(first.published_print) == [2011, 3]
    assert parts(first.published_online) == [2013, 4, 8]
    assert (first.prefix, first.member_id) == ("10.1017", 56)
    # [[null]] is no date at all.
    component = work_record_from_rest(rest_work(sample, "10.1364/oe.20.010242.m002"))
    assert component.issued is None and component.container is None
    # Relations the work asserts are its own; those the other work asserted stay in extra.
    works = rest_works(sample)
    preprint = next(w for w in works if w["DOI"] == "10.1002/essoar.10503377.3")
    record = work_record_from_rest(preprint)
    assert [(r.type, r.id, r.id_type) for r in record.relations] == [
        ("isPreprintOf", "10.1029/2020JG005891", "doi")
    ]
    assert (record.subtype, record.extra["group-title"], record.posted) == (
        "preprint",
        "Geochemistry",
        PartialDate(2020, 10, 27),
    )
    reviewed = next(
        w
        for w in works
        if any(t.get("asserted-by") == "object" for t in w.get("relation", {}).get("has-review", []))
    )
    record = work_record_from_rest(reviewed)
    assert not [r for r in record.relations if r.type == "hasReview"]
    assert record.extra["relation-asserted-by-object"]["has-review"]
    # Affiliations (the sample has names only; ids are covered below), editors, extra fields.
    affiliated = next(w for w in pdf_works(sample) if w["DOI"] == "10.1002/mdc3.13466")
    record = work_record_from_rest(affiliated)
    assert [[a.name for a in c.affiliations] for c in record.contributors] == [
        [af["name"] for af in a["affiliation"]] for a in affiliated["author"]
    ]
    assert record.extra["subject"] == affiliated["subject"]
    with_ror = {
        **affiliated,
        "author": [
            {
                "family": "Ruiz",
                "affiliation": [
                    {
                        "name": "University of Otago",
                        "id": [
                            {"id": "https://ror.org/01jmxt844", "id-type": "ROR", "asserted-by": "publisher"}
                        ],
                    }
                ],
            }
        ],
    }
    (person,) = work_record_from_rest(with_ror).contributors
    assert (person.sequence, person.affiliations[0].ids) == (
        "first",
        [{"id": "https://ror.org/01jmxt844", "id-type": "ROR", "asserted-by": "publisher"}],
    )
    proceedings_work = rest_work(sample, "10.1063/1.3232023")
    assert work_record_from_rest(proceedings_work).extra["event"] == proceedings_work["event"]


@pytest.mark.parametrize(
    "page, expected",
    [
        ("54-61", ("54", "61")),
        ("e1011490", ("e1011490", "")),
        ("1-3, 9-11", ("1", "11")),
        ("12–12", ("12", "")),
    ],
)
def test_pages_split_into_first_and_last(page, expected):
    assert split_pages(page) == expected


def test_partial_select_records_are_refused_not_guessed(sample):
    partial = [w for w in rest_works(sample) if "type" not in w]
    assert len(partial) == 38  # README: "38 records are partial, from select= queries"
    with pytest.raises(ItemRefused) as refused:
        work_record_from_rest(partial[0])
    assert refused.value.code == Refusal.PARTIAL_RECORD
    assert partial[0]["DOI"] in refused.value.detail


# -- unixref / unixsd envelopes (with a stand-in for the deposit parser) ------------------------------
