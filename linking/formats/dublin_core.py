"""Simple Dublin Core (`oai_dc`), the metadata format every OAI-PMH repository must offer."""

from __future__ import annotations

from lxml import etree

from linking.formats.common import Source, doi_url, isbns, issns, issued, people, person_name, plain

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# Crossref type ids -> DCMI Type vocabulary.
DCMI_TYPES = {"dataset": "Dataset", "database": "Dataset", "component": "InteractiveResource"}


def dublin_core_tree(source: Source) -> etree._Element:
    record = source.record
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

    def add(name: str, value: str) -> None:
        value = plain(value)
        if value:
            etree.SubElement(root, f"{{{DC}}}{name}").text = value

    add("title", record.title)
    for person in people(record):
        add("creator", person_name(person))
    for person in record.contributors:
        if person.role != "author":
            add("contributor", person_name(person))
    add("description", record.abstract)
    add("publisher", source.publisher)
    date = issued(record)
    if date:
        add("date", "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(date.parts())))
    add("type", DCMI_TYPES.get(record.type, "Text"))
    add("type", record.type)
    add("identifier", doi_url(source.doi))
    add("identifier", f"info:doi/{source.doi}")
    for issn in issns(record):
        add("source", f"ISSN {issn['value']}")
    for isbn in isbns(record):
        add("source", f"ISBN {isbn['value']}")
    if source.container_title:
        citation = source.container_title
        if record.volume:
            citation += f", {record.volume}"
        if record.issue:
            citation += f"({record.issue})"
        add("source", citation)
    add("language", record.language)
    for relation in record.relations:
        add("relation", f"{relation.type} {relation.id}")
    for lic in record.licenses:
        add("rights", lic.url)
    return root


def render(source: Source) -> bytes:
    return etree.tostring(dublin_core_tree(source), xml_declaration=True, encoding="UTF-8", pretty_print=True)
