"""BibTeX (`application/x-bibtex`), in the real service's shape:

` @article{Frank_1970, title={...}, volume={169}, ISSN={...}, url={http://dx.doi.org/...},
DOI={...}, number={3946}, journal={Science}, publisher={...}, author={Frank, Henry S.},
year={1970}, month=aug, pages={635–641} }`

The key is the first author's family name, `_` and the year, with every run of characters
outside `+A-Za-z0-9_` replaced by `_` (as the real service does). Field values keep their
Unicode; the characters TeX treats specially are escaped, so every value is balanced."""

from __future__ import annotations

import re

from linking.formats.common import Source, doi_url, isbns, issns, issued, pages, people, plain

CONTENT_TYPE = "application/x-bibtex"

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

ENTRY_TYPES = {
    "journal-article": "article",
    "proceedings-article": "inproceedings",
    "report": "techreport",
    "edited-book": "book",
    "monograph": "book",
    "reference-book": "book",
    "book": "book",
    "dissertation": "phdthesis",
}
CHAPTER_TYPES = {"book-chapter", "book-section", "book-part", "book-track", "book-entry", "reference-entry"}

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_TEX_PATTERN = re.compile("|".join(re.escape(c) for c in _TEX_SPECIAL))
_KEY_JUNK = re.compile(r"[^+a-zA-Z0-9_]+")


def escape(text: str) -> str:
    return _TEX_PATTERN.sub(lambda m: _TEX_SPECIAL[m.group()], text)


def escape_verbatim(text: str) -> str:
    """DOIs and URLs stay as they are, except for what would unbalance the entry."""
    return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def entry_type(record) -> str:
    if record.type in CHAPTER_TYPES:
        return "incollection" if record.titles else "inbook"
    return ENTRY_TYPES.get(record.type, "misc")


def citation_key(source: Source) -> str:
    authors = people(source.record)
    family = authors[0].family if authors else ""
    date = issued(source.record)
    year = str(date.year) if date else ""
    key = f"{family}_{year}" if family and year else family or year or "1"
    return _KEY_JUNK.sub("_", key)


def fields(source: Source) -> list[tuple[str, str, bool]]:
    """(name, value, braced) in the real service's order."""
    record = source.record
    found: list[tuple[str, str, bool]] = []

    def add(name: str, value: str, *, verbatim: bool = False) -> None:
        if value:
            found.append((name, escape_verbatim(value) if verbatim else escape(value), True))

    container = plain(source.container_title)
    title = plain(record.title)
    if record.subtitles:
        title = f"{title}: {plain(record.subtitles[0])}" if title else plain(record.subtitles[0])
    if record.type in CHAPTER_TYPES and not title:
        title, container = container, ""
    add("title", title)
    add("volume", record.volume)
    for issn in issns(record)[:1]:
        add("ISSN", issn["value"])
    for isbn in isbns(record)[:1]:
        add("ISBN", isbn["value"])
    add("url", doi_url(source.doi), verbatim=True)
    add("DOI", source.doi, verbatim=True)
    add("number", record.issue)
    container_field = "journal" if record.type == "journal-article" else "booktitle"
    if record.type in ("journal-article", "proceedings-article") or record.type in CHAPTER_TYPES:
        add(container_field, container)
    institution = _first_name(record.extra.get("institution"))
    if record.type in ("dissertation", "report"):
        add("school" if record.type == "dissertation" else "institution", institution)
    add("publisher", plain(source.publisher))
    for role, name in (("author", "author"), ("editor", "editor")):
        names = [_bibtex_name(p) for p in people(record, role)]
        add(name, " and ".join(n for n in names if n))
    date = issued(record)
    if date:
        found.append(("year", str(date.year), True))
        if date.month and 1 <= date.month <= 12:
            found.append(("month", MONTHS[date.month - 1], False))
    add("pages", pages(record, "–", or_article_number=True))
    return found


def render(source: Source) -> str:
    body = ", ".join(
        f"{name}={{{value}}}" if braced else f"{name}={value}" for name, value, braced in fields(source)
    )
    head = f"@{entry_type(source.record)}{{{citation_key(source)}"
    return f" {head}, {body} }}" if body else f" {head} }}"


def _bibtex_name(person) -> str:
    """`Family, Given`; an organisation's name in braces, so BibTeX keeps it whole."""
    if person.family:
        given = plain(person.given)
        family = plain(person.family)
        name = f"{family}, {given}" if given else family
        return f"{name}, {plain(person.suffix)}" if person.suffix else name
    name = plain(person.name or person.given)
    return f"{{{name}}}" if name else ""


def _first_name(value) -> str:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value or "")
