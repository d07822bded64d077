"""UNIXREF (`application/vnd.crossref.unixref+xml`) and UNIXSD
(`application/vnd.crossref.unixsd+xml`), the deposited metadata as Crossref serves it.

unixref: `<doi_records><doi_record owner="<prefix>" timestamp="YYYY-MM-DD hh:mm:ss">
<crossref>` + the content element, unnamespaced as the real service answers.
unixsd: the same content in the unixref 1.1 namespace inside `crossref_result/query_result/
body/query`, after the `crm-item`s (publisher, member, ids, timestamps, cited-by count).
The content element is built by `linking.formats.unixref_content`, once for both."""

from __future__ import annotations

from datetime import UTC

from lxml import etree

from linking.formats.common import Source, created, last_update
from linking.formats.unixref_content import CR11, build_content

UNIXREF = "application/vnd.crossref.unixref+xml"
UNIXSD = "application/vnd.crossref.unixsd+xml"
QR = "http://www.crossref.org/qrschema/3.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# Crossref type ids -> the `type` attribute unixsd gives the <doi>.
DOI_TYPES = {
    "journal-article": "journal_article",
    "journal-issue": "journal_issue",
    "journal-volume": "journal_volume",
    "journal": "journal_title",
    "book-chapter": "book_content",
    "book-section": "book_content",
    "book-part": "book_content",
    "book-track": "book_content",
    "reference-entry": "book_content",
    "other": "book_content",
    "book": "book_title",
    "monograph": "book_title",
    "edited-book": "book_title",
    "reference-book": "book_title",
    "book-series": "book_series",
    "book-set": "book_set",
    "proceedings-article": "conference_paper",
    "proceedings": "conference_title",
    "proceedings-series": "conference_series",
    "dissertation": "dissertation",
    "report": "report-paper_title",
    "report-series": "report-paper_series",
    "report-component": "report-paper_content",
    "standard": "standard_title",
    "dataset": "dataset",
    "database": "database_title",
    "posted-content": "posted_content",
    "peer-review": "peer_review",
    "component": "component",
    "grant": "grant",
    "pending-publication": "pending_publication",
}


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def unixref_tree(source: Source) -> etree._Element:
    root = etree.Element("doi_records")
    record = etree.SubElement(root, "doi_record", owner=source.owner_prefix)
    stamp = _stamp(last_update(source))
    if stamp:
        record.set("timestamp", stamp)
    crossref = etree.SubElement(record, "crossref")
    crossref.append(build_content(source, namespaced=False))
    return root


def unixsd_tree(source: Source) -> etree._Element:
    work = source.work
    root = etree.Element(f"{{{QR}}}crossref_result", nsmap={None: QR, "xsi": XSI}, version="3.0")
    root.set(
        f"{{{XSI}}}schemaLocation",
        "http://www.crossref.org/qrschema/3.0 http://www.crossref.org/schemas/crossref_query_output3.0.xsd",
    )
    result = etree.SubElement(root, f"{{{QR}}}query_result")
    head = etree.SubElement(result, f"{{{QR}}}head")
    etree.SubElement(head, f"{{{QR}}}doi_batch_id").text = "none"
    body = etree.SubElement(result, f"{{{QR}}}body")
    query = etree.SubElement(body, f"{{{QR}}}query", status="resolved")
    doi = etree.SubElement(query, f"{{{QR}}}doi", type=DOI_TYPES.get(source.record.type, "journal_article"))
    doi.text = source.doi
    organisation = getattr(work, "organisation", None)
    items: list[tuple[str, str, object]] = [
        ("publisher-name", "string", source.publisher),
        ("prefix-name", "string", getattr(organisation, "name", "") or source.publisher),
        ("member-id", "number", source.member_id),
        ("citation-id", "number", getattr(work, "pk", None)),
        (
            "journal-id",
            "number",
            getattr(work, "container_id", None) if source.record.type.startswith("journal") else None,
        ),
        ("book-id", "number", getattr(work, "container_id", None) if "book" in source.record.type else None),
        (
            "deposit-timestamp",
            "number",
            getattr(work, "deposit_timestamp", None) or source.record.deposit_timestamp,
        ),
        ("owner-prefix", "string", source.owner_prefix),
        ("last-update", "date", _iso(last_update(source))),
        ("created", "date", _iso(created(source))),
        ("citedby-count", "number", getattr(work, "cited_by_count", 0) or 0),
    ]
    for name, kind, value in items:
        if value not in (None, ""):
            item = etree.SubElement(query, f"{{{QR}}}crm-item", name=name, type=kind)
            item.text = str(value)
    doi_record = etree.SubElement(query, f"{{{QR}}}doi_record")
    crossref = etree.SubElement(doi_record, f"{{{CR11}}}crossref", nsmap={None: CR11})
    crossref.set(f"{{{XSI}}}schemaLocation", f"{CR11} http://doi.crossref.org/schemas/unixref1.1.xsd")
    crossref.append(build_content(source, namespaced=True))
    return root


def render_unixref(source: Source) -> bytes:
    return etree.tostring(unixref_tree(source), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render_unixsd(source: Source) -> bytes:
    return etree.tostring(unixsd_tree(source), xml_declaration=True, encoding="UTF-8", pretty_print=True)
