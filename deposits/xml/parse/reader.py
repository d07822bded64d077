"""The state of reading one body item, and the title-level containers its readers share.

`ItemReader` collects the records of one item (`Found`), adds the components of every
element that lists some, keeps the parser's per-record problems with the record they
belong to, and - as a safety net - turns any `doi_data` no content-type reader took into a
record with a RECORD_NOT_UNDERSTOOD warning, so no DOI of a valid file is lost."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from deposits.errors import ErrorCode, problem
from deposits.xml.parse.base import (
    Found,
    Notes,
    Paths,
    bare_doi,
    child_text,
    child_texts,
    kid,
    kids,
    local,
    markup,
    media_typed,
)
from deposits.xml.parse.parts import read_titles
from deposits.xml.parse.programs import LinkData, read_doi_data
from deposits.xml.parse.work import component_elements, read_component, read_work
from linking.records import Container, WorkRecord

# For the safety net: the type of a record read from an element no reader expected.
FALLBACK_TYPES = {
    "journal_article": "journal-article",
    "content_item": "book-chapter",
    "conference_paper": "proceedings-article",
    "component": "component",
    "dataset": "dataset",
}


class ItemReader:
    """Reads one body item; `found` lists its records in document order."""

    def __init__(self, item: etree._Element, item_path: str | None = None):
        self.item = item
        self.paths = Paths(item, item_path)
        self.notes = Notes(self.paths)
        self.found: list[Found] = []
        self._used: set[etree._Element] = set()

    # ----------------------------------------------------------------- driving

    def read(self, content_type: Callable[[ItemReader, etree._Element], None] | None) -> list[Found]:
        """Run `content_type` (the reader of this kind of item; None for an element no reader
        knows) and return the records in document order of their DOIs."""
        if content_type is None:
            self.found.append(
                Found(
                    record=None,
                    element=self.item,
                    anchor=None,
                    problems=[
                        problem(
                            ErrorCode.BODY_ELEMENT_UNKNOWN,
                            line=self.item.sourceline,
                            path=self.paths(self.item),
                            element=local(self.item),
                        )
                    ],
                )
            )
            return self.found
        content_type(self, self.item)
        self._leftovers()
        if self.notes.problems and self.found:  # noticed in an element without a DOI of its own
            self.found[-1].problems += self.notes.take(self.found[-1].doi)
        if len(self.found) > 1:
            order = {element: index for index, element in enumerate(self.item.iter())}
            self.found.sort(key=lambda f: order.get(f.anchor if f.anchor is not None else f.element, 0))
        return self.found

    def emit(self, element: etree._Element, record: WorkRecord, link: LinkData) -> WorkRecord:
        """Keep `record` (read from `element`) and, if the element lists components, theirs."""
        if link.doi_element is not None:
            self._used.add(link.doi_element)
        doi = record.doi
        found = Found(record=record if doi else None, element=element, anchor=link.doi_element, doi=doi)
        if not doi:
            self.notes.add(ErrorCode.RECORD_DOI_MISSING, element, element=local(element))
        found.problems = self.notes.take(doi)
        self.found.append(found)
        self.components(element, doi)
        return record

    def work(self, element: etree._Element, type: str, **kwargs) -> tuple[WorkRecord, LinkData]:
        return read_work(element, type, self.notes, **kwargs)

    def components(self, holder: etree._Element, parent_doi: str) -> None:
        for component in component_elements(holder):
            if kid(component, "doi_data") is None:
                continue  # a component given by a plain <doi> is registered elsewhere
            record, link = read_component(component, parent_doi, self.notes)
            self.emit(component, record, link)

    def _leftovers(self) -> None:
        """Any doi_data no reader took (a structure this code does not know) still becomes
        a record, with a warning, so no DOI of a valid file is lost."""
        for doi_data in self.item.iter("{*}doi_data", "doi_data"):
            doi = kid(doi_data, "doi")
            if doi is None or doi in self._used:
                continue
            element = doi_data.getparent()
            type = FALLBACK_TYPES.get(local(element), "other")
            record, link = self.work(element, type)
            self.notes.add(
                ErrorCode.RECORD_NOT_UNDERSTOOD, element, doi=record.doi, element=local(element), type=type
            )
            self.emit(element, record, link)


# --------------------------------------------------------------------------- containers


def title_container(element: etree._Element | None, kind: str, *, title_names=("full_title",)) -> Container:
    """A Container from a title-level metadata element (journal_metadata, series_metadata,
    proceedings_metadata, ...)."""
    container = Container(kind=kind)
    if element is None:
        return container
    container.titles = [markup(t) for t in kids(element, *title_names) if markup(t)]
    if not container.titles:
        container.titles = read_titles(element)[0]
    container.short_titles = child_texts(element, "abbrev_title")
    container.issns = media_typed(kids(element, "issn"))
    container.isbns = media_typed(kids(element, "isbn"))
    container.doi = bare_doi(read_doi_data(kid(element, "doi_data")).doi)
    container.publisher = child_text(kid(element, "publisher"), "publisher_name")
    return container


def work_container(record: WorkRecord, kind: str) -> Container:
    """A book / proceedings / report as the container of its parts."""
    return Container(
        kind=kind,
        titles=list(record.titles),
        short_titles=list(record.short_titles),
        isbns=list(record.isbns),
        doi=record.doi,
        publisher=record.publisher,
    )


def has_doi(element: etree._Element | None) -> bool:
    return element is not None and kid(element, "doi_data") is not None


def series_container(
    reader: ItemReader, meta: etree._Element | None, kind: str, type: str
) -> Container | None:
    """series_metadata / set_metadata of a book, proceedings or report: its container and,
    when it has a DOI, its own record."""
    series = kid(meta, "series_metadata", "set_metadata") if meta is not None else None
    if series is None:
        return None
    if local(series) == "set_metadata":
        kind, type = "book-set", "book-set"
    container = title_container(series, kind)
    if has_doi(series):
        record, link = reader.work(series, type)
        record.container = container
        reader.emit(series, record, link)
    return container
