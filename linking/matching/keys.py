"""Blocking keys: an unmatched reference keeps a key that a newly registered work it could
match would also produce, so new registrations retry only those references.

A key is `<surname>:<year>` (the first author's surname as the citation's first name-like
word) or `doi:<doi>` for a reference whose deposited DOI is not registered yet."""

from __future__ import annotations

import re

from linking.matching.normalise import fold, letters, words
from linking.matching.parse import Citation, search_string, years_in

_FIRST_NAME_WORD = re.compile(r"([^\W\d_]{2,})(\.?)", re.UNICODE)
PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "del", "dos", "das", "et", "al"}


def _surname_of_text(text: str) -> str:
    for match in _FIRST_NAME_WORD.finditer(search_string(text)):
        word, dot = match.group(1), match.group(2)
        if len(word) <= 2 and (dot or word.isupper()):
            continue  # initials
        folded = letters(word)
        if folded and folded not in PARTICLES:
            return folded[:12]
    return ""


def reference_key(citation: Citation, unknown_doi: str = "") -> str:
    if unknown_doi:
        return f"doi:{unknown_doi}"[:200]
    surname = _surname_of_text(citation.author if citation.structured else citation.text)
    year = citation.year if citation.structured else next(iter(years_in(citation.text)), "")
    if surname and year:
        return f"{surname}:{year}"
    return ""


def work_keys(*, doi: str, families: list[str], year: int | None) -> set[str]:
    """Every key a reference to this work may carry (the year ±1 of print vs online)."""
    keys = {f"doi:{doi}"[:200]}
    if year:
        for family in families[:1]:
            for word in words(fold(family)):
                name = letters(word)[:12]
                if len(name) >= 2 and name not in PARTICLES:
                    keys |= {f"{name}:{y}" for y in (year - 1, year, year + 1)}
    return keys
