"""XML queries (`/servlet/query`): a `query_batch` document (schema qschema/2.0) in
`qdata`, or `id=<doi>`, answered as xsd_xml (qrschema/3.0), unixref or unixsd."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from linking.matching.matcher import reference_match
from linking.matching.normalise import doi_normalise
from linking.models import Work

QS = "http://www.crossref.org/qschema/2.0"
QR = "http://www.crossref.org/qrschema/3.0"
UNIXREF = "application/vnd.crossref.unixref+xml"
UNIXSD = "application/vnd.crossref.unixsd+xml"
FORMATS = ("xsd_xml", "unixref", "unixsd")
MAX_QDATA_BYTES = 256 * 1024
MAX_QUERIES = 50
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
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class QueryRefused(ValueError):
    pass


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def parse_query_batch(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(head, queries) of a query_batch document. Any DOCTYPE is refused (no entities,
    no DTDs, nothing loaded from the network) and the size is limited."""
    if len(data) > MAX_QDATA_BYTES:
        raise QueryRefused(f"qdata may be at most {MAX_QDATA_BYTES // 1024} KB.")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:4096], re.IGNORECASE):
        raise QueryRefused("qdata must not contain a DOCTYPE or entity declarations.")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise QueryRefused(f"qdata is not well-formed XML: {exc.msg}") from None
    if _local(root) != "query_batch" or (etree.QName(root).namespace not in (QS, None)):
        raise QueryRefused(f"qdata must be a query_batch document in the {QS} namespace.")
    head = {}
    for element in root.iter():
        if _local(element) in ("email_address", "doi_batch_id") and element.text:
            head[_local(element)] = element.text.strip()[:200]
    queries = []
    for query in (e for e in root.iter() if _local(e) == "query"):
        fields = {"key": query.get("key", "")[:128]}
        for child in query:
            name = _local(child)
            if name == "author" and "author" in fields:
                continue  # the first author only, as the real engine does without search-all-authors
            if name in QUERY_FIELDS:
                fields[name] = " ".join("".join(child.itertext()).split())[:2000]
        queries.append(fields)
    if len(queries) > MAX_QUERIES:
        raise QueryRefused(f"At most {MAX_QUERIES} queries per request; this batch has {len(queries)}.")
    return head, queries


def _matcher_input(query: dict[str, str]) -> dict[str, str] | str:
    fields = {k: v for k, v in query.items() if k not in ("key", "publication_type") and v}
    if set(fields) == {"unstructured_citation"}:
        return fields["unstructured_citation"]
    return fields


def _valid(query: dict[str, str]) -> str:
    """'' when the query can be run, else why not (the real engine's rules)."""
    if query.get("doi"):
        return (
            ""
            if re.match(r"^10\.\d+/\S+$", doi_normalise(query["doi"])) and len(query["doi"]) <= 200
            else ("DOI is malformed")
        )
    if query.get("unstructured_citation"):
        return ""
    if not (query.get("first_page") or query.get("author")):
        return "Either first_page or author must be supplied"
    if not any(
        query.get(k)
        for k in (
            "issn",
            "journal_title",
            "isbn",
            "series_title",
            "volume_title",
            "proceedings_title",
            "article_title",
        )
    ):
        return "Either ISSN or journal title (or ISBN or series/volume title for books) must be supplied"
    return ""


def run_queries(queries: list[dict[str, str]]) -> list[tuple[dict[str, str], Work | None, str]]:
    """Each query with its resolved work (or None) and a status."""
    results = []
    for query in queries:
        problem = _valid(query)
        if problem:
            results.append((query, None, "malformed:" + problem))
            continue
        match = reference_match(_matcher_input(query))
        work = Work.objects.filter(doi=match.doi).select_related("organisation").first() if match else None
        results.append((query, work, "resolved" if work else "unresolved"))
    return results


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{QR}}}{name}", **attrs)
    if text:
        element.text = text
    return element


def _first_author(work: Work) -> str:
    people = [p for p in (work.data or {}).get("contributors", []) if isinstance(p, dict)]
    authors = [p for p in people if p.get("role", "author") == "author"] or people
    return (authors[0].get("family") or authors[0].get("name") or "") if authors else ""


def _query_element(body: etree._Element, query: dict[str, str], work: Work | None, status: str) -> None:
    attrs = {"status": status.split(":")[0]}
    if query.get("key"):
        attrs = {"key": query["key"], **attrs}
    element = _sub(body, "query", **attrs)
    if work is None:
        _sub(element, "doi")  # required by the schema; empty when nothing was found
        if status.startswith("malformed"):
            _sub(element, "msg", status.split(":", 1)[1])
        for name in QUERY_FIELDS:
            if name in ("doi", "proceedings_title", "unstructured_citation") or not query.get(name):
                continue
            _sub(element, name, query[name])
        return
    _sub(element, "doi", work.doi, type=DOI_TYPES.get(work.type, "journal_article"))
    data = work.data or {}
    container = data.get("container") or {}
    for issn in (container.get("issns") or [])[:2]:
        _sub(element, "issn", str(issn.get("value", "")).replace("-", ""), type=issn.get("type") or "print")
    if work.type.startswith("journal") and work.container_title:
        _sub(element, "journal_title", work.container_title)
    elif work.container_title:
        _sub(element, "volume_title", work.container_title)
    author = _first_author(work)
    if author:
        _sub(element, "author", author)
    for name, value in (("volume", work.volume), ("issue", work.issue), ("first_page", work.first_page)):
        if value:
            _sub(element, name, value)
    if work.issued[:4].isdigit() and work.issued[:4] != "0000":
        _sub(element, "year", work.issued[:4])
    _sub(element, "publication_type", "full_text")
    if work.title:
        _sub(element, "article_title", work.title)


def xsd_xml(head: dict[str, str], results) -> bytes:
    root = etree.Element(f"{{{QR}}}crossref_result", nsmap={None: QR}, version="3.0")
    result = _sub(root, "query_result")
    head_element = _sub(result, "head")
    if head.get("email_address"):
        _sub(head_element, "email_address", head["email_address"])
    _sub(head_element, "doi_batch_id", head.get("doi_batch_id") or "none")
    body = _sub(result, "body")
    for query, work, status in results:
        _query_element(body, query, work, status)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _rendered_tree(work: Work, media_type: str) -> etree._Element:
    from linking.formats import render

    body = render(work, media_type).body
    return etree.fromstring(body.encode() if isinstance(body, str) else body, _PARSER)


def unixref(results) -> bytes:
    root = etree.Element("doi_records")
    for query, work, _status in results:
        if work is None:
            record = etree.SubElement(root, "doi_record")
            if query.get("key"):
                record.set("key", query["key"])
            error = etree.SubElement(etree.SubElement(record, "crossref"), "error")
            error.text = query.get("doi") or query.get("key") or "not found"
            continue
        for record in _rendered_tree(work, UNIXREF).iter("doi_record"):
            if query.get("key"):
                record.set("key", query["key"])
            root.append(record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def unixsd(head: dict[str, str], results) -> bytes:
    root = etree.Element(f"{{{QR}}}crossref_result", nsmap={None: QR}, version="3.0")
    result = _sub(root, "query_result")
    head_element = _sub(result, "head")
    if head.get("email_address"):
        _sub(head_element, "email_address", head["email_address"])
    _sub(head_element, "doi_batch_id", head.get("doi_batch_id") or "none")
    body = _sub(result, "body")
    for query, work, status in results:
        if work is None:
            _query_element(body, query, None, status)
            continue
        for element in _rendered_tree(work, UNIXSD).iter(f"{{{QR}}}query"):
            if query.get("key"):
                element.set("key", query["key"])
            body.append(element)
            break
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _param(request: HttpRequest, name: str) -> str:
    return request.POST.get(name) or request.GET.get(name) or ""


@csrf_exempt  # machine endpoint: credentials (when given) travel in the request, no session
@require_http_methods(["GET", "POST"])
def servlet_query(request: HttpRequest) -> HttpResponse:
    output = (_param(request, "format") or "xsd_xml").lower()
    if output not in FORMATS:
        return _plain(f"Unknown format {output!r}; use one of {', '.join(FORMATS)}.", 400)
    qdata, doi = _param(request, "qdata"), _param(request, "id") or _param(request, "doi")
    if not qdata and not doi:
        return _plain("Give a query_batch document in qdata, or a DOI in id.", 400)
    try:
        if qdata:
            head, queries = parse_query_batch(qdata.encode())
        else:
            head, queries = {}, [{"key": "", "doi": doi_normalise(doi)}]
    except QueryRefused as exc:
        return _plain(str(exc), 400)
    results = run_queries(queries)
    if output == "unixref":
        body = unixref(results)
    elif output == "unixsd":
        body = unixsd(head, results)
    else:
        body = xsd_xml(head, results)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
