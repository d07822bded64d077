"""Readers for the namespaced sub-vocabularies and the link data of a record:
`doi_data` (DOI, resolution URLs, full-text links), `fr:`/`fd:` funding, `ai:` licences,
`rel:` relations, `ct:` clinical trials and the Crossmark block.

Programs are recognised by their namespace (fundref.xsd, fundingdata*.xsd,
AccessIndicators.xsd, relations.xsd, clinicaltrials.xsd) and, when a document puts them in
an unexpected namespace, by their `name` attribute; they may sit directly in the item or,
as older deposits have them, inside crossmark/custom_metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from deposits.xml.parse.base import (
    attr,
    bare_doi,
    child_text,
    iso_date,
    kid,
    kids,
    local,
    namespace,
    own_text,
    squash,
    text,
    truthy,
)
from linking.records import Funding, License, Link, Relation, ResourceUrl, Update

# --------------------------------------------------------------------------- doi_data

# collection property -> Link.intended_application
LINK_APPLICATIONS = {
    "text-mining": "text-mining",
    "crawler-based": "similarity-checking",
    "syndication": "syndication",
    "unspecified": "unspecified",
}
SIMILARITY_CRAWLERS = {"", "iParadigms", "similarity-check"}
SECONDARY_PROPERTIES = {"list-based", "country-based"}


@dataclass
class LinkData:
    """What one doi_data (or a resource-only doi_resources) says about where the DOI leads."""

    doi: str = ""
    doi_element: etree._Element | None = None
    timestamp: int | None = None
    urls: list[ResourceUrl] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    link_headers: list[dict[str, str]] = field(default_factory=list)
    multi_resolution: str = ""

    @property
    def primary(self) -> bool:
        return any(u.kind == "primary" for u in self.urls)

    @property
    def secondary(self) -> list[ResourceUrl]:
        return [u for u in self.urls if u.kind != "primary"]


def read_doi_data(element: etree._Element | None) -> LinkData:
    """A <doi_data>, or any element holding <doi>/<resource>/<collection> children."""
    data = LinkData()
    if element is None:
        return data
    doi = kid(element, "doi")
    if doi is not None:
        data.doi_element = doi
        data.doi = text(doi)
    stamp = child_text(element, "timestamp")
    if stamp:
        data.timestamp = parse_timestamp(stamp)
    resource = kid(element, "resource")
    if resource is not None and text(resource):
        data.urls.append(ResourceUrl(url=text(resource), kind="primary"))
    for collection in kids(element, "collection"):
        read_collection(collection, data)
    return data


def read_collection(collection: etree._Element, data: LinkData) -> None:
    prop = attr(collection, "property")
    lock = attr(collection, "multi-resolution")
    if lock or prop in ("lock", "unlock"):
        data.multi_resolution = lock or prop
    for item in kids(collection, "item"):
        resource = kid(item, "resource")
        url = text(resource)
        if not url:
            continue  # an item may name a DOI instead of a URL; nothing to resolve to
        if prop in SECONDARY_PROPERTIES:
            label = attr(item, "label") or attr(item, "country")
            data.urls.append(ResourceUrl(url=url, kind="secondary", label=label))
        elif prop == "link-header":
            data.link_headers.append({"URL": url, "relationship": attr(item, "link_header_relationship")})
        else:
            crawler = attr(item, "crawler")
            application = LINK_APPLICATIONS.get(prop, "unspecified")
            if prop == "crawler-based" and crawler not in SIMILARITY_CRAWLERS:
                application = "crawler-based"  # the old search-engine crawler lists
            data.links.append(
                Link(
                    url=url,
                    content_type=attr(resource, "mime_type", "unspecified"),
                    content_version=attr(resource, "content_version", "vor"),
                    intended_application=application,
                )
            )


def parse_timestamp(value: str | None) -> int | None:
    """A deposit timestamp as an int of any size ('20190115142652436'); None if not a
    non-negative whole number. Old schemas typed it xsd:double, so '1.5E13' is read too."""
    value = squash(value)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        from decimal import Decimal, InvalidOperation

        try:
            decimal = Decimal(value)
        except InvalidOperation:
            return None
        if not decimal.is_finite() or decimal != decimal.to_integral_value():
            return None
        number = int(decimal)
    return number if number >= 0 else None


# --------------------------------------------------------------------------- programs


def program_kind(element: etree._Element) -> str:
    """funding | licences | relations | clinical-trials | '' for a <program> element."""
    uri = namespace(element).lower()
    if "fundref" in uri or "fundingdata" in uri:
        return "funding"
    if "accessindicators" in uri:
        return "licences"
    if "relations" in uri:
        return "relations"
    if "clinicaltrials" in uri:
        return "clinical-trials"
    name = attr(element, "name").lower()
    return {"fundref": "funding", "accessindicators": "licences"}.get(name, "")


@dataclass
class Programs:
    funding: list[Funding] = field(default_factory=list)
    licenses: list[License] = field(default_factory=list)
    free_to_read: list[dict] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    clinical_trials: list[dict[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # kinds of program present


def read_programs(*holders: etree._Element | None) -> Programs:
    """Every program directly inside any of `holders` (the item, its custom_metadata)."""
    found = Programs()
    for holder in holders:
        if holder is None:
            continue
        for program in kids(holder, "program"):
            kind = program_kind(program)
            found.seen.add(kind)
            if kind == "funding":
                found.funding += read_funding(program)
            elif kind == "licences":
                licenses, free = read_licences(program)
                found.licenses += licenses
                found.free_to_read += free
            elif kind == "relations":
                found.relations += read_relations(program)
            elif kind == "clinical-trials":
                found.clinical_trials += read_clinical_trials(program)
    return found


# --- funding


def read_funding(program: etree._Element) -> list[Funding]:
    """fundref / fundingdata assertions. Each `fundgroup` is one funding source (assertions
    outside any fundgroup form one more); a group naming several funders gives each of them
    the group's awards."""
    found: list[Funding] = []
    loose = [a for a in kids(program, "assertion") if attr(a, "name") != "fundgroup"]
    groups = [a for a in kids(program, "assertion") if attr(a, "name") == "fundgroup"]
    for group in groups:
        found += _fund_group(list(kids(group, "assertion")))
    if loose:
        found += _fund_group(loose)
    return found


def _fund_group(assertions: list[etree._Element]) -> list[Funding]:
    funders: list[Funding] = []
    awards: list[str] = []
    loose_ids: list[etree._Element] = []
    for assertion in assertions:
        name = attr(assertion, "name")
        if name == "funder_name":
            funder = Funding(name=own_text(assertion))
            nested = next((a for a in kids(assertion, "assertion") if _is_funder_id(a)), None)
            if nested is not None:
                funder.funder_id, funder.id_type = funder_id(text(nested), attr(nested, "name"))
            funders.append(funder)
        elif _is_funder_id(assertion):
            loose_ids.append(assertion)
        elif name == "award_number" and text(assertion):
            awards.append(text(assertion))
    for assertion in loose_ids:  # an identifier beside (not inside) funder_name
        target = next((f for f in funders if not f.funder_id), None)
        if target is None:
            target = Funding()
            funders.append(target)
        target.funder_id, target.id_type = funder_id(text(assertion), attr(assertion, "name"))
    if not funders and awards:
        funders.append(Funding())
    for funder in funders:
        funder.awards = list(awards)
    return funders


def _is_funder_id(assertion: etree._Element) -> bool:
    return attr(assertion, "name") in ("funder_identifier", "ror") and bool(text(assertion))


def funder_id(value: str, given_as: str = "") -> tuple[str, str]:
    """('10.13039/100000001', 'DOI') from a Funder Registry id in any spelling (bare number,
    DOI, doi.org URL); ('https://ror.org/0abc', 'ROR') for a ROR id (a `ror` assertion or a
    ror.org URL). Anything else is kept as given, with no type."""
    value = squash(value)
    if "ror.org/" in value.lower():
        return "https://ror.org/" + value.rstrip("/").rsplit("/", 1)[-1].lower(), "ROR"
    if given_as == "ror":
        return value, "ROR"
    bare = bare_doi(value)
    if bare.isdigit():
        return f"10.13039/{bare}", "DOI"
    if bare.startswith("10."):
        return bare, "DOI"
    return value, ""


# --- licences


def read_licences(program: etree._Element) -> tuple[list[License], list[dict]]:
    licenses = [
        License(
            url=text(ref),
            start=iso_date(ref.get("start_date")),
            content_version=attr(ref, "applies_to", "unspecified"),
        )
        for ref in kids(program, "license_ref")
        if text(ref)
    ]
    free = []
    for element in kids(program, "free_to_read"):
        entry = {}
        for key, name in (("start", "start_date"), ("end", "end_date")):
            date = iso_date(element.get(name))
            if date:
                entry[key] = {"date-parts": [date.parts()]}
        free.append(entry)
    return licenses, free


def license_delays(licenses: list[License], published) -> None:
    """The REST API's delay-in-days: licence start minus the earliest publication date
    (missing month/day taken as 1), never negative."""
    from datetime import date

    if published is None:
        return
    base = date(published.year, published.month or 1, published.day or 1)
    for license in licenses:
        if license.start is not None:
            start = date(license.start.year, license.start.month or 1, license.start.day or 1)
            license.delay_days = max(0, (start - base).days)


# --- relations


def read_relations(program: etree._Element) -> list[Relation]:
    found = []
    for item in kids(program, "related_item"):
        description = child_text(item, "description")
        for relation in kids(item, "inter_work_relation", "intra_work_relation"):
            value = text(relation)
            if not value:
                continue
            id_type = attr(relation, "identifier-type", "doi").lower()
            found.append(
                Relation(
                    type=attr(relation, "relationship-type"),
                    id=bare_doi(value) if id_type == "doi" else value,
                    id_type=id_type,
                    kind="intra" if local(relation) == "intra_work_relation" else "inter",
                    description=description,
                )
            )
    return found


# --- clinical trials


def read_clinical_trials(program: etree._Element) -> list[dict[str, str]]:
    """In the REST API's `clinical-trial-number` shape."""
    found = []
    for number in kids(program, "clinical-trial-number"):
        if text(number):
            entry = {"clinical-trial-number": text(number), "registry": attr(number, "registry")}
            if attr(number, "type"):
                entry["type"] = attr(number, "type")
            found.append(entry)
    return found


# --------------------------------------------------------------------------- crossmark


def read_crossmark(element: etree._Element | None) -> tuple[dict, list[Update], etree._Element | None]:
    """(crossmark dict, updates, custom_metadata element) of a <crossmark> block. The dict
    has the keys the REST importer uses: policy (DOI), domains, domain_exclusive (only when
    true), assertions (REST assertion shape), plus version when deposited."""
    if element is None:
        return {}, [], None
    crossmark: dict = {}
    version = child_text(element, "crossmark_version")
    if version:
        crossmark["version"] = version
    policy = child_text(element, "crossmark_policy")
    if policy:
        crossmark["policy"] = bare_doi(policy)
    domains = [
        text(d)
        for block in kids(element, "crossmark_domains")
        for entry in kids(block, "crossmark_domain")
        for d in kids(entry, "domain")
        if text(d)
    ]
    if domains:
        crossmark["domains"] = domains
    if truthy(child_text(element, "crossmark_domain_exclusive")):
        crossmark["domain_exclusive"] = True
    updates = []
    for block in kids(element, "updates"):
        for update in kids(block, "update"):
            if text(update):
                kind = attr(update, "type")
                updates.append(
                    Update(
                        doi=bare_doi(text(update)),
                        type=kind,
                        date=iso_date(update.get("date")),
                        label=kind.replace("_", " ").capitalize(),
                    )
                )
    custom = kid(element, "custom_metadata")
    assertions = [_assertion(a) for a in kids(custom, "assertion")] if custom is not None else []
    if assertions:
        crossmark["assertions"] = assertions
    return crossmark, updates, custom


def _assertion(element: etree._Element) -> dict:
    entry: dict = {"value": text(element), "name": attr(element, "name")}
    if attr(element, "label"):
        entry["label"] = attr(element, "label")
    if attr(element, "group_name") or attr(element, "group_label"):
        entry["group"] = {"name": attr(element, "group_name"), "label": attr(element, "group_label")}
    if attr(element, "order"):
        try:
            entry["order"] = int(attr(element, "order"))
        except ValueError:
            entry["order"] = attr(element, "order")
    if attr(element, "explanation"):
        entry["explanation"] = {"URL": attr(element, "explanation")}
    if attr(element, "href"):
        entry["URL"] = attr(element, "href")
    return entry
