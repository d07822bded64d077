"""Text and identifier normalisation shared by parsing, validation and blocking keys."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import unquote

from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/|(?:https?://)?doi\.org/|info:doi/)", re.IGNORECASE
)
# Ligatures and dashes that PDFs and OCR leave in reference strings.
_TRANSLATE = str.maketrans({"\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\u2010": "-", "\u2011": "-"})


_MARKUP = re.compile(r"<[^>]{0,400}>")


def markup_strip(text: str) -> str:
    """Titles as printed: registered titles may hold MathML, JATS or HTML tags and entities."""
    if "<" not in text and "&" not in text:
        return text
    return re.sub(r"\s+", " ", html.unescape(_MARKUP.sub(" ", text))).strip()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII, lower case, single spaces: the form every fuzzy comparison uses."""
    return _SPACES.sub(" ", unidecode((text or "").translate(_TRANSLATE))).strip().lower()


def letters(text: str) -> str:
    return _NOT_LETTERS.sub("", fold(text))


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[^a-z0-9]+", fold(text)) if w)


def doi_normalise(raw: str) -> str:
    """A DOI as the registry stores it: no `doi:` or resolver prefix, URL-decoded, lower case."""
    value = unquote((raw or "").strip())
    value = _DOI_PREFIXES.sub("", value).strip()
    return value.lower()


def isbn_normalise(raw: str) -> str:
    """Digits (and a final X) of a valid ISBN-10 or ISBN-13, converted to ISBN-13; '' if invalid."""
    value = re.sub(r"[^0-9Xx]", "", raw or "").upper()
    if len(value) == 10 and value[:9].isdigit():
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(value))
        if total % 11:
            return ""
        core = "978" + value[:9]
    elif len(value) == 13 and value.isdigit():
        core = value[:12]
        if value[:3] not in ("978", "979"):
            return ""
    else:
        return ""
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(core)) % 10) % 10
    full = core + str(check)
    if len(value) == 13 and full != value:
        return ""
    return full


def isbn_forms(isbn13: str) -> set[str]:
    """The stored forms an ISBN may take: ISBN-13 and (for 978) ISBN-10, without hyphens."""
    forms = {isbn13}
    if isbn13.startswith("978"):
        core = isbn13[3:12]
        check = (11 - sum((10 - i) * int(c) for i, c in enumerate(core)) % 11) % 11
        forms.add(core + ("X" if check == 10 else str(check)))
    return forms


def issn_normalise(raw: str) -> str:
    value = re.sub(r"[^0-9Xx]", "", raw or "").upper()
    return value if len(value) == 8 else ""


def first_int(value: str) -> int | None:
    found = re.search(r"\d+", value or "")
    return int(found.group()) if found else None


def isbn_hyphenations(written: str) -> set[str]:
    """An ISBN as written (with its hyphens) and the same groups in the other length:
    "0-306-40615-2" <-> "978-0-306-40615-7", since stored ISBNs often keep hyphens."""
    written = written.strip()
    isbn13 = isbn_normalise(written)
    if not isbn13:
        return set()
    found = {written}
    digits = re.sub(r"[^0-9Xx]", "", written)
    isbn10 = next((f for f in isbn_forms(isbn13) if len(f) == 10), "")
    if len(digits) == 10:
        found.add("978-" + written[:-1] + isbn13[-1])
    elif len(digits) == 13 and isbn10 and written.startswith("978"):
        rest = written[3:].lstrip("- ")
        found.add(rest[:-1] + isbn10[-1])
    return found
