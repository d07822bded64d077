"""Per-field converters of Crossref REST API works, used by
`deposits.imports.rest_json.work_record_from_rest`: one REST field's value → the matching
`linking.records` value, and the small coercions they share.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

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
ORCID_PATTERN = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")


# -- one field ---------------------------------------------------------------------------


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
