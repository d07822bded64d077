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
from collections.abc import Iterator
from typing import Any, BinaryIO

from deposits.imports.base import (
    ItemRefused,
    Refusal,
    SourceItem,
    check_doi,
    clean_prefix,
    member_id_of,
)
from deposits.imports.rest_fields import (
    _container,
    _contributors,
    _crossmark,
    _dicts,
    _funding,
    _license,
    _link,
    _reference,
    _relations,
    _resource_urls,
    _text,
    _texts,
    _timestamp,
    _typed_ids,
    _update,
    partial_date,
    split_pages,
)
from linking.records import WorkRecord

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
