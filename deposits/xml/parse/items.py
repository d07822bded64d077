"""One body item (a `journal`, `book`, `conference`, ... element) -> its records.

Every element of the item that carries its own `doi_data` becomes one record, in document
order of the DOIs: journal_metadata (`journal`), journal_issue (`journal-issue`),
journal_volume (`journal-volume`), each journal_article; a book's series and set
metadata, the book, its content items; and so on. A `component_list` anywhere adds one
`component` record per component, pointing at the DOI of the element that holds the list.

`read_item` works on one element and touches nothing outside it, so a streaming reader can
call it for each body child as soon as that child is complete and clear it afterwards."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from deposits.xml.parse.base import (
    attr,
    bare_doi,
    child_text,
    child_texts,
    date_parts,
    kid,
    kids,
    local,
    make_date,
    text,
)
from deposits.xml.parse.grants import read_grant_record
from deposits.xml.parse.parts import read_contributors
from deposits.xml.parse.programs import LinkData
from deposits.xml.parse.reader import ItemReader, has_doi, series_container, title_container, work_container
from deposits.xml.parse.work import inherit_dates
from linking.records import Container, WorkRecord

BOOK_TYPES = {
    "edited_book": "edited-book",
    "monograph": "monograph",
    "reference": "reference-book",
    "other": "book",
}
COMPONENT_TYPES = {
    "chapter": "book-chapter",
    "section": "book-section",
    "part": "book-part",
    "track": "book-track",
    "reference_entry": "reference-entry",
    "other": "other",
}
# --------------------------------------------------------------------------- content types


def read_journal(reader: ItemReader, item: etree._Element) -> None:
    meta = kid(item, "journal_metadata")
    container = title_container(meta, "journal")
    language = attr(meta, "language")
    if has_doi(meta):
        record, link = reader.work(meta, "journal")
        record.titles, record.short_titles = list(container.titles), list(container.short_titles)
        record.container = container
        reader.emit(meta, record, link)

    issue_element = kid(item, "journal_issue")
    volume_element = kid(issue_element, "journal_volume")
    volume = child_text(volume_element, "volume")
    issue_record = None
    if issue_element is not None:
        issue_record, issue_link = reader.work(issue_element, "journal-issue")
        issue_record.container, issue_record.volume = container, volume
        if issue_link.doi_element is not None:
            reader.emit(issue_element, issue_record, issue_link)
    if has_doi(volume_element):
        record, link = reader.work(volume_element, "journal-volume")
        record.container = container
        inherit_dates(record, issue_record)
        reader.emit(volume_element, record, link)

    journal_issue = {}
    if issue_record is not None:
        if issue_record.issue:
            journal_issue["issue"] = issue_record.issue
        for key, date in (
            ("published-print", issue_record.published_print),
            ("published-online", issue_record.published_online),
        ):
            if date:
                journal_issue[key] = date_parts(date)
    for article in kids(item, "journal_article"):
        record, link = reader.work(article, "journal-article")
        record.container, record.volume = container, volume
        record.issue = issue_record.issue if issue_record is not None else ""
        record.language = record.language or language
        inherit_dates(record, issue_record)
        if journal_issue:
            record.extra["journal-issue"] = dict(journal_issue)
        reader.emit(article, record, link)


def read_book(reader: ItemReader, item: etree._Element) -> None:
    meta = kid(item, "book_metadata", "book_series_metadata", "book_set_metadata")
    series = series_container(reader, meta, "book-series", "book-series")
    book = None
    if meta is not None:
        book, link = reader.work(meta, BOOK_TYPES.get(attr(item, "book_type"), "book"))
        book.container = series
        if link.doi_element is not None:
            reader.emit(meta, book, link)
    container = work_container(book, "book") if book is not None else Container(kind="book")
    for content in kids(item, "content_item"):
        kind = COMPONENT_TYPES.get(attr(content, "component_type"), "book-chapter")
        _part(reader, content, kind, container, book)


def _part(reader: ItemReader, element, type: str, container: Container, whole: WorkRecord | None) -> None:
    record, link = reader.work(element, type)
    record.container = container
    if whole is not None:
        record.volume = record.volume or whole.volume
        record.publisher = record.publisher or whole.publisher
        record.language = record.language or whole.language
        inherit_dates(record, whole)
    if type == "other" and attr(element, "component_type"):
        record.extra["component-type"] = attr(element, "component_type")
    reader.emit(element, record, link)


def read_conference(reader: ItemReader, item: etree._Element) -> None:
    event = read_event(kid(item, "event_metadata"))
    meta = kid(item, "proceedings_metadata", "proceedings_series_metadata")
    series = series_container(reader, meta, "proceedings-series", "proceedings-series")
    proceedings = None
    if meta is not None:
        proceedings, link = reader.work(meta, "proceedings")
        proceedings.titles = child_texts(meta, "proceedings_title") or proceedings.titles
        proceedings.contributors = read_contributors(kid(item, "contributors")) + proceedings.contributors
        proceedings.container = series
        if event:
            proceedings.extra["event"] = event
        if link.doi_element is not None:
            reader.emit(meta, proceedings, link)
    container = work_container(proceedings, "proceedings") if proceedings else Container(kind="proceedings")
    for paper in kids(item, "conference_paper"):
        record, link = reader.work(paper, "proceedings-article")
        record.container = container
        if proceedings is not None:
            record.volume = record.volume or proceedings.volume
            record.publisher = record.publisher or proceedings.publisher
            record.language = record.language or proceedings.language
            inherit_dates(record, proceedings)
        if event:
            record.extra["event"] = event
        reader.emit(paper, record, link)


def read_event(element: etree._Element | None) -> dict:
    """event_metadata in the REST API's `event` shape."""
    if element is None:
        return {}
    event: dict = {"name": child_text(element, "conference_name")}
    for key, name in (
        ("theme", "conference_theme"),
        ("acronym", "conference_acronym"),
        ("number", "conference_number"),
        ("location", "conference_location"),
    ):
        if child_text(element, name):
            event[key] = child_text(element, name)
    sponsors = child_texts(element, "conference_sponsor")
    if sponsors:
        event["sponsor"] = sponsors
    when = kid(element, "conference_date")
    if when is not None:
        for key in ("start", "end"):
            date = make_date(when.get(f"{key}_year"), when.get(f"{key}_month"), when.get(f"{key}_day"))[0]
            if date:
                event[key] = date_parts(date)
        if text(when):  # the free-text form, "June 7-9, 2017"
            event["date"] = text(when)
    return event


def read_single(type: str, subtype_attr: str = "", default_subtype: str = "") -> Callable:
    """Content types that are one record: posted_content, dissertation, peer_review."""

    def reader_for(reader: ItemReader, item: etree._Element) -> None:
        subtype = attr(item, subtype_attr, default_subtype) if subtype_attr else ""
        record, link = reader.work(item, type, subtype=subtype)
        if type == "peer-review":
            review = {}
            for key, name in (("type", "type"), ("stage", "stage"), ("recommendation", "recommendation")):
                if attr(item, name):
                    review[key] = attr(item, name)
            if attr(item, "revision-round"):
                review["revision-round"] = attr(item, "revision-round")
            for key in ("running-number", "competing-interest-statement"):
                if key in record.extra:
                    review[key] = record.extra.pop(key)
            record.extra["review"] = review
        reader.emit(item, record, link)

    return reader_for


def read_database(reader: ItemReader, item: etree._Element) -> None:
    meta = kid(item, "database_metadata")
    database = None
    container = Container(kind="database")
    if meta is not None:
        database, link = reader.work(meta, "database")
        container = work_container(database, "database")
        database.container = container
        if link.doi_element is not None:
            reader.emit(meta, database, link)
    for dataset in kids(item, "dataset"):
        record, link = reader.work(dataset, "dataset", subtype=attr(dataset, "dataset_type", "record"))
        record.container = container
        inherit_dates(record, database)
        reader.emit(dataset, record, link)
    reader.components(item, database.doi if database is not None else "")


def read_report(reader: ItemReader, item: etree._Element) -> None:
    meta = kid(item, "report-paper_metadata", "report-paper_series_metadata")
    series = series_container(reader, meta, "report-series", "report-series")
    report = None
    if meta is not None:
        report, link = reader.work(meta, "report")
        report.container = series
        if link.doi_element is not None:
            reader.emit(meta, report, link)
    container = work_container(report, "report") if report is not None else Container(kind="report")
    for content in kids(item, "content_item"):
        _part(reader, content, "report-component", container, report)
    reader.components(item, report.doi if report is not None else "")


def read_standard(reader: ItemReader, item: etree._Element) -> None:
    meta = kid(item, "standard_metadata")
    standard = None
    if meta is not None:
        standard, link = reader.work(meta, "standard")
        designators = _designators(kid(meta, "designators"))
        if designators:
            standard.extra["standard-designator"] = designators
        body = kid(meta, "standards_body")
        if body is not None:
            standard.extra["standards-body"] = {
                "name": child_text(body, "standards_body_name"),
                "acronym": child_text(body, "standards_body_acronym"),
            }
        if attr(meta, "publication_status"):
            standard.extra["publication-status"] = attr(meta, "publication_status")
        reader.emit(meta, standard, link)
    container = work_container(standard, "standard") if standard is not None else Container(kind="standard")
    for content in kids(item, "content_item"):
        _part(reader, content, "other", container, standard)
    reader.components(item, standard.doi if standard is not None else "")


def _designators(element: etree._Element | None) -> dict[str, list[str]]:
    """designators/std_as_published/std_designator ... -> {"as_published": ["CR 1234"], ...}"""
    if element is None:
        return {}
    found: dict[str, list[str]] = {}
    for child in kids(element):
        values = [text(d) for d in child.iter("{*}std_designator", "std_designator") if text(d)]
        if not values and text(child):
            values = [text(child)]
        if values:
            found.setdefault(local(child).removeprefix("std_"), []).extend(values)
    return found


def read_sa_component(reader: ItemReader, item: etree._Element) -> None:
    reader.components(item, attr(item, "parent_doi"))


def read_pending(reader: ItemReader, item: etree._Element) -> None:
    """pending_publication: the DOI sits in a plain <doi> child, with no URL yet."""
    link = LinkData()
    doi = kid(item, "doi")
    if doi is not None:
        link.doi, link.doi_element = child_text(item, "doi"), doi
    record, link = reader.work(item, "pending-publication", link=link)
    publication = kid(item, "publication")
    if publication is not None:
        kind = (
            "book" if kid(publication, "isbn") is not None and kid(publication, "issn") is None else "journal"
        )
        record.container = title_container(publication, kind)
        record.container.doi = bare_doi(child_text(publication, "doi"))
    reader.emit(item, record, link)


def read_grant(reader: ItemReader, item: etree._Element) -> None:
    record, link = read_grant_record(item, reader.notes)
    reader.emit(item, record, link)


READERS: dict[str, Callable[[ItemReader, etree._Element], None]] = {
    "journal": read_journal,
    "book": read_book,
    "conference": read_conference,
    "posted_content": read_single("posted-content", "type", "preprint"),
    "preprint": read_single("posted-content", "type", "preprint"),  # an early unixref name for it
    "dissertation": read_single("dissertation"),
    "peer_review": read_single("peer-review"),
    "database": read_database,
    "report-paper": read_report,
    "standard": read_standard,
    "sa_component": read_sa_component,
    "pending_publication": read_pending,
    "grant": read_grant,
}


def read_item(element: etree._Element, item_path: str | None = None) -> ItemReader:
    """Read one body item (or unixref content element); the records are in `.found`."""
    reader = ItemReader(element, item_path)
    reader.read(READERS.get(local(element)))
    return reader
