"""Grants (`http://www.crossref.org/grant_id/X`): one `grant` record per <grant>.

WorkRecord fields take what they can (project titles, investigators as contributors,
funders with the award number, the award start as `issued`); the project detail goes into
`extra["project"]` and the award into `extra["award"]` / `extra["award-start"]`, in the
REST API's shapes for grants."""

from __future__ import annotations

from lxml import etree

from deposits.xml.parse.base import (
    Notes,
    attr,
    bare_doi,
    child_text,
    date_parts,
    iso_date,
    kid,
    kids,
    orcid_url,
    text,
)
from deposits.xml.parse.programs import LinkData, funder_id, read_doi_data, read_programs
from deposits.xml.parse.work import apply_link
from linking.records import Affiliation, Contributor, Funding, WorkRecord

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_grant_record(grant: etree._Element, notes: Notes) -> tuple[WorkRecord, LinkData]:
    link = read_doi_data(kid(grant, "doi_data"))
    record = WorkRecord(doi=bare_doi(link.doi), type="grant")
    award = child_text(grant, "award-number")
    projects = [_project(p, record, award) for p in kids(grant, "project")]
    for index, contributor in enumerate(record.contributors):
        contributor.sequence = "first" if index == 0 else "additional"
    if projects:
        record.extra["project"] = projects
    if award:
        record.extra["award"] = award
    start = iso_date(child_text(grant, "award-start-date"))
    if start:
        record.issued = start
        record.extra["award-start"] = date_parts(start)
    record.relations = read_programs(grant).relations
    apply_link(record, link)
    return record, link


def _project(project: etree._Element, record: WorkRecord, award: str) -> dict:
    entry: dict = {}
    titles = [(text(t), t.get(XML_LANG, "")) for t in kids(project, "project-title") if text(t)]
    record.titles += [title for title, _ in titles]
    if titles:
        entry["project-title"] = [{"title": t, **({"language": lang} if lang else {})} for t, lang in titles]
    descriptions = [(text(d), d.get(XML_LANG, "")) for d in kids(project, "description") if text(d)]
    if descriptions:
        entry["project-description"] = [
            {"description": d, **({"language": lang} if lang else {})} for d, lang in descriptions
        ]
    people = [p for block in kids(project, "investigators") for p in kids(block, "person")]
    for person in people:
        role = attr(person, "role", "investigator").replace("_", "-")
        contributor = Contributor(
            role=role,
            given=child_text(person, "givenName"),
            family=child_text(person, "familyName"),
            orcid=orcid_url(child_text(person, "ORCID")) if child_text(person, "ORCID") else "",
            affiliations=[_affiliation(a) for a in kids(person, "affiliation")],
        )
        record.contributors.append(contributor)
        described = {"given": contributor.given, "family": contributor.family}
        alternate = [text(a) for a in kids(person, "alternateName") if text(a)]
        if alternate:
            described["alternate-name"] = alternate
        if contributor.orcid:
            described["ORCID"] = contributor.orcid
        for key, name in (("role-start", "start-date"), ("role-end", "end-date")):
            date = iso_date(person.get(name))
            if date:
                described[key] = date_parts(date)
        entry.setdefault(role, []).append(described)
    amount = kid(project, "award_amount")
    if amount is not None and text(amount):
        entry["award-amount"] = {"amount": text(amount), "currency": attr(amount, "currency")}
    funding = []
    for element in kids(project, "funding"):
        identifier, id_type = funder_id(child_text(element, "funder-id"))
        name = child_text(element, "funder-name")
        funder = Funding(name=name, funder_id=identifier, id_type=id_type, awards=[award] if award else [])
        if funder not in record.funding:  # one funder paying into several schemes is one funder
            record.funding.append(funder)
        described: dict = {"funder": {"name": name}}
        if identifier:
            described["funder"]["id"] = [{"id": identifier, "id-type": id_type}]
        if attr(element, "funding-type"):
            described["type"] = attr(element, "funding-type")
        if child_text(element, "funding-scheme"):
            described["scheme"] = child_text(element, "funding-scheme")
        money = {
            key: attr(element, name)
            for key, name in (
                ("amount", "amount"),
                ("currency", "currency"),
                ("percentage", "funding-percentage"),
            )
            if attr(element, name)
        }
        if money:
            described["award-amount"] = money
        funding.append(described)
    if funding:
        entry["funding"] = funding
    dates = kid(project, "award-dates")
    if dates is not None:
        for key, name in (
            ("award-start", "start-date"),
            ("award-end", "end-date"),
            ("award-planned-start", "planned-start-date"),
            ("award-planned-end", "planned-end-date"),
        ):
            date = iso_date(dates.get(name))
            if date:
                entry[key] = date_parts(date)
    return entry


def _affiliation(element: etree._Element) -> Affiliation:
    institution = kid(element, "institution")
    ror = child_text(element, "ROR")
    return Affiliation(name=text(institution), ids=[{"id": ror, "id-type": "ROR"}] if ror else [])
