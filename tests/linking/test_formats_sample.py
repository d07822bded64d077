"""Every format for the records of shared/data/crossref-sample/, after `import_works` of the
whole sample (once for the module, in a transaction rolled back at the end).

What is rendered for what, to keep the suite inside its time budget:
* every record (about 14,000): CSL-JSON (checked against the record's own fields, and
  against the source REST JSON for the REST records), BibTeX (bibtexparser), RIS (line
  structure), unixref (lxml, DOI and title found where they belong);
* a deterministic sample of a few hundred covering every type (the first records of each
  type plus every 40th record): all nine formats, RDF/XML and Turtle parsed with rdflib,
  unixsd parsed and its unixref content read back by the deposit parser, citations in APA.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import re
from collections import defaultdict
from pathlib import Path

import bibtexparser
import pytest
from django.core.management import call_command
from django.db import transaction
from lxml import etree
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from linking import formats
from linking.formats.common import Source, issns, issued, pages, plain
from linking.formats.rdf import uri
from linking.models import Work

pytestmark = [pytest.mark.shared, pytest.mark.django_db, pytest.mark.timeout(1200)]

SETS = [
    "rest-api-works.jsonl.gz",
    "public-data-file",
    "unixref-oai-pmh",
    "unixref-single",
    "unixsd-feed-corpus",
    "unixsd-api",
]
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - .*$")
PER_TYPE = 12
EVERY = 40


@pytest.fixture(scope="module")
def sample_dir(shared_dir) -> Path:
    return shared_dir / "data" / "crossref-sample"


@pytest.fixture(scope="module")
def loaded(request, django_db_setup, django_db_blocker):
    pytest.importorskip("deposits.xml.parse", reason="unixref content needs deposits.xml.parse")
    sample = request.getfixturevalue("sample_dir")
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("import_works", *(str(sample / name) for name in SETS), stdout=io.StringIO())
            works = list(Work.objects.select_related("organisation", "prefix").order_by("id"))
            yield works
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sources(loaded) -> list[Source]:
    return [Source.of(work) for work in loaded]


@pytest.fixture(scope="module")
def chosen(sources) -> list[Source]:
    by_type: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_type[source.record.type].append(source)
    picked = {id(s): s for group in by_type.values() for s in group[:PER_TYPE]}
    picked.update({id(s): s for s in sources[::EVERY]})
    return list(picked.values())


def test_the_sample_covers_every_type(sources, chosen):
    assert len(sources) > 14000
    assert {s.record.type for s in chosen} == {s.record.type for s in sources}
    assert 300 <= len(chosen) <= 700


def test_csl_json_of_every_record_against_its_fields(sources):
    for source in sources:
        record = source.record
        item = json.loads(formats.render(source, "application/vnd.citationstyles.csl+json").body)
        assert item["DOI"] == source.doi and item["type"] == record.type, source.doi
        assert item["title"] == (record.titles[0] if record.titles else "")
        assert [a.get("family", a.get("name")) for a in item.get("author", [])] == [
            c.family or c.name for c in record.contributors if c.role == "author"
        ], source.doi
        assert item.get("container-title", "") == ("" if record.type == "journal" else source.container_title)
        assert item.get("volume", "") == record.volume and item.get("issue", "") == record.issue
        assert item.get("page", "") == pages(record)
        date = issued(record)
        assert item["issued"]["date-parts"] == ([date.parts()] if date else [[None]])
        assert item.get("ISSN", []) == [i["value"] for i in issns(record)]
        assert item["URL"] == f"http://dx.doi.org/{source.doi}"


def rest_works(sample: Path) -> list[dict]:
    with gzip.open(sample / "rest-api-works.jsonl.gz", "rt") as handle:
        return [json.loads(line) for line in handle]


def later_copies(sample: Path) -> set[str]:
    """DOIs that a later set of the import registered again (their stored copy is that one)."""
    dois = set()
    for path in sorted((sample / "public-data-file").iterdir()):
        text = gzip.decompress(path.read_bytes()).decode()
        items = (
            [json.loads(x) for x in text.splitlines() if x.strip()]
            if path.name.endswith(".jsonl.gz")
            else None
        )
        dois |= {w["DOI"].lower() for w in items or json.loads(text)["items"]}
    for path in (sample / "unixsd-api").iterdir():
        root = etree.parse(str(path), SAFE).getroot()
        dois |= {d.text.strip().lower() for d in root.iter("{*}doi") if d.getparent().tag.endswith("query")}
    return dois


def test_csl_json_against_the_source_rest_json(sources, sample_dir):
    """CSL-JSON is the REST record flattened: the source's values come back."""
    by_doi = {s.doi: s for s in sources}
    replaced = later_copies(sample_dir)
    compared = 0
    for source_work in rest_works(sample_dir):
        doi = source_work["DOI"].lower()
        if "type" not in source_work or doi in replaced:
            continue
        item = json.loads(formats.render(by_doi[doi], "application/json").body)
        assert item["title"] == (source_work.get("title") or [""])[0], doi
        assert item.get("container-title", "") == (source_work.get("container-title") or [""])[0], doi
        assert [a.get("family") or "" for a in item.get("author", [])] == [
            a.get("family") or "" for a in source_work.get("author", [])
        ], doi
        for key in ("volume", "issue", "publisher"):
            assert item.get(key) == source_work.get(key), (doi, key)
        assert item.get("page") == one_page(source_work.get("page")), doi
        if source_work.get("issued", {}).get("date-parts", [[None]])[0][0]:
            assert item["issued"] == {"date-parts": source_work["issued"]["date-parts"]}, doi
        assert sorted(item.get("ISSN", [])) == sorted(set(source_work.get("ISSN", []))), doi
        compared += 1
    assert compared > 1800


def one_page(page: str | None) -> str | None:
    """The import keeps "623-623" as the one page 623."""
    first, _, last = (page or "").partition("-")
    return first if page and first == last else page


def test_bibtex_and_ris_of_every_record_parse(sources):
    for source in sources:
        bibtex = formats.render(source, "application/x-bibtex").body
        library = bibtexparser.parse_string(bibtex)
        assert not library.failed_blocks and len(library.entries) == 1, (source.doi, bibtex)
        (entry,) = library.entries
        fields = {f.key: f.value for f in entry.fields}
        assert fields["DOI"] == source.doi.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
        assert re.fullmatch(r"[+A-Za-z0-9_]+", entry.key)
        ris = formats.render(source, "application/x-research-info-systems").body
        lines = ris.rstrip("\n").split("\n")
        assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - ", source.doi
        assert all(RIS_LINE.match(line) for line in lines), source.doi
        assert f"DO  - {source.doi}" in lines


def test_unixref_of_every_record_parses(sources):
    for source in sources:
        root = etree.fromstring(formats.render(source, "application/vnd.crossref.unixref+xml").body, SAFE)
        assert root.tag == "doi_records" and root[0][0].tag == "crossref"
        dois = [d.text for d in root.iter("doi") if d.getparent().tag == "doi_data"]
        assert source.doi in dois, source.doi
        if source.record.titles and source.record.type != "journal":  # a journal's is its full_title
            title = words(plain(source.record.titles[0]))
            found = [words("".join(t.itertext())) for t in root.iter("title", "proceedings_title")]
            assert title in found, source.doi


def markup(text: str) -> str:
    """A title with markup, namespace declarations and serialisation blanks aside (the deposit
    parser writes unixsd's namespaced face markup with its xmlns)."""
    return words(re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text).replace(" />", "/>"))


def words(text: str) -> str:
    """Blanks collapsed and character references read (titles keep `&#x003B4;` as text)."""
    return " ".join(html.unescape(text).split())


def test_every_format_for_the_sample(chosen):
    from deposits.xml.parse import records_from_item_element

    for source in chosen:
        doi = source.doi
        for media_type in formats.MEDIA_TYPES:
            assert formats.render(source, media_type).body, (doi, media_type)
        # unixsd: parses, its content reads back through the deposit parser as the same work
        root = etree.fromstring(formats.render(source, "application/vnd.crossref.unixsd+xml").body, SAFE)
        content = root.find(".//{http://www.crossref.org/xschema/1.1}crossref")[0]
        back = {r.doi: r for r in records_from_item_element(content)}
        assert doi in back, (doi, list(back))
        assert [markup(t) for t in back[doi].titles[:1]] == [markup(t) for t in source.record.titles[:1]], doi
        if source.record.type != "dissertation":  # a dissertation element holds its one author only
            families = [c.family for c in source.record.contributors]
            assert [c.family for c in back[doi].contributors] == families, doi
        # RDF in both serialisations: the work is there with its DOI
        subject = uri(f"http://dx.doi.org/{doi}")
        for media_type, syntax in (("application/rdf+xml", "xml"), ("text/turtle", "turtle")):
            graph = Graph().parse(data=formats.render(source, media_type).body, format=syntax)
            assert (subject, DCTERMS.identifier, Literal(doi)) in graph, (doi, media_type)
            creators = list(graph.objects(subject, DCTERMS.creator))
            assert all(isinstance(c, URIRef) for c in creators)
        citation = formats.render(source, "text/x-bibliography").body
        assert citation.strip() and "\n" not in citation.strip(), doi
        date = issued(source.record)
        if date:
            assert str(date.year) in citation, (doi, citation)
