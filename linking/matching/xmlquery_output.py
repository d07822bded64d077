"""The answers of `/servlet/query` (and of OpenURL with `multihit=true`): xsd_xml
(qrschema/3.0, crossref_query_output3.0.xsd), unixref and unixsd.

Several works for one query (`enable-multiple-hits`) give one `query` element each (one
`doi_record` in unixref), with the query's key, status `multiresolved`, best first: the
output schema has no other list. `expanded-results` adds, in xsd_xml, what the schema's
`query` element defines beyond the basic citation: every contributor (`contributors` in
place of `author`), ISBNs, the article number (`item_number`), the last page and the
print and online years. unixref and unixsd already carry the whole record."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from linking.formats.common import Source, isbns, issn_hyphenated
from linking.formats.unixref import unixref_tree, unixsd_tree
from linking.models import Work

QR = "http://www.crossref.org/qrschema/3.0"
QUERY_FIELDS = (
    "doi",
    "issn",
    "isbn",
    "series_title",
    "journal_title",
    "proceedings_title",
    "volume_title",
    "author",
    "volume",
    "issue",
    "first_page",
    "edition_number",
    "component_number",
    "year",
    "publication_type",
    "article_title",
    "unstructured_citation",
)
DOI_TYPES = {
    "journal-article": "journal_article",
    "journal-issue": "journal_issue",
    "journal-volume": "journal_volume",
    "journal": "journal_title",
    "proceedings-article": "conference_paper",
    "proceedings": "conference_title",
    "book-chapter": "book_content",
    "book-section": "book_content",
    "book-part": "book_content",
    "reference-entry": "book_content",
    "book": "book_title",
    "monograph": "book_title",
    "edited-book": "book_title",
    "reference-book": "book_title",
    "book-series": "book_series",
    "dissertation": "dissertation",
    "report": "report-paper_title",
    "standard": "standard_title",
    "dataset": "dataset",
    "posted-content": "posted_content",
    "peer-review": "peer_review",
    "component": "component",
}
# Value types of the output schema: an echoed query value that does not fit is left out,
# so that even an odd query gets a valid answer.
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dX]$")
_ISBN = re.compile(r"^(97(8|9)-)?\d[\d \-]+[\dX]$")
_YEAR = re.compile(r"^\d{4}$")
PUBLICATION_TYPES = ("abstract_only", "full_text", "bibliographic_record")
CONTRIBUTOR_ROLES = ("author", "editor", "chair", "translator")


@dataclass
class Query:
    """One `query` of a query_batch, with its options (crossref_query_input2.0.xsd)."""

    key: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    hints: dict[str, frozenset[str]] = field(default_factory=dict)  # element -> `match` tokens given
    all_authors: bool = False  # author/@search-all-authors (for a matcher that compares every author)
    multiple_hits: bool = False
    exact: bool = False  # enable-multiple-hits="exact": every value compared as given, hints ignored
    author_title: bool = False  # secondary-query: author + article title when the full query fails
    expanded: bool = False
    problem: str = ""  # why the query is malformed, "" when it is not


@dataclass
class Answer:
    query: Query
    status: str  # resolved | unresolved | multiresolved | malformed
    works: list[Work] = field(default_factory=list)
    message: str = ""  # for malformed queries
    mode: str = ""  # query_mode: "author-title" when the secondary query found the works


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{QR}}}{name}", **attrs)
    if text:
        element.text = text
    return element


def _envelope(head: dict[str, str]) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{QR}}}crossref_result", nsmap={None: QR}, version="3.0")
    result = _sub(root, "query_result")
    head_element = _sub(result, "head")
    if head.get("email_address"):
        _sub(head_element, "email_address", head["email_address"])
    _sub(head_element, "doi_batch_id", head.get("doi_batch_id") or "none")
    return root, _sub(result, "body")


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _query_attrs(answer: Answer) -> dict[str, str]:
    attrs = {"key": answer.query.key} if answer.query.key else {}
    attrs["status"] = answer.status
    if answer.mode:
        attrs["query_mode"] = answer.mode
    return attrs


def _echo(element: etree._Element, query: Query) -> None:
    """The query's own values, for a query that found nothing."""
    for name in QUERY_FIELDS:
        value = query.fields.get(name, "")
        if name in ("doi", "proceedings_title", "unstructured_citation") or not value:
            continue
        if name == "issn" and not _ISSN.match(value):
            continue
        if name == "isbn":
            if _ISBN.match(value) and 10 <= len(value) <= 17:
                _sub(element, name, value, type="print")
            continue
        if name == "year" and not (_YEAR.match(value) and 1400 <= int(value) <= 2200):
            continue
        if name == "publication_type" and value not in PUBLICATION_TYPES:
            continue
        _sub(element, name, value)


def _unmatched(body: etree._Element, answer: Answer) -> None:
    element = _sub(body, "query", **_query_attrs(answer))
    _sub(element, "doi")  # required by the schema; empty when nothing was found
    if answer.status == "malformed" and answer.message:
        _sub(element, "msg", answer.message if len(answer.message) >= 10 else f"Malformed: {answer.message}")
    _echo(element, answer.query)


def _year(value: object) -> str:
    text = str(value or "")[:4]
    return text if _YEAR.match(text) and 1400 <= int(text) <= 2200 else ""


def _first_author(record) -> str:
    people = [p for p in record.contributors if p.role == "author"] or record.contributors
    return (people[0].family or people[0].name) if people else ""


def _sequence(person) -> str:
    return person.sequence if person.sequence in ("first", "additional") else "additional"


def _contributors(element: etree._Element, record) -> bool:
    """All contributors, in order. The schema takes people or organisations, not both:
    people when there are any."""
    listed = [c for c in record.contributors if c.role in CONTRIBUTOR_ROLES]
    people = [c for c in listed if c.family or c.given]
    organisations = [c for c in listed if c.name and not (c.family or c.given)]
    if not people and not organisations:
        return False
    contributors = _sub(element, "contributors")
    for person in people:
        entry = _sub(contributors, "contributor", sequence=_sequence(person), contributor_role=person.role)
        if person.family and person.given:
            _sub(entry, "given_name", person.given)
        _sub(entry, "surname", person.family or person.given)
        if person.suffix and len(person.suffix) <= 10:
            _sub(entry, "suffix", person.suffix)
        if 33 <= len(person.orcid) <= 37:
            _sub(entry, "ORCID", person.orcid)
    if not people:
        for organisation in organisations:
            sequence = (
                organisation.sequence if organisation.sequence in ("first", "additional") else "additional"
            )
            _sub(contributors, "organization", organisation.name[:511], sequence=sequence)
    return True


def _years(element: etree._Element, work: Work, record, expanded: bool) -> None:
    dated = []
    if expanded:
        for date, media in ((record.published_print, "print"), (record.published_online, "online")):
            if date and _year(date.year):
                dated.append((_year(date.year), media))
    if dated:
        for year, media in dated:
            _sub(element, "year", year, media_type=media)
    elif _year(work.issued) and work.issued[:4] != "0000":
        _sub(element, "year", _year(work.issued))


def _hit(body: etree._Element, answer: Answer, work: Work) -> None:
    """One found work, in the order of the schema's `query` sequence."""
    expanded = answer.query.expanded
    record = Source.of(work).record
    element = _sub(body, "query", **_query_attrs(answer))
    _sub(element, "doi", work.doi, type=DOI_TYPES.get(work.type, "journal_article"))
    for issn in (record.container.issns if record.container else [])[:2]:
        value = issn_hyphenated(str(issn.get("value", ""))).replace("-", "")
        if _ISSN.match(value):
            kind = issn.get("type") if issn.get("type") in ("print", "electronic") else "print"
            _sub(element, "issn", value, type=kind)
    if expanded:
        for isbn in [i for i in isbns(record) if _ISBN.match(i["value"]) and 10 <= len(i["value"]) <= 17][:6]:
            kind = isbn["type"] if isbn["type"] in ("print", "electronic") else "print"
            _sub(element, "isbn", isbn["value"], type=kind)
    if work.type.startswith("journal") and work.container_title:
        _sub(element, "journal_title", work.container_title)
    elif work.container_title:
        _sub(element, "volume_title", work.container_title)
    if not (expanded and _contributors(element, record)):
        author = _first_author(record)
        if author:
            _sub(element, "author", author)
    for name, value in (("volume", work.volume), ("issue", work.issue), ("first_page", work.first_page)):
        if value:
            _sub(element, name, value)
    if expanded and work.article_number and len(work.article_number) <= 32:
        _sub(element, "item_number", work.article_number)
    if expanded and record.last_page:
        _sub(element, "last_page", record.last_page)
    _years(element, work, record, expanded)
    _sub(element, "publication_type", "full_text")
    if work.title:
        _sub(element, "article_title", work.title)


def xsd_xml(head: dict[str, str], answers: list[Answer]) -> bytes:
    root, body = _envelope(head)
    for answer in answers:
        if not answer.works:
            _unmatched(body, answer)
        for work in answer.works:
            _hit(body, answer, work)
    return _serialise(root)


def unixref(answers: list[Answer]) -> bytes:
    root = etree.Element("doi_records")
    for answer in answers:
        key = answer.query.key
        if not answer.works:
            record = etree.SubElement(root, "doi_record")
            if key:
                record.set("key", key)
            error = etree.SubElement(etree.SubElement(record, "crossref"), "error")
            error.text = answer.query.fields.get("doi") or key or "not found"
        for work in answer.works:
            for record in unixref_tree(Source.of(work)).iter("doi_record"):
                if key:
                    record.set("key", key)
                root.append(record)
    return _serialise(root)


def unixsd(head: dict[str, str], answers: list[Answer]) -> bytes:
    root, body = _envelope(head)
    for answer in answers:
        if not answer.works:
            _unmatched(body, answer)
        for work in answer.works:
            element = next(unixsd_tree(Source.of(work)).iter(f"{{{QR}}}query"))
            for name, value in _query_attrs(answer).items():
                element.set(name, value)
            body.append(element)
    return _serialise(root)
