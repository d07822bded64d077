"""Crossref REST API JSON → `WorkRecord`.

Accepted shapes, recognised by content (never by file name):

* JSON lines: one work per line (`rest-api-works.jsonl`, the 2025 Public Data File layout),
  gzipped or not; a line may also hold one of the envelopes below;
* a single work, bare or as `{"message": {...work...}}` (`/works/{doi}`);
* a list page `{"message": {"items": [...]}}` (`/works?...`);
* a Public Data File shard `{"items": [...]}` (the yearly dump up to 2024), or a JSON array.

Field names of the REST work map one to one onto `WorkRecord` (which follows them); what
WorkRecord has no place for but is worth keeping (event, institution, subject, degree,
review, ...) goes into `extra` under its REST name. Left out on purpose: what the registry
computes itself (`indexed`, `score`, `reference-count`, `is-referenced-by-count`,
`published`, `updated-by`, `URL`, `source`) and relations that the *other* work asserted
(`asserted-by: object`): the registry derives those from the other work when it is
registered, so they are kept in `extra` only, never as this work's own assertions.

A record without `type` is partial (the output of a `select=` query): it is refused with
PARTIAL_RECORD rather than registered as 'other' under a made-up type, because a partial
copy would replace the whole record if the DOI is already registered.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from deposits.imports.base import (
    ItemRefused,
    Refusal,
    SourceItem,
    check_doi,
    clean_prefix,
    member_id_of,
)
from linking.records import (
    Affiliation,
    Container,
    Contributor,
    Funding,
    License,
    Link,
    PartialDate,
    Reference,
    Relation,
    ResourceUrl,
    Update,
    WorkRecord,
)

# Container kind by the work's type: the title the work belongs to.
CONTAINER_KIND = {
    "journal-article": "journal",
    "journal-issue": "journal",
    "journal-volume": "journal",
    "journal": "journal",
    "book-chapter": "book",
    "book-section": "book",
    "book-part": "book",
    "book-track": "book",
    "reference-entry": "book",
    "book": "book-series",
    "monograph": "book-series",
    "edited-book": "book-series",
    "reference-book": "book-series",
    "book-set": "book-series",
    "book-series": "book-series",
    "proceedings-article": "proceedings",
    "proceedings": "proceedings-series",
    "report": "report-series",
    "report-component": "report-series",
    "dataset": "database",
    "database": "database",
    "standard": "standard-series",
}
# Types whose ISBNs are their own; for the others an ISBN belongs to the container.
OWN_ISBN_TYPES = {"book", "monograph", "edited-book", "reference-book", "book-set", "proceedings", "report"}
CONTRIBUTOR_ROLES = ("author", "editor", "chair", "translator")
DATE_FIELDS = {
    "issued": "issued",
    "published-print": "published_print",
    "published-online": "published_online",
    "posted": "posted",
    "accepted": "accepted",
    "approved": "approved",
}
# What the registry works out itself, or what only describes the API's own copy.
DERIVED = {
    "indexed",
    "score",
    "reference-count",
    "references-count",
    "is-referenced-by-count",
    "published",
    "updated-by",
    "URL",
    "source",
    "_id",
}
# Mapped onto WorkRecord fields by `work_record_from_rest`.
MAPPED = {
    "DOI",
    "type",
    "subtype",
    "title",
    "subtitle",
    "original-title",
    "short-title",
    "container-title",
    "short-container-title",
    "ISSN",
    "issn-type",
    "ISBN",
    "isbn-type",
    "publisher",
    *CONTRIBUTOR_ROLES,
    *DATE_FIELDS,
    "volume",
    "issue",
    "page",
    "article-number",
    "abstract",
    "language",
    "resource",
    "link",
    "license",
    "funder",
    "reference",
    "relation",
    "update-to",
    "archive",
    "update-policy",
    "content-domain",
    "assertion",
    "member",
    "prefix",
    "created",
    "deposited",
}
ORCID_PATTERN = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")


# -- reading files ---------------------------------------------------------------------


def works_in(value: Any) -> tuple[str, list[Any]]:
    """The works a parsed JSON value holds, and the name of its shape."""
    if isinstance(value, list):
        return "JSON array", value
    if isinstance(value, dict):
        message = value.get("message")
        if isinstance(message, dict):
            if isinstance(message.get("items"), list):
                return "REST API list page", message["items"]
            return "REST API work", [message]
        if isinstance(value.get("items"), list):
            return "Public Data File shard", value["items"]
    return "work", [value]


def items_from_json(stream: BinaryIO) -> tuple[str, Iterator[SourceItem]]:
    """Read a JSON file (already gunzipped) from `stream`; return its layout and its items.
    JSON lines are read line by line, so a bad line is refused on its own; other layouts are
    one document."""
    first = b""
    first_number = 0
    for first_number, line in enumerate(stream, start=1):  # noqa: B007
        if line.strip():
            first = line
            break
    try:
        head = json.loads(first)
    except ValueError:
        head = None
    if isinstance(head, dict):
        # A complete object on the first line: JSON lines, unless nothing else follows.
        rest = (line for line in stream)
        for number, line in enumerate(rest, start=first_number + 1):
            if line.strip():
                following = itertools.chain([line], rest)
                return "JSON lines", _json_lines(
                    following, first, first_number, skipped=number - first_number - 1
                )
        layout, works = works_in(head)
        return layout, (_item(work, f"item {n}") for n, work in enumerate(works, start=1))
    document = first + stream.read()
    try:
        value = json.loads(document)
    except ValueError:
        # Not one document either: treat it as JSON lines, refusing the lines that do not parse.
        lines = document.splitlines(keepends=True)
        return "JSON lines", _json_lines(iter(lines[1:]), lines[0] if lines else b"", first_number)
    layout, works = works_in(value)
    return layout, (_item(work, f"item {n}") for n, work in enumerate(works, start=1))


def _json_lines(
    rest: Iterator[bytes], first: bytes, first_number: int, *, skipped: int = 0
) -> Iterator[SourceItem]:
    """Items line by line; `rest` follows `first` after `skipped` blank lines."""

    def numbered() -> Iterator[tuple[int, bytes]]:
        yield first_number, first
        yield from enumerate(rest, start=first_number + 1 + skipped)

    for number, line in numbered():
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield SourceItem(
                position=f"line {number}", refused=ItemRefused(Refusal.NOT_JSON, f"line {number}: {exc}")
            )
            continue
        _layout, works = works_in(value)
        if len(works) == 1:
            yield _item(works[0], f"line {number}")
        else:
            for n, work in enumerate(works, start=1):
                yield _item(work, f"line {number} item {n}")


def _item(work: Any, position: str) -> SourceItem:
    if not isinstance(work, dict) or not work.get("DOI"):
        return SourceItem(
            position=position,
            refused=ItemRefused(Refusal.NOT_A_WORK, f"{position}: {json.dumps(work)[:80]}"),
        )
    if not work.get("type"):  # known before conversion, so that it names no owner either
        return SourceItem(position=position, doi=str(work["DOI"]), refused=_partial(work, position))
    return SourceItem(
        position=position,
        doi=str(work["DOI"]),
        member_id=member_id_of(work.get("member")),
        owner_prefix=clean_prefix(str(work.get("prefix") or "")),
        publisher=_text(work.get("publisher")),
        convert=lambda: work_record_from_rest(work),
        raw=work,
    )


# -- one work ----------------------------------------------------------------------------


def work_record_from_rest(work: dict[str, Any]) -> WorkRecord:
    """One REST API work (the `message` of /works/{doi}) as a WorkRecord; ItemRefused when it
    has no usable DOI or no type (a partial record)."""
    doi = check_doi(_text(work.get("DOI")))
    work_type = _text(work.get("type"))
    if not work_type:
        raise _partial(work)
    isbns = _typed_ids(work, "ISBN", "isbn-type")
    own_isbns = work_type in OWN_ISBN_TYPES
    record = WorkRecord(
        doi=doi,
        type=work_type,
        subtype=_text(work.get("subtype")),
        titles=_texts(work.get("title")),
        subtitles=_texts(work.get("subtitle")),
        original_titles=_texts(work.get("original-title")),
        short_titles=_texts(work.get("short-title")),
        container=_container(work, work_type, [] if own_isbns else isbns),
        contributors=[
            contributor for role in CONTRIBUTOR_ROLES for contributor in _contributors(work.get(role), role)
        ],
        volume=_text(work.get("volume")),
        issue=_text(work.get("issue")),
        article_number=_text(work.get("article-number")),
        abstract=_text(work.get("abstract")),
        language=_text(work.get("language")),
        publisher=_text(work.get("publisher")),
        isbns=isbns if own_isbns else [],
        resource_urls=_resource_urls(work.get("resource")),
        links=[_link(x) for x in _dicts(work.get("link")) if x.get("URL")],
        licenses=[_license(x) for x in _dicts(work.get("license")) if x.get("URL")],
        funding=[_funding(x) for x in _dicts(work.get("funder"))],
        references=[_reference(x, n) for n, x in enumerate(_dicts(work.get("reference")), start=1)],
        relations=_relations(work.get("relation")),
        updates=[_update(x) for x in _dicts(work.get("update-to")) if x.get("DOI")],
        archive_locations=_texts(work.get("archive")),
        crossmark=_crossmark(work),
        extra=_extra(work),
        member_id=member_id_of(work.get("member")),
        prefix=clean_prefix(_text(work.get("prefix"))),
        deposit_timestamp=_timestamp(work.get("deposited")),
    )
    for key, name in DATE_FIELDS.items():
        setattr(record, name, partial_date(work.get(key)))
    record.first_page, record.last_page = split_pages(_text(work.get("page")))
    return record


def _partial(work: dict[str, Any], position: str = "") -> ItemRefused:
    where = f"{position}: " if position else ""
    present = ", ".join(sorted(work)[:8])
    return ItemRefused(Refusal.PARTIAL_RECORD, f"{where}{_text(work.get('DOI'))} has only {present}")


def partial_date(value: Any) -> PartialDate | None:
    """`{"date-parts": [[2011, 3]]}` → PartialDate(2011, 3); `[[null]]`, missing or
    impossible parts → None (a month or day that makes no sense is dropped, the year kept)."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], list):
        return None
    numbers = [_int(p) for p in parts[0][:3]]
    if not numbers or numbers[0] is None or not 1 <= numbers[0] <= 9999:
        return None
    year, month, day = (numbers + [None, None])[:3]
    if month is not None and not 1 <= month <= 12:
        month = day = None
    if month is None or day is None or not 1 <= day <= 31:
        day = None
    return PartialDate(year, month, day)


def split_pages(page: str) -> tuple[str, str]:
    """'54-61' → ('54', '61'); '1-3, 9-11' → ('1', '11'); 'e1234' → ('e1234', '')."""
    page = page.strip()
    if not page:
        return "", ""
    ranges = [r.strip() for r in page.split(",") if r.strip()]
    first = re.split(r"\s*[-\u2010-\u2015]\s*", ranges[0], maxsplit=1)
    last = re.split(r"\s*[-\u2010-\u2015]\s*", ranges[-1], maxsplit=1)
    start = first[0]
    end = last[-1] if (len(last) > 1 or len(ranges) > 1) else ""
    return start, end if end != start else ""


def _container(work: dict[str, Any], work_type: str, isbns: list[dict[str, str]]) -> Container | None:
    titles = _texts(work.get("container-title"))
    issns = _typed_ids(work, "ISSN", "issn-type")
    if work_type == "journal" and not titles:
        titles = _texts(work.get("title"))  # a journal record is its own title
    if not titles and not issns and not isbns:
        return None
    kind = CONTAINER_KIND.get(work_type) or ("journal" if issns else "book" if isbns else "other")
    return Container(
        kind=kind,
        titles=titles,
        short_titles=_texts(work.get("short-container-title")),
        issns=issns,
        isbns=isbns,
        publisher=_text(work.get("publisher")),
    )


def _typed_ids(work: dict[str, Any], plain: str, typed: str) -> list[dict[str, str]]:
    """[{"value", "type"}] from `issn-type`/`isbn-type`, plus any value only in the plain list."""
    found: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in _dicts(work.get(typed)):
        value = _text(entry.get("value"))
        if value and _norm(value) not in seen:
            seen.add(_norm(value))
            found.append({"value": value, "type": _text(entry.get("type"))})
    for value in _texts(work.get(plain)):
        if _norm(value) not in seen:
            seen.add(_norm(value))
            found.append({"value": value, "type": ""})
    return found


def _norm(value: str) -> str:
    return value.replace("-", "").replace(" ", "").upper()


def _contributors(people: Any, role: str) -> list[Contributor]:
    people = _dicts(people)
    sequenced = any(p.get("sequence") for p in people)
    found = []
    for index, person in enumerate(people):
        orcid = _orcid(_text(person.get("ORCID")))
        sequence = _text(person.get("sequence"))
        if not sequence:  # older API versions leave it out: the list order is the order
            sequence = "first" if index == 0 and not sequenced else "additional"
        found.append(
            Contributor(
                role=role,
                sequence=sequence,
                given=_text(person.get("given")),
                family=_text(person.get("family")),
                suffix=_text(person.get("suffix")),
                name=_text(person.get("name")),
                orcid=orcid,
                orcid_authenticated=bool(orcid and person.get("authenticated-orcid")),
                affiliations=[_affiliation(a) for a in _dicts(person.get("affiliation"))],
                credit_roles=[
                    _text(r.get("role"))
                    for r in _dicts(person.get("role"))
                    if _text(r.get("vocabulary")).lower() == "credit" and r.get("role")
                ],
            )
        )
    return found


def _affiliation(value: dict[str, Any]) -> Affiliation:
    ids = []
    for entry in _dicts(value.get("id")):
        if entry.get("id"):
            ident = {"id": _text(entry.get("id")), "id-type": _text(entry.get("id-type"))}
            if entry.get("asserted-by"):
                ident["asserted-by"] = _text(entry.get("asserted-by"))
            ids.append(ident)
    return Affiliation(name=_text(value.get("name")), ids=ids)


def _orcid(value: str) -> str:
    found = ORCID_PATTERN.search(value)
    return f"https://orcid.org/{found.group(1).upper()}" if found else ""


def _resource_urls(resource: Any) -> list[ResourceUrl]:
    if not isinstance(resource, dict):
        return []
    urls = []
    primary = resource.get("primary")
    if isinstance(primary, dict) and primary.get("URL"):
        urls.append(ResourceUrl(url=_text(primary["URL"]), kind="primary"))
    for secondary in _dicts(resource.get("secondary")):
        if secondary.get("URL"):
            urls.append(
                ResourceUrl(
                    url=_text(secondary["URL"]), kind="secondary", label=_text(secondary.get("label"))
                )
            )
    return urls


def _link(value: dict[str, Any]) -> Link:
    return Link(
        url=_text(value.get("URL")),
        content_type=_text(value.get("content-type")) or "unspecified",
        content_version=_text(value.get("content-version")) or "vor",
        intended_application=_text(value.get("intended-application")) or "text-mining",
    )


def _license(value: dict[str, Any]) -> License:
    return License(
        url=_text(value.get("URL")),
        start=partial_date(value.get("start")),
        content_version=_text(value.get("content-version")) or "unspecified",
        delay_days=_int(value.get("delay-in-days")) or 0,
    )


def _funding(value: dict[str, Any]) -> Funding:
    funder_id, id_type = _text(value.get("DOI")), "DOI" if value.get("DOI") else ""
    if not funder_id:
        for entry in _dicts(value.get("id")):
            if entry.get("id"):
                funder_id, id_type = _text(entry["id"]), _text(entry.get("id-type")) or "DOI"
                break
    awards = _texts(value.get("award"))
    if not awards:
        awards = [a for info in _dicts(value.get("award-info")) for a in _texts(info.get("award-number"))]
    return Funding(name=_text(value.get("name")), funder_id=funder_id, id_type=id_type, awards=awards)


REFERENCE_FIELDS = {
    "DOI": "doi",
    "unstructured": "unstructured",
    "ISSN": "issn",
    "ISBN": "isbn",
    "journal-title": "journal_title",
    "author": "author",
    "volume": "volume",
    "issue": "issue",
    "first-page": "first_page",
    "year": "year",
    "article-title": "article_title",
    "series-title": "series_title",
    "volume-title": "volume_title",
    "edition": "edition",
    "component": "component",
    "doi-asserted-by": "doi_asserted_by",
}


def _reference(value: dict[str, Any], number: int) -> Reference:
    fields = {name: _text(value.get(key)) for key, name in REFERENCE_FIELDS.items() if value.get(key)}
    return Reference(key=_text(value.get("key")) or f"ref{number}", **fields)


def relation_type(value: str) -> str:
    """REST relation names ('is-preprint-of') as deposited ('isPreprintOf')."""
    head, *rest = value.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _relations(value: Any) -> list[Relation]:
    found = []
    if isinstance(value, dict):
        for name, targets in value.items():
            for target in _dicts(targets):
                if target.get("id") and _text(target.get("asserted-by")) != "object":
                    found.append(
                        Relation(
                            type=relation_type(name),
                            id=_text(target["id"]),
                            id_type=_text(target.get("id-type")).lower() or "doi",
                        )
                    )
    return found


def _update(value: dict[str, Any]) -> Update:
    return Update(
        doi=_text(value.get("DOI")).lower(),
        type=_text(value.get("type")),
        date=partial_date(value.get("updated")),
        label=_text(value.get("label")),
    )


def _crossmark(work: dict[str, Any]) -> dict[str, Any]:
    crossmark: dict[str, Any] = {}
    policy = _text(work.get("update-policy"))
    if policy:
        crossmark["policy"] = re.sub(r"^https?://(dx\.)?doi\.org/", "", policy)
    domain = work.get("content-domain")
    if isinstance(domain, dict):
        if domain.get("domain"):
            crossmark["domains"] = _texts(domain.get("domain"))
        if domain.get("crossmark-restriction"):
            crossmark["domain_exclusive"] = True
    if work.get("assertion"):
        crossmark["assertions"] = _dicts(work.get("assertion"))
    return crossmark


def _extra(work: dict[str, Any]) -> dict[str, Any]:
    extra = {key: value for key, value in work.items() if key not in MAPPED and key not in DERIVED}
    extra = {key: value for key, value in extra.items() if value not in (None, "", [], {})}
    if isinstance(work.get("created"), dict) and work["created"].get("date-time"):
        extra["created"] = work["created"]["date-time"]  # when Crossref first registered it
    by_object = {
        name: [t for t in _dicts(targets) if _text(t.get("asserted-by")) == "object"]
        for name, targets in (work.get("relation") or {}).items()
    }
    by_object = {name: targets for name, targets in by_object.items() if targets}
    if by_object:
        extra["relation-asserted-by-object"] = by_object
    return extra


def _timestamp(stamp: Any) -> int | None:
    """A REST stamp (`deposited`) as a deposit timestamp, yyyymmddhhmmss."""
    if not isinstance(stamp, dict) or not stamp.get("date-time"):
        return None
    try:
        moment = datetime.fromisoformat(str(stamp["date-time"]).replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.strftime("%Y%m%d%H%M%S"))


# -- small coercions: the API's values are strings, lists of strings, or numbers -------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return str(value).strip()


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [text for text in (_text(v) for v in values if not isinstance(v, dict | list)) if text]


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
