"""The content element of a unixref record (`journal`, `book`, `conference`, `posted_content`,
...) built from a WorkRecord, in the element order of the unixref 1.1 schema, for every
type the registry holds. With `namespaced` the elements are in the unixref 1.1 namespace and
programs in their own (fundref, AccessIndicators, relations), as unixsd has them."""

from __future__ import annotations

from lxml import etree

from linking.formats.common import Source, issued
from linking.formats.unixref_parts import CR11, UnixrefParts, names_of
from linking.records import Contributor

__all__ = ["CR11", "build_content"]

BOOK_TYPES = {
    "edited-book": "edited_book",
    "monograph": "monograph",
    "reference-book": "reference",
    "book": "other",
}
CHAPTER_TYPES = {
    "book-chapter": "chapter",
    "book-section": "section",
    "book-part": "part",
    "book-track": "track",
    "reference-entry": "reference_entry",
    "other": "other",
}


class ContentBuilder(UnixrefParts):
    """One content element per Crossref type."""

    # -- content types -----------------------------------------------------------------------

    def journal(self) -> etree._Element:
        record = self.record
        root = self.new("journal")
        meta = self.el(root, "journal_metadata", language=record.language)
        container = record.container
        full = container.titles[0] if container and container.titles else self.source.container_title
        if record.type == "journal" and not full:
            full = record.title
        self.el(meta, "full_title", full or record.title or "Untitled")
        if container and container.short_titles:
            self.el(meta, "abbrev_title", container.short_titles[0])
        self.issns(meta)
        if record.type == "journal":
            self.doi_data(meta)
            return root
        if record.volume or record.issue or record.type in ("journal-issue", "journal-volume"):
            issue = self.el(root, "journal_issue")
            if record.type in ("journal-issue", "journal-volume"):
                self.contributors(issue)
                self.titles(issue)
                self.publication_dates(issue)
            else:
                self.issue_dates(issue)
            if record.volume:
                volume = self.el(issue, "journal_volume")
                self.el(volume, "volume", record.volume)
                if record.type == "journal-volume":
                    self.doi_data(volume)
            self.el(issue, "issue", record.issue)
            if record.type == "journal-issue":
                self.doi_data(issue)
            if record.type in ("journal-issue", "journal-volume"):
                return root
        article = self.el(root, "journal_article", publication_type="full_text", language="")
        self.titles(article)
        self.contributors(article)
        self.work_body(article)
        return root

    def book(self) -> etree._Element:
        record = self.record
        is_book = record.type in BOOK_TYPES
        root = self.new("book", book_type=BOOK_TYPES.get(record.type, "other"))
        meta = self.el(root, "book_metadata", language=record.language)
        container = record.container
        if is_book:
            self.contributors(meta)
            self.titles(meta)
        else:
            title = container.titles[0] if container and container.titles else self.source.container_title
            self.titles(meta, [title or "Untitled"])
        self.el(meta, "edition_number", str(record.extra.get("edition-number", "") or ""))
        self.publication_dates(meta)
        isbns = list(record.isbns) + (list(container.isbns) if container else [])
        if isbns:
            self.isbn(meta, isbns)
        else:
            self.el(meta, "noisbn", reason="archive_volume")
        self.publisher(meta)
        if is_book:
            self.record_tail(meta)
            return root
        if container and container.doi:
            self.doi_data(meta, container.doi)
        item = self.el(
            root,
            "content_item",
            component_type=CHAPTER_TYPES.get(record.type, "other"),
            publication_type="full_text",
            language=record.language,
        )
        self.contributors(item)
        self.titles(item)
        self.work_body(item)
        return root

    def conference(self) -> etree._Element:
        record = self.record
        root = self.new("conference")
        if record.type == "proceedings":
            self.contributors(root)  # the proceedings' editors and chairs
        event = record.extra.get("event") or {}
        name = event.get("name") if isinstance(event, dict) else str(event)
        event_node = self.el(root, "event_metadata")
        self.el(event_node, "conference_name", name or self.source.container_title or "Conference")
        if isinstance(event, dict):
            self.el(event_node, "conference_acronym", event.get("acronym", ""))
            self.el(event_node, "conference_location", event.get("location", ""))
        meta = self.el(root, "proceedings_metadata", language=record.language)
        container = record.container
        title = record.title if record.type == "proceedings" else self.source.container_title
        self.el(meta, "proceedings_title", title or "Proceedings")
        self.publisher(meta)
        self.date(meta, "publication_date", issued(record))
        isbns = list(record.isbns) + (list(container.isbns) if container else [])
        if isbns:
            self.isbn(meta, isbns)
        else:
            self.el(meta, "noisbn", reason="archive_volume")
        if record.type == "proceedings":
            self.doi_data(meta)
            return root
        if container and container.doi:
            self.doi_data(meta, container.doi)
        paper = self.el(root, "conference_paper", publication_type="full_text", language=record.language)
        self.contributors(paper)
        self.titles(paper)
        self.work_body(paper)
        return root

    def posted_content(self) -> etree._Element:
        record = self.record
        root = self.new("posted_content", type=record.subtype or "preprint", language=record.language)
        self.el(root, "group_title", str(record.extra.get("group-title", "") or ""))
        self.contributors(root)
        self.titles(root)
        self.date(root, "posted_date", record.posted or issued(record))
        self.date(root, "acceptance_date", record.accepted)
        self.abstract(root)
        self.programs(root)
        self.doi_data(root)
        self.citations(root)
        return root

    def peer_review(self) -> etree._Element:
        record = self.record
        review = record.extra.get("review") or {}
        root = self.new(
            "peer_review",
            stage=review.get("stage", ""),
            type=review.get("type", ""),
            recommendation=review.get("recommendation", ""),
        )
        if review.get("revision-round"):
            root.set("revision-round", str(review["revision-round"]))
        self.contributors(root)
        self.titles(root)
        self.date(root, "review_date", issued(record))
        self.programs(root, funding=False)
        self.doi_data(root)
        return root

    def dissertation(self) -> etree._Element:
        record = self.record
        root = self.new("dissertation", publication_type="full_text", language=record.language)
        authors = [c for c in record.contributors if c.family or c.given] or [
            Contributor(family=self.source.publisher or "Unknown")
        ]
        person = self.el(root, "person_name", contributor_role="author", sequence="first")
        self.el(person, "given_name", authors[0].given)
        self.el(person, "surname", authors[0].family or authors[0].given)
        if authors[0].orcid:
            self.el(person, "ORCID", authors[0].orcid)
        self.titles(root)
        self.date(root, "approval_date", record.approved or issued(record))
        for institution in names_of(record.extra.get("institution")) or [self.source.publisher or "Unknown"]:
            node = self.el(root, "institution")
            self.el(node, "institution_name", institution)
        for degree in names_of(record.extra.get("degree")):
            self.el(root, "degree", degree)
        self.record_tail(root)
        return root

    def report(self) -> etree._Element:
        record = self.record
        root = self.new("report-paper")
        meta = self.el(root, "report-paper_metadata", language=record.language)
        self.contributors(meta)
        self.titles(meta)
        self.abstract(meta)
        self.publication_dates(meta)
        self.date(meta, "approval_date", record.approved)
        self.isbn(meta, record.isbns)
        self.publisher(meta)
        for institution in names_of(record.extra.get("institution")):
            self.el(self.el(meta, "institution"), "institution_name", institution)
        self.record_tail(meta)
        return root

    def database(self) -> etree._Element:
        record = self.record
        root = self.new("database")
        meta = self.el(root, "database_metadata", language=record.language)
        container_title = self.source.container_title
        if record.type == "database":
            self.contributors(meta)
            self.titles(meta)
            self.publisher(meta)
            self.doi_data(meta)
            return root
        self.titles(meta, [container_title or record.title or "Untitled"])
        self.publisher(meta)
        dataset = self.el(root, "dataset", dataset_type=record.subtype or "record")
        self.contributors(dataset)
        self.titles(dataset)
        date = record.extra.get("content-created")
        node = self.el(dataset, "database_date") if date or issued(record) else None
        if node is not None:
            self.date(node, "publication_date", issued(record))
        self.publisher_item(dataset)
        description = record.extra.get("description")
        if isinstance(description, list):
            description = description[0] if description else ""
        self.el(dataset, "description", str(description or ""))
        self.crossmark_and_programs(dataset)
        self.archive_locations(dataset)
        self.doi_data(dataset)
        self.citations(dataset)
        return root

    def component(self) -> etree._Element:
        record = self.record
        parent = str(record.extra.get("parent_doi", "") or "")
        root = self.new("sa_component", parent_doi=parent)
        holder = self.el(root, "component_list")
        node = self.el(holder, "component", parent_relation="isPartOf")
        self.titles(node)
        self.contributors(node)
        self.publication_dates(node)
        self.programs(node, funding=False, relations=False)
        self.doi_data(node)
        return root

    def standard(self) -> etree._Element:
        record = self.record
        root = self.new("standard")
        meta = self.el(root, "standard_metadata", language=record.language)
        self.contributors(meta)
        self.titles(meta)
        self.abstract(meta)
        designators = record.extra.get("standard-designator")
        designator = designators[0] if isinstance(designators, list) and designators else designators
        if isinstance(designator, dict):
            designator = designator.get("value") or designator.get("designator") or ""
        holder = self.el(meta, "designators")
        self.el(self.el(holder, "std_as_published"), "std_designator", str(designator or record.doi))
        self.el(meta, "volume", record.volume)
        self.publication_dates(meta)
        self.isbn(meta, record.isbns)
        self.publisher(meta)
        body = record.extra.get("standards-body") or {}
        standards_body = self.el(meta, "standards_body")
        self.el(
            standards_body, "standards_body_name", body.get("name", "") or self.source.publisher or "Unknown"
        )
        self.el(standards_body, "standards_body_acronym", body.get("acronym", "") or "-")
        self.crossmark_and_programs(meta)
        self.archive_locations(meta)
        self.doi_data(meta)
        self.citations(meta)
        return root

    def build(self) -> etree._Element:
        kind = self.record.type
        if kind.startswith("journal"):
            return self.journal()
        if kind in BOOK_TYPES or kind in CHAPTER_TYPES or kind in ("book-series", "book-set"):
            return self.book()
        if kind in ("proceedings", "proceedings-article", "proceedings-series"):
            return self.conference()
        if kind == "peer-review":
            return self.peer_review()
        if kind == "dissertation":
            return self.dissertation()
        if kind in ("report", "report-series", "report-component"):
            return self.report()
        if kind in ("dataset", "database"):
            return self.database()
        if kind == "component":
            return self.component()
        if kind in ("standard", "standard-series"):
            return self.standard()
        # posted content, and what has no element of its own (grants, pending publications)
        return self.posted_content()


def build_content(source: Source, *, namespaced: bool) -> etree._Element:
    return ContentBuilder(source, namespaced).build()
