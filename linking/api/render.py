"""Message shapes of the REST API: works (spec section 4) and the envelope. Member,
journal, funder and prefix messages are in `render_entities`.

A work renders from its stored `WorkRecord` JSON plus what the registry knows about it
from other records (`WorkSides`: matched reference DOIs, relations other works assert,
updates that name it), fetched once per page by `linking.api.selectors.work_sides`."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from linking.crossmark import update_to
from linking.models import Work

API_VERSION = "1.0.0"
INDEXER_VERSION = "portal-1"

# Relation types and their inverse, as the REST API names them.
INVERSE_RELATIONS = {
    "is-preprint-of": "has-preprint",
    "has-review": "is-review-of",
    "is-supplement-to": "is-supplemented-by",
    "is-version-of": "has-version",
    "is-part-of": "has-part",
    "is-translation-of": "has-translation",
    "is-derived-from": "has-derivation",
    "is-manifestation-of": "has-manifestation",
    "is-expression-of": "has-expression",
    "is-manuscript-of": "has-manuscript",
    "is-variant-form-of": "is-original-form-of",
    "is-comment-on": "has-comment",
    "is-reply-to": "has-reply",
    "is-based-on": "is-basis-for",
    "is-related-material": "has-related-material",
    "is-continued-by": "continues",
    "is-identical-to": "is-identical-to",
    "is-same-as": "is-same-as",
    "documents": "is-documented-by",
    "references": "is-referenced-by",
    "cites": "is-cited-by",
    "is-data-basis-for": "is-based-on-data",
    "finances": "is-financed-by",
    "is-replaced-by": "replaces",
    "requires": "is-required-by",
    "is-compiled-by": "compiles",
    "is-review-of": "has-review",
}
INVERSE_RELATIONS.update({v: k for k, v in list(INVERSE_RELATIONS.items()) if v not in INVERSE_RELATIONS})

REFERENCE_KEYS = {
    "issn": "ISSN",
    "isbn": "ISBN",
    "journal_title": "journal-title",
    "author": "author",
    "volume": "volume",
    "issue": "issue",
    "first_page": "first-page",
    "year": "year",
    "article_title": "article-title",
    "series_title": "series-title",
    "volume_title": "volume-title",
    "edition": "edition",
    "component": "component",
}
EMPTY_ON_SINGLETON = ("title", "subtitle", "short-title", "original-title", "container-title", "subject")
# What `extra` may hold that is not a REST key of its own.
EXTRA_INTERNAL = {"created", "relation-asserted-by-object"}


def kebab(value: str) -> str:
    """'isPreprintOf' → 'is-preprint-of'."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", value).lower()


def stamp(moment: datetime) -> dict[str, Any]:
    moment = moment.astimezone(UTC)
    return {
        "date-parts": [[moment.year, moment.month, moment.day]],
        "date-time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timestamp": int(moment.timestamp() * 1000),
    }


def partial(date: dict[str, Any] | None) -> dict[str, Any] | None:
    if not date or not date.get("year"):
        return None
    parts = [date["year"]]
    if date.get("month"):
        parts.append(date["month"])
        if date.get("day"):
            parts.append(date["day"])
    return {"date-parts": [parts]}


def stamp_of_partial(date: dict[str, Any] | None) -> dict[str, Any] | None:
    if not date or not date.get("year"):
        return None
    try:
        moment = datetime(date["year"], date.get("month") or 1, date.get("day") or 1, tzinfo=UTC)
    except ValueError:
        return None
    return stamp(moment)


def deposit_moment(timestamp: int | None) -> datetime | None:
    """A deposit timestamp (yyyymmddhhmmss, often with extra digits) as a moment."""
    if not timestamp:
        return None
    digits = str(timestamp)[:14]
    try:
        return datetime.strptime(digits.ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


@functools.cache
def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


@receiver(setting_changed)
def _site_url_changed(*, setting: str, **kwargs) -> None:
    if setting == "SITE_URL":
        _site_url.cache_clear()


def resolver_url(doi: str) -> str:
    # Read once: a settings lookup per record showed up in profiles of 1,000-record pages.
    return _site_url() + "/" + doi


@dataclass
class WorkSides:
    """What other records say about a page of works, keyed by work id or DOI."""

    matched: dict[int, dict[str, str]] = field(default_factory=dict)  # work id → {ref key: DOI}
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # doi → relations naming it
    updated_by: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # doi → updates


def _contributor(person: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("given", "family", "name", "suffix"):
        if person.get(key):
            out[key] = person[key]
    if person.get("orcid"):
        out["ORCID"] = person["orcid"]
        out["authenticated-orcid"] = bool(person.get("orcid_authenticated"))
    out["sequence"] = person.get("sequence") or "additional"
    affiliations = []
    for affiliation in person.get("affiliations") or []:
        entry: dict[str, Any] = {}
        if affiliation.get("name"):
            entry["name"] = affiliation["name"]
        if affiliation.get("ids"):
            entry["id"] = [{"asserted-by": "publisher", **i} for i in affiliation["ids"]]
        if entry:
            affiliations.append(entry)
    out["affiliation"] = affiliations
    return out


def _funder(funding: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if funding.get("name"):
        out["name"] = funding["name"]
    funder_id = funding.get("funder_id") or ""
    if funder_id:
        is_doi = funder_id.lower().startswith("10.")
        if is_doi:
            out["DOI"] = funder_id.lower()
            out["doi-asserted-by"] = "publisher"
        out["id"] = [
            {
                "id": funder_id.lower() if is_doi else funder_id,
                "id-type": "DOI" if is_doi else (funding.get("id_type") or "ROR"),
                "asserted-by": "publisher",
            }
        ]
    if funding.get("awards"):
        out["award"] = list(funding["awards"])
        out["award-info"] = [{"award-number": [a]} for a in funding["awards"]]
    return out


def _license(item: dict[str, Any], issued: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"URL": item["url"]}
    start = stamp_of_partial(item.get("start")) or stamp_of_partial(issued)
    if start:
        out["start"] = start
    out["content-version"] = item.get("content_version") or "unspecified"
    out["delay-in-days"] = int(item.get("delay_days") or 0)
    return out


def _reference(ref: dict[str, Any], matched: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": ref.get("key", "")}
    if ref.get("doi"):
        out["DOI"] = ref["doi"]
        out["doi-asserted-by"] = ref.get("doi_asserted_by") or "publisher"
    elif matched:
        out["DOI"] = matched
        out["doi-asserted-by"] = "crossref"
    for name, key in REFERENCE_KEYS.items():
        if ref.get(name):
            out[key] = ref[name]
    if ref.get("unstructured"):
        out["unstructured"] = ref["unstructured"]
    return out


def _relations(record: dict[str, Any], related: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()

    def add(name: str, entry: dict[str, Any]) -> None:
        key = (name, entry["id"].lower())
        if key not in seen:
            seen.add(key)
            out.setdefault(name, []).append(entry)

    for relation in record.get("relations") or []:
        add(
            kebab(relation["type"]),
            {"id-type": relation.get("id_type") or "doi", "id": relation["id"], "asserted-by": "subject"},
        )
    for entry in related:
        name = INVERSE_RELATIONS.get(kebab(entry["type"]))
        if name:
            add(name, {"id-type": "doi", "id": entry["doi"], "asserted-by": "object"})
    for name, targets in ((record.get("extra") or {}).get("relation-asserted-by-object") or {}).items():
        for target in targets:
            if isinstance(target, dict) and target.get("id"):
                add(
                    name,
                    {"id-type": target.get("id-type", "doi"), "id": target["id"], "asserted-by": "object"},
                )
    return out


def _typed(values: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"value": v["value"], "type": v.get("type") or "print"} for v in values if v.get("value")]


def _issn(value: str) -> str:
    digits = value.replace("-", "").upper()
    return f"{digits[:4]}-{digits[4:]}" if len(digits) == 8 else value


def work_message(
    work: Work, sides: WorkSides, *, singleton: bool = False, score: float | None = None
) -> dict[str, Any]:
    """The REST API work record of `work` (the `message` of /works/{doi})."""
    record = work.data or {}
    extra = record.get("extra") or {}
    out: dict[str, Any] = {}
    issued = (
        record.get("issued")
        or record.get("published_print")
        or record.get("published_online")
        or record.get("posted")
    )
    out["indexed"] = {**stamp(work.indexed_at), "version": INDEXER_VERSION}
    references = record.get("references") or []
    out["reference-count"] = len(references)
    out["publisher"] = (
        record.get("publisher") or (record.get("container") or {}).get("publisher") or work.organisation.name
    )
    for key, name in (
        ("issue", "issue"),
        ("volume", "volume"),
        ("article-number", "article_number"),
        ("language", "language"),
    ):
        if record.get(name):
            out[key] = record[name]
    if record.get("licenses"):
        out["license"] = [_license(item, issued) for item in record["licenses"]]
    if record.get("funding"):
        out["funder"] = [_funder(f) for f in record["funding"]]
    crossmark = record.get("crossmark") or {}
    out["content-domain"] = {
        "domain": list(crossmark.get("domains") or []),
        "crossmark-restriction": bool(crossmark.get("domain_exclusive")),
    }
    container = record.get("container") or {}
    if container.get("short_titles"):
        out["short-container-title"] = container["short_titles"]
    for key, name in (
        ("published-print", "published_print"),
        ("published-online", "published_online"),
        ("posted", "posted"),
        ("accepted", "accepted"),
        ("approved", "approved"),
    ):
        if value := partial(record.get(name)):
            out[key] = value
    if record.get("abstract"):
        out["abstract"] = record["abstract"]
    out["DOI"] = work.doi
    out["type"] = work.type
    if work.subtype:
        out["subtype"] = work.subtype
    created = None
    if isinstance(extra.get("created"), str):
        try:
            created = datetime.fromisoformat(extra["created"].replace("Z", "+00:00"))
        except ValueError:
            created = None
    out["created"] = stamp(created or work.created_at)
    first, last = record.get("first_page") or "", record.get("last_page") or ""
    if first:
        out["page"] = f"{first}-{last}" if last else first
    if crossmark.get("policy"):
        out["update-policy"] = "https://doi.org/" + crossmark["policy"]
    out["source"] = "Crossref"
    out["is-referenced-by-count"] = work.cited_by_count
    out["title"] = record.get("titles") or []
    out["prefix"] = work.doi.split("/", 1)[0]
    by_role: dict[str, list] = {}
    for person in record.get("contributors") or []:
        by_role.setdefault(person.get("role") or "author", []).append(_contributor(person))
    for role in ("author", "editor", "chair", "translator"):
        if by_role.get(role):
            out[role] = by_role[role]
    member_id = work.organisation.member_id
    out["member"] = str(member_id) if member_id is not None else ""
    if references:
        matched = sides.matched.get(work.pk, {})
        out["reference"] = [_reference(ref, matched.get(ref.get("key", ""))) for ref in references]
    out["container-title"] = container.get("titles") or []
    out["original-title"] = record.get("original_titles") or []
    if record.get("links"):
        out["link"] = [
            {
                "URL": link["url"],
                "content-type": link.get("content_type") or "unspecified",
                "content-version": link.get("content_version") or "vor",
                "intended-application": link.get("intended_application") or "text-mining",
            }
            for link in record["links"]
        ]
    deposited = deposit_moment(work.deposit_timestamp) or work.updated_at
    out["deposited"] = stamp(deposited)
    out["score"] = score if score is not None else (1 if singleton else 0.0)
    urls = record.get("resource_urls") or []
    primary = next((u["url"] for u in urls if u.get("kind") == "primary"), work.url)
    resource: dict[str, Any] = {"primary": {"URL": primary}}
    secondary = [{"URL": u["url"], "label": u.get("label") or ""} for u in urls if u.get("kind") != "primary"]
    if secondary:
        resource["secondary"] = secondary
    out["resource"] = resource
    out["subtitle"] = record.get("subtitles") or []
    out["short-title"] = record.get("short_titles") or []
    out["issued"] = partial(issued) or {"date-parts": [[None]]}
    out["references-count"] = len(references)
    if work.type == "journal-article" and record.get("issue") and "journal-issue" not in extra:
        journal_issue: dict[str, Any] = {"issue": record["issue"]}
        for key, name in (("published-print", "published_print"), ("published-online", "published_online")):
            if value := partial(record.get(name)):
                journal_issue[key] = value
        out["journal-issue"] = journal_issue
    out["URL"] = resolver_url(work.doi)
    out["relation"] = _relations(record, sides.related.get(work.doi, []))
    issns = container.get("issns") or []
    if issns:
        out["ISSN"] = [_issn(i["value"]) for i in issns]
        out["issn-type"] = [{"value": _issn(i["value"]), "type": i.get("type") or "print"} for i in issns]
    isbns = (record.get("isbns") or []) + (container.get("isbns") or [])
    if isbns:
        out["ISBN"] = [i["value"] for i in isbns]
        out["isbn-type"] = _typed(isbns)
    if record.get("archive_locations"):
        out["archive"] = record["archive_locations"]
    if crossmark.get("assertions"):
        out["assertion"] = crossmark["assertions"]
    if record.get("updates"):
        out["update-to"] = update_to(work)
    if updated_by := sides.updated_by.get(work.doi):
        out["updated-by"] = updated_by
    out["subject"] = extra.get("subject") or []
    out["published"] = partial(issued) or {"date-parts": [[None]]}
    for key, value in extra.items():
        if key not in out and key not in EXTRA_INTERNAL:
            out[key] = value
    if not singleton:
        for key in EMPTY_ON_SINGLETON:
            if out.get(key) == []:
                del out[key]
        if out.get("relation") == {}:
            del out["relation"]
    return out


def selected(message: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    if not fields:
        return message
    wanted = set(fields)
    if "contributor" in wanted:
        wanted |= {"author", "editor", "chair", "translator"}
    return {k: v for k, v in message.items() if k in wanted}


def envelope(message_type: str, message: Any) -> dict[str, Any]:
    return {"status": "ok", "message-type": message_type, "message-version": API_VERSION, "message": message}
