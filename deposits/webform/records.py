"""Between the form and the registry's record shape: cleaned form data → WorkRecord (for
the deposit XML and the preview), and a registered WorkRecord → the form's initial data
(for editing). Pure functions, no database."""

from __future__ import annotations

import datetime
import re
import secrets

from linking.records import (
    Affiliation,
    Container,
    Contributor,
    Funding,
    License,
    PartialDate,
    Reference,
    Relation,
    ResourceUrl,
    Update,
    WorkRecord,
)

CONTAINER_KINDS = {
    "journal-article": "journal",
    "book-chapter": "book",
    "proceedings-article": "proceedings",
    "dataset": "database",
}
SUFFIX_ALPHABET = "abcdefghjkmnpqrstvwxyz23456789"
WRITTEN_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")


def suggest_suffix(*, year: int | None = None) -> str:
    """A short suffix that says nothing about the content (so it never has to change)."""
    token = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(6))
    return f"{year or datetime.date.today().year}.{token}"


def _partial(year, month, day) -> PartialDate | None:
    return PartialDate(year, month or None, day or None) if year else None


def _from_date(value: datetime.date | None) -> PartialDate | None:
    return PartialDate(value.year, value.month, value.day) if value else None


def reference_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def references_from_text(text: str, dois_text: str = "", *, start: int = 1) -> list[Reference]:
    """One Reference per non-empty line; `dois_text` holds the DOI matched for each line
    (same order, empty when none)."""
    lines = reference_lines(text)
    dois = [d.strip().lower() for d in (dois_text or "").split("\n")]
    references = []
    for index, line in enumerate(lines):
        doi = dois[index] if index < len(dois) and dois[index].startswith("10.") else ""
        if not doi:
            # Not matched in the browser (or no script): a DOI written in the reference.
            written = WRITTEN_DOI.search(line)
            doi = written.group(0).rstrip(".,;)]").lower() if written else ""
        references.append(
            Reference(
                key=f"ref{start + index}",
                unstructured=line[:3000],
                doi=doi,
                doi_asserted_by="crossref" if doi else "",
            )
        )
    return references


def contributors_from_rows(rows: list[dict]) -> list[Contributor]:
    people = []
    for row in rows:
        if not row or row.get("DELETE"):
            continue
        affiliations = []
        if row.get("affiliation") or row.get("ror"):
            ids = [{"id": row["ror"], "id-type": "ROR"}] if row.get("ror") else []
            affiliations.append(Affiliation(name=row.get("affiliation", ""), ids=ids))
        if row.get("kind") == "organisation":
            people.append(
                Contributor(
                    role=row.get("role") or "author", name=row["organisation"], affiliations=affiliations
                )
            )
        elif row.get("family"):
            people.append(
                Contributor(
                    role=row.get("role") or "author",
                    given=row.get("given", ""),
                    family=row["family"],
                    orcid=row.get("orcid", ""),
                    affiliations=affiliations,
                )
            )
    for index, person in enumerate(people):
        person.sequence = "first" if index == 0 else "additional"
    return people


def funding_from_rows(rows: list[dict]) -> list[Funding]:
    funding = []
    for row in rows:
        if not row or row.get("DELETE") or not row.get("funder_name"):
            continue
        funder_id = row.get("funder_id", "").strip()
        if funder_id and funder_id.isdigit():
            funder_id = f"10.13039/{funder_id}"
        awards = [a.strip() for a in row.get("awards", "").split(",") if a.strip()]
        funding.append(
            Funding(
                name=row["funder_name"],
                funder_id=funder_id,
                id_type="DOI" if funder_id else "",
                awards=awards,
            )
        )
    return funding


def record_from_form(data: dict, *, doi: str, contributors: list[dict], funding: list[dict]) -> WorkRecord:
    kind = data["content_type"]
    container = None
    if kind in CONTAINER_KINDS and data.get("container_title"):
        container = Container(
            kind=CONTAINER_KINDS[kind],
            titles=[data["container_title"]],
            issns=[{"value": data["issn"], "type": "electronic"}] if data.get("issn") else [],
            isbns=[{"value": data["isbn"], "type": ""}]
            if data.get("isbn") and kind != "journal-article"
            else [],
            doi=data.get("container_doi", ""),
            publisher=data.get("publisher", ""),
        )
    issued = _partial(data.get("published_year"), data.get("published_month"), data.get("published_day"))
    relations = []
    if data.get("preprint_of"):
        relations.append(Relation(type="isPreprintOf", id=data["preprint_of"], kind="intra"))
    if data.get("supplement_to"):
        relations.append(Relation(type="isSupplementTo", id=data["supplement_to"]))
    updates = []
    crossmark = {}
    if data.get("update_doi") and data.get("update_type"):
        updates.append(
            Update(
                doi=data["update_doi"],
                type=data["update_type"],
                date=_from_date(data.get("update_date")) or issued,
            )
        )
        crossmark = {"policy": data.get("crossmark_policy", "")}
    extra = {}
    if kind == "proceedings-article":
        extra["event"] = {
            "name": data.get("event_name", ""),
            "acronym": data.get("event_acronym", ""),
            "location": data.get("event_location", ""),
            "date": data.get("event_date", ""),
        }
    if data.get("institution"):
        extra["institution"] = data["institution"]
    return WorkRecord(
        doi=doi,
        type=kind,
        subtype="preprint" if kind == "posted-content" else "",
        titles=[data["title"]],
        subtitles=[data["subtitle"]] if data.get("subtitle") else [],
        container=container,
        contributors=contributors_from_rows(contributors),
        issued=issued,
        posted=issued if kind == "posted-content" else None,
        volume=data.get("volume", ""),
        issue=data.get("issue", ""),
        first_page=data.get("first_page", ""),
        last_page=data.get("last_page", ""),
        article_number=data.get("article_number", ""),
        abstract=data.get("abstract", "").strip(),
        language=data.get("language", ""),
        publisher=data.get("publisher", ""),
        isbns=[{"value": data["isbn"], "type": ""}]
        if data.get("isbn") and kind in ("book", "report")
        else [],
        resource_urls=[ResourceUrl(url=data["url"])],
        licenses=[License(url=data["licence_url"], start=_from_date(data.get("licence_start")))]
        if data.get("licence_url")
        else [],
        funding=funding_from_rows(funding),
        references=references_from_text(data.get("references", ""), data.get("reference_dois", "")),
        relations=relations,
        updates=updates,
        crossmark=crossmark,
        extra=extra,
    )


def _abstract_text(abstract: str) -> str:
    """JATS as deposited → plain paragraphs for the textarea."""
    if "<" not in abstract:
        return abstract
    paragraphs = re.findall(r"<(?:jats:)?p[^>]*>(.*?)</(?:jats:)?p>", abstract, flags=re.S)
    text = paragraphs or [abstract]
    return "\n\n".join(re.sub(r"<[^>]+>", "", p).strip() for p in text)


def initial_from_record(record: WorkRecord) -> tuple[dict, list[dict], list[dict]]:
    """The form's initial data, contributor rows and funding rows for a registered record."""
    prefix, _, suffix = record.doi.partition("/")
    container = record.container
    issued = record.issued or record.posted
    licence = record.licenses[0] if record.licenses else None
    update = record.updates[0] if record.updates else None
    relation = {r.type: r.id for r in record.relations}
    isbn = ""
    if container and container.isbns:
        isbn = container.isbns[0]["value"]
    elif record.isbns:
        isbn = record.isbns[0]["value"]
    initial = {
        "content_type": record.type,
        "prefix": prefix,
        "suffix": suffix,
        "url": record.url,
        "title": record.title,
        "subtitle": record.subtitles[0] if record.subtitles else "",
        "container_title": container.titles[0] if container and container.titles else "",
        "issn": container.issns[0]["value"] if container and container.issns else "",
        "isbn": isbn,
        "container_doi": container.doi if container else "",
        "publisher": record.publisher or (container.publisher if container else ""),
        "volume": record.volume,
        "issue": record.issue,
        "first_page": record.first_page,
        "last_page": record.last_page,
        "article_number": record.article_number,
        "event_name": record.extra.get("event", {}).get("name", ""),
        "event_acronym": record.extra.get("event", {}).get("acronym", ""),
        "event_location": record.extra.get("event", {}).get("location", ""),
        "event_date": record.extra.get("event", {}).get("date", ""),
        "institution": record.extra.get("institution", ""),
        "published_year": issued.year if issued else None,
        "published_month": issued.month if issued else None,
        "published_day": issued.day if issued else None,
        "abstract": _abstract_text(record.abstract),
        "language": record.language,
        "licence_url": licence.url if licence else "",
        "licence_start": datetime.date(licence.start.year, licence.start.month or 1, licence.start.day or 1)
        if licence and licence.start
        else None,
        "preprint_of": relation.get("isPreprintOf", ""),
        "supplement_to": relation.get("isSupplementTo", ""),
        "update_type": update.type if update else "",
        "update_doi": update.doi if update else "",
        "crossmark_policy": record.crossmark.get("policy", "") if isinstance(record.crossmark, dict) else "",
        "references": "\n".join(r.unstructured or r.doi for r in record.references),
        "reference_dois": "\n".join(r.doi for r in record.references),
    }
    contributors = []
    for person in record.contributors:
        affiliation = person.affiliations[0] if person.affiliations else None
        ror = ""
        if affiliation:
            ror = next((i["id"] for i in affiliation.ids if i.get("id-type", "").upper() == "ROR"), "")
        contributors.append(
            {
                "kind": "organisation" if person.name and not person.family else "person",
                "role": person.role or "author",
                "given": person.given,
                "family": person.family,
                "organisation": person.name,
                "orcid": person.orcid,
                "affiliation": affiliation.name if affiliation else "",
                "ror": ror,
            }
        )
    funding = [
        {"funder_name": f.name, "funder_id": f.funder_id, "awards": ", ".join(f.awards)}
        for f in record.funding
    ]
    return initial, contributors, funding
