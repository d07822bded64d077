"""What every import reader yields, and the reasons a record can be refused.

A reader turns one file into `SourceItem`s: one per work as the source counts them (a JSON
line or item, an OAI-PMH record, a unixsd query result, a unixref doi_record). An item
names its owner as the source says it (member id, owner prefix, publisher) so the loader
can plan organisations and prefixes before converting anything, and converts to a
`WorkRecord` only when asked; whatever cannot be used raises `ItemRefused` with a code
from the catalogue below, so the summary can group refusals and nothing is dropped
silently.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from linking.records import WorkRecord

# '10.', 4 to 9 digits (not starting with 0), '/', a suffix; 2048 characters at most,
# the length of the registry's DOI column (the deposit rules use the same limits).
DOI_PATTERN = re.compile(r"^10\.[1-9][0-9]{3,8}/\S.*\Z", re.DOTALL)
PREFIX_PATTERN = re.compile(r"^10\.[1-9][0-9]{3,8}\Z")
DOI_MAX_LENGTH = 2048


class Refusal(StrEnum):
    """Stable codes for records that are read but not registered; the summary groups by them."""

    NOT_JSON = "NOT_JSON"
    NOT_A_WORK = "NOT_A_WORK"
    PARTIAL_RECORD = "PARTIAL_RECORD"
    NO_DOI = "NO_DOI"
    INVALID_DOI = "INVALID_DOI"
    NOT_IN_CONTENT = "NOT_IN_CONTENT"
    CONTENT_UNREADABLE = "CONTENT_UNREADABLE"
    SOURCE_ERROR = "SOURCE_ERROR"
    DELETED = "DELETED"
    VALUE_TOO_LONG = "VALUE_TOO_LONG"
    OWNER_NOT_ACTIVE = "OWNER_NOT_ACTIVE"
    NO_OWNER = "NO_OWNER"
    REGISTRY_ERROR = "REGISTRY_ERROR"


REFUSAL_TITLES: dict[Refusal, str] = {
    Refusal.NOT_JSON: "not valid JSON: correct the line and import the file again",
    Refusal.NOT_A_WORK: "JSON that is not a work record (no DOI, or not an object)",
    Refusal.PARTIAL_RECORD: (
        "partial record (no 'type': the output of a select= query); partial records are refused, "
        "not imported as type 'other': fetch the whole record and import it"
    ),
    Refusal.NO_DOI: "no DOI in the record",
    Refusal.INVALID_DOI: "not a valid DOI ('10.', 4 to 9 digits, '/', a suffix; 2048 characters at most)",
    Refusal.NOT_IN_CONTENT: "the envelope names a DOI that its content element does not hold",
    Refusal.CONTENT_UNREADABLE: "the content element could not be converted",
    Refusal.SOURCE_ERROR: "the source answered with an error instead of a record",
    Refusal.DELETED: "the source marks the record as deleted",
    Refusal.VALUE_TOO_LONG: "a value is longer than the registry's column for it",
    Refusal.OWNER_NOT_ACTIVE: "the owning organisation is not active, so it cannot register DOIs",
    Refusal.NO_OWNER: "no owner could be found or created for the record",
    Refusal.REGISTRY_ERROR: "the registry refused the record",
}


class ItemRefused(Exception):
    """This item cannot be registered; `detail` says what exactly, for the summary."""

    def __init__(self, code: Refusal, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


class FileUnreadable(Exception):
    """The whole file cannot be read (missing, not JSON or XML, not well-formed, ...)."""


@dataclass
class SourceItem:
    """One work of a file, before conversion. `position` locates it for people ("line 17",
    "item 3", "record 12"). The ownership fields are what the source says, or empty."""

    position: str
    doi: str = ""
    member_id: int | None = None
    owner_prefix: str = ""
    publisher: str = ""
    convert: Callable[[], WorkRecord] | None = None
    refused: ItemRefused | None = None
    raw: Any = None  # what the item was read from: the JSON object, or the XML content element

    def record(self) -> WorkRecord:
        if self.refused is not None:
            raise self.refused
        if self.convert is None:
            raise ItemRefused(Refusal.CONTENT_UNREADABLE, "nothing to convert")
        return self.convert()


def member_id_of(value: object) -> int | None:
    """A Crossref member id as sources give it ("297", 297), or None when it is not one."""
    try:
        number = int(str(value).strip()) if value is not None and not isinstance(value, bool) else 0
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def doi_prefix(doi: str) -> str:
    return doi.split("/", 1)[0]


def check_doi(doi: str) -> str:
    """The DOI lower-cased and stripped, or ItemRefused."""
    doi = (doi or "").strip()
    for start in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(start):
            doi = doi[len(start) :]
    if not doi:
        raise ItemRefused(Refusal.NO_DOI)
    if len(doi) > DOI_MAX_LENGTH or not DOI_PATTERN.match(doi):
        raise ItemRefused(Refusal.INVALID_DOI, doi[:100])
    return doi.lower()


def clean_prefix(value: str) -> str:
    """An owner prefix as sources give it ('10.1017', 'http://id.crossref.org/prefix/10.1017'),
    or '' when it is not a DOI prefix."""
    value = (value or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return value if PREFIX_PATTERN.match(value) else ""


GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_source(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    """Open `path` for reading, gunzipping it when its content is gzip (whatever its name),
    and say whether it holds 'json' or 'xml' (by its first significant character).
    FileUnreadable when it is neither, or cannot be opened."""
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        handle: BinaryIO = gzip.open(path, "rb") if compressed else path.open("rb")  # type: ignore[assignment]
    except OSError as exc:
        raise FileUnreadable(f"cannot open the file: {exc.strerror or exc}") from exc
    with handle:
        try:
            head = handle.peek(4096)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")  # type: ignore[attr-defined]
        except (OSError, EOFError) as exc:
            raise FileUnreadable(f"cannot read the file: {exc}") from exc
        if not head:
            raise FileUnreadable("the file is empty")
        if head[:1] in (b"{", b"["):
            kind = "json"
        elif head[:1] == b"<":
            kind = "xml"
        else:
            raise FileUnreadable(
                f"neither JSON nor XML: it begins with {head[:30]!r}. Give REST API JSON (lines), a "
                "Public Data File shard, or unixref/unixsd/OAI-PMH XML"
            )
        yield kind, handle
