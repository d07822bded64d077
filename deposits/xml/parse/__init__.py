"""Schema-valid Crossref deposit XML -> `ParsedDeposit` (deposits/records.py).

Public API:

* `parse_deposit_tree(tree)` - a whole validated document (deposit, resource-only or grant).
* `parse_head(head)` - its <head>.
* `parse_body_item(element, kind=..., path=...)` - one body child -> its ParsedRecords. This
  is the unit a streaming reader calls: with `lxml.etree.iterparse` over `end` events, call
  it for each child of <body> as it completes, then `element.clear()` and delete the
  already-read siblings (`del body[0]` while `element.getprevious() is not None`); pass
  `path` (the reader can count the body children it has seen) so nothing looks at the
  rest of the tree.
* `records_from_item_element(element)` - one content element (`journal`, `book`,
  `conference`, `posted_content`, `dissertation`, `report-paper`, `standard`, `database`,
  `peer_review`, `sa_component`, `pending_publication`, `grant`; any namespace) -> its
  WorkRecords. The unixref/unixsd import reads `doi_record/crossref/<item>` with it.

Everything is matched by local name, so every deposit schema 4.3.0-5.5.0, the resource-only
schemas, grant_id and the unixref/unixsd output schemas go through the same code. Content
types and the records they give (REST API type ids):

| body element           | records                                                                |
| ---------------------- | ---------------------------------------------------------------------- |
| `journal`              | `journal` (journal_metadata with a DOI), `journal-volume`,             |
|                        | `journal-issue`, `journal-article` (container: the journal, kind       |
|                        | journal; volume/issue and, when it has none, dates from the issue)     |
| `book`                 | `book-series` / `book-set` (series or set metadata with a DOI), the    |
|                        | book as `edited-book` / `monograph` / `reference-book` / `book` by     |
|                        | book_type, content items as `book-chapter`, `book-section`,            |
|                        | `book-part`, `book-track`, `reference-entry`, `other`                  |
| `conference`           | `proceedings-series`, `proceedings` (with the conference's chairs and  |
|                        | editors), `proceedings-article`; event_metadata in extra["event"]      |
| `posted_content`       | `posted-content`, subtype = its type attribute (default preprint)      |
| `database`             | `database`, `dataset` (subtype = dataset_type, default record)         |
| `dissertation`         | `dissertation`                                                         |
| `report-paper`         | `report-series`, `report`, content items as `report-component`         |
| `standard`             | `standard`, content items as `other`                                   |
| `peer_review`          | `peer-review`; stage, type, recommendation, revision-round,            |
|                        | running-number, competing-interest-statement in extra["review"]        |
| `sa_component`         | one `component` per component; extra["parent_doi"] = parent_doi        |
| `pending_publication`  | `pending-publication` (a plain <doi>, no URL)                          |
| `grant`                | `grant`                                                                |
| any `component_list`   | `component` records, extra["parent_doi"] = the holder's DOI            |
| resource-only bodies   | ResourceRecords; see deposits/xml/parse/resources.py                   |

What WorkRecord has no field for goes into `extra` under the REST API's name and shape
(event, institution, degree, review, group-title, edition-number, published-other,
content-created, alternative-id, clinical-trial-number, free-to-read, ...), as the REST
JSON import does, so every channel stores the same thing the same way.
"""

from __future__ import annotations

from lxml import etree

from deposits.records import Head, ParsedDeposit, ParsedRecord
from deposits.xml.parse.base import child_text, doi_as_written, kid, kids, local
from deposits.xml.parse.items import READERS, read_item
from deposits.xml.parse.programs import parse_timestamp
from deposits.xml.parse.resources import RESOURCE_BODIES, read_resource
from deposits.xml.paths import element_path
from deposits.xml.schemas import RootKind, family_of
from linking.records import WorkRecord

__all__ = [
    "CONTENT_ELEMENTS",
    "RESOURCE_BODIES",
    "parse_body_item",
    "parse_deposit_tree",
    "parse_head",
    "records_from_item_element",
]

CONTENT_ELEMENTS = frozenset(READERS)


def parse_deposit_tree(tree: etree._ElementTree | etree._Element) -> ParsedDeposit:
    """A schema-valid doi_batch (deposit, resource-only or grant) -> ParsedDeposit, records
    in document order. Raises ValueError for a document that is not a doi_batch."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if local(root) != "doi_batch":
        raise ValueError(f"<{local(root)}> is not a deposit: parse_deposit_tree reads <doi_batch> documents")
    kind = deposit_kind(root)
    deposit = ParsedDeposit(head=parse_head(kid(root, "head")), kind=kind)
    body = kid(root, "body")
    if body is None:
        return deposit
    body_path = element_path(body)
    children = list(kids(body))
    totals: dict[str, int] = {}
    for child in children:
        totals[local(child)] = totals.get(local(child), 0) + 1
    seen: dict[str, int] = {}
    for child in children:
        name = local(child)
        seen[name] = seen.get(name, 0) + 1
        path = f"{body_path}/{name}" + (f"[{seen[name]}]" if totals[name] > 1 else "")
        deposit.records += parse_body_item(child, kind=kind, path=path)
    return deposit


def deposit_kind(root: etree._Element) -> str:
    """deposit | resources | grant, from the root namespace (or, outside the Crossref
    namespaces, from what the body holds)."""
    found = family_of(etree.QName(root).namespace)
    if found is not None:
        family, _ = found
        if family.kind is RootKind.QUERY:
            raise ValueError("a query_batch is not a deposit")
        return family.kind.value
    names = {local(c) for c in kids(kid(root, "body"))} if kid(root, "body") is not None else set()
    if names & RESOURCE_BODIES:
        return RootKind.RESOURCES.value
    if "grant" in names:
        return RootKind.GRANT.value
    return RootKind.DEPOSIT.value


def parse_head(head: etree._Element | None) -> Head:
    if head is None:
        return Head()
    depositor = kid(head, "depositor")
    return Head(
        doi_batch_id=child_text(head, "doi_batch_id"),
        timestamp=parse_timestamp(child_text(head, "timestamp")),
        # <name> before schema 4.3.4, <depositor_name> since.
        depositor_name=child_text(depositor, "depositor_name") or child_text(depositor, "name"),
        depositor_email=child_text(depositor, "email_address") or child_text(head, "email_address"),
        registrant=child_text(head, "registrant"),
    )


def parse_body_item(
    element: etree._Element, *, kind: str = "deposit", path: str | None = None
) -> list[ParsedRecord]:
    """One child of <body> -> its ParsedRecords (metadata records, or one resource update).
    `path` is the element's own path; without it, it is worked out from the tree."""
    if local(element) in RESOURCE_BODIES:
        found, resource = read_resource(element, path)
        return [
            ParsedRecord(
                doi=found.doi,
                line=found.line,
                path=path if path is not None else element_path(element),
                resource=resource,
                problems=found.problems,
                written=_written(found.anchor),
            )
        ]
    reader = read_item(element, path)
    return [
        ParsedRecord(
            doi=found.doi,
            line=found.line,
            path=reader.paths(found.element),
            record=found.record,
            problems=found.problems,
            written=_written(found.anchor),
        )
        for found in reader.found
    ]


def _written(doi_element: etree._Element | None) -> str:
    return doi_as_written(doi_element.text or "") if doi_element is not None else ""


def records_from_item_element(element: etree._Element) -> list[WorkRecord]:
    """The WorkRecords of one content element (a body child of a deposit, or the child of a
    unixref/unixsd `crossref` element), in document order. Records without a DOI are left
    out; given the `crossref` element itself, every content element in it is read."""
    if local(element) == "crossref":
        return [r for child in kids(element) for r in records_from_item_element(child)]
    return [found.record for found in read_item(element).found if found.record is not None]
