"""DOIs as they arrive in a resolver path: decoded, checked, lower-cased."""

from __future__ import annotations

import re
from urllib.parse import unquote

MAX_LENGTH = 2048
PREFIX = re.compile(r"10\.\d{4,9}(?:\.\d+)*")


class MalformedDoi(ValueError):
    """The path is not a DOI; the message says why, for the reader."""


def doi_normalise(raw: str) -> str:
    """The lower-cased DOI in `raw` (already URL-decoded once by the server), or
    MalformedDoi naming what is wrong with it."""
    doi = raw.strip()
    if len(doi) > MAX_LENGTH:
        raise MalformedDoi(f"A DOI is at most {MAX_LENGTH} characters; this one has {len(doi)}.")
    if any(ord(c) < 32 or ord(c) == 127 for c in doi):
        raise MalformedDoi("A DOI cannot contain control characters.")
    prefix, slash, suffix = doi.partition("/")
    if not slash:
        raise MalformedDoi("A DOI has a prefix and a suffix separated by '/', e.g. 10.5555/12345678.")
    if not PREFIX.fullmatch(prefix):
        raise MalformedDoi(
            f"'{prefix}' is not a DOI prefix: a prefix is '10.' followed by digits, e.g. 10.5555."
        )
    if not suffix.strip():
        raise MalformedDoi(f"The DOI has the prefix {prefix} but no suffix after the '/'.")
    return doi.lower()


def doi_alternative(doi: str) -> str | None:
    """A second reading of a DOI that still carries percent-escapes (encoded twice on its
    way here, e.g. 10.1000%2F182), or None."""
    if "%" not in doi:
        return None
    decoded = unquote(doi)
    return decoded if decoded != doi else None
