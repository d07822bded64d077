"""A WorkRecord built by the web form, as Crossref deposit XML (schema 5.5.0, the newest we
ship), or as a doi_resources body for resource-only changes.

The form never writes XML by hand: it builds a `linking.records.WorkRecord` and this module
serialises it with lxml, element order as the schema wants it. `deposit_xml` is validated
with `deposits.xml.validate.validate_deposit` by the caller before it is submitted."""

from __future__ import annotations

from lxml import etree
from lxml.builder import ElementMaker

from linking.records import Contributor, PartialDate, Reference, WorkRecord

VERSION = "5.5.0"
CR = f"http://www.crossref.org/schema/{VERSION}"
RESOURCES_VERSION = "4.4.2"
RES = f"http://www.crossref.org/doi_resources_schema/{RESOURCES_VERSION}"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
FR = "http://www.crossref.org/fundref.xsd"
AI = "http://www.crossref.org/AccessIndicators.xsd"
REL = "http://www.crossref.org/relations.xsd"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: CR, "jats": JATS, "fr": FR, "ai": AI, "rel": REL}


class Maker:
    """lxml's ElementMaker that leaves out None children and empty attributes, so optional
    parts are written as `maybe_element or None`."""

    def __init__(self, namespace: str, nsmap: dict | None = None):
        self._maker = ElementMaker(namespace=namespace, nsmap=nsmap)

    def __getattr__(self, tag: str):
        return lambda *children, **attrs: _el(self, tag, *children, **attrs)

    def build(self, tag: str, children, attrs) -> etree._Element:
        return getattr(self._maker, tag)(*children, **attrs)


E = Maker(CR, NSMAP)
J = Maker(JATS)
F = Maker(FR)
A = Maker(AI)
R = Maker(REL)


def _el(maker: Maker, tag: str, *children, **attrs) -> etree._Element:
    """An element without empty attributes and without None children."""
    return maker.build(tag, [c for c in children if c is not None], {k: v for k, v in attrs.items() if v})


def _text(maker: Maker, tag: str, value: str, **attrs) -> etree._Element | None:
    return _el(maker, tag, value, **attrs) if value else None


def _date(tag: str, date: PartialDate | None, media_type: str = "online") -> etree._Element | None:
    if date is None:
        return None
    parts = []
    if date.month:
        parts.append(E.month(f"{date.month:02d}"))
    if date.day:
        parts.append(E.day(f"{date.day:02d}"))
    parts.append(E.year(f"{date.year:04d}"))
    return _el(E, tag, *parts, media_type=media_type if tag == "publication_date" else "")


def iso_date(date: PartialDate | None) -> str:
    """YYYY-MM-DD for attributes that need a full date; unknown parts become 01."""
    if date is None:
        return ""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}"


def _contributor(person: Contributor, first: bool) -> etree._Element:
    sequence = "first" if first else "additional"
    affiliations = None
    if person.affiliations:
        institutions = []
        for affiliation in person.affiliations:
            ids = [
                E.institution_id(item["id"], type=item.get("id-type", "ror").lower())
                for item in affiliation.ids
                if item.get("id")
            ]
            institutions.append(E.institution(*[_text(E, "institution_name", affiliation.name), *ids]))
        affiliations = E.affiliations(*institutions)
    if person.name and not person.family:
        return _el(E, "organization", person.name, sequence=sequence, contributor_role=person.role)
    return _el(
        E,
        "person_name",
        _text(E, "given_name", person.given),
        E.surname(person.family),
        _text(E, "suffix", person.suffix),
        affiliations,
        _text(E, "ORCID", person.orcid),
        sequence=sequence,
        contributor_role=person.role,
    )


def _contributors(record: WorkRecord) -> etree._Element | None:
    if not record.contributors:
        return None
    return E.contributors(*[_contributor(c, i == 0) for i, c in enumerate(record.contributors)])


def _titles(record: WorkRecord) -> etree._Element:
    return E.titles(
        E.title(record.title), _text(E, "subtitle", record.subtitles[0] if record.subtitles else "")
    )


def _abstract(record: WorkRecord) -> list[etree._Element]:
    if not record.abstract:
        return []
    paragraphs = [p.strip() for p in record.abstract.split("\n\n") if p.strip()]
    return [J.abstract(*[J.p(p) for p in paragraphs])]


def _pages(record: WorkRecord) -> etree._Element | None:
    if not record.first_page:
        return None
    return E.pages(E.first_page(record.first_page), _text(E, "last_page", record.last_page))


def _publisher_item(record: WorkRecord) -> etree._Element | None:
    if not record.article_number:
        return None
    return E.publisher_item(E.item_number(record.article_number, item_number_type="article_number"))


def _crossmark(record: WorkRecord) -> etree._Element | None:
    """Crossmark with its updates; funding and licences then go in its custom_metadata,
    where the schema wants them when there is a crossmark element."""
    if not record.updates:
        return None
    updates = [E.update(u.doi, type=u.type, date=iso_date(u.date)) for u in record.updates]
    inside = [p for p in (_funding(record), _licences(record)) if p is not None]
    return E.crossmark(
        E.crossmark_policy(record.crossmark.get("policy", "")),
        E.updates(*updates),
        E.custom_metadata(*inside) if inside else None,
    )


def _funding(record: WorkRecord) -> etree._Element | None:
    if not record.funding:
        return None
    groups = []
    for funding in record.funding:
        identifier = None
        if funding.funder_id:
            identifier = F.assertion(funding.funder_id, name="funder_identifier")
        name = F.assertion(funding.name, name="funder_name")
        if identifier is not None:
            name.append(identifier)
        awards = [F.assertion(award, name="award_number") for award in funding.awards if award]
        groups.append(F.assertion(name, *awards, name="fundgroup"))
    return F.program(*groups, name="fundref")


def _licences(record: WorkRecord) -> etree._Element | None:
    if not record.licenses:
        return None
    refs = [
        _el(A, "license_ref", licence.url, start_date=iso_date(licence.start), applies_to="vor")
        for licence in record.licenses
    ]
    return A.program(*refs, name="AccessIndicators")


def _relations(record: WorkRecord) -> etree._Element | None:
    if not record.relations:
        return None
    items = []
    for relation in record.relations:
        tag = "intra_work_relation" if relation.kind == "intra" else "inter_work_relation"
        related = _el(
            R, tag, relation.id, **{"relationship-type": relation.type, "identifier-type": relation.id_type}
        )
        items.append(R.related_item(_text(R, "description", relation.description), related))
    return R.program(*items, name="relations")


def _programs(record: WorkRecord, *, crossmark: bool = True) -> list[etree._Element]:
    outside = (
        (_relations(record),)
        if record.updates and crossmark
        else (_funding(record), _licences(record), _relations(record))
    )
    return [p for p in outside if p is not None]


def _doi_data(record: WorkRecord) -> etree._Element:
    return E.doi_data(E.doi(record.doi), E.resource(record.url))


def _citation(reference: Reference) -> etree._Element:
    return E.citation(
        _text(E, "doi", reference.doi),
        _text(E, "unstructured_citation", reference.unstructured),
        key=reference.key,
    )


def _citations(record: WorkRecord, maker: Maker = E) -> etree._Element | None:
    if not record.references:
        return None
    return maker.citation_list(*[_citation_in(maker, r) for r in record.references])


def _citation_in(maker: Maker, reference: Reference) -> etree._Element:
    return _el(
        maker,
        "citation",
        _text(maker, "doi", reference.doi),
        _text(maker, "unstructured_citation", reference.unstructured),
        key=reference.key,
    )


def _tail(record: WorkRecord) -> list[etree._Element | None]:
    """What follows the descriptive metadata in every item: Crossmark, programs, doi_data,
    citations."""
    return [_crossmark(record), *_programs(record), _doi_data(record), _citations(record)]


def _publisher(record: WorkRecord) -> etree._Element:
    return E.publisher(E.publisher_name(record.publisher or "Unknown publisher"))


def _isbns(isbns: list[dict[str, str]]) -> list[etree._Element]:
    if not isbns:
        return [E.noisbn(reason="archive_volume")]
    return [_el(E, "isbn", i["value"], media_type=i.get("type", "")) for i in isbns]


def _language(record: WorkRecord) -> str:
    return record.language or ""


# --- One builder per content type -------------------------------------------------------


def _journal_article(record: WorkRecord) -> etree._Element:
    container = record.container
    journal_meta = E.journal_metadata(
        E.full_title(container.titles[0] if container and container.titles else ""),
        *[
            _el(E, "issn", i["value"], media_type=i.get("type", ""))
            for i in (container.issns if container else [])
        ],
        language=_language(record),
    )
    issue = None
    if record.volume or record.issue:
        issue = E.journal_issue(
            _date("publication_date", PartialDate(record.issued.year) if record.issued else None),
            E.journal_volume(E.volume(record.volume)) if record.volume else None,
            _text(E, "issue", record.issue),
        )
        issue = _el(E, "journal_issue", *list(issue))
    article = _el(
        E,
        "journal_article",
        _titles(record),
        _contributors(record),
        *_abstract(record),
        _date("publication_date", record.issued),
        _pages(record),
        _publisher_item(record),
        *_tail(record),
        publication_type="full_text",
        language=_language(record),
    )
    return _el(E, "journal", journal_meta, issue, article)


def _book(record: WorkRecord, chapter: bool) -> etree._Element:
    container = record.container
    book_title = container.titles[0] if chapter and container and container.titles else record.title
    isbns = container.isbns if chapter and container else record.isbns
    metadata_children = []
    if not chapter:
        metadata_children = [
            _contributors(record),
            _titles(record),
            *_abstract(record),
            _date("publication_date", record.issued),
            *_isbns(isbns),
            _publisher(record),
            *_tail(record),
        ]
        return E.book(
            _el(E, "book_metadata", *metadata_children, language=_language(record)), book_type="monograph"
        )
    book_meta = _el(
        E,
        "book_metadata",
        E.titles(E.title(book_title)),
        _date("publication_date", record.issued),
        *_isbns(isbns),
        _publisher(record),
        _doi_data_for(container.doi, record.extra.get("book_url", ""))
        if container and container.doi
        else None,
        language=_language(record),
    )
    item = _el(
        E,
        "content_item",
        _contributors(record),
        _titles(record),
        *_abstract(record),
        _date("publication_date", record.issued),
        _pages(record),
        _publisher_item(record),
        *_tail(record),
        component_type="chapter",
        language=_language(record),
    )
    return E.book(book_meta, item, book_type="edited_book")


def _doi_data_for(doi: str, url: str) -> etree._Element | None:
    if not doi or not url:
        return None
    return E.doi_data(E.doi(doi), E.resource(url))


def _conference_paper(record: WorkRecord) -> etree._Element:
    event = record.extra.get("event", {})
    container = record.container
    event_meta = E.event_metadata(
        E.conference_name(event.get("name", "")),
        _text(E, "conference_acronym", event.get("acronym", "")),
        _text(E, "conference_location", event.get("location", "")),
        _text(E, "conference_date", event.get("date", "")),
    )
    event_meta = _el(E, "event_metadata", *list(event_meta))
    proceedings = E.proceedings_metadata(
        E.proceedings_title(container.titles[0] if container and container.titles else ""),
        _publisher(record),
        _date("publication_date", record.issued),
        *_isbns(container.isbns if container else []),
        language=_language(record),
    )
    proceedings = _el(E, "proceedings_metadata", *list(proceedings), language=_language(record))
    paper = _el(
        E,
        "conference_paper",
        _contributors(record),
        _titles(record),
        *_abstract(record),
        _date("publication_date", record.issued),
        _pages(record),
        _publisher_item(record),
        *_tail(record),
        publication_type="full_text",
        language=_language(record),
    )
    return E.conference(event_meta, proceedings, paper)


def _dataset(record: WorkRecord) -> etree._Element:
    container = record.container
    database_title = container.titles[0] if container and container.titles else record.title
    database_meta = _el(
        E,
        "database_metadata",
        E.titles(E.title(database_title)),
        E.publisher(E.publisher_name(record.publisher)) if record.publisher else None,
        language=_language(record),
    )
    dates = None
    if record.issued:
        dates = E.database_date(_date("publication_date", record.issued))
    description = record.abstract.strip()
    dataset = _el(
        E,
        "dataset",
        _contributors(record),
        _titles(record),
        dates,
        _text(E, "description", description),
        *_tail(record),
        dataset_type="record",
    )
    return E.database(database_meta, dataset)


def _posted_content(record: WorkRecord) -> etree._Element:
    return _el(
        E,
        "posted_content",
        _text(E, "group_title", record.extra.get("group_title", "")),
        _contributors(record),
        _titles(record),
        _date("posted_date", record.posted or record.issued),
        *_abstract(record),
        *_programs(record, crossmark=False),
        _doi_data(record),
        _citations(record),
        type=record.subtype or "preprint",
        language=_language(record),
    )


def _report(record: WorkRecord) -> etree._Element:
    institution = record.extra.get("institution", "")
    metadata = _el(
        E,
        "report-paper_metadata",
        _contributors(record),
        _titles(record),
        *_abstract(record),
        _date("publication_date", record.issued),
        *[_el(E, "isbn", i["value"]) for i in record.isbns],
        _publisher(record) if record.publisher else None,
        E.institution(E.institution_name(institution)) if institution else None,
        _publisher_item(record),
        *_tail(record),
        language=_language(record),
    )
    return getattr(E, "report-paper")(metadata)


BUILDERS = {
    "journal-article": _journal_article,
    "book": lambda r: _book(r, chapter=False),
    "book-chapter": lambda r: _book(r, chapter=True),
    "proceedings-article": _conference_paper,
    "dataset": _dataset,
    "posted-content": _posted_content,
    "report": _report,
}


def _head(maker: Maker, *, batch_id: str, timestamp: int, depositor: str, email: str, registrant: str):
    """A metadata deposit's head has a timestamp and a registrant; a doi_resources head
    has neither (the batch id orders nothing there)."""
    metadata = maker is E
    return maker.head(
        maker.doi_batch_id(batch_id),
        maker.timestamp(str(timestamp)) if metadata else None,
        maker.depositor(maker.depositor_name(depositor[:130]), maker.email_address(email)),
        maker.registrant(registrant[:255]) if metadata else None,
    )


def deposit_xml(record: WorkRecord, *, batch_id: str, timestamp: int, depositor: str, email: str) -> bytes:
    """The full doi_batch (schema 5.5.0) registering `record`."""
    body = BUILDERS[record.type](record)
    batch = E.doi_batch(
        _head(
            E, batch_id=batch_id, timestamp=timestamp, depositor=depositor, email=email, registrant=depositor
        ),
        E.body(body),
        version=VERSION,
    )
    return etree.tostring(batch, xml_declaration=True, encoding="UTF-8", pretty_print=True)


RM = Maker(RES, {None: RES})


def references_xml(record: WorkRecord, *, batch_id: str, timestamp: int, depositor: str, email: str) -> bytes:
    """A doi_resources batch that replaces only the reference list of `record.doi`: the
    rest of the registered record is left as it is. (No doi_resources schema has a place
    for the primary URL; a URL change is a metadata redeposit of the stored record.)"""
    citations = RM.citation_list(*[_citation_in(RM, r) for r in record.references])
    bodies = [RM.doi_citations(RM.doi(record.doi), citations)]
    batch = RM.doi_batch(
        _head(RM, batch_id=batch_id, timestamp=timestamp, depositor=depositor, email=email, registrant=""),
        RM.body(*bodies),
        version=RESOURCES_VERSION,
    )
    return etree.tostring(batch, xml_declaration=True, encoding="UTF-8", pretty_print=True)
