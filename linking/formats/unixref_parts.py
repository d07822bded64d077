"""The parts of a unixref record every content type shares, in the element order of the
unixref 1.1 schema: titles, contributors, dates, abstract, pages, publisher item ids,
Crossmark, funding/licence/relation programs, doi_data and the citation list. Content types
are in `linking.formats.unixref_content`."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from lxml import etree

from linking.formats.common import Source, issn_hyphenated, issued, plain
from linking.records import Contributor, PartialDate, WorkRecord

CR11 = "http://www.crossref.org/xschema/1.1"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
FR = "http://www.crossref.org/fundref.xsd"
AI = "http://www.crossref.org/AccessIndicators.xsd"
REL = "http://www.crossref.org/relations.xsd"
PREFIXES = {FR: "fr", AI: "ai", REL: "rel"}


class UnixrefParts:
    """Builds the parts every content element shares (titles, contributors, dates, Crossmark,
    programs, doi_data, citations) into a unixref tree."""

    def __init__(self, source: Source, namespaced: bool):
        self.source = source
        self.record: WorkRecord = source.record
        self.namespaced = namespaced

    # -- element helpers -----------------------------------------------------------------

    def q(self, tag: str, ns: str = CR11) -> str:
        return f"{{{ns}}}{tag}" if self.namespaced else tag

    def el(self, parent, tag: str, text: str | None = None, ns: str = CR11, **attrs):
        """A child element; with `text` given but empty, none (optional elements stay out)."""
        if text is not None and not str(text).strip():
            return None
        attributes = {k.replace("__", "-"): _xml_text(v) for k, v in attrs.items() if v}
        nsmap = {PREFIXES[ns]: ns} if self.namespaced and ns in PREFIXES else None
        element = etree.SubElement(parent, self.q(tag, ns), attributes, nsmap=nsmap)
        if text:
            element.text = _xml_text(text)
        return element

    def new(self, tag: str, **attrs) -> etree._Element:
        return etree.Element(self.q(tag), {k: v for k, v in attrs.items() if v})

    # -- shared parts ----------------------------------------------------------------------

    def titles(self, parent, titles: list[str] | None = None) -> None:
        record = self.record
        titles = record.titles if titles is None else titles
        if not titles and not record.original_titles:
            return
        holder = self.el(parent, "titles")
        for index, title in enumerate(titles[:1]):
            self.rich(holder, "title", title)
            if index == 0 and record.subtitles:
                self.rich(holder, "subtitle", record.subtitles[0])
        for title in record.original_titles[:1]:
            self.rich(holder, "original_language_title", title)

    def rich(self, parent, tag: str, text: str) -> None:
        """A title with its face markup (<i>, <sub>, ...) as elements, as Crossref serves
        it; text that is not well-formed markup goes in as plain text."""
        element = self.el(parent, tag, text)
        if element is None or "<" not in text:
            return
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False)
        try:
            fragment = etree.fromstring(f"<x>{text}</x>".encode(), parser)
        except (etree.XMLSyntaxError, ValueError):
            return
        element.text = _xml_text(fragment.text or "")
        for child in fragment:
            if isinstance(child.tag, str):
                for node in child.iter():
                    if isinstance(node.tag, str) and self.namespaced and not etree.QName(node).namespace:
                        node.tag = self.q(node.tag)
            element.append(child)

    def contributors(self, parent, people: list[Contributor] | None = None) -> None:
        people = self.record.contributors if people is None else people
        if not people:
            return
        holder = self.el(parent, "contributors")
        for person in people:
            attrs = {"contributor_role": person.role or "author", "sequence": person.sequence or "additional"}
            if person.family or person.given:
                node = self.el(holder, "person_name", **attrs)
                self.el(node, "given_name", person.given)
                self.el(node, "surname", person.family or person.given)
                self.el(node, "suffix", person.suffix)
                for affiliation in person.affiliations:
                    self.el(node, "affiliation", affiliation.name)
                if person.orcid:
                    self.el(node, "ORCID", person.orcid)
            elif person.name and person.name != "Anonymous":
                self.el(holder, "organization", person.name, **attrs)
            else:
                self.el(holder, "anonymous", **attrs)

    def date(self, parent, tag: str, date: PartialDate | None, **attrs) -> None:
        if not date:
            return
        node = self.el(parent, tag, **attrs)
        if date.month:
            self.el(node, "month", f"{date.month:02d}")
        if date.day and date.month:
            self.el(node, "day", f"{date.day:02d}")
        self.el(node, "year", f"{date.year:04d}")

    def publication_dates(self, parent) -> None:
        record = self.record
        if record.published_print or record.published_online:
            self.date(parent, "publication_date", record.published_print, media_type="print")
            self.date(parent, "publication_date", record.published_online, media_type="online")
        else:
            self.date(parent, "publication_date", issued(record))

    def issue_dates(self, parent) -> None:
        """The issue's own dates, kept in extra["journal-issue"] in the REST shape."""
        issue = self.record.extra.get("journal-issue") or {}
        for key, media in (("published-print", "print"), ("published-online", "online")):
            parts = ((issue.get(key) or {}).get("date-parts") or [[None]])[0]
            if parts and parts[0]:
                date = PartialDate(*[int(p) for p in parts[:3]])
                self.date(parent, "publication_date", date, media_type=media)

    def abstract(self, parent) -> None:
        text = self.record.abstract
        if not text:
            return
        wrapped = f'<jats:abstract xmlns:jats="{JATS}">{text}</jats:abstract>'
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            node = etree.fromstring(wrapped.encode(), parser)
        except (etree.XMLSyntaxError, ValueError):
            node = etree.Element(f"{{{JATS}}}abstract", nsmap={"jats": JATS})
            etree.SubElement(node, f"{{{JATS}}}p").text = _xml_text(plain(text))
        inner = [child for child in node if isinstance(child.tag, str)]
        if len(inner) == 1 and etree.QName(inner[0]).localname == "abstract":
            node = inner[0]  # the deposit kept its own <jats:abstract> wrapper
        for element in node.iter():
            # JATS deposited without its prefix (<p>) is JATS all the same
            if isinstance(element.tag, str) and not etree.QName(element).namespace:
                element.tag = f"{{{JATS}}}{element.tag}"
        parent.append(node)

    def pages(self, parent) -> None:
        record = self.record
        if record.first_page:
            node = self.el(parent, "pages")
            self.el(node, "first_page", record.first_page)
            self.el(node, "last_page", record.last_page)

    def publisher_item(self, parent) -> None:
        record = self.record
        ids = record.extra.get("alternative-id") or []
        if not record.article_number and not ids:
            return
        node = self.el(parent, "publisher_item")
        if record.article_number:
            self.el(node, "item_number", record.article_number, item_number_type="article_number")
        for value in dict.fromkeys(ids):
            self.el(node, "identifier", str(value), id_type="pii" if str(value).startswith("S") else "other")

    def crossmark(self, parent) -> bool:
        """The crossmark element; True when it took the funding and licence programs."""
        record = self.record
        mark = record.crossmark or {}
        if not mark.get("policy") and not record.updates:
            return False
        node = self.el(parent, "crossmark")
        self.el(node, "crossmark_policy", mark.get("policy", ""))
        domains = mark.get("domains") or []
        if domains:
            holder = self.el(node, "crossmark_domains")
            for domain in domains:
                self.el(self.el(holder, "crossmark_domain"), "domain", domain)
        if "domain_exclusive" in mark:
            self.el(node, "crossmark_domain_exclusive", "true" if mark["domain_exclusive"] else "false")
        if record.updates:
            holder = self.el(node, "updates")
            for update in record.updates:
                attrs = {"type": update.type}
                if update.date:
                    attrs["date"] = update.date.sort_key().replace("-00", "")
                if update.label:
                    attrs["label"] = update.label
                self.el(holder, "update", update.doi, **attrs)
        assertions = mark.get("assertions") or []
        if assertions or record.funding or record.licenses:
            # As Crossref serves it: funding and licence programs inside the Crossmark.
            custom = self.el(node, "custom_metadata")
            for assertion in assertions:
                self.el(
                    custom,
                    "assertion",
                    str(assertion.get("value", "")),
                    name=assertion.get("name", ""),
                    label=assertion.get("label", ""),
                )
            self.programs(custom, relations=False)
        return True

    def programs(
        self, parent, *, funding: bool = True, licenses: bool = True, relations: bool = True
    ) -> None:
        record = self.record
        if funding and record.funding:
            program = self.el(parent, "program", ns=FR, name="fundref")
            for funder in record.funding:
                group = self.el(program, "assertion", ns=FR, name="fundgroup")
                name = self.el(
                    group, "assertion", funder.name or funder.funder_id or "-", ns=FR, name="funder_name"
                )
                if funder.funder_id:
                    self.el(name, "assertion", funder.funder_id, ns=FR, name="funder_identifier")
                for award in funder.awards:
                    self.el(group, "assertion", award, ns=FR, name="award_number")
        if licenses and record.licenses:
            program = self.el(parent, "program", ns=AI, name="AccessIndicators")
            for lic in record.licenses:
                attrs = {"applies_to": lic.content_version} if lic.content_version != "unspecified" else {}
                if lic.start:
                    attrs["start_date"] = lic.start.sort_key().replace("-00", "")
                self.el(program, "license_ref", lic.url, ns=AI, **attrs)
        if relations and record.relations:
            program = self.el(parent, "program", ns=REL)
            for relation in record.relations:
                item = self.el(program, "related_item", ns=REL)
                self.el(item, "description", relation.description, ns=REL)
                tag = "intra_work_relation" if relation.kind == "intra" else "inter_work_relation"
                self.el(
                    item,
                    tag,
                    relation.id,
                    ns=REL,
                    **{"relationship__type": relation.type, "identifier__type": relation.id_type},
                )

    def archive_locations(self, parent) -> None:
        if self.record.archive_locations:
            holder = self.el(parent, "archive_locations")
            for name in self.record.archive_locations:
                self.el(holder, "archive", name=name)

    def doi_data(self, parent, doi: str | None = None) -> None:
        record = self.record
        node = self.el(parent, "doi_data")
        self.el(node, "doi", doi or self.source.doi)
        if record.deposit_timestamp or getattr(self.source.work, "deposit_timestamp", None):
            self.el(
                node,
                "timestamp",
                str(getattr(self.source.work, "deposit_timestamp", None) or record.deposit_timestamp),
            )
        # A DOI registered without a URL resolves to its landing page here: say so, as the
        # schema requires a resource.
        landing = f"{settings.SITE_URL.rstrip('/')}/works/{quote(doi or self.source.doi, safe='/')}"
        self.el(node, "resource", record.url or landing)
        secondary = [u for u in record.resource_urls if u.kind != "primary"]
        if secondary:
            collection = self.el(node, "collection", property="list-based")
            for url in secondary:
                item = self.el(collection, "item", label=url.label)
                self.el(item, "resource", url.url)
        by_application: dict[str, list] = {}
        for link in record.links:
            by_application.setdefault(link.intended_application or "text-mining", []).append(link)
        for application, links in by_application.items():
            # Similarity Check links are the crawler-based collection for iParadigms.
            crawled = application == "similarity-checking"
            collection = self.el(node, "collection", property="crawler-based" if crawled else application)
            for link in links:
                item = self.el(collection, "item", crawler="iParadigms" if crawled else "")
                mime = link.content_type if link.content_type and link.content_type != "unspecified" else ""
                self.el(item, "resource", link.url, mime_type=mime)

    def citations(self, parent) -> None:
        references = self.record.references
        if not references:
            return
        holder = self.el(parent, "citation_list")
        for ref in references:
            node = self.el(holder, "citation", key=ref.key)
            for tag, value in (
                ("issn", ref.issn),
                ("journal_title", ref.journal_title),
                ("author", ref.author),
                ("volume", ref.volume),
                ("issue", ref.issue),
                ("first_page", ref.first_page),
                ("cYear", ref.year),
                ("doi", ref.doi),
                ("isbn", ref.isbn),
                ("series_title", ref.series_title),
                ("volume_title", ref.volume_title),
                ("edition_number", ref.edition),
                ("component_number", ref.component),
                ("article_title", ref.article_title),
                ("unstructured_citation", ref.unstructured),
            ):
                self.el(node, tag, value)

    def isbn(self, parent, isbns: list[dict[str, str]]) -> None:
        for isbn in isbns:
            self.el(parent, "isbn", isbn.get("value", ""), media_type=isbn.get("type", "") or "print")

    def issns(self, parent) -> None:
        container = self.record.container
        for issn in container.issns if container else []:
            value = issn.get("value", "").strip()
            if "/" in value:  # a few imported records give the ISSN as an id.crossref.org URL
                value = issn_hyphenated(value)
            self.el(parent, "issn", value, media_type=issn.get("type", "") or "print")

    def publisher(self, parent) -> None:
        if self.source.publisher:
            self.el(self.el(parent, "publisher"), "publisher_name", self.source.publisher)

    def work_body(self, node, *, abstract: bool = True) -> None:
        """The shared tail of journal_article, content_item and conference_paper."""
        if abstract:
            self.abstract(node)
        self.publication_dates(node)
        self.date(node, "acceptance_date", self.record.accepted)
        self.pages(node)
        self.record_tail(node)

    def record_tail(self, node) -> None:
        """What closes every item's metadata, in the schema's order."""
        self.publisher_item(node)
        self.crossmark_and_programs(node)
        self.archive_locations(node)
        self.doi_data(node)
        self.citations(node)

    def crossmark_and_programs(self, node) -> None:
        in_crossmark = self.crossmark(node)
        self.programs(node, funding=not in_crossmark, licenses=not in_crossmark)


def names_of(value) -> list[str]:
    values = value if isinstance(value, list) else [value] if value else []
    out = []
    for entry in values:
        name = entry.get("name", "") if isinstance(entry, dict) else str(entry)
        if name:
            out.append(name)
    return out


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _xml_text(text: str) -> str:
    """Text XML can carry: control characters other than tab and line breaks are dropped."""
    return str(text).translate(_CONTROL)
