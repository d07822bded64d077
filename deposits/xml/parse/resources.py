"""Resource-only deposits (`http://www.crossref.org/doi_resources_schema/X`): each body
element names one existing DOI in a first <doi> child and carries one part of its record.
Each becomes a `ResourceRecord` whose `replace` names the parts the element sets:

| body element         | parts carried                           | replace                          |
| -------------------- | --------------------------------------- | -------------------------------- |
| `doi_citations`      | references                              | references                       |
| `doi_resources`      | secondary URLs (list-/country-based),   | links, when there are any;       |
|                      | links (text-mining, similarity check,   | resource_urls only when a        |
|                      | syndication), link-header in extra      | primary <resource> is given      |
| `crossmark_data`     | crossmark, updates (+ funding, licences | crossmark, updates (+ funding,   |
|                      | of its custom_metadata)                 | licenses when present)           |
| `fundref_data`       | funding                                 | funding                          |
| `lic_ref_data`       | licences (free_to_read in extra)        | licenses                         |
| `doi_relations`      | relations                               | relations                        |
| `clinicaltrial_data` | extra["clinical-trial-number"]          | nothing (warning)                |

Resolution URLs need care. `replace` replaces a part whole, and a secondary depositor's
multiple-resolution deposit (list-based or country-based items) must never remove the
owner's primary URL, which such a document does not contain (no doi_resources schema has
a place for one). So `resource_urls` is named in `replace` only when the document gives a
primary resource; the secondary URLs always travel in `parts.resource_urls` (kind
"secondary", with their labels), and adding them beside the stored primary URL - replacing
earlier secondary URLs - is the registry's merge, not this parser's."""

from __future__ import annotations

from lxml import etree

from deposits.errors import ErrorCode
from deposits.xml.parse.base import Found, Notes, Paths, bare_doi, kid, local
from deposits.xml.parse.parts import read_references
from deposits.xml.parse.programs import read_crossmark, read_doi_data, read_programs
from linking.records import WorkRecord
from linking.services import ResourceRecord

RESOURCE_BODIES = frozenset(
    {
        "doi_citations",
        "doi_resources",
        "crossmark_data",
        "fundref_data",
        "lic_ref_data",
        "doi_relations",
        "clinicaltrial_data",
    }
)


def read_resource(
    element: etree._Element, item_path: str | None = None
) -> tuple[Found, ResourceRecord | None]:
    """One resource-only body element -> (Found with the problems, ResourceRecord or None
    when the element names no DOI)."""
    paths = Paths(element, item_path)
    notes = Notes(paths)
    link = read_doi_data(element)  # the <doi> child, and for doi_resources the collection
    doi = bare_doi(link.doi)
    parts = WorkRecord(doi=doi, type="")
    replace: set[str] = set()
    name = local(element)

    if name == "doi_citations":
        parts.references = read_references(element)
        replace.add("references")
    elif name == "doi_resources":
        parts.resource_urls, parts.links = list(link.urls), list(link.links)
        if link.primary:
            replace.add("resource_urls")
        if link.links:
            replace.add("links")
        if link.link_headers:
            parts.extra["link-header"] = link.link_headers
        if link.multi_resolution:
            parts.extra["multi-resolution"] = link.multi_resolution
    elif name == "crossmark_data":
        parts.crossmark, parts.updates, custom = read_crossmark(kid(element, "crossmark"))
        replace |= {"crossmark", "updates"}
        programs = read_programs(custom)
        if "funding" in programs.seen:
            parts.funding = programs.funding
            replace.add("funding")
        if "licences" in programs.seen:
            parts.licenses = programs.licenses
            replace.add("licenses")
    elif name in ("fundref_data", "lic_ref_data", "doi_relations", "clinicaltrial_data"):
        programs = read_programs(element)
        if name == "fundref_data":
            parts.funding = programs.funding
            replace.add("funding")
        elif name == "lic_ref_data":
            parts.licenses = programs.licenses
            if programs.free_to_read:
                parts.extra["free-to-read"] = programs.free_to_read
            replace.add("licenses")
        elif name == "doi_relations":
            parts.relations = programs.relations
            replace.add("relations")
        else:
            parts.extra["clinical-trial-number"] = programs.clinical_trials
            if doi:
                notes.add(
                    ErrorCode.RESOURCE_PART_NOT_STORED,
                    element,
                    element=name,
                    doi=doi,
                    what="clinical-trial numbers (ct:program)",
                )

    if not doi:
        notes.add(ErrorCode.RECORD_DOI_MISSING, element, element=name)
    found = Found(record=None, element=element, anchor=link.doi_element, doi=doi, problems=notes.take(doi))
    resource = ResourceRecord(doi=doi, parts=parts, replace=replace) if doi else None
    return found, resource
