"""The shape of one work as the registry takes it in.

Every way in (deposit XML, the web form, REST JSON imports, unixref/unixsd imports)
produces these plain dataclasses, and `linking.services.records_register` stores them.
Field names follow the Crossref REST API work record where one exists, so the API and the
other output formats render from the same object. Values are as deposited (DOIs lower-cased).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class PartialDate:
    """A date that may lack its day or month; partial dates stay partial."""

    year: int
    month: int | None = None
    day: int | None = None

    def parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day) if p is not None]

    def sort_key(self) -> str:
        return f"{self.year:04d}-{self.month or 0:02d}-{self.day or 0:02d}"


@dataclass
class Affiliation:
    name: str = ""
    ids: list[dict[str, str]] = field(default_factory=list)  # [{"id": ..., "id-type": "ROR"}]


@dataclass
class Contributor:
    role: str = "author"  # author, editor, chair, translator, reviewer, ...
    sequence: str = "additional"  # first | additional
    given: str = ""
    family: str = ""
    suffix: str = ""
    name: str = ""  # an organisation as contributor
    orcid: str = ""  # https://orcid.org/0000-...
    orcid_authenticated: bool = False
    affiliations: list[Affiliation] = field(default_factory=list)
    credit_roles: list[str] = field(default_factory=list)


@dataclass
class Funding:
    name: str = ""
    funder_id: str = ""  # 10.13039/... DOI, or a ROR URL
    id_type: str = ""  # DOI | ROR
    awards: list[str] = field(default_factory=list)


@dataclass
class License:
    url: str
    start: PartialDate | None = None
    content_version: str = "unspecified"  # vor | am | tdm | stm-asf | unspecified
    delay_days: int = 0


@dataclass
class Link:
    """A full-text link for text mining, similarity checking or syndication."""

    url: str
    content_type: str = "unspecified"
    content_version: str = "vor"
    intended_application: str = "text-mining"


@dataclass
class ResourceUrl:
    """Where the DOI resolves. `kind` primary is the one URL; secondary ones are offered
    on the multiple-resolution page under their `label`."""

    url: str
    kind: str = "primary"  # primary | secondary
    label: str = ""


@dataclass
class Reference:
    key: str
    doi: str = ""
    unstructured: str = ""
    issn: str = ""
    isbn: str = ""
    journal_title: str = ""
    author: str = ""
    volume: str = ""
    issue: str = ""
    first_page: str = ""
    year: str = ""
    article_title: str = ""
    series_title: str = ""
    volume_title: str = ""
    edition: str = ""
    component: str = ""
    doi_asserted_by: str = ""  # publisher | crossref


@dataclass
class Relation:
    type: str  # isPreprintOf, hasReview, isSupplementTo, ...
    id: str
    id_type: str = "doi"  # doi | uri | issn | isbn | arxiv | ...
    kind: str = "inter"  # inter | intra work relation
    description: str = ""


@dataclass
class Update:
    """A Crossmark update: this work (the notice) updates the work with `doi`."""

    doi: str
    type: str  # retraction, correction, erratum, withdrawal, new_version, ...
    date: PartialDate | None = None
    label: str = ""


@dataclass
class Container:
    """The title a work belongs to: journal, book, book series, proceedings, ..."""

    kind: str  # journal | book | book-series | proceedings | proceedings-series | report-series | database
    titles: list[str] = field(default_factory=list)
    short_titles: list[str] = field(default_factory=list)
    issns: list[dict[str, str]] = field(default_factory=list)  # [{"value": "1234-5678", "type": "print"}]
    isbns: list[dict[str, str]] = field(default_factory=list)
    doi: str = ""  # a title-level DOI
    publisher: str = ""


@dataclass
class WorkRecord:
    doi: str
    type: str  # REST API type id: journal-article, book-chapter, posted-content, ...
    subtype: str = ""
    titles: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    original_titles: list[str] = field(default_factory=list)
    short_titles: list[str] = field(default_factory=list)
    container: Container | None = None
    contributors: list[Contributor] = field(default_factory=list)
    issued: PartialDate | None = None
    published_print: PartialDate | None = None
    published_online: PartialDate | None = None
    posted: PartialDate | None = None
    accepted: PartialDate | None = None
    approved: PartialDate | None = None
    volume: str = ""
    issue: str = ""
    first_page: str = ""
    last_page: str = ""
    article_number: str = ""
    abstract: str = ""  # JATS XML as deposited
    language: str = ""
    publisher: str = ""
    isbns: list[dict[str, str]] = field(default_factory=list)
    resource_urls: list[ResourceUrl] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    licenses: list[License] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    archive_locations: list[str] = field(default_factory=list)
    crossmark: dict[str, Any] = field(default_factory=dict)  # policy DOI, domains, assertions
    extra: dict[str, Any] = field(default_factory=dict)  # type-specific: institution, degree, event, ...
    # Provenance and ownership, where the source says (imports carry them; deposits do not).
    member_id: int | None = None
    prefix: str = ""
    deposit_timestamp: int | None = None

    def __post_init__(self) -> None:
        self.doi = self.doi.strip().lower()

    @property
    def url(self) -> str:
        primary = [u.url for u in self.resource_urls if u.kind == "primary"]
        return primary[0] if primary else ""

    @property
    def title(self) -> str:
        return self.titles[0] if self.titles else ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for storage in the registry's JSON column."""
        return asdict(self)


# Parts of a record that a resource-only deposit (doi_resources) replaces on its own.
RESOURCE_PARTS = (
    "resource_urls",
    "links",
    "licenses",
    "funding",
    "references",
    "relations",
    "updates",
    "crossmark",
)


def _date(value: dict[str, Any] | None) -> PartialDate | None:
    return PartialDate(**value) if value else None


def work_record_from_json(data: dict[str, Any]) -> WorkRecord:
    """Rebuild a WorkRecord from `WorkRecord.to_json()` output (the registry's JSON column)."""
    data = dict(data)
    for name in ("issued", "published_print", "published_online", "posted", "accepted", "approved"):
        data[name] = _date(data.get(name))
    if data.get("container"):
        data["container"] = Container(**data["container"])
    data["contributors"] = [
        Contributor(**{**c, "affiliations": [Affiliation(**a) for a in c.get("affiliations", [])]})
        for c in data.get("contributors", [])
    ]
    data["resource_urls"] = [ResourceUrl(**u) for u in data.get("resource_urls", [])]
    data["links"] = [Link(**link) for link in data.get("links", [])]
    data["licenses"] = [License(**{**x, "start": _date(x.get("start"))}) for x in data.get("licenses", [])]
    data["funding"] = [Funding(**f) for f in data.get("funding", [])]
    data["references"] = [Reference(**r) for r in data.get("references", [])]
    data["relations"] = [Relation(**r) for r in data.get("relations", [])]
    data["updates"] = [Update(**{**u, "date": _date(u.get("date"))}) for u in data.get("updates", [])]
    return WorkRecord(**data)
