"""What every output format needs from a work: its record, DOI URL, people, dates, pages,
ISSNs and plain-text titles, computed one way for all of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from linking.records import Contributor, PartialDate, WorkRecord, work_record_from_json

# The real service names works by their dx.doi.org URL in every format it renders.
DEFAULT_DOI_URL_BASE = "http://dx.doi.org/"

_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(\s[^<>]*)?/?>")
_SPACES = re.compile(r"\s+")


@dataclass
class Source:
    """A registry work and its full record, the input of every renderer."""

    work: object  # linking.models.Work (any object with its attributes, for rendering previews)
    record: WorkRecord

    @classmethod
    def of(cls, work) -> Source:
        return cls(work=work, record=work_record_from_json(work.data))

    @property
    def doi(self) -> str:
        return self.record.doi or work_doi(self.work)

    @property
    def publisher(self) -> str:
        """As the REST API: the deposited publisher name, else the member's name."""
        if self.record.publisher:
            return self.record.publisher
        organisation = getattr(self.work, "organisation", None)
        return getattr(organisation, "name", "") or ""

    @property
    def owner_prefix(self) -> str:
        if self.record.prefix:
            return self.record.prefix
        prefix = getattr(self.work, "prefix", None)
        return getattr(prefix, "value", "") or self.doi.split("/", 1)[0]

    @property
    def member_id(self) -> int | None:
        organisation = getattr(self.work, "organisation", None)
        return getattr(organisation, "member_id", None) or self.record.member_id

    @property
    def container_title(self) -> str:
        container = self.record.container
        if container and container.titles:
            return container.titles[0]
        return getattr(self.work, "container_title", "") or ""

    @property
    def container_short_title(self) -> str:
        container = self.record.container
        return container.short_titles[0] if container and container.short_titles else ""


def work_doi(work) -> str:
    return (getattr(work, "doi", "") or "").lower()


def doi_url(doi: str) -> str:
    base = getattr(settings, "DOI_URL_BASE", "") or DEFAULT_DOI_URL_BASE
    return base + doi


def plain(text: str) -> str:
    """A title or name as plain text: markup (JATS, MathML, HTML face tags) dropped, blanks
    collapsed. Formats that cannot carry markup (BibTeX, RIS, RDF literals, citations) use it."""
    return _SPACES.sub(" ", _TAG.sub("", text or "")).strip()


def full_title(record: WorkRecord) -> str:
    return plain(record.title)


def people(record: WorkRecord, role: str = "author") -> list[Contributor]:
    return [c for c in record.contributors if c.role == role]


def person_name(person: Contributor) -> str:
    """Given name first, as FOAF and the RDF contributor ids read it."""
    if person.family or person.given:
        return " ".join(p for p in (person.given, person.family, person.suffix) if p)
    return person.name


def inverted_name(person: Contributor) -> str:
    """Family, Given (RIS, BibTeX); an organisation keeps its name."""
    if person.family:
        given = " ".join(p for p in (person.given,) if p)
        name = f"{person.family}, {given}" if given else person.family
        return f"{name}, {person.suffix}" if person.suffix else name
    return person.name or person.given


def issued(record: WorkRecord) -> PartialDate | None:
    """The date a work counts as published: issued, else the earliest specific date."""
    if record.issued:
        return record.issued
    for date in (record.published_print, record.published_online, record.posted, record.approved):
        if date:
            return date
    return None


def date_parts(date: PartialDate | None) -> dict | None:
    return {"date-parts": [date.parts()]} if date else None


def pages(record: WorkRecord, dash: str = "-", *, or_article_number: bool = False) -> str:
    """The page range; with `or_article_number`, the article number where there are no pages
    (citations and RIS/BibTeX locate the work by it; CSL-JSON keeps it apart, as the REST API)."""
    if record.first_page and record.last_page:
        return f"{record.first_page}{dash}{record.last_page}"
    return record.first_page or (record.article_number if or_article_number else "")


def issn_hyphenated(value: str) -> str:
    """0306-4530 from 03064530, 0306-4530 or a URL ending in the ISSN (some records have one)."""
    value = value.strip().rstrip("/").rsplit("/", 1)[-1]
    compact = value.replace("-", "").strip().upper()
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else value.strip()


def issns(record: WorkRecord) -> list[dict[str, str]]:
    """ISSNs of the container, hyphenated, each with its type (print | electronic)."""
    if not record.container:
        return []
    found, seen = [], set()
    for entry in record.container.issns:
        value = issn_hyphenated(entry.get("value", ""))
        if value and value not in seen:
            seen.add(value)
            found.append({"value": value, "type": entry.get("type", "") or "print"})
    return found


def isbns(record: WorkRecord) -> list[dict[str, str]]:
    found, seen = [], set()
    entries = list(record.isbns) + (list(record.container.isbns) if record.container else [])
    for entry in entries:
        value = (entry.get("value") or "").strip()
        if value and value not in seen:
            seen.add(value)
            found.append({"value": value, "type": entry.get("type", "") or "print"})
    return found


def timestamp_of(moment: datetime | None) -> dict | None:
    """A REST API date object for an instant: date-parts, date-time and milliseconds."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return {
        "date-parts": [[moment.year, moment.month, moment.day]],
        "date-time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timestamp": int(moment.timestamp() * 1000),
    }


def last_update(source: Source) -> datetime | None:
    """When the record last changed: as the source system said for imported records."""
    return _recorded(source, "last-update") or getattr(source.work, "updated_at", None)


def created(source: Source) -> datetime | None:
    return _recorded(source, "created") or getattr(source.work, "created_at", None)


def _recorded(source: Source, key: str) -> datetime | None:
    value = (source.record.extra or {}).get(key)
    if isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None
