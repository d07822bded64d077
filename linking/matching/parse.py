"""Light parsing of citations: identifiers, numbers and the likely first author.

No attempt is made to split a string into every field; the validator compares a
candidate's metadata against the string itself, so parsing only needs identifiers, the
pool of numbers and a cleaned string for the search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from linking.matching.normalise import doi_normalise, isbn_normalise, issn_normalise

DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_URL = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/(10\.\S+)", re.IGNORECASE)
_ISBN = re.compile(r"(?:ISBN(?:-1[03])?:?\s*)?\b((?:97[89][\s-]?)?\d[\d\s-]{7,14}[\dXx])\b")
_ISBN_LABELLED = re.compile(r"ISBN(?:-1[03])?:?\s*([\dXx][\dXx\s-]{8,16}[\dXx])", re.IGNORECASE)
_ISSN = re.compile(r"\b(\d{4}-\d{3}[\dXx])\b")
_ARXIV = re.compile(r"arxiv:\s*\S+", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_RETRIEVED = re.compile(
    r"\b(?:retrieved|available|accessed)\b[^.]*?(?:from|at)?\s*(?=https?://)", re.IGNORECASE
)
_BRACKETS = re.compile(r"\[[^\]]{0,40}\]")
_LABEL = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d{1,4}[.)]|\d{1,4}\s)\s*")
_RANGE = re.compile(r"(\d+)\s*[-\u2010-\u2015\u2212]+\s*(\d+)")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_TRAILING = ".,;:)]}>'\"\u201d\u2019"


@dataclass
class Citation:
    """A citation as the matcher sees it. `text` is what the validator reads for an
    unstructured string; structured input fills the fields and builds `text` from them."""

    text: str = ""
    structured: bool = False
    doi: str = ""
    isbn: str = ""
    issn: str = ""
    author: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    first_page: str = ""
    article_title: str = ""
    container_title: str = ""
    volume_title: str = ""
    unstructured: str = ""
    dois: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)
    isbns_as_written: list[str] = field(default_factory=list)  # stored values may keep hyphens

    @property
    def search_text(self) -> str:
        return search_string(self.text)


def doi_candidates(text: str) -> list[str]:
    """DOIs found in `text`, each with its trailing-punctuation-trimmed variants, longest first."""
    found: list[str] = []
    text = _DOI_URL.sub(r"\1", re.sub(r"%2[fF]", "/", text or ""))
    for match in DOI_PATTERN.finditer(text):
        value = unquote(match.group()).lower()
        variants = [value]
        while value and value[-1] in _TRAILING:
            value = value[:-1]
            variants.append(value)
        # "10.1000/abc.Retrieved" or a glued next word: also try cutting at the last dot.
        found.extend(v for v in variants if v and v not in found)
    return found


def isbn_candidates(text: str, *, as_written: bool = False) -> list[str]:
    out: list[str] = []
    for pattern in (_ISBN_LABELLED, _ISBN):
        for match in pattern.finditer(text or ""):
            value = isbn_normalise(match.group(1))
            if as_written and value:
                value = match.group(1).strip()
            if value and value not in out:
                out.append(value)
    return out


@lru_cache(maxsize=4096)
def search_string(text: str) -> str:
    """The string sent to the search: identifiers, URLs and list labels removed."""
    text = _LABEL.sub("", text or "")
    text = _RETRIEVED.sub(" ", text)
    text = _DOI_URL.sub(" ", text)
    text = DOI_PATTERN.sub(" ", text)
    text = re.sub(r"\bdoi:?\s*", " ", text, flags=re.IGNORECASE)
    text = _ARXIV.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _BRACKETS.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def _expand_range(match: re.Match) -> str:
    start, end = match.group(1), match.group(2)
    if len(end) < len(start) and int(end) > 0:
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"


@lru_cache(maxsize=4096)
def number_pool(text: str) -> tuple[int, ...]:
    """Every number of the cleaned string (leading zeros dropped, abbreviated page ranges
    expanded), skipping a leading list label."""
    cleaned = _RANGE.sub(_expand_range, search_string(text))
    return tuple(int(n) for n in re.findall(r"\d+", cleaned))


@lru_cache(maxsize=4096)
def page_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """The ranges "first–last" of the cleaned string (abbreviated ends expanded) that can
    be pages: not a span of years. A garbled end (before the start) still names the start."""
    found = []
    for match in _RANGE.finditer(search_string(text)):
        start, end = (int(n) for n in _expand_range(match).split("-"))
        if start and not (_YEAR.fullmatch(match.group(1)) and _YEAR.fullmatch(str(end))):
            found.append((start, end))
    return tuple(found)


def years_in(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(search_string(text))]


def citation_from_text(text: str) -> Citation:
    text = (text or "").strip()
    issn = next((issn_normalise(m) for m in _ISSN.findall(text)), "")
    return Citation(
        text=text,
        dois=doi_candidates(text),
        isbns=isbn_candidates(text),
        isbns_as_written=isbn_candidates(text, as_written=True),
        issn=issn,
    )


STRUCTURED_KEYS = {
    "author": "author",
    "year": "year",
    "cyear": "year",
    "date": "year",
    "journal-title": "container_title",
    "journal_title": "container_title",
    "container-title": "container_title",
    "jtitle": "container_title",
    "title": "container_title",
    "proceedings-title": "container_title",
    "series-title": "container_title",
    "series_title": "container_title",
    "proceedings_title": "container_title",
    "volume-title": "volume_title",
    "volume_title": "volume_title",
    "book-title": "volume_title",
    "volume": "volume",
    "issue": "issue",
    "first-page": "first_page",
    "first_page": "first_page",
    "spage": "first_page",
    "article-title": "article_title",
    "article_title": "article_title",
    "atitle": "article_title",
    "issn": "issn",
    "isbn": "isbn",
    "doi": "doi",
    "aulast": "author",
}


def citation_from_fields(fields: dict[str, object]) -> Citation:
    """Structured input (deposit `citation` elements, JSON, OpenURL keys)."""
    values: dict[str, str] = {}
    for key, value in fields.items():
        target = STRUCTURED_KEYS.get(str(key).lower())
        if target and value not in (None, "") and target not in values:
            values[target] = str(value).strip()[:1000]
    unstructured = str(fields.get("unstructured-citation") or fields.get("unstructured_citation") or "")
    year = _YEAR.search(values.get("year", ""))
    citation = Citation(
        structured=True,
        author=values.get("author", ""),
        year=year.group() if year else "",
        volume=values.get("volume", ""),
        issue=values.get("issue", ""),
        first_page=values.get("first_page", ""),
        article_title=values.get("article_title", ""),
        container_title=values.get("container_title", ""),
        volume_title=values.get("volume_title", ""),
        issn=issn_normalise(values.get("issn", "")),
    )
    parts = [
        citation.author,
        citation.article_title,
        citation.container_title,
        citation.volume_title,
        citation.year,
        citation.volume,
        citation.issue,
        citation.first_page,
    ]
    citation.text = " ".join(p for p in parts if p) or unstructured
    if not any(parts) and unstructured:
        citation.structured = False
    id_text = f"{values.get('doi', '')} {unstructured}"
    citation.dois = doi_candidates(values.get("doi", "").replace("doi:", "")) or doi_candidates(id_text)
    if values.get("doi", "").strip():
        direct = doi_normalise(values["doi"])
        if direct and direct not in citation.dois:
            citation.dois.insert(0, direct)
    isbn = isbn_normalise(values.get("isbn", ""))
    citation.isbns = [isbn] if isbn else isbn_candidates(unstructured)
    citation.isbns_as_written = [values["isbn"]] if isbn else isbn_candidates(unstructured, as_written=True)
    citation.unstructured = unstructured
    return citation
