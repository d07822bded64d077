"""Reading one content element (an article, chapter, paper, dataset, ...) into a
WorkRecord: everything that element says about itself. Where it sits (container, volume,
issue, inherited dates) is added by the content-type readers in `items.py`."""

from __future__ import annotations

from lxml import etree

from deposits.xml.parse.base import (
    Notes,
    attr,
    bare_doi,
    child_text,
    child_texts,
    date_parts,
    earliest,
    kid,
    kids,
    local,
    media_typed,
    text,
    xml_string,
)
from deposits.xml.parse.parts import (
    Dates,
    read_archives,
    read_contributors,
    read_date,
    read_institutions,
    read_item_numbers,
    read_pages,
    read_publisher,
    read_references,
    read_titles,
)
from deposits.xml.parse.programs import (
    LinkData,
    license_delays,
    read_crossmark,
    read_doi_data,
    read_programs,
)
from linking.records import WorkRecord


def read_work(
    element: etree._Element,
    type: str,
    notes: Notes,
    *,
    subtype: str = "",
    link: LinkData | None = None,
) -> tuple[WorkRecord, LinkData]:
    """A WorkRecord with every field `element` carries itself, and its link data (the DOI
    of its doi_data, or of `link` when the caller read it elsewhere)."""
    link = link if link is not None else read_doi_data(kid(element, "doi_data"))
    record = WorkRecord(doi=bare_doi(link.doi), type=type, subtype=subtype)
    extra = record.extra

    record.titles, record.subtitles, record.original_titles = read_titles(element)
    record.contributors = read_contributors(kid(element, "contributors"))
    record.contributors += read_contributors(element) if kid(element, "person_name") is not None else []

    abstracts = [xml_string(a) for a in kids(element, "abstract")]
    if abstracts:
        record.abstract = abstracts[0]
        if len(abstracts) > 1:
            extra["other-abstracts"] = abstracts[1:]

    dates = Dates(element, notes)
    record.published_print, record.published_online = dates.print, dates.online
    record.posted, record.accepted, record.approved = dates.posted, dates.accepted, dates.approved
    record.issued = dates.published or dates.posted or dates.reviewed or dates.approved
    if dates.other:
        extra["published-other"] = date_parts(dates.other)
    read_database_dates(element, record, notes)

    record.first_page, record.last_page, other_pages = read_pages(element)
    if other_pages:
        extra["other-pages"] = other_pages
    record.article_number, alternative = read_item_numbers(element)
    if alternative:
        extra["alternative-id"] = [entry["value"] for entry in alternative]

    record.volume = child_text(element, "volume")
    record.issue = child_text(element, "issue")
    record.isbns = media_typed(kids(element, "isbn"))
    record.publisher, place = read_publisher(element)
    if place:
        extra["publisher-location"] = place
    record.language = attr(element, "language")
    record.archive_locations = read_archives(element)
    record.references = read_references(element)

    crossmark, updates, custom = read_crossmark(kid(element, "crossmark"))
    record.crossmark, record.updates = crossmark, updates
    programs = read_programs(element, custom)
    record.funding, record.licenses, record.relations = (
        programs.funding,
        programs.licenses,
        programs.relations,
    )
    license_delays(record.licenses, record.issued)
    if programs.free_to_read:
        extra["free-to-read"] = programs.free_to_read
    if programs.clinical_trials:
        extra["clinical-trial-number"] = programs.clinical_trials

    apply_link(record, link)
    _plain_extras(element, record)
    return record, link


def apply_link(record: WorkRecord, link: LinkData) -> None:
    record.resource_urls = list(link.urls)
    record.links = list(link.links)
    if link.link_headers:
        record.extra["link-header"] = link.link_headers
    if link.multi_resolution:
        record.extra["multi-resolution"] = link.multi_resolution
    if link.timestamp is not None:
        record.deposit_timestamp = link.timestamp  # doi_data/timestamp overrides the head's


# element -> extra key, for the simple text children some content types have
_TEXT_EXTRAS = {
    "edition_number": "edition-number",
    "component_number": "component-number",
    "group_title": "group-title",
    "contract_number": "contract-number",
    "competing_interest_statement": "competing-interest-statement",
    "running_number": "running-number",
    "proceedings_subject": "proceedings-subject",
    "intent_statement": "intent-statement",
    "special_numbering": "special-numbering",
    "coden": "coden",
    "part_number": "part-number",
    "series_number": "series-number",
}


def _plain_extras(element: etree._Element, record: WorkRecord) -> None:
    extra = record.extra
    for name, key in _TEXT_EXTRAS.items():
        value = child_text(element, name)
        if value:
            extra[key] = value
    degrees = child_texts(element, "degree")
    if degrees:
        extra["degree"] = degrees
    institutions = read_institutions(element)
    if institutions:
        extra["institution"] = institutions
    description = child_text(element, "description")
    if description:
        extra["description"] = description
    formats = [attr(f, "mime_type") or text(f) for f in kids(element, "format")]
    if any(formats):
        extra["format"] = [f for f in formats if f]
    statuses = []
    for status in kids(element, "status"):
        entry = {"type": attr(status, "type")}
        if attr(status, "date"):
            entry["date"] = attr(status, "date")
        descriptions = child_texts(status, "description")
        if descriptions:
            entry["description"] = descriptions
        statuses.append(entry)
    if statuses:
        extra["status"] = statuses
    version = kid(element, "version_info")
    if version is not None:
        extra["version-info"] = {"version": child_text(version, "version")}
        descriptions = child_texts(version, "description")
        if descriptions:
            extra["version-info"]["description"] = descriptions
    noisbn = kid(element, "noisbn")
    if noisbn is not None and attr(noisbn, "reason"):
        extra["noisbn"] = attr(noisbn, "reason")
    # abstract_only / bibliographic_record matter to conflict checks; full_text is the default.
    if attr(element, "publication_type") not in ("", "full_text"):
        extra["publication-type"] = attr(element, "publication_type")
    if attr(element, "reference_distribution_opts"):
        extra["reference-distribution"] = attr(element, "reference_distribution_opts")


def read_database_dates(element: etree._Element, record: WorkRecord, notes: Notes) -> None:
    """<database_date> (databases and datasets): publication date -> issued; creation and
    update dates -> content-created / content-updated, as the REST API names them."""
    for block in kids(element, "database_date"):
        published = read_date(kid(block, "publication_date"), notes)
        if published is not None:
            record.issued = earliest(record.issued, published)
        for name, key in (("creation_date", "content-created"), ("update_date", "content-updated")):
            date = read_date(kid(block, name), notes)
            if date is not None:
                record.extra[key] = date_parts(date)


def inherit_dates(record: WorkRecord, other: WorkRecord | None) -> None:
    """An item without publication dates of its own takes those of its issue / book /
    proceedings, as the REST API does."""
    if other is None or record.issued is not None:
        return
    record.published_print = record.published_print or other.published_print
    record.published_online = record.published_online or other.published_online
    record.issued = other.issued
    if "published-other" in other.extra and "published-other" not in record.extra:
        record.extra["published-other"] = other.extra["published-other"]
    license_delays(record.licenses, record.issued)


def is_component_holder(element: etree._Element) -> bool:
    return kid(element, "component_list") is not None


def component_elements(element: etree._Element) -> list[etree._Element]:
    return [c for block in kids(element, "component_list") for c in kids(block, "component")]


def read_component(element: etree._Element, parent_doi: str, notes: Notes) -> tuple[WorkRecord, LinkData]:
    record, link = read_work(element, "component", notes)
    if parent_doi:
        record.extra["parent_doi"] = bare_doi(parent_doi)
    for name, key in (("parent_relation", "parent_relation"), ("component_size", "component-size")):
        if attr(element, name):
            record.extra[key] = attr(element, name)
    return record, link


def local_names(element: etree._Element) -> set[str]:
    return {local(child) for child in kids(element)}
