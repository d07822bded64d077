"""CSL-JSON (`application/vnd.citationstyles.csl+json`, also answered for `application/json`).

The real service answers with the REST API work record, flattened where CSL wants single
values: `title` and `container-title` become their first string, `short-container-title`
becomes `container-title-short`, `event` its name; `issn-type` and `archive` are dropped.
`type` stays the Crossref type id and `URL` is the DOI's resolver URL."""

from __future__ import annotations

import json
import re
from typing import Any

from linking.formats.common import (
    Source,
    created,
    date_parts,
    doi_url,
    isbns,
    issns,
    issued,
    last_update,
    pages,
    timestamp_of,
)
from linking.records import Contributor, WorkRecord

CONTENT_TYPE = "application/vnd.citationstyles.csl+json"

# Record roles -> the REST API's list names.
ROLE_LISTS = {
    "author": "author",
    "editor": "editor",
    "chair": "chair",
    "translator": "translator",
    "reviewer": "reviewer",
}


def csl_item(source: Source) -> dict[str, Any]:
    """The CSL-JSON object of one work (a dict, for callers that embed it)."""
    record, work = source.record, source.work
    item: dict[str, Any] = {
        "indexed": timestamp_of(getattr(work, "indexed_at", None)),
        "reference-count": len(record.references),
        "publisher": source.publisher,
    }
    _put(item, "issue", record.issue)
    if record.licenses:
        item["license"] = [
            _drop_empty(
                {
                    "start": date_parts(lic.start),
                    "content-version": lic.content_version,
                    "delay-in-days": lic.delay_days,
                    "URL": lic.url,
                }
            )
            for lic in record.licenses
        ]
    if record.funding:
        item["funder"] = [
            _drop_empty(
                {
                    "DOI": f.funder_id if f.id_type.upper() != "ROR" else "",
                    "name": f.name,
                    "award": list(f.awards),
                    "doi-asserted-by": "publisher" if f.funder_id else "",
                }
            )
            for f in record.funding
        ]
    item["content-domain"] = {
        "domain": list(record.crossmark.get("domains", [])),
        "crossmark-restriction": bool(record.crossmark.get("domain_exclusive", False)),
    }
    for key, date in (
        ("published-print", record.published_print),
        ("published-online", record.published_online),
        ("posted", record.posted),
        ("accepted", record.accepted),
        ("approved", record.approved),
    ):
        _put(item, key, date_parts(date))
    _put(item, "abstract", record.abstract)
    item["DOI"] = source.doi
    item["type"] = record.type
    _put(item, "subtype", record.subtype)
    item["created"] = timestamp_of(created(source))
    _put(item, "page", pages(record))
    _put(item, "article-number", record.article_number)
    if record.crossmark.get("policy"):
        item["update-policy"] = doi_url(record.crossmark["policy"])
    item["source"] = "Crossref"
    item["is-referenced-by-count"] = getattr(work, "cited_by_count", 0) or 0
    item["title"] = record.titles[0] if record.titles else ""
    item["prefix"] = source.owner_prefix
    _put(item, "volume", record.volume)
    for role, key in ROLE_LISTS.items():
        people = [c for c in record.contributors if c.role == role]
        if people:
            item[key] = [_person(c) for c in people]
    if source.member_id is not None:
        item["member"] = str(source.member_id)
    if record.references:
        item["reference"] = [_reference(r) for r in record.references]
    is_title = record.type == "journal"  # a journal record is its own title, it has no container
    _put(item, "container-title", "" if is_title else source.container_title)
    item["original-title"] = list(record.original_titles)
    _put(item, "language", record.language)
    if record.links:
        item["link"] = [
            {
                "URL": link.url,
                "content-type": link.content_type,
                "content-version": link.content_version,
                "intended-application": link.intended_application,
            }
            for link in record.links
        ]
    item["deposited"] = timestamp_of(last_update(source))
    item["score"] = 1
    resource = _resource(record)
    if resource:
        item["resource"] = resource
    item["subtitle"] = list(record.subtitles)
    item["short-title"] = list(record.short_titles)
    _put(item, "issued", date_parts(issued(record)) or {"date-parts": [[None]]})
    item["references-count"] = len(record.references)
    _extra(item, record)
    item["URL"] = doi_url(source.doi)
    item["relation"] = _relations(record)
    found_issns = issns(record)
    if found_issns:
        item["ISSN"] = [i["value"] for i in found_issns]
    found_isbns = isbns(record)
    if found_isbns:
        item["ISBN"] = [i["value"] for i in found_isbns]
        item["isbn-type"] = [{"type": i["type"], "value": i["value"]} for i in found_isbns]
    item["subject"] = []
    _put(item, "container-title-short", "" if is_title else source.container_short_title)
    published = record.published_print or record.published_online or issued(record)
    _put(item, "published", date_parts(published))
    if record.updates:
        item["update-to"] = [
            _drop_empty(
                {
                    "DOI": u.doi,
                    "type": u.type,
                    "label": u.label or u.type.replace("_", " ").capitalize(),
                    "updated": date_parts(u.date),
                }
            )
            for u in record.updates
        ]
    assertions = record.crossmark.get("assertions") or []
    if assertions:
        item["assertion"] = [
            _drop_empty({"value": a.get("value", ""), "name": a.get("name", ""), "label": a.get("label", "")})
            for a in assertions
        ]
    return item


def render(source: Source) -> str:
    return json.dumps(csl_item(source), ensure_ascii=False)


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        item[key] = value


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _person(person: Contributor) -> dict[str, Any]:
    if person.family or person.given:
        out: dict[str, Any] = {}
        _put(out, "ORCID", person.orcid)
        if person.orcid:
            out["authenticated-orcid"] = person.orcid_authenticated
        _put(out, "given", person.given)
        out["family"] = person.family
        _put(out, "suffix", person.suffix)
    else:
        out = {"name": person.name}
    out["sequence"] = person.sequence
    out["affiliation"] = [
        _drop_empty({"name": a.name, "id": [{**i, "asserted-by": "publisher"} for i in a.ids]})
        for a in person.affiliations
    ]
    return out


def _reference(ref) -> dict[str, Any]:
    out = {"key": ref.key}
    for key, value in (
        ("issn", ref.issn),
        ("isbn", ref.isbn),
        ("first-page", ref.first_page),
        ("DOI", ref.doi),
        ("doi-asserted-by", ref.doi_asserted_by if ref.doi else ""),
        ("volume", ref.volume),
        ("issue", ref.issue),
        ("author", ref.author),
        ("year", ref.year),
        ("unstructured", ref.unstructured),
        ("journal-title", ref.journal_title),
        ("article-title", ref.article_title),
        ("series-title", ref.series_title),
        ("volume-title", ref.volume_title),
        ("edition", ref.edition),
        ("component", ref.component),
    ):
        _put(out, key, value)
    return out


def _resource(record: WorkRecord) -> dict[str, Any]:
    primary = [u for u in record.resource_urls if u.kind == "primary"]
    secondary = [u for u in record.resource_urls if u.kind != "primary"]
    out: dict[str, Any] = {}
    if primary:
        out["primary"] = {"URL": primary[0].url}
    if secondary:
        out["secondary"] = [{"URL": u.url, "label": u.label} for u in secondary]
    return out


def _relations(record: WorkRecord) -> dict[str, list[dict[str, str]]]:
    relations: dict[str, list[dict[str, str]]] = {}
    for rel in record.relations:
        key = re.sub(r"(?<!^)(?=[A-Z])", "-", rel.type).lower()
        relations.setdefault(key, []).append({"id-type": rel.id_type, "id": rel.id, "asserted-by": "subject"})
    return relations


def _extra(item: dict[str, Any], record: WorkRecord) -> None:
    """REST fields the deposit kept in `extra` under their REST names, flattened for CSL."""
    extra = record.extra or {}
    event = extra.get("event")
    if isinstance(event, dict) and event.get("name"):
        item["event"] = event["name"]
    elif isinstance(event, str) and event:
        item["event"] = event
    for key in ("journal-issue", "alternative-id", "institution", "degree", "edition-number", "group-title"):
        if extra.get(key):
            item[key] = extra[key]
