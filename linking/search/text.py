"""What is searchable in a work, as plain tokens that both backends store identically.

Text is folded in Python (unidecode, lower case, markup dropped, split on anything that is
not a letter or digit), so SQLite FTS5 and PostgreSQL see the same tokens and answer the
same questions. A document has two parts:

- the bibliographic part, in four sections ranked in this order: title (titles,
  subtitles, short and original titles), authors, container (journal/book titles, short
  titles), other (year, volume, issue, pages, article number, DOI, ISSN, ISBN);
- the field part: every field query's words, each token prefixed with its field code
  (`au_smith`), so `query.author=smith` cannot match a title word "smith".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from unidecode import unidecode

MAX_TOKEN = 64
MAX_QUERY_TOKENS = 48

# Field query name (REST API `query.<name>`) -> code prefixed to its tokens in the index.
FIELD_CODES = {
    "title": "ti",
    "author": "au",
    "editor": "ed",
    "chair": "ch",
    "translator": "tr",
    "contributor": "co",
    "container-title": "ct",
    "publisher-name": "pn",
    "publisher-location": "pl",
    "affiliation": "af",
    "funder-name": "fn",
    "degree": "dg",
    "description": "de",
    "event-name": "en",
    "event-acronym": "ea",
    "event-location": "el",
    "event-sponsor": "es",
    "event-theme": "et",
    "standards-body-name": "sn",
    "standards-body-acronym": "sa",
}
FIELDS = ("bibliographic", *FIELD_CODES)

# Dropped from queries (never from the index): words that carry no identity in a
# citation string or a search box, and would otherwise match most of the registry.
STOPWORDS = frozenset(
    "a an and are as at by de der die du et al for from in is of on or the to und with "
    "vol volume pp p no nr doi org http https www dx ed eds".split()
)

_MARKUP = re.compile(r"<[^>]{0,200}>")
_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Folded word tokens of `text`, in order (duplicates kept)."""
    if not text:
        return []
    return list(_folded(text))


@lru_cache(maxsize=4096)
def _folded(text: str) -> tuple[str, ...]:
    # Cached: journal titles, publishers and names repeat across a registry. Small: most
    # texts (titles, abstracts, the DOI line) never repeat, and 100,000 of them held a
    # registering worker's memory up by 60 MB, by hundreds with abstracts.
    text = _MARKUP.sub(" ", text) if "<" in text else text
    folded = (text if text.isascii() else unidecode(text)).lower()
    return tuple(t[:MAX_TOKEN] for t in _TOKEN.findall(folded))


def query_tokens(text: str) -> list[str]:
    """Distinct tokens of a query, stopwords dropped, in order of first appearance."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        if token not in STOPWORDS and token not in seen:
            seen[token] = None
    return list(seen)[:MAX_QUERY_TOKENS]


def field_token(field_name: str, token: str) -> str:
    return f"{FIELD_CODES[field_name]}_{token}"


@dataclass
class Document:
    """The searchable text of one work, ready for either backend."""

    title: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    container: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    @property
    def sections(self) -> tuple[list[str], list[str], list[str], list[str]]:
        return self.title, self.author, self.container, self.other


def _person(contributor: dict[str, Any]) -> str:
    return " ".join(str(contributor.get(k) or "") for k in ("given", "family", "suffix", "name"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def document_of(work_data: dict[str, Any], *, doi: str, issued: str, publisher: str = "") -> Document:
    """The document of a work from its stored record (`Work.data`), DOI and issued date."""
    data = work_data or {}
    container = data.get("container") or {}
    extra = data.get("extra") or {}
    contributors = [c for c in data.get("contributors") or [] if isinstance(c, dict)]
    doc = Document()

    title_text = " ".join(
        _strings(data.get("titles"))
        + _strings(data.get("subtitles"))
        + _strings(data.get("short_titles"))
        + _strings(data.get("original_titles"))
    )
    doc.title = tokens(title_text)
    authors = [_person(c) for c in contributors if c.get("role", "author") == "author"]
    doc.author = tokens(" ".join(authors))
    doc.container = tokens(
        " ".join(_strings(container.get("titles")) + _strings(container.get("short_titles")))
    )
    identifiers = [
        i.get("value", "") for i in (container.get("issns") or []) + (container.get("isbns") or [])
    ]
    identifiers += [i.get("value", "") for i in data.get("isbns") or []]
    other = [
        issued[:4] if issued[:4] not in ("", "0000") else "",
        str(data.get("volume") or ""),
        str(data.get("issue") or ""),
        str(data.get("first_page") or ""),
        str(data.get("last_page") or ""),
        str(data.get("article_number") or ""),
        doi,
        *identifiers,
        # ISSN/ISBN also as one token without the hyphen, as catalogues write them.
        *(re.sub(r"[\s-]", "", i) for i in identifiers),
    ]
    doc.other = tokens(" ".join(other))

    by_role: dict[str, list[str]] = {}
    for c in contributors:
        by_role.setdefault(c.get("role") or "author", []).append(_person(c))
    affiliations = [
        a.get("name", "") for c in contributors for a in c.get("affiliations") or [] if isinstance(a, dict)
    ]
    event = extra.get("event") if isinstance(extra.get("event"), dict) else {}
    body = extra.get("standards-body") if isinstance(extra.get("standards-body"), dict) else {}
    field_text = {
        "title": " ".join(_strings(data.get("titles")) + _strings(data.get("subtitles"))),
        "author": " ".join(by_role.get("author", [])),
        "editor": " ".join(by_role.get("editor", [])),
        "chair": " ".join(by_role.get("chair", [])),
        "translator": " ".join(by_role.get("translator", [])),
        "contributor": " ".join(
            p for role in ("author", "editor", "chair", "translator") for p in by_role.get(role, [])
        ),
        "container-title": " ".join(
            _strings(container.get("titles")) + _strings(container.get("short_titles"))
        ),
        "publisher-name": " ".join(
            [str(data.get("publisher") or ""), str(container.get("publisher") or ""), publisher]
        ),
        "publisher-location": str(extra.get("publisher-location") or ""),
        "affiliation": " ".join(affiliations),
        "funder-name": " ".join(
            str(f.get("name") or "") for f in data.get("funding") or [] if isinstance(f, dict)
        ),
        "degree": " ".join(_strings(extra.get("degree"))),
        "description": str(data.get("abstract") or ""),
        "event-name": str(event.get("name") or ""),
        "event-acronym": str(event.get("acronym") or ""),
        "event-location": str(event.get("location") or ""),
        "event-sponsor": " ".join(_strings(event.get("sponsor"))),
        "event-theme": str(event.get("theme") or ""),
        "standards-body-name": str(body.get("name") or ""),
        "standards-body-acronym": str(body.get("acronym") or ""),
    }
    for name, text in field_text.items():
        doc.fields.extend(field_token(name, t) for t in dict.fromkeys(tokens(text)))
    return doc
