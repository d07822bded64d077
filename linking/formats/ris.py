"""RIS (`application/x-research-info-systems`), tags in the real service's order:
TY, DO, UR, TI, T2, AU…, PY, DA, PB, SP, VL, IS, SN…, ER. One tag per line as
`XX  - value`; values are single lines (line breaks inside a value would start a new tag)."""

from __future__ import annotations

from linking.formats.common import Source, doi_url, inverted_name, isbns, issns, issued, pages, people, plain

CONTENT_TYPE = "application/x-research-info-systems"

RIS_TYPES = {
    "journal": "JOUR",
    "journal-article": "JOUR",
    "journal-issue": "JOUR",
    "journal-volume": "JOUR",
    "proceedings": "CONF",
    "proceedings-article": "CPAPER",
    "report": "RPRT",
    "report-series": "RPRT",
    "standard": "STAND",
    "standard-series": "STAND",
    "dataset": "DATA",
    "database": "DATA",
    "edited-book": "EDBOOK",
    "monograph": "BOOK",
    "reference-book": "BOOK",
    "book": "BOOK",
    "book-chapter": "CHAP",
    "book-section": "CHAP",
    "book-part": "CHAP",
    "book-track": "CHAP",
    "reference-entry": "CHAP",
    "dissertation": "THES",
}


def line_value(text: str) -> str:
    return " ".join(str(text).split())


def tags(source: Source) -> list[tuple[str, str]]:
    record = source.record
    found: list[tuple[str, str]] = []

    def add(tag: str, value: str) -> None:
        value = line_value(value)
        if value:
            found.append((tag, value))

    add("TY", RIS_TYPES.get(record.type, "GENERIC"))
    add("DO", source.doi)
    add("UR", doi_url(source.doi))
    add("TI", plain(record.title))
    add("T2", plain(source.container_title))
    for person in people(record):
        add("AU", inverted_name(person))
    for person in people(record, "editor"):
        add("ED", inverted_name(person))
    date = issued(record)
    if date:
        add("PY", str(date.year))
        add("DA", "/".join(f"{part:02d}" if i else str(part) for i, part in enumerate(date.parts())))
    add("PB", plain(source.publisher))
    add("SP", pages(record, or_article_number=True))
    add("VL", record.volume)
    add("IS", record.issue)
    for issn in issns(record):
        add("SN", issn["value"])
    for isbn in isbns(record):
        add("SN", isbn["value"])
    add("AB", plain(record.abstract))
    return found


def render(source: Source) -> str:
    lines = [f"{tag}  - {value}" for tag, value in tags(source)]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"
