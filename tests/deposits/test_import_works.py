"""`manage.py import_works`: bulk loading of existing Crossref records through records_register.

The unit tests read the real records of shared/data/crossref-sample and check the
conversion against the JSON/XML they came from. The database tests load the whole sample
once per module (about 14,000 records; see `full_load`) inside a transaction that is
rolled back at the end, and compare the counts with the README's table.

unixref/unixsd content elements are converted by the deposit parser
(`deposits.xml.parse.records_from_item_element`); tests that need it import it with
`pytest.importorskip`, the envelope tests give the loader a stand-in converter instead.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from lxml import etree

from accounts.models import AuditEvent, Organisation, Prefix
from deposits.imports.base import FileUnreadable, ItemRefused, Refusal, open_source
from deposits.imports.loader import import_files_expand, works_import
from deposits.imports.rest_json import items_from_json, split_pages, work_record_from_rest
from deposits.imports.unixref import items_from_xml, localname, target_doi
from linking.models import Title, Work, WorkFunder, WorkReference, WorkRelation
from linking.records import PartialDate, WorkRecord

pytestmark = pytest.mark.shared

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


@pytest.fixture(scope="session")
def sample(shared_dir) -> Path:
    return shared_dir / "data" / "crossref-sample"


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


def test_oai_pmh_unixref_page(sample):
    layout, items = read_items(sample / "unixref-oai-pmh" / "journal.xml.gz", converter=stand_in_converter)
    assert layout == "OAI-PMH (unixref 1.0)"
    assert len(items) == 200
    first = items[0]
    assert (first.doi, first.owner_prefix, first.member_id) == ("10.1029/1999WR900252", "10.1002", None)
    assert first.position.startswith("record 1 (line ")
    record = first.record()
    assert (record.doi, record.prefix, record.member_id) == ("10.1029/1999wr900252", "10.1002", None)


def test_oai_pmh_unixsd_keeps_only_the_envelopes_work(sample):
    _layout, items = read_items(sample / "unixref-oai-pmh" / "unixsd.xml.gz", converter=stand_in_converter)
    first = items[0]
    assert first.doi == "10.1002/1521-3765(20020402)8:7<1637::AID-CHEM1637>3.0.CO;2-7"
    assert (first.owner_prefix, first.publisher) == ("10.1002", "Wiley-Blackwell")
    # The content holds the journal's, the issue's and the article's doi_data: one work only.
    assert len(stand_in_converter(first.raw)) == 3
    record = first.record()
    assert record.doi == first.doi.lower()
    assert (record.deposit_timestamp, record.publisher) == (20051204074648, "Wiley-Blackwell")


def test_unixsd_query_result_envelope(sample):
    path = sample / "unixsd-feed-corpus" / "crossref-unixsd-02ea4f67-fe2b-4a18-95a5-33ac71b0a710.xml.gz"
    layout, (item,) = read_items(path, converter=stand_in_converter)
    assert layout == "unixsd"
    assert (item.doi, item.member_id, item.owner_prefix, item.publisher) == (
        "10.1007/s11682-016-9638-y",
        297,
        "10.1007",
        "Springer Nature",
    )
    record = item.record()
    assert (record.member_id, record.prefix, record.deposit_timestamp) == (297, "10.1007", 20171023123749602)
    assert record.extra["created"] == "2016-10-12T03:38:48Z"


def test_unixref_doi_records_without_envelope_doi(sample):
    layout, (item,) = read_items(sample / "unixref-single" / "citations.xml", converter=stand_in_converter)
    assert layout == "unixref doi_records"
    # No envelope DOI: the work is the last doi_data outside the citation list.
    assert (item.doi, item.owner_prefix) == ("10.5555/12345678", "10.5555")
    assert item.record().deposit_timestamp == 20121204084223


def test_every_sample_envelope_is_found(sample):
    """Counted like the README: one OAI-PMH record or unixsd doi_record is one work."""
    for name in ("unixref-oai-pmh", "unixref-single", "unixsd-feed-corpus", "unixsd-api"):
        _files, records, distinct, members = README[name]
        items = [i for path in sorted((sample / name).iterdir()) for i in read_items(path)[1]]
        assert len(items) == records, name
        assert len({i.doi.lower() for i in items}) == distinct, name
        assert len({i.member_id for i in items if i.member_id}) == members, name
        assert all(i.refused is None for i in items), name


OAI = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>{}</ListRecords></OAI-PMH>'
UNIXSD = (
    '<crossref_result xmlns="http://www.crossref.org/qrschema/3.0" version="3.0"><query_result>'
    "<body>{}</body></query_result></crossref_result>"
)


@pytest.mark.parametrize(
    "xml, code",
    [
        (
            OAI.format(
                '<record><header status="deleted"><identifier>info:doi/10.5555/gone</identifier>'
                "</header></record>"
            ),
            Refusal.DELETED,
        ),
        (
            UNIXSD.format(
                '<query status="unresolved"><doi>10.5555/none</doi><msg>DOI not found</msg></query>'
            ),
            Refusal.SOURCE_ERROR,
        ),
        (
            "<doi_records><doi_record><crossref><error>DOI not found</error></crossref></doi_record>"
            "</doi_records>",
            Refusal.SOURCE_ERROR,
        ),
        (
            OAI.format("<record><header><identifier>info:doi/10.5555/x</identifier></header></record>"),
            Refusal.CONTENT_UNREADABLE,
        ),
    ],
)
def test_envelopes_without_a_work_are_refused_with_a_reason(xml, code):
    _layout, (item,) = items_from_xml(xml.encode(), converter=stand_in_converter)
    with pytest.raises(ItemRefused) as refused:
        item.record()
    assert refused.value.code == code


def test_envelope_doi_missing_from_content_is_refused():
    xml = OAI.format(
        "<record><header><identifier>info:doi/10.5555/other</identifier></header><metadata>"
        "<crossref><journal><journal_article><doi_data><doi>10.5555/12345678</doi></doi_data>"
        "</journal_article></journal></crossref></metadata></record>"
    )
    _layout, (item,) = items_from_xml(xml.encode(), converter=stand_in_converter)
    with pytest.raises(ItemRefused) as refused:
        item.record()
    assert refused.value.code == Refusal.NOT_IN_CONTENT


@pytest.mark.parametrize(
    "xml, words",
    [
        ('<doi_batch version="5.3.1"><head/><body/></doi_batch>', "deposit"),
        ("<rss><channel/></rss>", "<rss>"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><crossref>&e;</crossref>', "entit"),
        ("<crossref><journal>", "well-formed"),
    ],
)
def test_xml_that_is_not_an_import_is_unreadable(xml, words):
    with pytest.raises(FileUnreadable) as unreadable:
        items_from_xml(xml.encode())
    assert words in str(unreadable.value).lower() or words in str(unreadable.value)


def test_target_doi_skips_citations_and_containers():
    content = etree.fromstring(
        "<journal><journal_metadata><doi_data><doi>10.5555/j</doi></doi_data></journal_metadata>"
        "<journal_article><doi_data><doi>10.5555/a</doi></doi_data><citation_list><citation>"
        "<doi_data><doi>10.5555/cited</doi></doi_data></citation></citation_list>"
        "<component_list><component><doi_data><doi>10.5555/a.c1</doi></doi_data></component>"
        "</component_list></journal_article></journal>"
    )
    assert target_doi(content) == "10.5555/a"


# -- the command over small inputs (database) -----------------------------------------------------------


def summary(*args) -> dict:
    out = io.StringIO()
    call_command("import_works", *map(str, args), "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_a_malformed_line_is_refused_with_its_line_and_the_rest_loads(sample, tmp_path):
    lines = [json.dumps(w) for w in rest_works(sample)[:4]]
    lines[2] = lines[2][:-40]  # cut short: not JSON any more
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("import_works", str(path), stdout=out)
    text = out.getvalue()
    assert "refused 1 × NOT_JSON" in text and "line 3:" in text
    assert "Partial records" in text  # the policy is stated in every summary
    (file,) = summary(path)["files"]
    assert (file["read"], file["registered"], file["refused_total"]) == (4, 3, 1)
    assert file["refused"]["NOT_JSON"]["examples"][0].startswith("line 3:")
    loaded = [json.loads(line)["DOI"].lower() for n, line in enumerate(lines) if n != 2]
    assert Work.objects.filter(doi__in=loaded).count() == 3


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_counts_what_a_real_run_does(sample):
    shards = sorted((sample / "public-data-file").glob("alexandria3k-*"))
    tables = (Work, Organisation, Prefix, AuditEvent, Title, WorkReference)
    before = [model.objects.count() for model in tables]
    dry = summary(*shards, "--dry-run")
    assert [model.objects.count() for model in tables] == before
    assert dry["dry_run"] is True
    real = summary(*shards)
    for key in ("read", "registered", "new", "updated", "refused_total"):
        assert dry["totals"][key] == real["totals"][key], key
    assert dry["prefixes_created"] == real["prefixes_created"]
    assert [o["member_id"] for o in dry["organisations_created"]] == [
        o["member_id"] for o in real["organisations_created"]
    ]


@pytest.mark.django_db
def test_unreadable_files_exit_non_zero_after_the_others_load(sample, tmp_path):
    (tmp_path / "notes.txt").write_text("not a record\n")
    (tmp_path / "broken.json.gz").write_bytes(gzip.compress(b'{"items": [')[:-6])
    good = sample / "public-data-file" / "crossref-lmdb-0.json.gz"
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 file"):
        call_command("import_works", str(good), str(tmp_path), str(tmp_path / "missing.json"), stdout=out)
    text = out.getvalue()
    assert text.count("  NOT READ: ") == 3
    assert Work.objects.filter(doi="10.1021/jo020170p").exists()


@pytest.mark.django_db
def test_memberless_records_take_their_prefix_owner_or_a_stand_in(tmp_path):
    owner = Organisation.objects.create(name="Psychoceramics Press", member_id=990001, status="active")
    Prefix.objects.create(value="10.5555", organisation=owner)
    known = tmp_path / "known.xml"
    known.write_text(
        '<doi_records><doi_record owner="10.5555"><crossref><journal><journal_article>'
        "<titles><title>Known</title></titles><doi_data><doi>10.5555/known-1</doi></doi_data>"
        "</journal_article></journal></crossref></doi_record></doi_records>"
    )
    unknown = tmp_path / "unknown.xml"
    unknown.write_text(
        "<doi_records><doi_record><crossref><book><book_metadata><publisher><publisher_name>Obscure Books"
        "</publisher_name></publisher><doi_data><doi>10.98765/b-1</doi></doi_data></book_metadata></book>"
        "</crossref></doi_record></doi_records>"
    )
    report = works_import(paths=[known, unknown], converter=stand_in_converter)
    assert Work.objects.get(doi="10.5555/known-1").organisation == owner
    (made,) = report.organisations
    assert (made.name, made.stand_in, made.prefixes) == ("Obscure Books", True, ["10.98765"])
    assert made.member_id > 990001  # the next member id: above every one that exists
    stand_in = Organisation.objects.get(member_id=made.member_id)
    assert Work.objects.get(doi="10.98765/b-1").organisation == stand_in
    assert Prefix.objects.get(value="10.98765").organisation == stand_in
    assert AuditEvent.objects.filter(action="organisation.create", target_id=str(stand_in.pk)).exists()
    assert "named after the publisher" in report.render()


# -- the whole sample, loaded once ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_load(request, django_db_setup, django_db_blocker):
    """import_works over the six sets, once for the module, in a transaction rolled back at
    the end so that no other test sees these works. Tests marked django_db run inside it
    (their own changes roll back to a savepoint)."""
    pytest.importorskip("deposits.xml.parse", reason="unixref content needs deposits.xml.parse")
    sample = request.getfixturevalue("sample")
    with django_db_blocker.unblock():
        with transaction.atomic():
            report = summary(*(sample / name for name in SETS))
            yield report
            transaction.set_rollback(True)


def set_totals(report: dict, sample: Path, name: str) -> dict:
    root = str(sample / name)
    files = [f for f in report["files"] if f["path"] == root or f["path"].startswith(root + "/")]
    totals = {
        key: sum(f[key] for f in files)
        for key in ("read", "new", "updated", "replaced_earlier", "refused_total")
    }
    totals["files"] = len(files)
    totals["refused"] = {}
    for f in files:
        for code, entry in f["refused"].items():
            totals["refused"][code] = totals["refused"].get(code, 0) + entry["count"]
    return totals


@pytest.mark.django_db
def test_the_whole_sample_loads_with_the_readmes_counts(full_load, sample):
    """Per set, in import order: read = README records; new = README distinct DOIs, less the
    DOIs refused and the DOIs an earlier set already registered; updated = copies of a DOI
    read earlier (in the same set, or in an earlier one)."""
    # Why the numbers differ from the README's distinct DOIs, precisely:
    # * rest-api-works: its 38 partial select= records (no type) are refused (PARTIAL_RECORD).
    # * public-data-file: 21 DOIs (the alexandria3k and crossref-lmdb records) are also in
    #   rest-api-works, read earlier, so their copies here are updates.
    # * unixref-oai-pmh: 66 records repeat a DOI of the same set (6145 records, 6079 DOIs).
    # * unixref-single: 2 DOIs come twice (funder-crossmark/funder-bad-name and
    #   affiliations/funder-no-crossmark), and preprint.xml's '0.50505/preprint_sample_doi_1'
    #   is not a DOI (INVALID_DOI).
    # * unixsd-api: 9 of its DOIs are in rest-api-works too (read earlier).
    refused = {
        "rest-api-works.jsonl.gz": {"PARTIAL_RECORD": 38},
        "unixref-single": {"INVALID_DOI": 1},
    }
    from_earlier_sets = {"public-data-file": 21, "unixsd-api": 9}
    assert full_load["totals"]["files_unreadable"] == 0
    for name in SETS:
        files, records, distinct, _members = README[name]
        got = set_totals(full_load, sample, name)
        expected_refused = refused.get(name, {})
        repeats = records - distinct
        assert got["files"] == files, name
        assert got["read"] == records, name
        assert got["refused"] == expected_refused, (name, got["refused"])
        refused_count = sum(expected_refused.values())
        assert got["new"] == distinct - refused_count - from_earlier_sets.get(name, 0), name
        assert got["updated"] == repeats + from_earlier_sets.get(name, 0), name
        assert got["replaced_earlier"] == got["updated"], name  # nothing existed before the load
    totals = full_load["totals"]
    assert Work.objects.count() == totals["new"]
    assert totals["read"] == totals["registered"] + totals["refused_total"]


@pytest.mark.django_db
def test_organisations_and_prefixes_are_created_for_what_the_records_name(full_load, sample):
    json_works = [w for w in rest_works(sample) + pdf_works(sample) if "type" in w]
    members = {int(w["member"]) for w in json_works}
    assert len(members) == README["rest-api-works.jsonl.gz"][3]  # the JSON's members are the REST file's
    by_member = {o.member_id: o for o in Organisation.objects.filter(member_id__in=members)}
    assert set(by_member) == members
    assert all(o.status == "active" for o in by_member.values())
    made = full_load["organisations_created"]
    assert len([o for o in made if not o["stand_in"]]) == README_MEMBERS_ALL
    # Stand-ins (unixref records whose prefix nobody named) got member ids above all real ones.
    assert min(o["member_id"] for o in made if o["stand_in"]) > max(
        o["member_id"] for o in made if not o["stand_in"]
    )
    # Every DOI prefix and every owner prefix has its Prefix row; every work points at one.
    named = {w["DOI"].split("/")[0].lower() for w in json_works} | {w["prefix"] for w in json_works}
    assert named <= set(Prefix.objects.values_list("value", flat=True))
    assert not Work.objects.filter(prefix__isnull=True).exists()
    assert all(
        doi.split("/")[0] == prefix for doi, prefix in Work.objects.values_list("doi", "prefix__value")
    )
    # A DOI prefix goes to the member that names it as owner prefix: 10.1001 is AMA's (member
    # 10), though one 10.1001 DOI belongs to Cambridge (member 56, owner prefix 10.1017).
    assert Prefix.objects.get(value="10.1001").organisation.member_id == 10
    assert Work.objects.get(doi="10.1001/10-v4n2-hsf10003").organisation.member_id == 56
    # Creation is audited, with no actor (the system).
    assert AuditEvent.objects.filter(action="prefix.assign", actor__isnull=True).count() == len(
        full_load["prefixes_created"]
    )


@pytest.mark.django_db
def test_registered_json_records_match_their_source(full_load, sample):
    source = rest_work(sample, "10.1371/journal.pgen.1011490")
    work = Work.objects.select_related("organisation", "container").get(doi="10.1371/journal.pgen.1011490")
    assert work.source == "import"
    assert work.organisation.member_id == int(source["member"])
    assert work.title == source["title"][0]
    assert work.container_title == source["container-title"][0]
    assert work.container.kind == "journal"
    assert work.issued == "2024-11-25"
    assert work.url == source["resource"]["primary"]["URL"]
    authors = [c for c in work.data["contributors"] if c["role"] == "author"]
    assert [(a["given"], a["family"], a["orcid"]) for a in authors] == [
        (a.get("given", ""), a["family"], a.get("ORCID", "")) for a in source["author"]
    ]
    assert work.references.count() == len(source["reference"])
    assert work.references.exclude(doi="").count() == len([r for r in source["reference"] if r.get("DOI")])
    assert sorted(work.funders.values_list("funder_id", flat=True)) == sorted(
        f.get("DOI", "") for f in source["funder"]
    )
    assert work.data["licenses"][0]["url"] == source["license"][0]["URL"]
    assert WorkRelation.objects.filter(work=work, kind="update", type="new_version").count() == 1
    # The Public Data File copy replaced the REST copy of the same DOI (the later file wins):
    # for 10.1001/archderm.100.3.373 the REST copy has a resource URL, the shard's has none.
    (later,) = [w for w in pdf_works(sample) if w["DOI"] == "10.1001/archderm.100.3.373"]
    assert "resource" in rest_work(sample, "10.1001/archderm.100.3.373") and "resource" not in later
    work = Work.objects.get(doi="10.1001/archderm.100.3.373")
    assert (work.url, work.data["resource_urls"], work.data["titles"]) == ("", [], later["title"])
    (affiliated,) = [w for w in pdf_works(sample) if w["DOI"] == "10.1002/mdc3.13466"]
    assert [
        [a["name"] for a in c["affiliations"]]
        for c in Work.objects.get(doi="10.1002/mdc3.13466").data["contributors"]
    ] == [[a["name"] for a in person["affiliation"]] for person in affiliated["author"]]
    # A partial publication date stays partial.
    assert Work.objects.get(doi="10.1001/10-v4n2-hsf10003").data["published_print"] == {
        "year": 2011,
        "month": 3,
        "day": None,
    }
    assert WorkFunder.objects.filter(funder_id="10.13039/501100001168").exists()


@pytest.mark.django_db
def test_registered_xml_records_keep_their_envelope(full_load, sample):
    # unixsd: member id, owner prefix and deposit timestamp come from the crm-items.
    work = Work.objects.select_related("organisation").get(doi="10.1007/s11682-016-9638-y")
    assert work.organisation.member_id == 297
    assert work.deposit_timestamp == 20171023123749602
    assert work.title.startswith("Early effects of a high-caloric diet and physical exercise")
    # unixref 1.0 in OAI-PMH: no member id; the setSpec owner prefix 10.1002 belongs to
    # member 311 (named by the JSON), so the AGU (10.1029) article is Wiley's.
    work = Work.objects.select_related("organisation").get(doi="10.1029/1999wr900252")
    assert work.organisation.member_id == 311
    assert work.data["prefix"] == "10.1002"
    assert work.references.count() > 0
    # OAI-PMH unixsd: the container DOIs of the content are not registered as works.
    assert not Work.objects.filter(doi="10.1002/(issn)1521-3765").exists()
    # Two 2013 records carry a stray U+FFFD after the DOI in their content; the OAI header
    # (Crossref's index) has the clean DOI, which is registered, the content's kept in extra.
    work = Work.objects.get(doi="10.1360/02wd0469")
    assert work.data["extra"]["doi-in-content"] == "10.1360/02wd0469 \ufffd"
    # unixref doi_records: the owner prefix and timestamp are attributes of doi_record. The
    # JSON names the owner of 10.5555 (Crossref's test member), so the record is that member's.
    (test_member,) = {int(w["member"]) for w in rest_works(sample) if w.get("prefix") == "10.5555"}
    work = Work.objects.select_related("organisation").get(doi="10.5555/12345678")
    assert (work.deposit_timestamp, work.data["prefix"]) == (20121204084223, "10.5555")
    assert work.organisation.member_id == test_member
    assert work.data["contributors"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"


@pytest.mark.django_db
def test_reimport_is_idempotent(full_load, sample):
    """Importing files again changes nothing and reports every record as updated. (A few
    hundred records of three layouts, not the whole sample again: the load is the slow part.)"""
    again = [
        sample / "unixsd-api",
        *sorted((sample / "public-data-file").glob("alexandria3k-*")),
        *sorted((sample / "public-data-file").glob("crossref-lmdb-*")),
        sample / "unixref-oai-pmh" / "dissertation.xml.gz",
    ]
    files = import_files_expand(paths=again)
    tables = (Work, Organisation, Prefix, Title, WorkReference, WorkRelation, WorkFunder)
    before = [model.objects.count() for model in tables]
    audits = AuditEvent.objects.count()
    kept = {w.doi: w.data for w in Work.objects.filter(doi__in=["10.7554/elife.01567", "10.1002/mdc3.13466"])}
    report = summary(*files)
    assert [model.objects.count() for model in tables] == before
    assert AuditEvent.objects.count() == audits  # no organisation or prefix created
    assert report["organisations_created"] == [] and report["prefixes_created"] == {}
    totals = report["totals"]
    first_time = [f for f in full_load["files"] if f["path"] in {str(p) for p in files}]
    assert totals["read"] == sum(f["read"] for f in first_time)
    assert totals["new"] == 0 and totals["refused_total"] == 0
    assert totals["updated"] == totals["registered"] == sum(f["registered"] for f in first_time)
    assert totals["replaced_earlier"] == 0  # no DOI comes twice within these files
    assert {w.doi: w.data for w in Work.objects.filter(doi__in=list(kept))} == kept
    assert "updated" in report["files"][0] and report["files"][0]["updated"] == report["files"][0]["read"]
