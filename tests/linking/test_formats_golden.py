"""Our content negotiation against the real service's answers for the two DOIs in
shared/data/crossref-sample/content-negotiation/: once their records are imported (from the
real unixsd in that folder), every format carries the same fields and values as the real
output, formatting aside. Where the real service answers no file (BibTeX, CSL-JSON), the
values are checked against the real RIS and unixsd of the same DOI.

Differences that remain are listed here with the reason, so a new one fails the test:
* unixref/unixsd `publisher_item/item_number` (sequence-number): the registry keeps
  publisher item ids as `alternative-id` without their kind, so the PII comes back once,
  as `identifier id_type="pii"`.
* `journal_issue/special_numbering`: not kept by the registry.
* unixref `doi_record@timestamp`: the real service writes US Eastern local time; ours is UTC
  (the same instant is checked).
* unixsd `crm-item` citation-id / journal-id are the registry's own row ids; `prefix-name`
  is the member's name (the registry has no separate name per prefix).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import bibtexparser
import pytest
from django.core.management import call_command
from lxml import etree
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from linking import formats
from linking.models import Work

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

PSYNEUEN = "10.1016/j.psyneuen.2016.10.018"
REVIEW = "10.7287/peerj.2196v0.1/reviews/2"
UNIXREF = "application/vnd.crossref.unixref+xml"
UNIXSD = "application/vnd.crossref.unixsd+xml"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture
def golden(shared_dir) -> Path:
    return shared_dir / "data" / "crossref-sample" / "content-negotiation"


@pytest.fixture
def imported(golden):
    call_command(
        "import_works",
        str(golden / PSYNEUEN / UNIXSD),
        str(golden / REVIEW / UNIXSD),
        stdout=io.StringIO(),
    )
    return {w.doi: w for w in Work.objects.select_related("organisation", "prefix", "container")}


def real(golden: Path, doi: str, media_type: str) -> str:
    folder = golden / doi
    path = folder / media_type if (folder / media_type).exists() else folder / "transform" / media_type
    return path.read_text(encoding="utf-8")


def ours(work, media_type: str, **kwargs) -> str:
    body = formats.render(work, media_type, **kwargs).body
    return body.decode() if isinstance(body, bytes) else body


def ris_tags(text: str) -> Counter:
    found = Counter()
    for line in text.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        assert match or not line.strip(), f"not a RIS line: {line!r}"
        if match and match.group(1) != "ER":
            found[(match.group(1), match.group(2).strip())] += 1
    return found


@pytest.mark.parametrize("doi", [PSYNEUEN, REVIEW])
def test_ris_carries_the_real_tags_and_values(golden, imported, doi):
    text = ours(imported[doi], "application/x-research-info-systems")
    assert text.splitlines()[0].startswith("TY  - ") and text.rstrip().endswith("ER  -")
    assert ris_tags(text) == ris_tags(real(golden, doi, "application/x-research-info-systems"))


@pytest.mark.parametrize("doi", [PSYNEUEN, REVIEW])
@pytest.mark.parametrize(
    "media_type, rdf_format", [("text/turtle", "turtle"), ("application/rdf+xml", "xml")]
)
def test_rdf_is_the_real_graph(golden, imported, doi, media_type, rdf_format):
    """Same triples, same contributor and journal URIs (blank nodes aside: there are none)."""
    expected = Graph().parse(data=real(golden, doi, media_type), format=rdf_format)
    got = Graph().parse(data=ours(imported[doi], media_type), format=rdf_format)
    assert len(got) == len(expected)
    assert isomorphic(to_isomorphic(got), to_isomorphic(expected)), sorted(set(got) ^ set(expected))


def leaves(root: etree._Element) -> Counter:
    """(path, text) of every leaf and (path@attribute, value) of every attribute, namespaces
    and schemaLocation aside, blanks trimmed."""
    found = Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        names = [etree.QName(a).localname for a in reversed(list(element.iterancestors()))]
        path = "/".join([*names, etree.QName(element).localname])
        if len(element) == 0:
            found[(path, (element.text or "").strip())] += 1
        for key, value in element.attrib.items():
            if not key.endswith("schemaLocation"):
                found[(f"{path}@{etree.QName(key).localname}", value.strip())] += 1
    return found


def _drop(counter: Counter, *suffixes: str) -> Counter:
    return Counter({k: v for k, v in counter.items() if not k[0].endswith(suffixes)})


KNOWN = (
    "publisher_item/item_number",
    "publisher_item/item_number@item_number_type",
    "journal_issue/special_numbering",
)


@pytest.mark.parametrize("doi", [PSYNEUEN, REVIEW])
def test_unixref_carries_the_real_content(golden, imported, doi):
    expected_root = etree.fromstring(real(golden, doi, UNIXREF).encode(), SAFE)
    got_root = etree.fromstring(ours(imported[doi], UNIXREF).encode(), SAFE)
    assert got_root.tag == "doi_records" and got_root[0].get("owner") == doi.split("/")[0]
    # the same instant, in the real service's US Eastern wall time and in our UTC
    eastern = datetime.strptime(expected_root[0].get("timestamp"), "%Y-%m-%d %H:%M:%S")
    utc = datetime.strptime(got_root[0].get("timestamp"), "%Y-%m-%d %H:%M:%S")
    assert eastern.replace(tzinfo=ZoneInfo("America/New_York")) == utc.replace(tzinfo=ZoneInfo("UTC"))
    expected = _drop(leaves(expected_root), *KNOWN, "doi_record@timestamp")
    got = _drop(leaves(got_root), "doi_record@timestamp")
    assert expected - got == Counter(), "missing from ours"
    assert only_deposit_timestamps(got - expected), "not in the real record"


def only_deposit_timestamps(extra: Counter) -> bool:
    """Ours always states the deposit timestamp in doi_data; the real unixref of the Elsevier
    record leaves it out (its unixsd has it as a crm-item, which ours has too)."""
    return all(path.endswith("doi_data/timestamp") for path, _ in extra)


@pytest.mark.parametrize("doi", [PSYNEUEN, REVIEW])
def test_unixsd_carries_the_real_content_and_envelope(golden, imported, doi):
    expected_root = etree.fromstring(real(golden, doi, UNIXSD).encode(), SAFE)
    got_root = etree.fromstring(ours(imported[doi], UNIXSD).encode(), SAFE)
    assert got_root.nsmap[None] == expected_root.nsmap[None] == "http://www.crossref.org/qrschema/3.0"
    crossref = "{http://www.crossref.org/xschema/1.1}crossref"
    assert got_root.find(f".//{crossref}") is not None

    def crm(root) -> dict[str, str]:
        return {i.get("name"): i.text for i in root.iter("{*}crm-item")}

    expected_items, got_items = crm(expected_root), crm(got_root)
    for name in (
        "publisher-name",
        "member-id",
        "deposit-timestamp",
        "owner-prefix",
        "citedby-count",
        "created",
    ):
        assert got_items[name] == expected_items[name], name
    assert got_items["last-update"] == expected_items["last-update"]
    assert got_items["citation-id"] == str(imported[doi].pk)
    own = "crm-item"
    expected = _drop(Counter({k: v for k, v in leaves(expected_root).items() if own not in k[0]}), *KNOWN)
    got = Counter({k: v for k, v in leaves(got_root).items() if own not in k[0]})
    assert expected - got == Counter(), "missing from ours"
    assert only_deposit_timestamps(got - expected), "not in the real record"
    assert got_root.find(".//{*}doi").get("type") == expected_root.find(".//{*}doi").get("type")


def test_bibliography_in_apa_has_the_real_citations_parts(golden, imported):
    expected = real(golden, PSYNEUEN, "text/x-bibliography")
    got = ours(imported[PSYNEUEN], "text/x-bibliography")
    assert got.startswith(
        "Deuter, C. E., Wingenfeld, K., Schultebraucks, K., Hellmann-Regen, J., Piber, D., & Otte, C. (2017)."
    )
    # the real text up to the DOI (which it writes as doi:…, APA 7 as https://doi.org/…)
    assert got.split(" https://doi.org/")[0] == expected.split(" doi:")[0].strip()
    assert got.strip().endswith("10.1016/j.psyneuen.2016.10.018")


def test_bibliography_of_the_anonymous_review(golden, imported):
    expected = real(golden, REVIEW, "text/x-bibliography")
    got = ours(imported[REVIEW], "text/x-bibliography")
    for part in ("Tissue mortality by Caribbean ciliate infection", "(2016)", REVIEW):
        assert part in expected and part in got
    assert "Anonymous" not in got


def test_bibliography_in_other_styles_and_locales(imported):
    work = imported[PSYNEUEN]
    ieee = ours(work, "text/x-bibliography", style="ieee")
    assert ieee.startswith("[1]C. E. Deuter, K. Wingenfeld") and "vol. 75, pp. 132–140, Jan. 2017" in ieee
    french = ours(work, "text/x-bibliography", style="ieee", locale="fr-FR")
    assert french != ieee and "C. E. Deuter" in french and "et C. Otte" in french
    bibtex = formats.render(work, "text/x-bibliography", style="bibtex")
    assert bibtex.content_type.startswith("application/x-bibtex") and bibtex.body.lstrip().startswith(
        "@article{"
    )
    with pytest.raises(formats.UnknownStyle, match="not-a-style"):
        formats.render(work, "text/x-bibliography", style="not-a-style")
    with pytest.raises(formats.UnknownLocale, match="zz-ZZ"):
        formats.render(work, "text/x-bibliography", locale="zz-ZZ")


def test_bibtex_carries_the_real_values(golden, imported):
    """Checked against the real RIS of the same DOI (the real service's BibTeX has no file here)."""
    text = ours(imported[PSYNEUEN], "application/x-bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert (entry.entry_type, entry.key) == ("article", "Deuter_2017")
    fields = {f.key: f.value for f in entry.fields}
    ris = ris_tags(real(golden, PSYNEUEN, "application/x-research-info-systems"))
    tag = {t: v for (t, v) in ris}
    assert fields["title"] == tag["TI"]
    assert fields["journal"] == tag["T2"]
    assert fields["volume"] == tag["VL"]
    assert fields["publisher"] == tag["PB"]
    assert fields["ISSN"] == tag["SN"]
    assert fields["DOI"] == tag["DO"] and fields["url"] == tag["UR"]
    assert fields["year"] == tag["PY"] and fields["month"] == "jan"
    assert fields["pages"].replace("–", "-") == tag["SP"]
    assert fields["author"].split(" and ") == [v for (t, v) in ris.elements() if t == "AU"]
    review = bibtexparser.parse_string(ours(imported[REVIEW], "application/x-bibtex"))
    (entry,) = review.entries
    assert (entry.entry_type, entry.key) == ("misc", "2016")  # no author: the year alone, as the real service


@pytest.mark.parametrize("media_type", ["application/vnd.citationstyles.csl+json", "application/json"])
def test_csl_json_carries_the_real_values(golden, imported, media_type):
    import json

    rendered = formats.render(imported[PSYNEUEN], media_type)
    assert rendered.content_type == media_type
    item = json.loads(rendered.body)
    assert item["DOI"] == PSYNEUEN and item["type"] == "journal-article"
    assert item["URL"] == f"http://dx.doi.org/{PSYNEUEN}"
    assert item["title"].startswith("Effects of mineralocorticoid-receptor stimulation")
    assert item["container-title"] == item["container-title-short"] == "Psychoneuroendocrinology"
    assert [(a["family"], a["given"], a["sequence"]) for a in item["author"]][:2] == [
        ("Deuter", "Christian Eric", "first"),
        ("Wingenfeld", "Katja", "additional"),
    ]
    assert len(item["author"]) == 6
    assert item["issued"] == {"date-parts": [[2017, 1]]} == item["published-print"]
    assert (item["page"], item["volume"], item["ISSN"]) == ("132-140", "75", ["0306-4530"])
    assert (item["publisher"], item["member"], item["prefix"]) == ("Elsevier BV", "78", "10.1016")
    assert item["license"] == [
        {"URL": "http://www.elsevier.com/tdm/userlicense/1.0/", "content-version": "tdm", "delay-in-days": 0}
    ]
    assert item["update-policy"] == "http://dx.doi.org/10.1016/elsevier_cm_policy"
    assert item["created"]["date-time"] == "2016-10-22T16:18:08Z"
    review = json.loads(formats.render(imported[REVIEW], media_type).body)
    assert review["relation"] == {
        "is-review-of": [{"id-type": "doi", "id": "10.7717/peerj.2196", "asserted-by": "subject"}]
    }
    assert review["issued"] == {"date-parts": [[2016, 7, 26]]}


def test_through_the_resolver_and_the_transform_route(golden, client, imported):
    """End to end: the resolver and /api/works/<doi>/transform answer with these renderers."""
    response = client.get(f"/{PSYNEUEN}", HTTP_ACCEPT="application/x-bibtex")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert response.content.decode().lstrip().startswith("@article{Deuter_2017,")
    response = client.get(f"/{REVIEW}", HTTP_ACCEPT="application/x-research-info-systems")
    assert ris_tags(response.content.decode()) == ris_tags(
        real(golden, REVIEW, "application/x-research-info-systems")
    )
    response = client.get(f"/{PSYNEUEN}", HTTP_ACCEPT="text/x-bibliography; style = ieee; locale = en-US")
    assert response.status_code == 200 and response.content.decode().startswith("[1]C. E. Deuter")
    response = client.get(f"/{PSYNEUEN}", HTTP_ACCEPT="text/x-bibliography; style=no-such-style")
    assert response.status_code in (400, 406) and "no-such-style" in response.content.decode()
    response = client.get(f"/{PSYNEUEN}", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 406
    response = client.get(f"/api/works/{PSYNEUEN}/transform/application/vnd.crossref.unixsd+xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content, SAFE)
    assert root.find(".//{*}crm-item[@name='member-id']").text == "78"
