"""Readers for the pieces every content type shares: titles, contributors, dates, pages,
publisher items, institutions and the reference list."""

from __future__ import annotations

from lxml import etree

from deposits.xml.parse.base import (
    Notes,
    attr,
    bare_doi,
    child_text,
    child_texts,
    descend,
    earliest,
    kid,
    kids,
    local,
    make_date,
    markup,
    orcid_url,
    text,
    truthy,
)
from linking.records import Affiliation, Contributor, PartialDate, Reference

# --------------------------------------------------------------------------- titles


def read_titles(element: etree._Element) -> tuple[list[str], list[str], list[str]]:
    """(titles, subtitles, original-language titles) of every <titles> child, in order."""
    titles: list[str] = []
    subtitles: list[str] = []
    originals: list[str] = []
    for block in kids(element, "titles"):
        for child in kids(block):
            value = markup(child)
            if not value:
                continue
            name = local(child)
            if name == "title":
                titles.append(value)
            elif name == "subtitle":
                subtitles.append(value)
            elif name == "original_language_title":
                originals.append(value)
    return titles, subtitles, originals


# --------------------------------------------------------------------------- contributors

AFFILIATION_ID_TYPES = {"ror": "ROR", "isni": "ISNI", "wikidata": "wikidata"}


def read_contributors(element: etree._Element | None) -> list[Contributor]:
    """Every person, organisation and anonymous contributor of a <contributors> block (or of
    an element holding <person_name> directly, as pre-5 dissertations do), in document order."""
    if element is None:
        return []
    found = []
    for child in kids(element, "person_name", "organization", "anonymous"):
        name = local(child)
        role, credit = _roles(child)
        contributor = Contributor(
            role=role, sequence=attr(child, "sequence", "additional"), credit_roles=credit
        )
        if name == "person_name":
            contributor.given = child_text(child, "given_name")
            contributor.family = child_text(child, "surname")
            contributor.suffix = child_text(child, "suffix")
            orcid = kid(child, "ORCID")
            if orcid is not None and text(orcid):
                contributor.orcid = orcid_url(text(orcid))
                contributor.orcid_authenticated = truthy(orcid.get("authenticated"))
        elif name == "organization":
            contributor.name = text(child)
        else:
            contributor.name = "Anonymous"
        contributor.affiliations = read_affiliations(child)
        found.append(contributor)
    return found


def _roles(person: etree._Element) -> tuple[str, list[str]]:
    """The contributor role (the contributor_role attribute, or the first Crossref-vocabulary
    <role> of schema 5.5.0) and the CRediT roles."""
    role = attr(person, "contributor_role")
    credit = []
    for child in kids(person, "role"):
        vocab, kind = attr(child, "vocab"), attr(child, "type")
        if vocab == "credit" and kind:
            credit.append(kind)
        elif vocab == "crossref" and kind and not role and kind not in ("corresponding-author", "other"):
            role = kind
    return role or "author", credit


def read_affiliations(person: etree._Element) -> list[Affiliation]:
    """5.3+ <affiliations><institution> (name + ROR/ISNI/Wikidata ids) and the older plain
    <affiliation> strings."""
    found = []
    for child in kids(person, "affiliations", "affiliation"):
        if local(child) == "affiliation":
            if text(child):
                found.append(Affiliation(name=text(child)))
            continue
        for institution in kids(child, "institution"):
            ids = [
                {"id": text(i), "id-type": AFFILIATION_ID_TYPES.get(attr(i, "type").lower(), attr(i, "type"))}
                for i in kids(institution, "institution_id")
                if text(i)
            ]
            found.append(Affiliation(name=child_text(institution, "institution_name"), ids=ids))
    return found


def read_institutions(element: etree._Element) -> list[dict]:
    """<institution> children in the REST API's `institution` shape (for `extra`)."""
    found = []
    for institution in kids(element, "institution"):
        entry: dict = {}
        name = child_text(institution, "institution_name")
        if name:
            entry["name"] = name
        for key, child in (
            ("acronym", "institution_acronym"),
            ("place", "institution_place"),
            ("department", "institution_department"),
        ):
            values = child_texts(institution, child)
            if values:
                entry[key] = values
        ids = [
            {"id": text(i), "id-type": AFFILIATION_ID_TYPES.get(attr(i, "type").lower(), attr(i, "type"))}
            for i in kids(institution, "institution_id")
            if text(i)
        ]
        if ids:
            entry["id"] = ids
        if entry:
            found.append(entry)
    return found


# --------------------------------------------------------------------------- dates


def read_date(element: etree._Element | None, notes: Notes | None = None) -> PartialDate | None:
    """A <year>/<month>/<day> date element."""
    if element is None:
        return None
    date, dropped = make_date(
        child_text(element, "year"), child_text(element, "month"), child_text(element, "day")
    )
    if date is not None and dropped and notes is not None:
        notes.date_dropped(element, date, dropped)
    return date


class Dates:
    """The dates directly inside one content element."""

    def __init__(self, element: etree._Element, notes: Notes | None = None):
        self.print: PartialDate | None = None
        self.online: PartialDate | None = None
        self.other: PartialDate | None = None
        for child in kids(element, "publication_date"):
            date = read_date(child, notes)
            media = attr(child, "media_type", "print")
            current = getattr(self, media, None) if media in ("print", "online", "other") else None
            if media in ("print", "online", "other"):
                setattr(self, media, earliest(current, date))
        self.accepted = read_date(kid(element, "acceptance_date"), notes)
        self.posted = read_date(kid(element, "posted_date"), notes)
        self.approved = earliest(*(read_date(d, notes) for d in kids(element, "approval_date")))
        self.reviewed = read_date(kid(element, "review_date"), notes)

    @property
    def published(self) -> PartialDate | None:
        """The earliest publication date of any media type: the REST API's `issued`."""
        return earliest(self.print, self.online, self.other)

    @property
    def any(self) -> bool:
        return self.published is not None


# --------------------------------------------------------------------------- pages, items


def read_pages(element: etree._Element) -> tuple[str, str, str]:
    pages = kid(element, "pages")
    return child_text(pages, "first_page"), child_text(pages, "last_page"), child_text(pages, "other_pages")


def read_item_numbers(element: etree._Element) -> tuple[str, list[dict[str, str]]]:
    """(article number, alternative ids) from <publisher_item> (and the bare <item_number>
    of posted content). The article number is the item_number typed article_number, else
    the only untyped one; identifiers and other item numbers become alternative ids."""
    numbers = []
    for holder in (element, kid(element, "publisher_item")):
        if holder is not None:
            numbers += [
                (attr(n, "item_number_type"), text(n)) for n in kids(holder, "item_number") if text(n)
            ]
    article = next((value for kind, value in numbers if kind == "article_number"), "")
    untyped = [value for kind, value in numbers if not kind]
    if not article and len(untyped) == 1:
        article = untyped[0]
    others = [{"value": value, "type": kind} for kind, value in numbers if value != article]
    item = kid(element, "publisher_item")
    if item is not None:
        others += [
            {"value": text(i), "type": attr(i, "id_type")} for i in kids(item, "identifier") if text(i)
        ]
    return article, others


def read_publisher(element: etree._Element) -> tuple[str, str]:
    """(publisher name, publisher place) of the first <publisher>."""
    publisher = kid(element, "publisher")
    return child_text(publisher, "publisher_name"), child_text(publisher, "publisher_place")


def read_archives(element: etree._Element) -> list[str]:
    locations = kid(element, "archive_locations")
    if locations is None:
        return []
    return [attr(a, "name") for a in kids(locations, "archive") if attr(a, "name")]


# --------------------------------------------------------------------------- references

# citation child element -> Reference field
_CITATION_FIELDS = {
    "unstructured_citation": "unstructured",
    "issn": "issn",
    "isbn": "isbn",
    "journal_title": "journal_title",
    "author": "author",
    "volume": "volume",
    "issue": "issue",
    "first_page": "first_page",
    "cYear": "year",
    "article_title": "article_title",
    "series_title": "series_title",
    "volume_title": "volume_title",
    "edition_number": "edition",
    "component_number": "component",
}


def read_references(element: etree._Element) -> list[Reference]:
    """The <citation_list> child of `element` (or `element` itself if it is one)."""
    holder = element if local(element) == "citation_list" else kid(element, "citation_list")
    if holder is None:
        return []
    found = []
    for number, citation in enumerate(kids(holder, "citation"), start=1):
        reference = Reference(key=attr(citation, "key") or f"ref{number}")
        for child in kids(citation):
            name = local(child)
            if name == "doi":
                reference.doi = bare_doi(text(child))
                # unixsd marks who matched the DOI; in a deposit the depositor asserts it.
                reference.doi_asserted_by = attr(child, "provider", "publisher") if reference.doi else ""
            elif name in _CITATION_FIELDS and not getattr(reference, _CITATION_FIELDS[name]):
                setattr(reference, _CITATION_FIELDS[name], text(child))
        found.append(reference)
    return found


def first_text(element: etree._Element, *paths: tuple[str, ...]) -> str:
    for path in paths:
        value = text(descend(element, *path))
        if value:
            return value
    return ""
